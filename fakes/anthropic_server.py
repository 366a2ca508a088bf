"""A wire-faithful fake of Anthropic's Messages API: POST /v1/messages (JSON and SSE), GET /v1/models[/id].

Shapes follow https://docs.anthropic.com/en/api/messages-streaming and
https://docs.anthropic.com/en/api/errors: the streamed events are message_start,
content_block_start, ping, content_block_delta (text_delta), content_block_stop,
message_delta (with usage) and message_stop; errors are
{"type": "error", "error": {"type", "message"}, "request_id"} with the status the
API uses for each type (529 for overloaded_error). Tool calls follow the SDK's types
(ToolUseBlock, InputJSONDelta) and a recorded real stream (@ai-sdk/anthropic's fixture
anthropic-json-tool.1.chunks.txt): a tool_use block starts with "input": {} and its input
arrives as input_json_delta pieces, the first one empty; message_delta says "tool_use".
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

from fakes.common import FakeHandler, FakeServer, RecordedRequest, Script, estimate_tokens, sse
from fakes.request_checks import anthropic_problem

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

_ids = itertools.count(1)


class AnthropicHandler(FakeHandler):
    server: FakeAnthropic

    def route(self, request: RecordedRequest, script: Script) -> None:
        request_id = f"req_fake{next(_ids):06d}"
        headers = {"request-id": request_id}
        if script.status >= 400:
            if script.retry_after is not None:
                headers["retry-after"] = f"{script.retry_after:g}"
            return self.error(script.status, f"scripted {script.status}", headers)
        if self.server.api_key is not None and api_key(request) != self.server.api_key:
            return self.error(401, "invalid x-api-key", headers)
        if script.garbage and not request.path.startswith("/v1/messages"):
            return self.send_bytes(200, b"<html><body>Bad gateway</body></html>", "text/html", headers)

        path = request.path.split("?", 1)[0]
        if request.method == "GET" and path == "/v1/models":
            models = [self.model_info(m) for m in self.server.models]
            return self.send_json(
                200,
                {
                    "data": models,
                    "has_more": False,
                    "first_id": models[0]["id"] if models else None,
                    "last_id": models[-1]["id"] if models else None,
                },
                headers,
            )
        if request.method == "GET" and path.startswith("/v1/models/"):
            model = path.removeprefix("/v1/models/")
            if self.server.models and model not in self.server.models:
                return self.error(404, f"model: {model}", headers)
            return self.send_json(200, self.model_info(model), headers)
        if request.method == "POST" and path == "/v1/messages":
            return self.messages(request, script, headers)
        return self.error(404, "Not found", headers)

    def messages(self, request: RecordedRequest, script: Script, headers: dict[str, str]) -> None:
        if "anthropic-version" not in request.headers:
            return self.error(400, "anthropic-version: header is required", headers)
        try:
            body = request.json()
            model = body["model"]
            body["max_tokens"], body["messages"]  # noqa: B018 (required fields)
        except (ValueError, KeyError, TypeError):
            return self.error(400, "invalid request body", headers)
        problem = anthropic_problem(body)
        if problem:
            return self.error(400, problem.message, headers)
        if self.server.models and model not in self.server.models:
            return self.error(404, f"model: {model}", headers)
        reported = script.model or model
        input_tokens = script.input_tokens or estimate_tokens(request.body.decode("utf-8", "replace"))
        output_tokens = script.completion_tokens()
        stop_reason = "tool_use" if script.tool_calls else "end_turn"
        message_id = f"msg_fake{next(_ids):06d}"
        blocks = reply_blocks(script)

        if not body.get("stream"):
            if self.server.answer_seconds and self.server.stopping.wait(self.server.answer_seconds):
                self.close_connection = True
                return
            if script.garbage:
                return self.send_bytes(200, b'{"id": "msg_', "application/json", headers)
            return self.send_json(
                200,
                {
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "model": reported,
                    "content": [block.whole for block in blocks],
                    "stop_reason": stop_reason,
                    "stop_sequence": None,
                    "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
                },
                headers,
            )

        def events() -> Iterator[bytes]:
            sent = 0

            def emit(data: dict[str, object] | str, event: str) -> bytes:
                nonlocal sent
                sent += 1
                return sse(data, event)

            yield emit(
                {
                    "type": "message_start",
                    "message": {
                        "id": message_id,
                        "type": "message",
                        "role": "assistant",
                        "model": reported,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": input_tokens, "output_tokens": 1},
                    },
                },
                "message_start",
            )
            for index, block in enumerate(blocks):
                yield emit(
                    {"type": "content_block_start", "index": index, "content_block": block.start},
                    "content_block_start",
                )
                if index == 0:
                    yield emit({"type": "ping"}, "ping")
                    if script.garbage:
                        yield emit(
                            '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_del',
                            "content_block_delta",
                        )
                for delta in block.deltas:
                    if script.error_after is not None and sent >= script.error_after:
                        error = {"type": "error", "error": {"type": script.error_type, "message": "Overloaded"}}
                        yield emit(error, "error")
                        return
                    yield emit({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")
                yield emit({"type": "content_block_stop", "index": index}, "content_block_stop")
            yield emit(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": output_tokens},
                },
                "message_delta",
            )
            yield emit({"type": "message_stop"}, "message_stop")

        self.send_stream(events(), script, headers)

    def send_stream(self, events: Iterator[bytes], script: Script, headers: dict[str, str] | None = None) -> None:
        """As FakeHandler's, or, when the server has answer_seconds, with the events spread evenly over that
        time: the first at once, the last (message_stop) answer_seconds later. Paced to deadlines, not by
        sleeps, so the answer takes that long however long the writes take."""
        seconds = self.server.answer_seconds
        if not seconds:
            return super().send_stream(events, script, headers)
        paced = list(events)
        self.start_stream(headers)
        started = time.monotonic()
        for sent, event in enumerate(paced):
            if script.drop_after is not None and sent >= script.drop_after:
                return self._drop()
            due = started + seconds * sent / max(1, len(paced) - 1)
            if self.server.stopping.wait(max(0.0, due - time.monotonic())):
                return self._drop()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def error(self, status: int, message: str, headers: dict[str, str]) -> None:
        body = {
            "type": "error",
            "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
            "request_id": headers.get("request-id"),
        }
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)

    @staticmethod
    def model_info(model: str) -> dict[str, str]:
        return {"type": "model", "id": model, "display_name": model, "created_at": "2025-10-01T00:00:00Z"}


class Block(NamedTuple):
    """One content block of a reply: whole (as a JSON reply holds it), as a stream starts it, its deltas."""

    whole: dict[str, Any]
    start: dict[str, Any]
    deltas: list[dict[str, Any]]


def reply_blocks(script: Script) -> list[Block]:
    """The reply's text block (left out when empty and there are tool calls), then a tool_use block for
    each tool call."""
    deltas = script.deltas()
    blocks = []
    if deltas or not script.tool_calls:
        text_deltas = [{"type": "text_delta", "text": delta} for delta in deltas]
        blocks.append(Block({"type": "text", "text": "".join(deltas)}, {"type": "text", "text": ""}, text_deltas))
    for call in script.tool_calls:
        start = {"type": "tool_use", "id": call.id or f"toolu_fake{next(_ids):06d}", "name": call.name, "input": {}}
        pieces = [{"type": "input_json_delta", "partial_json": piece} for piece in ["", *call.argument_pieces()]]
        blocks.append(Block({**start, "input": call.arguments}, start, pieces))
    return blocks


def api_key(request: RecordedRequest) -> str | None:
    """The key a request carries: in x-api-key, or (as SDK 2.x sends it) as a bearer token."""
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    return request.headers.get("x-api-key")


class FakeAnthropic(FakeServer):
    """Anthropic's API on loopback; point the SDK's base_url at `.url`.

    answer_seconds: every message takes this long, as a model that writes at a steady pace (the
    end-to-end benchmark's fixed 200 ms): a streamed answer spreads its events evenly from the first
    to the last, a JSON one is sent after it. 0 (the default) leaves the timing to the scripts.
    Error statuses are still answered at once.
    """

    handler = AnthropicHandler

    def __init__(self, *, answer_seconds: float = 0.0, **options: Any) -> None:
        super().__init__(**options)
        self.answer_seconds = answer_seconds
