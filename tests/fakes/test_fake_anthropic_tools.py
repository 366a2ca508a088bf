"""Tool use in the fake of Anthropic's Messages API, driven by the official SDK over loopback: the SDK must
read the fake's tool calls exactly, JSON and streamed (its own accumulator), and the fake must refuse a
broken conversation with the 400 the API gives."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2
import pytest

from fakes.anthropic_server import FakeAnthropic
from fakes.common import FakeToolCall, Script
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL

SEARCH_TOOL = {
    "name": "search_runbooks",
    "description": "Search the runbooks.",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}
PAGE_TOOL = {
    "name": "page_oncall",
    "input_schema": {"type": "object", "properties": {"team": {"type": "string"}, "urgent": {"type": "boolean"}}},
}
SEARCH = FakeToolCall(name="search_runbooks", arguments={"query": "rollback «prod» deploy", "limit": 3})
PAGE = FakeToolCall(name="page_oncall", arguments={"team": "payments", "urgent": True}, id="toolu_01PageOncall")
QUESTION = {"role": "user", "content": "How do I roll back a bad deploy?"}


def client(fake: FakeAnthropic) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=FAKE_ANTHROPIC_KEY, base_url=fake.url, max_retries=0)


def ask(fake: FakeAnthropic, *, stream: bool, messages: list[Any] | None = None, **options: Any) -> Any:
    """The final message, from a JSON reply or as the SDK's stream helper accumulates it."""
    request = {
        "model": FAKE_ANTHROPIC_MODEL,
        "max_tokens": 256,
        "messages": messages or [QUESTION],
        "tools": [SEARCH_TOOL, PAGE_TOOL],
        **options,
    }
    if not stream:
        return client(fake).messages.create(**request)
    with client(fake).messages.stream(**request) as answer:
        return answer.get_final_message()


def blocks(message: Any) -> list[dict[str, Any]]:
    return [block.model_dump(include={"type", "text", "id", "name", "input"}) for block in message.content]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_a_tool_call_reaches_the_sdk_whole(fake_anthropic, stream):
    fake_anthropic.behave(text="", tool_calls=(SEARCH,))

    message = ask(fake_anthropic, stream=stream)

    [call] = message.content
    assert call.type == "tool_use" and call.id.startswith("toolu_fake")
    assert (call.name, call.input) == ("search_runbooks", {"query": "rollback «prod» deploy", "limit": 3})
    assert message.stop_reason == "tool_use"
    # The call counts in the usage, the same streamed or not.
    assert message.usage.output_tokens == Script(text="", tool_calls=(SEARCH,)).completion_tokens() > 0


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_text_then_two_tool_calls_keep_their_order_and_ids(fake_anthropic, stream):
    fake_anthropic.behave(text="Let me look that up.", tool_calls=(SEARCH, PAGE))

    message = ask(fake_anthropic, stream=stream)

    assert blocks(message)[0] == {"type": "text", "text": "Let me look that up."}
    assert [b["name"] for b in blocks(message)[1:]] == ["search_runbooks", "page_oncall"]
    assert blocks(message)[2] == {
        "type": "tool_use",
        "id": "toolu_01PageOncall",
        "name": "page_oncall",
        "input": {"team": "payments", "urgent": True},
    }
    assert message.stop_reason == "tool_use"


def test_the_stream_sends_the_input_in_pieces_that_cut_through_strings(fake_anthropic):
    fake_anthropic.behave(text="Looking.", tool_calls=(SEARCH,))
    request = {"model": FAKE_ANTHROPIC_MODEL, "max_tokens": 256, "messages": [QUESTION], "tools": [SEARCH_TOOL]}

    with client(fake_anthropic).messages.create(**request, stream=True) as events:
        events = list(events)

    starts = [e for e in events if e.type == "content_block_start"]
    assert [(e.index, e.content_block.type) for e in starts] == [(0, "text"), (1, "tool_use")]
    assert starts[1].content_block.input == {}
    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta" and e.index == 1]
    assert pieces[0] == "" and all(0 < len(p) <= 7 for p in pieces[1:])
    assert "".join(pieces) == json.dumps(SEARCH.arguments, ensure_ascii=False)
    assert '{"query' in pieces and '": "rol' in pieces
    assert [e.type for e in events[-3:]] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[-2].delta.stop_reason == "tool_use"


