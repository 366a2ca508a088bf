"""gunicorn settings for `manage.py serve` (and for production: `-c python:config.gunicorn_conf`)."""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

# ASGI (config.asgi): a worker holds many answer streams at once, where a thread of gunicorn's own
# (gthread) was held for each stream from its first byte to its last.
worker_class = "uvicorn_worker.UvicornWorker"


def warm_up_models() -> None:
    """Load the models a question needs: inspection's name model with its name lists and vocabulary, the
    injection detector's weights (each question is judged by its sentence head; 0.13 s to read), the extractive
    answer's list of common English words (0.3 s), and the embedding model (about a second each on two cores).
    The name model first: the embedder may be a service that does not answer yet (EMBEDDING_BACKEND=remote,
    started beside this worker), and is then reached on the first question."""
    from django.conf import settings

    from inspection import ner
    from inspection.injection_model import shipped_classifier, shipped_sentence_head
    from retrieval.embedders import get_embedder, resolve_backend
    from retrieval.errors import EmbeddingServiceError
    from routing.backends.absent_terms import common_english

    # Nothing else in a web worker imports torch unless the embedder runs on it (the name model needs none).
    torch_used = resolve_backend(settings.EMBEDDING_BACKEND, device=settings.EMBEDDING_DEVICE) == "torch"
    ner.warm_up(without_torch=not torch_used)
    shipped_sentence_head()
    shipped_classifier()
    common_english()
    try:
        get_embedder().embed("warm up")
    except EmbeddingServiceError as error:
        logger.warning("The embedding service was not warmed up: %s", error.message)


def post_worker_init(worker: Any) -> None:
    # httpx is imported here, whole, before any thread starts: the openai SDK looks it up in sys.modules and
    # could otherwise find it half imported by another thread ("partially initialized module 'httpx' has no
    # attribute 'URL'", seen once when the warm-up and another thread built a client at the same moment).
    import httpx  # noqa: F401

    # Load the models in the background once the worker runs, so the first
    # question does not wait for them (they are never loaded at import time).
    threading.Thread(target=warm_up_models, name="models-warm-up", daemon=True).start()
