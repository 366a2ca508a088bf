"""Closeness in meaning, shared by the extractive answer and the grounding of a model's answer. Pure:
the embedder is passed in as a function (`retrieval.embedders.loaded_embed` gives the process's own)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Embed = Callable[[Sequence[str]], list[list[float]]]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