def test_a_tool_round_trip_answers_the_tool_result(fake_anthropic):
    fake_anthropic.enqueue(Script(text="", tool_calls=(SEARCH,)), Script(text="Press Revert [1]."))

    first = ask(fake_anthropic, stream=True)
    [call] = first.content
    result = {"type": "tool_result", "tool_use_id": call.id, "content": "Runbook: press Revert."}
    conversation = [QUESTION, {"role": "assistant", "content": first.content}, {"role": "user", "content": [result]}]
    second = ask(fake_anthropic, stream=False, messages=conversation)

    assert blocks(second) == [{"type": "text", "text": "Press Revert [1]."}]
    assert second.stop_reason == "end_turn"
    sent = fake_anthropic.requests[1].json()
    assert sent["messages"][1]["content"] == [
        {"type": "tool_use", "id": call.id, "name": "search_runbooks", "input": SEARCH.arguments}
    ]
    assert sent["messages"][2]["content"] == [result]
    assert sent["tools"] == [SEARCH_TOOL, PAGE_TOOL]


def assistant_calls(*ids: str) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": [{"type": "tool_use", "id": i, "name": "search_runbooks", "input": {"query": "x"}} for i in ids],
    }


def results(*ids: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": i, "content": "ok"} for i in ids]}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"tools": [{"name": "search_runbooks"}]}, "tools.0.custom.input_schema: Field required"),
        ({"tools": [{"input_schema": {"type": "object"}}]}, "tools.0.custom.name: Field required"),
        (
            {"messages": [QUESTION, assistant_calls("toolu_a"), results("toolu_b")]},
            "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_b",
        ),
        (
            {"messages": [QUESTION, results("toolu_a")]},
            "messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_a",
        ),
        (
            {"messages": [QUESTION, assistant_calls("toolu_a", "toolu_b"), results("toolu_a")]},
            "messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b",
        ),
        (
            {"messages": [QUESTION, assistant_calls("toolu_a"), QUESTION]},
            "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_a",
        ),
        (
            {"messages": [{"role": "user", "content": [{"type": "audio", "data": "..."}]}]},
            "messages.0.content.0: Input tag 'audio'",
        ),
    ],
)
def test_a_broken_conversation_is_refused_with_the_apis_400(fake_anthropic, changes, message):
    with pytest.raises(anthropic.BadRequestError) as refused:
        ask(fake_anthropic, stream=False, **changes)

    assert refused.value.body["error"]["type"] == "invalid_request_error"
    assert message in refused.value.body["error"]["message"]


def test_string_and_block_content_both_pass(fake_anthropic):
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Look at this."}, {"type": "image", "source": {}}]},
        {"role": "assistant", "content": "A dashboard."},
        QUESTION,
    ]

    assert ask(fake_anthropic, stream=False, messages=messages).stop_reason == "end_turn"


def test_a_stream_dropped_inside_a_tool_call_fails_in_the_sdk(fake_anthropic):
    # message_start, content_block_start, ping, then the first input pieces: cut mid-input.
    fake_anthropic.behave(text="", tool_calls=(SEARCH,), drop_after=6)

    with pytest.raises(httpx2.RemoteProtocolError, match="incomplete chunked read"):
        ask(fake_anthropic, stream=True)


def test_an_error_event_inside_a_tool_call_fails_in_the_sdk(fake_anthropic):
    fake_anthropic.behave(text="", tool_calls=(SEARCH,), error_after=5)

    with pytest.raises(anthropic.APIStatusError) as failed:
        ask(fake_anthropic, stream=True)

    assert failed.value.body["error"]["type"] == "overloaded_error"
