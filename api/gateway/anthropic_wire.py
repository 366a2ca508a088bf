"""Anthropic's Messages API, as the gateway speaks it: the request parsed into a routing.chat.Chat, the reply
written as a message or as the Messages streaming events (message_start … message_stop)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from api.gateway import common
from api.gateway.errors import GatewayError, invalid
from routing.chat import Chat, ChatMessage, Speaker, ToolCall, ToolSpec
from routing.gateway import ChatAsk, ChatReply

KNOWN = frozenset({
    "model", "messages", "system", "max_tokens", "tools", "tool_choice", "stream", "stop_sequences", "temperature",
    "top_p", "top_k", "metadata",
})  # fmt: skip
STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "refusal"}
CHOICES = {"auto": "auto", "any": "required", "none": "none"}


def parse(body: Any, *, classification: str | None) -> ChatAsk:
    """The request as the gate takes it. Raises GatewayError (400) naming the parameter at fault."""
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.")
    common.unknown_fields(body, KNOWN)
    max_tokens = common.optional_tokens(body, "max_tokens")
    if max_tokens is None:
        raise invalid("`max_tokens` is required.", "max_tokens")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("`messages` must be a non-empty list.", "messages")
    turns: list[ChatMessage] = []
    for i, message in enumerate(messages):
        turns.extend(_message(message, f"messages.{i}"))
    common.optional_number(body, "top_k", low=0, high=1e9)  # checked, and left to the model's default
    chat = Chat(
        system=_system(body.get("system")),
        messages=tuple(turns),
        tools=_tools(body.get("tools")),
        tool_choice=_tool_choice(body.get("tool_choice")),
        max_tokens=max_tokens,
        temperature=common.optional_number(body, "temperature", low=0, high=1),
        top_p=common.optional_number(body, "top_p", low=0, high=1),
        stop=common.stop_list(body.get("stop_sequences"), "stop_sequences"),
    )
    route, declared = common.route_of(body.get("model")), common.declared_class(classification)
    return ChatAsk(common.within_size(chat), route, declared, "messages", bool(body.get("stream")))


def _system(system: Any) -> str:
    if system is None or isinstance(system, str):
        return system or ""
    return _texts(system, "system")


def _texts(blocks: Any, where: str) -> str:
    if isinstance(blocks, str):
        return blocks
    if not isinstance(blocks, list):
        raise invalid(f"`{where}` must be a string or a list of blocks.", where)
    texts = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind in ("image", "document", "search_result"):
            raise GatewayError(400, "uninspectable_content", common.UNINSPECTABLE.format(what=kind), where)
        else:
            raise invalid(
                f"`{where}` has a block of type {kind!r} that Sluice does not take here: send text blocks.", where
            )
    return "\n".join(texts)


def _message(message: Any, where: str) -> list[ChatMessage]:
    """One Anthropic turn as routing.chat turns: a user turn's tool_result blocks become tool turns."""
    if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
        raise invalid(f"`{where}.role` must be user or assistant.", f"{where}.role")
    role, content = message["role"], message.get("content")
    if isinstance(content, str):
        return [ChatMessage(Speaker(role), content)]
    if not isinstance(content, list):
        raise invalid(f"`{where}.content` must be a string or a list of blocks.", f"{where}.content")
    texts: list[str] = []
    calls: list[ToolCall] = []
    results: list[ChatMessage] = []
    for j, block in enumerate(content):
        at = f"{where}.content.{j}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(_texts([block], at))
        elif kind == "tool_use" and role == "assistant":
            if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
                raise invalid(f"`{at}` needs an id and a name.", at)
            calls.append(ToolCall(block["id"], block["name"], json.dumps(block.get("input") or {}, ensure_ascii=False)))
        elif kind == "tool_result" and role == "user":
            if not isinstance(block.get("tool_use_id"), str):
                raise invalid(f"`{at}.tool_use_id` is required.", at)
            text = _texts(block.get("content") or "", f"{at}.content")
            results.append(ChatMessage(Speaker.TOOL, text, tool_call_id=block["tool_use_id"],
                                       is_error=bool(block.get("is_error"))))  # fmt: skip
        elif kind in ("image", "document", "search_result"):
            raise GatewayError(400, "uninspectable_content", common.UNINSPECTABLE.format(what=kind), at)
        else:
            raise invalid(
                f"`{at}` is a {kind!r} block, which Sluice does not take in a {role} turn: send text, "
                "tool_use (assistant) or tool_result (user) blocks.",
                at,
            )
    text = "\n".join(texts)
    if role == "assistant":
        return [ChatMessage(Speaker.ASSISTANT, text, tuple(calls))]
    return results + ([ChatMessage(Speaker.USER, text)] if text or not results else [])


