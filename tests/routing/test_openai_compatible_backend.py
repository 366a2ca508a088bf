"""The openai_compatible backend through the real SDK, against a wire-faithful fake chat-completions server."""

from __future__ import annotations

import socket
import time

import pytest

from fakes.openai_server import FakeOpenAI
from routing.backends import configured_backends, get_backend
from routing.backends.base import BackendError, Bundle, ContextPassage, Usage, build_prompt
from routing.backends.openai_compatible import NO_KEY, OpenAICompatibleBackend
from tests.conftest import FAKE_LOCAL_MODEL

BUNDLE = Bundle(
    question="How long is parental leave?",
    passages=(
        ContextPassage(n=1, chunk_id=21, document_id=3, title="Leave policy", text="Parental leave is 16 weeks."),
    ),
)


def backend(fake: FakeOpenAI, **options: object) -> OpenAICompatibleBackend:
    defaults: dict[str, object] = {
        "base_url": fake.base_url,
        "model": FAKE_LOCAL_MODEL,
        "api_key": "",
        "first_token_timeout": 2.0,
        "total_timeout": 5.0,
    }
    return OpenAICompatibleBackend(**{**defaults, **options})  # type: ignore[arg-type]


def failure(fake: FakeOpenAI, **options: object) -> BackendError:
    with pytest.raises(BackendError) as caught, backend(fake, **options).stream(BUNDLE) as generation:
        list(generation)
    return caught.value


def test_it_streams_the_answer_and_records_the_reported_model_and_usage(fake_openai):
    fake_openai.behave(text="Sixteen weeks [1].", model="qwen2.5-1.5b-instruct-q4_k_m.gguf", input_tokens=88)

    with backend(fake_openai).stream(BUNDLE) as generation:
        deltas = list(generation)

    assert deltas == ["Sixteen ", "weeks ", "[1]."]
    assert generation.done
    assert generation.model == "qwen2.5-1.5b-instruct-q4_k_m.gguf"
    assert generation.usage == Usage(input_tokens=88, output_tokens=3)
    assert generation.stop_reason == "stop"


def test_it_sends_one_streamed_chat_completion_asking_for_usage(fake_openai):
    with backend(fake_openai).stream(BUNDLE) as generation:
        list(generation)

    [request] = fake_openai.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    # Never the OPENAI_API_KEY of the environment: a fixed stand-in when the server needs none.
    assert request.headers["authorization"] == f"Bearer {NO_KEY}"
    body = request.json()
    assert body["model"] == FAKE_LOCAL_MODEL
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    prompt = build_prompt(BUNDLE)
    assert body["messages"] == [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}]


def test_a_server_without_usage_reporting_still_answers(fake_openai):
    # Servers that ignore stream_options send no usage chunk; the answer stands, usage is unknown.
    fake_openai.behave(text="Sixteen weeks [1].")
    fake_openai.usage_chunks = False

    with backend(fake_openai).stream(BUNDLE) as generation:
        text = "".join(generation)

    assert text == "Sixteen weeks [1]." and generation.usage is None


@pytest.mark.parametrize(
    "script, kind, permanent",
    [
        ({"status": 429, "retry_after": 2}, "rate_limited", False),
        ({"status": 529}, "overloaded", False),
        ({"status": 500}, "server_error", False),
        ({"status": 503}, "server_error", False),
        ({"status": 401}, "auth", True),
        ({"status": 400}, "bad_request", True),
        ({"drop_after": 3}, "dropped_stream", False),
        ({"garbage": True}, "bad_response", False),
        ({"error_after": 1}, "server_error", False),
    ],
)
def test_each_fault_maps_to_its_error_kind_without_retrying(fake_openai, script, kind, permanent):
    fake_openai.behave(**script)

    error = failure(fake_openai)

    assert (error.kind, error.permanent) == (kind, permanent)
    assert len(fake_openai.requests) == 1  # max_retries=0: retrying is the gateway's decision


