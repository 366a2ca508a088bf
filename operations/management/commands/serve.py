from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations import local_llm
from operations.embedded_db import release_exited_holders

# How long the children have to stop after SIGTERM (gunicorn finishes the requests it is serving)
# before they are killed, with their own children.
STOP_TIMEOUT_S = 20


# The queues of the one worker `serve` starts: uploads, the audit head's export, the retention jobs.
WORKER_QUEUES = "ingestion,audit,maintenance"


class Command(BaseCommand):
    help = (
        "Migrate, set up the demo, collect the static files, then serve Sluice (gunicorn with uvicorn's ASGI "
        "workers, static files by ServeStatic) with one ingestion worker beside it, and the local model of "
        "`make local-llm` when it "
        "is there. Ctrl-C or SIGTERM stops them all, and the embedded database with them unless another "
        "process (a test run, say) still uses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.getenv("HOST", "127.0.0.1"), help="address to bind (env HOST)")
        parser.add_argument("--port", type=int, default=int(os.getenv("PORT", "8000")), help="port (env PORT)")
        parser.add_argument(
            "--demo",
            action=argparse.BooleanOptionalAction,
            default=not os.getenv("DATABASE_URL"),
            help="create the demo accounts and corpus (default: only with the embedded database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # SIGTERM (kill, a supervisor, make passing it on) stops as Ctrl-C does. Either way this process
        # then leaves through its atexit handlers, where the embedded database's last holder stops it.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        call_command("migrate", interactive=False, verbosity=0)
        self.export_embedder()
        if options["demo"]:
            call_command("setup_demo")
        # ServeStatic serves what is collected when gunicorn's workers start.
        call_command("collectstatic", interactive=False, verbosity=0)
        manage = str(settings.BASE_DIR / "manage.py")
        # gunicorn's workers are processes: prometheus-client adds their figures up from files here.
        metrics_dir = settings.DATA_DIR / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        children: list[subprocess.Popen[bytes]] = []
        try:
            model_server = self.start_local_model()
            if model_server is not None:
                children.append(model_server)
            # This process holds the embedded database for its children, which reuse it. Each child has
            # a process group of its own, so that Ctrl-C reaches this process only and each child is told
            # to stop once: the ingestion worker, told twice, died without releasing the database.
            children.append(
                subprocess.Popen(
                    [sys.executable, manage, "procrastinate", "worker", "--queues", WORKER_QUEUES], process_group=0
                )
            )
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.asgi",
                        "--config",
                        "python:config.gunicorn_conf",
                        "--bind",
                        f"{options['host']}:{options['port']}",
                        "--workers",
                        os.getenv("WEB_WORKERS", "2"),
                        "--access-logfile",
                        "-",
                    ],
                    cwd=settings.BASE_DIR,
                    process_group=0,
                )
            )
            self.stdout.write(f"Sluice is serving http://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C would cut the stopping short; the waits below are bounded instead.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop_children(children)
            if not os.getenv("DATABASE_URL"):
                release_exited_holders(settings.DATA_DIR)
        failed = [c.args[2] if len(c.args) > 2 else c.args for c in children if c.returncode not in (0, -15, None)]
        if failed:
            self.stderr.write(f"stopped because a process exited: {failed}")

    def export_embedder(self) -> None:
        """Export the embedding model to ONNX before the workers start, when it runs on ONNX (once)."""
        from retrieval.embedders import resolve_backend

        if resolve_backend(settings.EMBEDDING_BACKEND, device=settings.EMBEDDING_DEVICE).startswith("onnx"):
            from retrieval.embedders.onnx import ensure_exported
            from retrieval.embedders.onnx_export import export_folder

            ensure_exported(export_folder(settings.DATA_DIR))

    def start_local_model(self) -> subprocess.Popen[bytes] | None:
        """Serve the model of `make local-llm` and point the children at it (LOCAL_LLM_*), unless
        LOCAL_LLM_BASE_URL names a server already. Raises CommandError if it does not start."""
        if os.getenv("LOCAL_LLM_BASE_URL"):
            return None
        if not local_llm.is_installed(settings.DATA_DIR):
            self.stdout.write("No local model: `make local-llm` adds one (llama.cpp and Qwen2.5-Coder 1.5B).")
            return None
        port = local_llm.free_port()
        base_url = f"http://127.0.0.1:{port}/v1"
        log = settings.DATA_DIR / "local-llm.log"
        started = time.monotonic()
        server = local_llm.start_server(model=local_llm.model_path(settings.DATA_DIR), port=port, log=log)
        try:
            local_llm.wait_until_serving(server, base_url, log=log, timeout=local_llm.START_TIMEOUT)
        except local_llm.LocalModelError as error:
            raise CommandError(f"{error} (set LOCAL_LLM_BASE_URL to use another server)") from None
        os.environ["LOCAL_LLM_BASE_URL"] = base_url
        os.environ["LOCAL_LLM_MODEL"] = local_llm.MODEL_ALIAS
        self.stdout.write(
            f"Local model {local_llm.MODEL_ALIAS} serving {base_url} "
            f"(ready in {time.monotonic() - started:.1f} s, log in {log})"
        )
        return server


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child that runs, then wait for all of them together; after STOP_TIMEOUT_S, kill
    what is left of each one's process group (gunicorn's workers with their master)."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.kill()
            child.wait()
