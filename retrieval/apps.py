from __future__ import annotations

from django.apps import AppConfig


class RetrievalConfig(AppConfig):
    name = "retrieval"

    def ready(self) -> None:
        from django.core import checks

        from retrieval.checks import int8_vectors_differ

        checks.register(int8_vectors_differ)
