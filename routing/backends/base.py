"""The interface every answer-writing backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ContextPassage:
    """A passage the answer may cite as [n]."""

    n: int
    chunk_id: int
    document_id: int
    title: str
    text: str


@dataclass(frozen=True)
class Bundle:
    """Everything a backend sees: the question and the numbered passages."""

    question: str
    passages: tuple[ContextPassage, ...]


class BackendError(Exception):
    """A backend could not answer; `permanent` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class ChatBackend(ABC):
    name: str
    zone: str  # onprem, private or cloud
    model: str

    @abstractmethod
    def generate(self, bundle: Bundle) -> Iterator[str]:
        """Yield the answer as text deltas, citing passages as [n]. Raise BackendError on failure."""