def _tools(tools: Any) -> tuple[ToolSpec, ...]:
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise invalid("`tools` must be a list.", "tools")
    specs = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or "input_schema" not in tool:
            raise invalid(
                f"`tools.{i}` needs a name and an input_schema (Sluice takes client tools only).", f"tools.{i}"
            )
        specs.append(
            ToolSpec(
                tool["name"], str(tool.get("description") or ""), common.tool_schema(tool["input_schema"], f"tools.{i}")
            )
        )
    return tuple(specs)


def _tool_choice(choice: Any) -> str | None:
    if choice is None:
        return None
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind == "tool" and isinstance(choice.get("name"), str):
        return choice["name"]
    if kind in CHOICES:
        return CHOICES[kind]
    raise invalid("`tool_choice.type` must be auto, any, tool or none.", "tool_choice")


def _stop(reply: ChatReply) -> str:
    if reply.tool_calls:
        return "tool_use"
    return STOP.get(reply.stop_reason or "", reply.stop_reason or "end_turn")


def message(reply: ChatReply, ask: ChatAsk) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
    content += [
        {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments_object()} for c in reply.tool_calls
    ]
    return {
        "id": f"msg_sluice_{reply.audit_id}",
        "type": "message",
        "role": "assistant",
        "model": str(ask.route),
        "content": content,
        "stop_reason": _stop(reply),
        "stop_sequence": None,
        "usage": {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens},
        "sluice": common.sluice_extra(reply),
    }


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def events(items: Iterator[str | ToolCall | ChatReply], ask: ChatAsk, *, message_id: str) -> Iterator[bytes]:
    """The reply as the Messages streaming events. A reply cut off mid-way ends with an `error` event
    (overloaded_error), which the SDK raises."""
    start = {"id": message_id, "type": "message", "role": "assistant", "model": str(ask.route), "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}  # fmt: skip
    yield sse("message_start", {"type": "message_start", "message": start})
    index, text_open = 0, False
    for item in items:
        if isinstance(item, str):
            if not text_open:
                block = {"type": "text", "text": ""}
                yield sse(
                    "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}
                )
                text_open = True
            delta = {"type": "text_delta", "text": item}
            yield sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
            continue
        if text_open:
            yield sse("content_block_stop", {"type": "content_block_stop", "index": index})
            index, text_open = index + 1, False
        if isinstance(item, ToolCall):
            block = {"type": "tool_use", "id": item.id, "name": item.name, "input": {}}
            yield sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})
            delta = {
                "type": "input_json_delta",
                "partial_json": json.dumps(item.arguments_object(), ensure_ascii=False),
            }
            yield sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
            yield sse("content_block_stop", {"type": "content_block_stop", "index": index})
            index += 1
            continue
        if item.cut_off:
            message = f"The reply was cut off: {item.cut_off}. Sluice audit id {item.audit_id}; send it again."
            yield sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": message}})
            return
        usage = {"input_tokens": item.input_tokens, "output_tokens": item.output_tokens}
        stop = {"stop_reason": _stop(item), "stop_sequence": None}
        yield sse(
            "message_delta",
            {"type": "message_delta", "delta": stop, "usage": usage, "sluice": common.sluice_extra(item)},
        )
        yield sse("message_stop", {"type": "message_stop"})
