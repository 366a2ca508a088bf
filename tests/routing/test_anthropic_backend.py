"""The anthropic backend through the real SDK, against the wire-faithful fake of the Messages API."""

from __future__ import annotations

import socket
import time

import pytest

from fakes.anthropic_server import FakeAnthropic, api_key
from routing.backends import configured_backends, get_backend
from routing.backends.anthropic import AnthropicBackend
from routing.backends.base import BackendError, Bundle, ContextPassage, Usage, boundary_code, build_prompt
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL

BUNDLE = Bundle(
    question="How do I roll back a bad deploy?",
    passages=(
        ContextPassage(n=1, chunk_id=11, document_id=1, title="Deploys", text="Press Revert in the deploy dashboard."),
        ContextPassage(n=2, chunk_id=12, document_id=2, title="On-call", text="Post in #deploys afterwards."),
    ),
)


def backend(fake: FakeAnthropic, **options: object) -> AnthropicBackend:
    defaults: dict[str, object] = {
        "api_key": FAKE_ANTHROPIC_KEY,
        "base_url": fake.url,
        "model": FAKE_ANTHROPIC_MODEL,
        "first_token_timeout": 2.0,
        "total_timeout": 5.0,
        "guard_egress": False,
    }
    return AnthropicBackend(**{**defaults, **options})  # type: ignore[arg-type]


def failure(fake: FakeAnthropic, **options: object) -> BackendError:
    with pytest.raises(BackendError) as caught, backend(fake, **options).stream(BUNDLE) as generation:
        list(generation)
    return caught.value


def test_it_streams_the_answer_and_records_the_reported_model_and_usage(fake_anthropic):
    fake_anthropic.behave(
        text="Press Revert in the deploy dashboard [1].",
        model="claude-haiku-4-5-20251001",
        input_tokens=321,
        output_tokens=9,
    )

    with backend(fake_anthropic).stream(BUNDLE) as generation:
        deltas = list(generation)

    assert deltas == ["Press ", "Revert ", "in ", "the ", "deploy ", "dashboard ", "[1]."]
    assert generation.done
    assert generation.model == "claude-haiku-4-5-20251001"
    assert generation.usage == Usage(input_tokens=321, output_tokens=9)
    assert generation.stop_reason == "end_turn"


def test_it_sends_one_streamed_messages_call_with_the_passages_and_question(fake_anthropic):
    with backend(fake_anthropic).stream(BUNDLE) as generation:
        list(generation)

    [request] = fake_anthropic.requests
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert api_key(request) == FAKE_ANTHROPIC_KEY
    assert request.headers["anthropic-version"]
    body = request.json()
    assert body["model"] == FAKE_ANTHROPIC_MODEL and body["stream"] is True
    assert "cite" in body["system"] and "[EMAIL_1]" in body["system"]
    assert body["messages"] == [{"role": "user", "content": build_prompt(BUNDLE).user}]
    assert "Deploys\nPress Revert in the deploy dashboard.\n</passage 1 " in body["messages"][0]["content"]
    code = boundary_code(BUNDLE)
    assert (
        f"How do I roll back a bad deploy?\n</question {code}>\n\nAnswer the question from passages 1 to 2"
        in (body["messages"][0]["content"])
    )


@pytest.mark.parametrize(
    "script, kind, permanent",
    [
        ({"status": 429, "retry_after": 7}, "rate_limited", False),
        ({"status": 529}, "overloaded", False),
        ({"status": 500}, "server_error", False),
        ({"status": 503}, "server_error", False),
        ({"status": 401}, "auth", True),
        ({"status": 403}, "auth", True),
        ({"status": 400}, "bad_request", True),
        ({"drop_after": 5}, "dropped_stream", False),
        ({"garbage": True}, "bad_response", False),
        ({"error_after": 4, "error_type": "overloaded_error"}, "overloaded", False),
        ({"error_after": 4, "error_type": "api_error"}, "server_error", False),
    ],
)
def test_each_fault_maps_to_its_error_kind_without_retrying(fake_anthropic, script, kind, permanent):
    fake_anthropic.behave(**script)

    error = failure(fake_anthropic)

    assert (error.kind, error.permanent) == (kind, permanent)
    assert len(fake_anthropic.requests) == 1  # max_retries=0: retrying is the gateway's decision


def test_a_rate_limit_carries_the_servers_retry_after(fake_anthropic):
    fake_anthropic.behave(status=429, retry_after=7)

    assert failure(fake_anthropic).retry_after == 7.0


