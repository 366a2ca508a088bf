"""The checks the real APIs make on a conversation with tools, so a client that sends a broken one gets 400.

Modest on purpose: enough to catch a gateway that forwards tool definitions without their schema, drops a
tool call, or answers one that was never made; not a validator of the whole request. The messages follow
the real APIs' own (Anthropic's as reported in anthropics/claude-code issues #13460 and #8210; OpenAI's as
reported in sdcb/chats#132 and miurla/morphic#136).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Content blocks a request may carry (Anthropic's MessageParam); the fake reads only the tool ones.
ANTHROPIC_BLOCKS = {"text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"}
OPENAI_ROLES = {"system", "developer", "user", "assistant", "tool"}


@dataclass(frozen=True)
class Problem:
    """Why a request is refused: the message, and (OpenAI) the parameter at fault and an error code."""

    message: str
    param: str | None = None
    code: str | None = None


def anthropic_problem(body: dict[str, Any]) -> Problem | None:
    """The first thing wrong with a Messages request's tools or conversation, or None."""
    tools = body.get("tools") or []
    if not isinstance(tools, list):
        return Problem("tools: Input should be a valid list")
    names = set()
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or not tool["name"]:
            return Problem(f"tools.{i}.custom.name: Field required")
        # Server tools (web_search_..., bash_...) carry a versioned type and no schema.
        if tool.get("type", "custom") == "custom" and not isinstance(tool.get("input_schema"), dict):
            return Problem(f"tools.{i}.custom.input_schema: Field required")
        if tool["name"] in names:
            return Problem("tools: Tool names must be unique.")
        names.add(tool["name"])

    messages = body["messages"]
    if not isinstance(messages, list):
        return Problem("messages: Input should be a valid list")
    previous_uses: set[str] = set()
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return Problem(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        blocks = message.get("content")
        if isinstance(blocks, str):
            blocks = []
        elif not isinstance(blocks, list):
            return Problem(f"messages.{i}.content: Input should be a valid string or list")
        problem = _anthropic_blocks(i, message["role"], blocks, previous_uses)
        if problem:
            return problem
        previous_uses = {b["id"] for b in blocks if b["type"] == "tool_use"}
    return None


def _anthropic_blocks(i: int, role: str, blocks: list[Any], previous_uses: set[str]) -> Problem | None:
    results = set()
    for j, block in enumerate(blocks):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in ANTHROPIC_BLOCKS:
            return Problem(
                f"messages.{i}.content.{j}: Input tag '{kind}' found using 'type' does not match any "
                "of the expected tags"
            )
        if kind == "tool_use":
            if role != "assistant":
                return Problem(f"messages.{i}.content.{j}: `tool_use` blocks can only be in `assistant` messages")
            if not block.get("id") or not block.get("name") or not isinstance(block.get("input"), dict):
                return Problem(f"messages.{i}.content.{j}.tool_use: `id`, `name` and `input` are required")
        if kind == "tool_result":
            if block.get("tool_use_id") not in previous_uses:
                return Problem(
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                    "block in the previous message."
                )
            results.add(block["tool_use_id"])
    unanswered = sorted(previous_uses - results)
    if unanswered:
        return Problem(
            f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
            f"{', '.join(unanswered)}. Each `tool_use` block must have a corresponding `tool_result` block in "
            "the next message."
        )
    return None


def openai_problem(body: dict[str, Any]) -> Problem | None:
    """The first thing wrong with a chat-completions request's tools or conversation, or None."""
    tools = body.get("tools") or []
    for i, tool in enumerate(tools if isinstance(tools, list) else [None]):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            kind = tool.get("type") if isinstance(tool, dict) else None
            return Problem(
                f"Invalid value: '{kind}'. Supported values are: 'function'.", f"tools[{i}].type", "invalid_value"
            )
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not function["name"]:
            where = f"tools[{i}].function" + (".name" if isinstance(function, dict) else "")
            return Problem(f"Missing required parameter: '{where}'.", where, "missing_required_parameter")

    messages = body["messages"]
    if not isinstance(messages, list):
        return Problem("Invalid type for 'messages': expected an array.", "messages", "invalid_type")
    pending: set[str] | None = None  # the calls of the last assistant message not yet answered
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in OPENAI_ROLES:
            return Problem(f"Invalid value: '{role}'.", f"messages[{i}].role", "invalid_value")
        if role == "tool":
            problem = _openai_tool_message(i, message, pending)
            if problem:
                return problem
            pending = (pending or set()) - {message["tool_call_id"]}
            continue
        if pending:
            return Problem(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                f"{', '.join(sorted(pending))}",
                f"messages.[{i}].role",
            )
        pending = None
        if role == "assistant" and message.get("tool_calls"):
            problem = _openai_tool_calls(i, message["tool_calls"])
            if problem:
                return problem
            pending = {call["id"] for call in message["tool_calls"]}
    return None


def _openai_tool_message(i: int, message: dict[str, Any], pending: set[str] | None) -> Problem | None:
    if not message.get("tool_call_id"):
        where = f"messages[{i}].tool_call_id"
        return Problem(f"Missing required parameter: '{where}'.", where, "missing_required_parameter")
    if pending is None:
        return Problem(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
            "'tool_calls'.",
            f"messages.[{i}].role",
        )
    if message["tool_call_id"] not in pending:
        return Problem(
            f"Invalid parameter: 'tool_call_id' of '{message['tool_call_id']}' not found in 'tool_calls' of "
            "previous message.",
            f"messages.[{i}].tool_call_id",
        )
    return None


def _openai_tool_calls(i: int, calls: Any) -> Problem | None:
    for k, call in enumerate(calls if isinstance(calls, list) else [None]):
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not call.get("id") or not isinstance(function.get("arguments"), str):
            where = f"messages[{i}].tool_calls[{k}]"
            return Problem(
                f"Invalid '{where}': expected an object with 'id', 'type' and 'function' ('name', 'arguments').",
                where,
                "invalid_value",
            )
    return None
