"""The process-wide embedder: created lazily, so importing Sluice never loads a model."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from retrieval.embedders.base import Embedder

_embedder: Embedder | None = None
_lock = threading.Lock()


def get_embedder() -> Embedder:
    """Return the embedder of this process, creating it (not yet loading weights) on first call."""
    global _embedder
    with _lock:
        if _embedder is None:
            from django.conf import settings

            from retrieval.embedders.sentence_transformers import MiniLMEmbedder

            _embedder = MiniLMEmbedder(device=settings.EMBEDDING_DEVICE, batch_size=settings.EMBEDDING_BATCH_SIZE)
        return _embedder


def embedder_is_loaded() -> bool:
    return _embedder is not None and getattr(_embedder, "loaded", True)


def loaded_embed() -> Callable[[Sequence[str]], list[list[float]]] | None:
    """The embedder's embed_batch when its model is already loaded, else None: a caller that only
    refines with meaning (the extractive answer, attributing an answer) never loads weights of its own."""
    return get_embedder().embed_batch if embedder_is_loaded() else None