def test_a_dropped_stream_has_already_yielded_what_arrived(fake_anthropic):
    fake_anthropic.behave(text="one two three four", drop_after=5)
    received = []

    with pytest.raises(BackendError) as caught, backend(fake_anthropic).stream(BUNDLE) as generation:
        received.extend(generation)

    assert caught.value.kind == "dropped_stream"
    assert received == ["one ", "two "]


def test_a_server_that_hangs_times_out_at_the_first_token_timeout(fake_anthropic):
    fake_anthropic.behave(hang=True)
    started = time.monotonic()

    error = failure(fake_anthropic, first_token_timeout=0.5)

    assert error.kind == "timeout" and not error.permanent
    assert time.monotonic() - started < 2.0


def test_a_stream_that_pings_but_writes_nothing_times_out_at_the_first_token_timeout(fake_anthropic):
    # Each event comes within the socket's read timeout, but no text arrives in time.
    fake_anthropic.behave(delay_between_chunks=0.35)
    started = time.monotonic()

    error = failure(fake_anthropic, first_token_timeout=0.6)

    assert error.kind == "timeout" and "first token" in error.message
    assert time.monotonic() - started < 2.0


def test_a_slow_stream_times_out_at_the_total_timeout(fake_anthropic):
    fake_anthropic.behave(text="word " * 40, delay_between_chunks=0.1)
    started = time.monotonic()

    error = failure(fake_anthropic, first_token_timeout=1.0, total_timeout=1.0)

    assert error.kind == "timeout" and "finished" in error.message
    assert time.monotonic() - started < 2.5


def test_an_unknown_model_is_not_found_and_permanent(fake_anthropic):
    error = failure(fake_anthropic, model="claude-nonexistent")

    assert (error.kind, error.permanent) == ("not_found", True)


def test_a_server_nobody_listens_on_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = AnthropicBackend(api_key="k", base_url=f"http://127.0.0.1:{port}", guard_egress=False)

    with pytest.raises(BackendError) as caught:
        list(closed.stream(BUNDLE))

    assert caught.value.kind == "unreachable"
    assert not closed.health().ok


def test_health_is_up_when_the_model_is_served(fake_anthropic):
    health = backend(fake_anthropic).health()

    assert health.ok and FAKE_ANTHROPIC_MODEL in health.detail
    assert fake_anthropic.requests[0].path == f"/v1/models/{FAKE_ANTHROPIC_MODEL}"


@pytest.mark.parametrize(
    "script, options",
    [
        ({"status": 500}, {}),
        ({"status": 529}, {}),
        ({"hang": True}, {"first_token_timeout": 0.3}),
        ({"garbage": True}, {}),
        ({}, {"api_key": "wrong-key"}),
        ({}, {"model": "claude-nonexistent"}),
    ],
)
def test_health_is_down_when_the_api_cannot_answer(fake_anthropic, script, options):
    fake_anthropic.behave(**script)

    health = backend(fake_anthropic, **options).health()

    assert not health.ok and health.detail


def test_without_an_api_key_it_is_disabled_and_says_so(settings):
    settings.ANTHROPIC_API_KEY = ""
    unconfigured = get_backend("anthropic")

    assert "anthropic" not in configured_backends()
    assert unconfigured.health() == unconfigured.health().__class__(ok=False, detail="ANTHROPIC_API_KEY is not set")
    with pytest.raises(BackendError) as caught:
        list(unconfigured.stream(BUNDLE))
    assert (caught.value.kind, caught.value.permanent) == ("auth", True)


def test_settings_configure_the_registered_backend(settings, fake_anthropic):
    settings.ANTHROPIC_API_KEY = FAKE_ANTHROPIC_KEY
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_MODEL
    fake_anthropic.behave(text="Yes [1].")

    configured = get_backend("anthropic", guard_egress=False)

    assert "anthropic" in configured_backends()
    assert (configured.name, configured.zone, configured.model) == ("anthropic", "cloud", FAKE_ANTHROPIC_MODEL)
    assert "".join(configured.stream(BUNDLE)) == "Yes [1]."


def test_an_abandoned_answer_closes_its_stream(fake_anthropic):
    fake_anthropic.behave(text="word " * 20, delay_between_chunks=0.01)

    with backend(fake_anthropic).stream(BUNDLE) as generation:
        first = next(generation)

    assert first == "word "
    assert not generation.done and generation.usage is None
