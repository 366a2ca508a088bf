"""The interface every embedding model implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence


class Embedder(ABC):
    model_id: str
    dimensions: int

    def embed(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]

    def vocabulary(self) -> frozenset[str]:
        """The whole words the model knows (lower case), for telling a mistyped word from a real one;
        empty when the model has no word list."""
        return frozenset()

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per text, in order."""
