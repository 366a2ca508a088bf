"""A throwaway database for the benchmark run: created and migrated at the start, dropped at the end.

The benchmarks that need documents, users or a server of their own (retrieval at 100k chunks, the
end-to-end load, the cost comparison) run in it, so the working database is never touched and
nothing is left behind, even when a benchmark fails half-way. A web server started for the load
test reaches the same database through SLUICE_DATABASE_NAME (see `server_environment`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

PREFIX = "sluice_bench"


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create, migrate and switch to a fresh database; drop it and switch back on exit. Yields its name.

    Databases left by earlier runs that were killed outright (their process is gone) are dropped first.
    """
    drop_abandoned()
    original = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    test_settings["NAME"] = f"{PREFIX}_{os.getpid()}"
    try:
        # Django's test-database machinery: CREATE DATABASE, migrate, point the connection at it.
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield name
        finally:
            from retrieval.selectors import close_side_connections

            close_side_connections()  # the vector side's threads hold connections to it
            connection.creation.destroy_test_db(original, verbosity=0)
    finally:
        test_settings["NAME"] = saved_test_name


def drop_abandoned() -> list[str]:
    """Drop the throwaway databases whose benchmark process no longer runs; return their names."""
    dropped = []
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{PREFIX}\\_%"])
        for (name,) in cursor.fetchall():
            pid = name.removeprefix(f"{PREFIX}_")
            if pid.isdigit() and not _running(int(pid)):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                dropped.append(name)
    return dropped


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_environment(database_name: str) -> dict[str, str]:
    """The environment for a child process (a gunicorn started by a benchmark) that must use `database_name`."""
    return os.environ | {"SLUICE_DATABASE_NAME": database_name}
