"""Content negotiation of the endpoints that answer something other than JSON on success (a stream)."""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request


class JsonUnlessStreaming(DefaultContentNegotiation):
    """The view streams its success by itself (server-sent events, a CSV file); everything else it answers
    (errors included) is JSON, whatever the Accept header asked for: never a 406."""

    def select_renderer(self, request: Request, renderers: Any, format_suffix: str | None = None) -> Any:
        return renderers[0], renderers[0].media_type
