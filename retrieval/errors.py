"""Errors of the knowledge base, each with a message that says what to do."""

from __future__ import annotations


class IngestionError(Exception):
    """A file could not be ingested; nothing of it was stored."""


class UploadRefused(IngestionError):
    """The uploader may not store this document (above their clearance, or replacing one they cannot read)."""


class ReingestRefused(IngestionError):
    """The document cannot be re-ingested (no stored sections, or it changed meanwhile); nothing changed."""


class EmbedderUnavailable(Exception):
    """The configured embedding model cannot be loaded (its ONNX export failed, say); the message says how to fix it."""


class EmbeddingServiceError(EmbedderUnavailable):
    """The embedding service (EMBEDDING_BACKEND=remote) did not give the vectors. `kind` names why, in the
    words of routing's ErrorKind (timeout, rate_limited, server_error, unreachable, bad_response, bad_request,
    auth, not_found); `permanent` whether another try of the same request can help; `retry_after` the
    server's hint in seconds, when it gave one. The message never holds the texts sent."""

    def __init__(self, message: str, *, kind: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.permanent = kind in PERMANENT_KINDS
        self.retry_after = retry_after


# Kinds another try cannot fix: the same request fails the same way (as routing.errors.PERMANENT_KINDS).
PERMANENT_KINDS = frozenset({"bad_request", "auth", "not_found"})
