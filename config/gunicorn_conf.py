"""gunicorn settings for `manage.py serve` (and for production: `-c python:config.gunicorn_conf`)."""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)


def _warm_up_embedder() -> None:
    from retrieval.embedders import get_embedder

    get_embedder().embed("warm up")


def post_worker_init(worker: Any) -> None:
    # Load the embedding model in the background once the worker runs, so the
    # first question does not wait for it (it is never loaded at import time).
    threading.Thread(target=_warm_up_embedder, name="embedder-warm-up", daemon=True).start()
