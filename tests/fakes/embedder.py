"""An embedder that wraps the real one for tests: it records each call's texts, can take its time on its
first call, and fails on texts that hold a chosen word, as a model server that went away would. It takes
as many texts a call as a GPU would (Embedder.texts_per_call), unless told otherwise."""

from __future__ import annotations

import time
from collections.abc import Sequence

from retrieval.embedders.base import Embedder


class EmbedderFailed(Exception):
    """What the scripted embedder raises: an error ingestion does not expect."""


class ScriptedEmbedder(Embedder):
    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dimensions = real.dimensions
        self.calls: list[list[str]] = []
        self.first_call_delay_s = 0.0
        self.fail_on: str | None = None

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        if self.fail_on is not None and any(self.fail_on in text for text in texts):
            raise EmbedderFailed("the embedding server went away")
        if len(self.calls) == 1:
            time.sleep(self.first_call_delay_s)
        return self.real.embed_batch(texts)
