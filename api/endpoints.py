"""The API's endpoints by the names a key's allowed endpoints use (`create_api_key --endpoints ask,search`)."""

from __future__ import annotations

from enum import StrEnum


class Endpoint(StrEnum):
    ASK = "ask"
    SEARCH = "search"
    DOCUMENTS = "documents"
    AUDIT = "audit"
    POLICY = "policy"
    HISTORY = "history"
    FEEDBACK = "feedback"
    GATEWAY = "gateway"  # the OpenAI- and Anthropic-compatible endpoints under /v1/ (api/gateway)


def parse_endpoints(value: str) -> list[str]:
    """Endpoint names from a comma-separated list; ValueError names the unknown ones and the valid ones."""
    names = sorted({n.strip().lower() for n in value.split(",") if n.strip()})
    unknown = [n for n in names if n not in Endpoint.__members__.values()]
    if unknown:
        valid = ", ".join(e.value for e in Endpoint)
        raise ValueError(f"unknown endpoint {', '.join(unknown)}: use {valid}")
    return names
