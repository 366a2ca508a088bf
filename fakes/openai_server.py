"""A wire-faithful fake of the OpenAI chat-completions API as vLLM, llama.cpp, Ollama and TGI serve it.

POST /v1/chat/completions answers JSON, or with "stream": true `data: {chunk}`
events ending in `data: [DONE]`, plus a usage chunk (empty choices) when
stream_options.include_usage is set; GET /v1/models lists the served models.
Errors are {"error": {"message", "type", "param", "code"}}.

Tool calls follow the SDK's types (ChatCompletionMessageFunctionToolCall, ChoiceDeltaToolCall): a JSON
reply's message has "tool_calls" with the arguments as a JSON string and finish_reason "tool_calls"; a
stream opens each call with its index, id, type, name and empty arguments, then sends only the index and
a piece of the arguments, which the SDK's accumulator concatenates by index.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

from fakes.common import FakeHandler, FakeServer, FakeToolCall, RecordedRequest, Script, estimate_tokens, sse
from fakes.request_checks import openai_problem

ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", "service_unavailable"),
}

_ids = itertools.count(1)


class OpenAIHandler(FakeHandler):
    server: FakeOpenAI

    def do_GET(self) -> None:
        # Metrics are read by a poller, not answered from the scripts: they neither use nor record one.
        if self.path.split("?", 1)[0] == "/metrics":
            self.metrics()
        else:
            super().do_GET()

    def metrics(self) -> None:
        """The scheduler's gauges as vLLM exposes them (or llama.cpp's server), or 404 with waiting=None."""
        server = self.server
        with server._lock:
            server.metrics_reads += 1
        if server.waiting is None:
            return self.send_bytes(404, b"Not Found", "text/plain")
        text = (LLAMACPP_METRICS if server.metrics_dialect == "llamacpp" else VLLM_METRICS).format(
            waiting=server.waiting, running=server.running, model=server.models[0] if server.models else "model"
        )
        self.send_bytes(200, text.encode(), "text/plain; version=0.0.4; charset=utf-8")

    def route(self, request: RecordedRequest, script: Script) -> None:
        headers = {"x-request-id": f"req-fake{next(_ids):06d}"}
        if script.status >= 400:
            if script.retry_after is not None:
                headers["retry-after"] = f"{script.retry_after:g}"
            return self.error(script.status, f"scripted {script.status}", headers)
        if self.server.api_key is not None and request.headers.get("authorization") != f"Bearer {self.server.api_key}":
            return self.error(401, "Incorrect API key provided", headers)
        if script.garbage and request.method == "GET":
            return self.send_bytes(200, b"<html><body>Bad gateway</body></html>", "text/html", headers)

        path = request.path.split("?", 1)[0]
        if request.method == "GET" and path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"} for m in self.server.models]
            return self.send_json(200, {"object": "list", "data": data}, headers)
        if request.method == "POST" and path == "/v1/chat/completions":
            return self.chat(request, script, headers)
        return self.error(404, f"Not found: {path}", headers)

    def chat(self, request: RecordedRequest, script: Script, headers: dict[str, str]) -> None:
        try:
            body = request.json()
            model = body["model"]
            body["messages"]  # noqa: B018 (required)
        except (ValueError, KeyError, TypeError):
            return self.error(400, "invalid request body", headers)
        problem = openai_problem(body)
        if problem:
            return self.error(400, problem.message, headers, param=problem.param, code=problem.code)
        if self.server.models and model not in self.server.models:
            return self.error(404, f"The model `{model}` does not exist.", headers)
        reported = script.model or model
        deltas = script.deltas()
        usage = {
            "prompt_tokens": script.input_tokens or estimate_tokens(request.body.decode("utf-8", "replace")),
            "completion_tokens": script.completion_tokens(),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        completion_id = f"chatcmpl-fake{next(_ids):06d}"
        created = int(time.time())
        calls = [(call.id or f"call_fake{next(_ids):06d}", call) for call in script.tool_calls]
        finish_reason = "tool_calls" if calls else "stop"

        if not body.get("stream"):
            if script.garbage:
                return self.send_bytes(200, b'{"id": "chatcmpl-', "application/json", headers)
            text = "".join(deltas)
            message: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else ""), "refusal": None}
            if calls:
                message["tool_calls"] = [
                    {"id": id_, "type": "function", "function": {"name": call.name, "arguments": call.arguments_json()}}
                    for id_, call in calls
                ]
            return self.send_json(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": reported,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
                    "usage": usage,
                    "system_fingerprint": None,
                },
                headers,
            )

        asked = bool((body.get("stream_options") or {}).get("include_usage"))
        include_usage = asked and self.server.usage_chunks

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            data: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": reported,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            }
            if include_usage:
                data["usage"] = None
            return sse(data)

        def events() -> Iterator[bytes]:
            yield chunk({"role": "assistant", "content": ""})
            if script.garbage:
                yield sse('{"id": "chatcmpl-1", "choices": [{"delta": {"content": "Hel')
            for sent, delta in enumerate(stream_deltas(deltas, calls), start=1):
                if script.error_after is not None and sent > script.error_after:
                    # vLLM reports a failure inside an open stream as an error object.
                    yield sse({"error": {"message": "scripted failure", "type": "InternalServerError", "code": 500}})
                    return
                yield chunk(delta)
            yield chunk({}, finish_reason=finish_reason)
            if include_usage:
                yield sse(
                    {
                        "id": completion_id,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": reported,
                        "system_fingerprint": None,
                        "choices": [],
                        "usage": usage,
                    }
                )
            yield sse("[DONE]")

        self.send_stream(events(), script, headers)

    def error(
        self, status: int, message: str, headers: dict[str, str], *, param: str | None = None, code: str | None = None
    ) -> None:
        error_type, default_code = ERROR_TYPES.get(status, ("server_error", None))
        body = {"error": {"message": message, "type": error_type, "param": param, "code": code or default_code}}
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)


def stream_deltas(deltas: tuple[str, ...], calls: list[tuple[str, FakeToolCall]]) -> list[dict[str, Any]]:
    """The `delta` of each streamed chunk after the role's: the text, then each tool call opened by its
    index, id, type, name and empty arguments, then its arguments piece by piece under its index only
    (the SDK's accumulator concatenates strings, so the id and name must not come twice)."""
    out: list[dict[str, Any]] = [{"content": delta} for delta in deltas]
    for index, (id_, call) in enumerate(calls):
        opening = {"index": index, "id": id_, "type": "function", "function": {"name": call.name, "arguments": ""}}
        out.append({"tool_calls": [opening]})
        out += [{"tool_calls": [{"index": index, "function": {"arguments": p}}]} for p in call.argument_pieces()]
    return out


# GET /metrics as vLLM serves it (Prometheus' text format; a gauge per scheduler state, labelled by engine and
# model, among counters and histograms), and as llama.cpp's server does with --metrics.
VLLM_METRICS = """\
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{{engine="0",model_name="{model}"}} {running}.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{{engine="0",model_name="{model}"}} {waiting}.0
# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{{engine="0",model_name="{model}"}} 1234.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{{engine="0",le="0.1",model_name="{model}"}} 3.0
vllm:time_to_first_token_seconds_bucket{{engine="0",le="+Inf",model_name="{model}"}} 5.0
vllm:time_to_first_token_seconds_count{{engine="0",model_name="{model}"}} 5.0
vllm:time_to_first_token_seconds_sum{{engine="0",model_name="{model}"}} 0.9
"""
LLAMACPP_METRICS = """\
# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total 1234
# HELP llamacpp:requests_processing Number of requests processing.
# TYPE llamacpp:requests_processing gauge
llamacpp:requests_processing {running}
# HELP llamacpp:requests_deferred Number of requests deferred.
# TYPE llamacpp:requests_deferred gauge
llamacpp:requests_deferred {waiting}
"""


class FakeOpenAI(FakeServer):
    """An OpenAI-compatible server on loopback; point the SDK's base_url at `.base_url` (with /v1).

    GET /metrics reports `waiting` and `running` requests in vLLM's names (`metrics_dialect = "llamacpp"`:
    llama.cpp's); with waiting=None it answers 404, as a server without metrics does.
    """

    handler = OpenAIHandler
    # False: behave like servers that ignore stream_options and never send a usage chunk.
    usage_chunks = True
    waiting: int | None = 0
    running: int = 0
    metrics_dialect = "vllm"
    metrics_reads = 0

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"
