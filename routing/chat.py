"""A conversation as the gateway endpoints forward it, in no provider's shape: what the OpenAI- and
Anthropic-compatible endpoints (api/gateway) parse into, what the gate inspects and redacts, and what
the chat backends send on in their own API's shape.

Pure: no Django, no I/O. Every string a model would read is reachable through `texts()`, so the gate
inspects the whole request (system prompt, every message, tool descriptions and schemas, tool calls
and their results), never only the last question.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from routing.egress import json_strings


class Speaker(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"  # the result of a tool call, sent back by the caller


class StopReason(StrEnum):
    """Why the model stopped, in neither API's words (each endpoint says it in its own)."""

    END = "end"
    LENGTH = "length"
    TOOL_CALLS = "tool_calls"
    STOP_SEQUENCE = "stop_sequence"


@dataclass(frozen=True)
class ToolSpec:
    """A tool the caller offers the model: `parameters` is its JSON schema."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True)
class ToolCall:
    """A call the model made (or made earlier in the conversation): `arguments` is JSON text."""

    id: str
    name: str
    arguments: str

    def arguments_object(self) -> dict[str, Any]:
        """The arguments as a JSON object (what Anthropic's `input` is); {} when they are not one."""
        try:
            value = json.loads(self.arguments or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class ChatMessage:
    """One turn. A user or assistant turn holds `text`; an assistant turn may hold `tool_calls`; a tool
    turn holds the result (`text`) of the call named by `tool_call_id`, with `is_error` when it failed."""

    role: Speaker
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str = ""
    is_error: bool = False


@dataclass(frozen=True)
class Chat:
    """Everything a chat backend sends: the system prompt, the turns, the tools and the sampling options
    the caller set (None: the backend's default)."""

    system: str
    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str | None = None  # "auto", "none", "required", or a tool's name
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()

    def texts(self) -> Iterator[str]:
        """Every string of the request a model would read, in order (keys of JSON excluded)."""
        if self.system:
            yield self.system
        for tool in self.tools:
            yield tool.name
            if tool.description:
                yield tool.description
            yield from json_strings(tool.parameters)
        for message in self.messages:
            if message.text:
                yield message.text
            for call in message.tool_calls:
                yield call.name
                yield from _argument_strings(call.arguments)

    def transcript(self) -> str:
        """The conversation as one text, one line per part, as the audit row keeps it (redacted)."""
        lines = []
        if self.system:
            lines.append(f"[system] {self.system}")
        for tool in self.tools:
            lines.append(f"[tool {tool.name}] {tool.description}".rstrip())
        for message in self.messages:
            if message.text:
                lines.append(f"[{message.role}] {message.text}")
            for call in message.tool_calls:
                lines.append(f"[call {call.name}] {call.arguments}")
        return "\n".join(lines)

    def map_text(self, change: Callable[[str], str]) -> Chat:
        """The same request with `change` applied to every free text a person or a model wrote: the system
        prompt, messages, tool results, tool descriptions and the string values of tool-call arguments.
        Names of tools and the schemas' structure are kept, so the request stays valid."""
        tools = tuple(
            replace(tool, description=change(tool.description), parameters=_map_descriptions(tool.parameters, change))
            for tool in self.tools
        )
        messages = tuple(
            replace(
                message,
                text=change(message.text) if message.text else "",
                tool_calls=tuple(
                    replace(c, arguments=map_argument_strings(c.arguments, change)) for c in message.tool_calls
                ),
            )
            for message in self.messages
        )
        return replace(self, system=change(self.system) if self.system else "", tools=tools, messages=messages)

    @property
    def last_user_text(self) -> str:
        return next((m.text for m in reversed(self.messages) if m.role == Speaker.USER and m.text), "")


def _argument_strings(arguments: str) -> Iterator[str]:
    try:
        value = json.loads(arguments)
    except ValueError:
        yield arguments  # not JSON: read as it is
        return
    yield from json_strings(value)


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value


def map_argument_strings(arguments: str, change: Callable[[str], str]) -> str:
    """Tool-call arguments (JSON text) with `change` applied to every string value, still valid JSON; text
    that is not JSON is changed as a whole."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return change(arguments)
    return json.dumps(_map_strings(value, change), ensure_ascii=False)


def _map_descriptions(schema: Any, change: Callable[[str], str]) -> Any:
    """A JSON schema with `change` applied to its `description` and `title` texts only (enums, names and
    types are the schema's structure)."""
    if isinstance(schema, dict):
        return {
            key: change(item)
            if key in ("description", "title") and isinstance(item, str)
            else _map_descriptions(item, change)
            for key, item in schema.items()
        }
    if isinstance(schema, list):
        return [_map_descriptions(item, change) for item in schema]
    return schema
