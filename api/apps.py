from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        # drf-spectacular finds the key scheme's extension once its module is imported.
        from api import schema  # noqa: F401
