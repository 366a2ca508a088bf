"""Start-up checks of the knowledge base (Django's system checks: every manage.py command, serve included)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning


def int8_vectors_differ(**kwargs: Any) -> list[CheckMessage]:
    """onnx-int8's vectors are not torch's: passages stored by torch or onnx (or by int8, after a switch back)
    are searched with query vectors of another kind until the collection is embedded again."""
    if settings.EMBEDDING_BACKEND != "onnx-int8":
        return []
    return [
        Warning(
            "EMBEDDING_BACKEND=onnx-int8 makes vectors that differ from those of torch and onnx (per-text cosine "
            "down to 0.97, docs/benchmarks.md): passages stored by another backend no longer match its queries "
            "exactly, and Sluice records no backend per passage to tell them apart.",
            hint="Use EMBEDDING_BACKEND=onnx (the same vectors as torch) unless every stored passage was "
            "embedded with onnx-int8; Sluice has no re-embedding command yet, so switching means re-ingesting.",
            id="retrieval.W001",
        )
    ]