def test_a_rate_limit_carries_the_servers_retry_after(fake_openai):
    fake_openai.behave(status=429, retry_after=2)

    assert failure(fake_openai).retry_after == 2.0


def test_an_unknown_model_is_not_found_and_permanent(fake_openai):
    error = failure(fake_openai, model="llama-nonexistent")

    assert (error.kind, error.permanent) == ("not_found", True)


def test_a_server_that_hangs_times_out_at_the_first_token_timeout(fake_openai):
    fake_openai.behave(hang=True)
    started = time.monotonic()

    error = failure(fake_openai, first_token_timeout=0.5)

    assert error.kind == "timeout"
    assert time.monotonic() - started < 2.0


def test_a_slow_first_byte_within_the_timeout_is_fine(fake_openai):
    fake_openai.behave(text="Sixteen weeks [1].", delay_first_byte=0.3)

    assert "".join(backend(fake_openai, first_token_timeout=1.0).stream(BUNDLE)) == "Sixteen weeks [1]."


def test_a_slow_stream_times_out_at_the_total_timeout(fake_openai):
    fake_openai.behave(text="word " * 40, delay_between_chunks=0.1)
    started = time.monotonic()

    error = failure(fake_openai, first_token_timeout=1.0, total_timeout=1.0)

    assert error.kind == "timeout"
    assert time.monotonic() - started < 2.5


def test_a_stream_that_stalls_times_out_at_the_first_token_timeout(fake_openai):
    # Headers and the role chunk arrive at once; then nothing for longer than the read timeout.
    fake_openai.behave(text="one two three", delay_between_chunks=1.0)

    error = failure(fake_openai, first_token_timeout=0.4, total_timeout=5.0)

    assert error.kind == "timeout"


def test_a_server_nobody_listens_on_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = OpenAICompatibleBackend(base_url=f"http://127.0.0.1:{port}/v1", model="m", first_token_timeout=1.0)

    with pytest.raises(BackendError) as caught:
        list(closed.stream(BUNDLE))

    assert caught.value.kind == "unreachable"
    assert not closed.health().ok


def test_health_is_up_and_names_the_served_model(fake_openai):
    health = backend(fake_openai).health()

    assert health.ok and health.detail == f"{FAKE_LOCAL_MODEL} served"
    assert (fake_openai.requests[0].method, fake_openai.requests[0].path) == ("GET", "/v1/models")


def test_health_reports_a_model_the_server_does_not_list(fake_openai):
    health = backend(fake_openai, model="other-model").health()

    assert health.ok and "other-model is not listed" in health.detail


@pytest.mark.parametrize(
    "script, options",
    [
        ({"status": 500}, {}),
        ({"status": 503}, {}),
        ({"hang": True}, {"first_token_timeout": 0.3}),
        ({"garbage": True}, {}),
    ],
)
def test_health_is_down_when_the_server_cannot_answer(fake_openai, script, options):
    fake_openai.behave(**script)

    health = backend(fake_openai, **options).health()

    assert not health.ok and health.detail


def test_it_is_enabled_by_url_and_model_settings(settings, fake_openai):
    settings.LOCAL_LLM_BASE_URL = ""
    settings.LOCAL_LLM_MODEL = ""
    assert "openai_compatible" not in configured_backends()
    assert not get_backend("openai_compatible").health().ok

    settings.LOCAL_LLM_BASE_URL = fake_openai.base_url
    settings.LOCAL_LLM_MODEL = FAKE_LOCAL_MODEL
    configured = get_backend("openai_compatible")

    assert "openai_compatible" in configured_backends()
    assert (configured.name, configured.zone, configured.model) == ("openai_compatible", "onprem", FAKE_LOCAL_MODEL)
    assert "".join(configured.stream(BUNDLE)) == "".join(fake_openai.default.deltas())


def test_a_configured_api_key_is_sent_as_a_bearer_token(fake_openai):
    fake_openai.api_key = "local-secret"

    assert "".join(backend(fake_openai, api_key="local-secret").stream(BUNDLE))
    assert failure(fake_openai, api_key="wrong").kind == "auth"
