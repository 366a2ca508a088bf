"""Tool calls in the fake OpenAI-compatible server, driven by the official SDK over loopback: the SDK must
read the fake's tool calls exactly, JSON and streamed (its own accumulator), and the fake must refuse a
broken conversation with the 400 the API gives."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

from fakes.common import FakeToolCall, Script
from fakes.openai_server import FakeOpenAI
from tests.conftest import FAKE_LOCAL_MODEL


def function_tool(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    # strict: the SDK's stream helper only accepts strict tools, and then parses their arguments too.
    parameters = {"type": "object", "properties": properties, "required": list(properties)}
    return {
        "type": "function",
        "function": {"name": name, "parameters": {**parameters, "additionalProperties": False}, "strict": True},
    }


SEARCH_TOOL = function_tool("search_runbooks", {"query": {"type": "string"}, "limit": {"type": "integer"}})
PAGE_TOOL = function_tool("page_oncall", {"team": {"type": "string"}, "urgent": {"type": "boolean"}})
SEARCH = FakeToolCall(name="search_runbooks", arguments={"query": "rollback «prod» deploy", "limit": 3})
PAGE = FakeToolCall(name="page_oncall", arguments={"team": "payments", "urgent": True}, id="call_PageOncall")
QUESTION = {"role": "user", "content": "How do I roll back a bad deploy?"}


def client(fake: FakeOpenAI) -> openai.OpenAI:
    return openai.OpenAI(api_key="unused", base_url=fake.base_url, max_retries=0)


def ask(fake: FakeOpenAI, *, stream: bool, messages: list[Any] | None = None, **options: Any) -> Any:
    """The completion, from a JSON reply or as the SDK's stream helper accumulates it."""
    request = {"model": FAKE_LOCAL_MODEL, "messages": messages or [QUESTION], "tools": [SEARCH_TOOL, PAGE_TOOL]}
    request.update(options)
    if not stream:
        return client(fake).chat.completions.create(**request)
    with client(fake).chat.completions.stream(**request, stream_options={"include_usage": True}) as answer:
        return answer.get_final_completion()


def calls(completion: Any) -> list[tuple[str, str, Any]]:
    message = completion.choices[0].message
    return [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_tool_call_reaches_the_sdk_whole(fake_openai, stream):
    fake_openai.behave(text="", tool_calls=(SEARCH,))

    completion = ask(fake_openai, stream=stream)

    [(call_id, name, arguments)] = calls(completion)
    assert call_id.startswith("call_fake") and name == "search_runbooks"
    assert arguments == {"query": "rollback «prod» deploy", "limit": 3}
    assert completion.choices[0].message.tool_calls[0].type == "function"
    assert completion.choices[0].finish_reason == "tool_calls"
    # The call counts in the usage, the same streamed (include_usage) or not.
    assert completion.usage.completion_tokens == Script(text="", tool_calls=(SEARCH,)).completion_tokens() > 0
    if stream:  # the helper parses a strict tool's arguments itself
        assert completion.choices[0].message.tool_calls[0].function.parsed_arguments == arguments
    else:  # as OpenAI answers a reply that only calls tools
        assert completion.choices[0].message.content is None


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_text_then_two_tool_calls_keep_their_order_and_ids(fake_openai, stream):
    fake_openai.behave(text="Let me look that up.", tool_calls=(SEARCH, PAGE))

    completion = ask(fake_openai, stream=stream)

    assert completion.choices[0].message.content == "Let me look that up."
    assert [name for _, name, _ in calls(completion)] == ["search_runbooks", "page_oncall"]
    assert calls(completion)[1] == ("call_PageOncall", "page_oncall", {"team": "payments", "urgent": True})
    assert completion.choices[0].finish_reason == "tool_calls"


def test_the_stream_opens_each_call_then_sends_its_arguments_in_pieces(fake_openai):
    fake_openai.behave(text="Looking.", tool_calls=(SEARCH, PAGE))

    chunks = list(client(fake_openai).chat.completions.create(model=FAKE_LOCAL_MODEL, messages=[QUESTION], stream=True))

    deltas = [d for chunk in chunks for d in chunk.choices[0].delta.tool_calls or []]
    openings = [d for d in deltas if d.id]
    assert [(d.index, d.type, d.function.name, d.function.arguments) for d in openings] == [
        (0, "function", "search_runbooks", ""),
        (1, "function", "page_oncall", ""),
    ]
    pieces = [d.function.arguments for d in deltas if d.index == 0 and not d.id]
    assert all(d.function.name is None and d.type is None for d in deltas if not d.id)
    assert all(0 < len(p) <= 7 for p in pieces) and '{"query' in pieces and '": "rol' in pieces
    assert "".join(pieces) == json.dumps(SEARCH.arguments, ensure_ascii=False)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_a_tool_round_trip_answers_the_tool_result(fake_openai):
    fake_openai.enqueue(Script(text="", tool_calls=(SEARCH,)), Script(text="Press Revert [1]."))

    first = ask(fake_openai, stream=True).choices[0].message
    [call] = first.tool_calls
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
        ],
    }
    result = {"role": "tool", "tool_call_id": call.id, "content": "Runbook: press Revert."}
    second = ask(fake_openai, stream=False, messages=[QUESTION, assistant, result])

    assert second.choices[0].message.content == "Press Revert [1]."
    assert second.choices[0].message.tool_calls is None
    assert second.choices[0].finish_reason == "stop"
    sent = fake_openai.requests[1].json()
    assert sent["messages"][1:] == [assistant, result]
    assert sent["tools"] == [SEARCH_TOOL, PAGE_TOOL]


