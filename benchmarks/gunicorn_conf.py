"""gunicorn settings for the end-to-end benchmark: production's (config.gunicorn_conf), plus a mark per warm worker.

A benchmark cannot choose which worker the kernel hands a connection to, so a warm-up request
per worker cannot be sent through the shared socket. Instead each worker, once it has loaded the
embedding model, embedded a text and imported the cloud backend's SDK (what its first question would
otherwise pay), writes a file named after its pid in SLUICE_BENCH_READY_DIR; the benchmark waits for
one per worker before it starts measuring.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from config import gunicorn_conf as production
from config.gunicorn_conf import *  # noqa: F403 (every production setting, unchanged)

logger = logging.getLogger(__name__)


def _warm_and_mark(ready_dir: Path) -> None:
    from retrieval.embedders import get_embedder
    from routing.backends import get_backend_class

    try:
        get_embedder().embed("warm up")  # waits for the production warm-up's load (the embedder's lock)
        get_backend_class("anthropic")
    except Exception:  # a worker's top level: the benchmark sees no mark and says so
        logger.exception("Benchmark warm-up failed in worker %s", os.getpid())
        return
    (ready_dir / str(os.getpid())).touch()


def post_worker_init(worker: Any) -> None:
    production.post_worker_init(worker)
    ready_dir = os.environ.get("SLUICE_BENCH_READY_DIR")
    if ready_dir:
        threading.Thread(target=_warm_and_mark, args=(Path(ready_dir),), name="bench-ready", daemon=True).start()
