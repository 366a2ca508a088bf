"""`manage.py serve` (what `make run` runs), for real: Ctrl-C and SIGTERM stop everything it started,
the embedded PostgreSQL too, unless another process still holds that."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.serving import ServedSluice, running, wait_until_gone

pytestmark = pytest.mark.slow

# serve gives its children 20 s to stop, then kills them; the database stops after that.
STOPPED_WITHIN_S = 45


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServedSluice]:
    """A serve of this test's own, in its own data folder (so its own PostgreSQL), stopped after it."""
    server = ServedSluice(tmp_path / "data").start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "sig, to_group",
    [
        (signal.SIGINT, True),  # Ctrl-C: the terminal signals the foreground process group
        (signal.SIGTERM, False),  # kill, a supervisor, or make passing its own SIGTERM on
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_stops_gunicorn_the_worker_and_the_database(
    own_server: ServedSluice, sig: signal.Signals, to_group: bool
) -> None:
    started = own_server.started
    names = " ".join(" ".join(process.cmdline()) for process in started)
    assert "gunicorn" in names and "procrastinate worker" in names and own_server.postmaster() in started

    assert own_server.process is not None
    if to_group:
        os.killpg(own_server.process.pid, sig)
    else:
        own_server.process.send_signal(sig)

    left = wait_until_gone(started, timeout=STOPPED_WITHIN_S)
    assert [" ".join(p.cmdline()) for p in left if running(p)] == [], own_server.log_tail()
    assert own_server.process.wait(timeout=10) == 0
    assert own_server.holders() == "[]"
    assert not (own_server.data_dir / "pg" / "postmaster.pid").exists()


# Holds the embedded server of the data folder given, as a test run beside `make run` does, until stdin closes.
HOLD = """
import sys
from pathlib import Path
from config.embedded_db import embedded_database_settings
embedded_database_settings(Path(sys.argv[1]))
print("holding", flush=True)
sys.stdin.read()
"""


def test_the_database_keeps_running_while_another_process_holds_it(own_server: ServedSluice) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(own_server.data_dir)],
        cwd=settings.BASE_DIR,
        env=own_server.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        postmaster = own_server.postmaster()
        assert postmaster is not None
        database = [postmaster, *postmaster.children(recursive=True)]
        served = [process for process in own_server.processes() if process not in database]

        assert own_server.process is not None
        own_server.process.send_signal(signal.SIGTERM)

        assert wait_until_gone(served, timeout=STOPPED_WITHIN_S) == [], own_server.log_tail()
        time.sleep(1)
        assert running(postmaster)  # still held
        assert own_server.holders() == f"[{holder.pid}]"
    finally:
        holder.communicate(timeout=60)  # stdin closed: the last holder leaves, and stops the server

    assert wait_until_gone([postmaster], timeout=30) == []
