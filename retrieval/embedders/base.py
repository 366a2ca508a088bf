"""The interface every embedding model implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence


class Embedder(ABC):
    model_id: str
    dimensions: int
    # The texts one call should carry at most for the model's best throughput: ingestion gathers several
    # files' chunks into a call up to this (a file's chunks always go in one call). Large for a GPU or a
    # server; 1 on the CPU, where calls of several files' chunks pad more: on two cores, 300 SciFact files
    # went in about 5 % faster one file a call than up to 256 chunks a call (2026-12-05), and again 12
    # points of the model's rate faster than up to 32 chunks a call, in runs interleaved 50 files at a time
    # (ONNX, 2026-12-05); the model's CPU time for 266 chunks: 17.7 s a text a call, 21 s a file a call,
    # 22.6 s 32 texts a call.
    texts_per_call: int = 256

    def embed(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]

    def vocabulary(self) -> frozenset[str]:
        """The whole words the model knows (lower case), for telling a mistyped word from a real one;
        empty when the model has no word list."""
        return frozenset()

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per text, in order."""
