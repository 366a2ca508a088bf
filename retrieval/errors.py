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
