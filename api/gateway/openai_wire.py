"""OpenAI's chat completions API, as the gateway speaks it: the request parsed into a routing.chat.Chat, the
reply written as a chat.completion or as chat.completion.chunk server-sent events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from api.gateway import common
from api.gateway.errors import GatewayError, invalid
from routing.chat import Chat, ChatMessage, Speaker, ToolCall, ToolSpec
from routing.gateway import ChatAsk, ChatReply

KNOWN = frozenset({
    "model", "messages", "tools", "tool_choice", "stream", "stream_options", "max_tokens", "max_completion_tokens",
    "temperature", "top_p", "stop", "n", "user", "seed", "metadata", "parallel_tool_calls", "frequency_penalty",
    "presence_penalty", "store",
})  # fmt: skip
FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls"}


def parse(body: Any, *, classification: str | None) -> ChatAsk:
    """The request as the gate takes it. Raises GatewayError (400) naming the parameter at fault."""
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.")
    common.unknown_fields(body, KNOWN)
    if body.get("n", 1) != 1:
        raise invalid("`n` must be 1: Sluice writes one reply per request.", "n")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("`messages` must be a non-empty list.", "messages")
    system: list[str] = []
    turns: list[ChatMessage] = []
    for i, message in enumerate(messages):
        _message(message, f"messages[{i}]", system, turns)
    tool_choice = body.get("tool_choice")
    if isinstance(tool_choice, dict):
        tool_choice = (tool_choice.get("function") or {}).get("name")
    if tool_choice is not None and not isinstance(tool_choice, str):
        raise invalid(
            "`tool_choice` must be auto, none, required or {type: function, function: {name}}.", "tool_choice"
        )
    chat = Chat(
        system="\n\n".join(system),
        messages=tuple(turns),
        tools=_tools(body.get("tools")),
        tool_choice=tool_choice,
        max_tokens=common.optional_tokens(body, "max_completion_tokens") or common.optional_tokens(body, "max_tokens"),
        temperature=common.optional_number(body, "temperature", low=0, high=2),
        top_p=common.optional_number(body, "top_p", low=0, high=1),
        stop=common.stop_list(body.get("stop"), "stop"),
    )
    route, declared = common.route_of(body.get("model")), common.declared_class(classification)
    return ChatAsk(common.within_size(chat), route, declared, "chat.completions", bool(body.get("stream")))


def wants_usage(body: dict[str, Any]) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage"))


def _text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise invalid(f"`{where}.content` must be a string or a list of parts.", f"{where}.content")
    texts = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind in ("image_url", "input_audio", "file"):
            raise GatewayError(400, "uninspectable_content", common.UNINSPECTABLE.format(what=kind), f"{where}.content")
        else:
            raise invalid(
                f"`{where}.content` has a part of unknown type {kind!r}: send text parts.", f"{where}.content"
            )
    return "\n".join(texts)


def _message(message: Any, where: str, system: list[str], turns: list[ChatMessage]) -> None:
    if not isinstance(message, dict):
        raise invalid(f"`{where}` must be an object.", where)
    role = message.get("role")
    text = _text(message.get("content"), where)
    if role in ("system", "developer"):
        system.append(text)
    elif role == "user":
        turns.append(ChatMessage(Speaker.USER, text))
    elif role == "assistant":
        calls = message.get("tool_calls") or []
        if not isinstance(calls, list):
            raise invalid(f"`{where}.tool_calls` must be a list.", f"{where}.tool_calls")
        turns.append(ChatMessage(Speaker.ASSISTANT, text, tuple(_call(c, f"{where}.tool_calls") for c in calls)))
    elif role == "tool":
        call_id = message.get("tool_call_id")
        if not isinstance(call_id, str) or not call_id:
            raise invalid(f"`{where}.tool_call_id` is required for a tool message.", f"{where}.tool_call_id")
        turns.append(ChatMessage(Speaker.TOOL, text, tool_call_id=call_id))
    else:
        raise invalid(f"`{where}.role` must be system, developer, user, assistant or tool.", f"{where}.role")


def _call(call: Any, where: str) -> ToolCall:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not call.get("id"):
        raise invalid(f"`{where}` items need an id and function.name.", where)
    arguments = function.get("arguments", "")
    return ToolCall(
        str(call["id"]), function["name"], arguments if isinstance(arguments, str) else json.dumps(arguments)
    )


def _tools(tools: Any) -> tuple[ToolSpec, ...]:
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise invalid("`tools` must be a list.", "tools")
    specs = []
    for i, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) and tool.get("type") == "function" else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise invalid(f"`tools[{i}]` must be {{type: function, function: {{name, ...}}}}.", f"tools[{i}]")
        description = function.get("description") or ""
        parameters = common.tool_schema(function.get("parameters"), f"tools[{i}].function.parameters")
        specs.append(ToolSpec(function["name"], str(description), parameters))
    return tuple(specs)


def _finish(reply: ChatReply) -> str:
    if reply.tool_calls:
        return "tool_calls"
    return FINISH.get(reply.stop_reason or "", reply.stop_reason or "stop")


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def _usage(reply: ChatReply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }


def completion(reply: ChatReply, ask: ChatAsk) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [_tool_call(c) for c in reply.tool_calls]
    return {
        "id": f"chatcmpl-sluice-{reply.audit_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(ask.route),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": _finish(reply)}],
        "usage": _usage(reply),
        "system_fingerprint": None,
        "sluice": common.sluice_extra(reply),
    }


def sse(data: dict[str, Any] | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {text}\n\n".encode()


def chunks(events: Iterator[str | ToolCall | ChatReply], ask: ChatAsk, *, usage: bool) -> Iterator[bytes]:
    """The reply as chat.completion.chunk events, ending with data: [DONE]; a reply cut off mid-way ends
    with an error object (as vLLM sends one), which the SDK raises as an APIError."""
    created, calls = int(time.time()), 0
    head: dict[str, Any] = {"object": "chat.completion.chunk", "created": created, "model": str(ask.route),
                            "system_fingerprint": None}  # fmt: skip
    # The id names the audit row, known only at the end: a stream's id is its own until then.
    head["id"] = f"chatcmpl-sluice-{time.time_ns():x}"

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse(head | {"choices": [choice]} | ({"usage": None} if usage else {}) | extra)

    yield chunk({"role": "assistant", "content": ""})
    for event in events:
        if isinstance(event, str):
            yield chunk({"content": event})
        elif isinstance(event, ToolCall):
            yield chunk({"tool_calls": [{"index": calls, **_tool_call(event)}]})
            calls += 1
        else:
            if event.cut_off:
                message = f"The reply was cut off: {event.cut_off}. Sluice audit id {event.audit_id}; send it again."
                yield sse({"error": {"message": message, "type": "server_error", "code": "cut_off"}})
                return
            yield chunk({}, _finish(event), sluice=common.sluice_extra(event))
            if usage:
                yield sse(head | {"choices": [], "usage": _usage(event)})
    yield sse("[DONE]")
