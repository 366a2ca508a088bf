"""Registry of answer backends by name, imported lazily."""

from __future__ import annotations

from importlib import import_module

from routing.backends.base import ChatBackend

BACKENDS = {
    "extractive": "routing.backends.extractive.ExtractiveBackend",
}


def get_backend(name: str) -> ChatBackend:
    """The backend registered as `name`; KeyError names the known ones."""
    try:
        dotted = BACKENDS[name]
    except KeyError:
        raise KeyError(f"unknown backend {name!r}: known are {', '.join(sorted(BACKENDS))}") from None
    module_name, class_name = dotted.rsplit(".", 1)
    backend_class: type[ChatBackend] = getattr(import_module(module_name), class_name)
    return backend_class()
