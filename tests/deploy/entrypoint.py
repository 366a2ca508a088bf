"""deploy/entrypoint.sh run as the image runs it, but as a plain process of this machine (no container runtime
may start here): the venv's bin first on PATH (the image's /opt/venv/bin), a data folder of its own (the
image's /var/lib/sluice), and a PostgreSQL named by DATABASE_URL: the suite's test database or a fresh one
on the same server."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from tests.serving import sluice_variables

ENTRYPOINT = Path(settings.BASE_DIR) / "deploy" / "entrypoint.sh"
STOP_TIMEOUT_S = 60


def database_url(name: str) -> str:
    """A DATABASE_URL for database `name` of the server the suite uses (the embedded one: a socket folder)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{quote(str(db['HOST']), safe='')}:{db['PORT']}/{name}"


def role_environment(data_dir: Path, *, database: str) -> dict[str, str]:
    """What a container of the image gets: none of the developer's Sluice settings, the production ones."""
    hidden = sluice_variables() | {"PROMETHEUS_MULTIPROC_DIR", "DJANGO_SETTINGS_MODULE"}
    env = {name: value for name, value in os.environ.items() if name not in hidden}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        SLUICE_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url(database),
        SECRET_KEY="entrypoint-test-secret-key-entrypoint-test",
        AUDIT_CHAIN_KEY="entrypoint-test-audit-chain-key-0123456789",
        HELD_VAULT_KEY="entrypoint-test-held-vault-key-0123456789",
        AUDIT_HEAD_FILE=str(data_dir / "audit-head.jsonl"),
        METRICS_TOKEN="entrypoint-test-scrape-token",
        PROMETHEUS_MULTIPROC_DIR=str(data_dir / "prometheus"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


def run_role(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a role to its end."""
    return subprocess.run([str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd="/")


class RoleProcess:
    """A long-running role (web, worker, embed) in a process group of its own, its output in `log`."""

    def __init__(self, *args: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(ENTRYPOINT), *args], env=env, stdout=output, stderr=subprocess.STDOUT, cwd="/", process_group=0
            )

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        """SIGTERM, as Kubernetes or compose stops a container, and its exit status; after STOP_TIMEOUT_S,
        SIGKILL to the whole group (and the test fails on the status)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return -signal.SIGKILL

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"


def wait_for(condition, *, timeout: float, role: RoleProcess) -> None:  # type: ignore[no-untyped-def]
    """Poll `condition` until it holds; AssertionError with the role's log if the role exits or time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert role.running(), f"the role exited ({role.process.returncode}):\n{role.log_tail()}"
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout} s:\n{role.log_tail()}")