def assistant_calls(*ids: str) -> dict[str, Any]:
    function = {"name": "search_runbooks", "arguments": '{"query": "x"}'}
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": i, "type": "function", "function": function} for i in ids],
    }


def answer(call_id: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": "ok"}


@pytest.mark.parametrize(
    "changes, param, message",
    [
        ({"tools": [{"type": "function"}]}, "tools[0].function", "Missing required parameter: 'tools[0].function'."),
        (
            {"tools": [{"type": "function", "function": {"parameters": {}}}]},
            "tools[0].function.name",
            "Missing required parameter",
        ),
        ({"tools": [{"type": "retrieval"}]}, "tools[0].type", "Invalid value: 'retrieval'"),
        (
            {"messages": [QUESTION, answer("call_a")]},
            "messages.[1].role",
            "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
        ),
        (
            {"messages": [QUESTION, assistant_calls("call_a"), answer("call_b")]},
            "messages.[2].tool_call_id",
            "'tool_call_id' of 'call_b' not found in 'tool_calls' of previous message",
        ),
        (
            {"messages": [QUESTION, assistant_calls("call_a", "call_b"), answer("call_a"), QUESTION]},
            "messages.[3].role",
            "The following tool_call_ids did not have response messages: call_b",
        ),
        (
            {"messages": [QUESTION, assistant_calls("call_a"), {"role": "tool", "content": "ok"}]},
            "messages[2].tool_call_id",
            "Missing required parameter",
        ),
    ],
)
def test_a_broken_conversation_is_refused_with_the_apis_400(fake_openai, changes, param, message):
    with pytest.raises(openai.BadRequestError) as refused:
        ask(fake_openai, stream=False, **changes)

    error = refused.value.body
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert message in error["message"]


def test_answers_to_each_call_in_turn_pass(fake_openai):
    messages = [QUESTION, assistant_calls("call_a", "call_b"), answer("call_b"), answer("call_a"), QUESTION]

    assert ask(fake_openai, stream=False, messages=messages).choices[0].finish_reason == "stop"


def test_a_stream_dropped_inside_a_tool_call_fails_in_the_sdk(fake_openai):
    # The role's chunk, the call's opening, two pieces of its arguments: cut mid-arguments.
    fake_openai.behave(text="", tool_calls=(SEARCH,), drop_after=4)

    with pytest.raises(openai.APIConnectionError) as failed:
        ask(fake_openai, stream=True)

    assert isinstance(failed.value.__cause__, httpx2.RemoteProtocolError)


def test_an_error_inside_a_tool_call_stream_fails_in_the_sdk(fake_openai):
    fake_openai.behave(text="", tool_calls=(SEARCH,), error_after=2)

    with pytest.raises(openai.APIError, match="scripted failure"):
        ask(fake_openai, stream=True)
