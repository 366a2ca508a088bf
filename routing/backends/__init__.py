"""Registry of answer backends by name, imported lazily."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from routing.backends.base import ChatBackend

BACKENDS = {
    "anthropic": "routing.backends.anthropic.AnthropicBackend",
    "openai_compatible": "routing.backends.openai_compatible.OpenAICompatibleBackend",
    "extractive": "routing.backends.extractive.ExtractiveBackend",
}

# The settings that must all be non-empty for a backend to be enabled; checked
# without importing the backend (the SDKs take seconds to import).
ENABLED_BY = {
    "anthropic": ("ANTHROPIC_API_KEY",),
    "openai_compatible": ("LOCAL_LLM_BASE_URL", "LOCAL_LLM_MODEL"),
    "extractive": (),
}


def get_backend_class(name: str) -> type[ChatBackend]:
    """The class registered as `name`; KeyError names the known ones."""
    try:
        dotted = BACKENDS[name]
    except KeyError:
        raise KeyError(f"unknown backend {name!r}: known are {', '.join(sorted(BACKENDS))}") from None
    module_name, class_name = dotted.rsplit(".", 1)
    backend_class: type[ChatBackend] = getattr(import_module(module_name), class_name)
    return backend_class


def get_backend(name: str, **options: Any) -> ChatBackend:
    """A new instance of the backend registered as `name`; `options` go to its constructor."""
    return get_backend_class(name)(**options)


def configured_backends() -> list[str]:
    """The names of the backends that settings enable, in registry order."""
    from django.conf import settings

    return [name for name in BACKENDS if all(getattr(settings, s, "") for s in ENABLED_BY[name])]
