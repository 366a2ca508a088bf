from __future__ import annotations

from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "assistant"

    def ready(self) -> None:
        # Connects the receiver that keeps an approved request's answer in the asker's history.
        from assistant import approvals  # noqa: F401
