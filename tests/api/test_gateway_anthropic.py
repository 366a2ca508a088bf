"""POST /v1/messages and GET /v1/models with the official `anthropic` SDK as the client: the same gate as
/v1/chat/completions, in Anthropic's shapes, with its errors raised as the SDK's own exception types."""

from __future__ import annotations

import anthropic
import pytest

from accounts.models import User
from fakes.common import Script
from routing.models import AuditEvent
from tests.api.conftest import make_key
from tests.api.gateway_clients import anthropic_client, in_process

pytestmark = pytest.mark.django_db

ASK = [{"role": "user", "content": "How do I rotate the nginx certificates?"}]


@pytest.fixture
def key(employee: User) -> str:
    return make_key(employee, "notes-bot").key


def test_the_sdk_lists_sluices_routes(key: str) -> None:
    with in_process() as http:
        client = anthropic_client(key, http)
        assert [m.id for m in client.models.list().data] == ["sluice-auto", "sluice-onprem"]
        assert client.models.retrieve("sluice-auto").display_name.startswith("The routing policy decides")


def test_a_message_from_the_cloud_with_a_system_prompt(key: str, cloud) -> None:
    cloud.enqueue(Script(text="Renew, then reload."))
    with in_process() as http:
        message = anthropic_client(key, http).messages.create(
            model="sluice-auto", max_tokens=300, system=[{"type": "text", "text": "Answer briefly."}], messages=ASK
        )
    assert (message.content[0].text, message.stop_reason, message.model) == (
        "Renew, then reload.",
        "end_turn",
        "sluice-auto",
    )
    sent = cloud.requests[0].json()
    assert sent["system"] == "Answer briefly." and sent["max_tokens"] == 300
    assert sent["model"] != "sluice-auto"  # the target's own model, never the caller's route name
    event = AuditEvent.objects.get()
    assert event.decision["gateway"]["endpoint"] == "messages" and event.api_key_name == "notes-bot"
    assert message.usage.output_tokens == event.attempts[-1]["output_tokens"]


def test_a_streamed_message_with_personal_data_redacted_and_restored(key: str, cloud) -> None:
    cloud.enqueue(Script(text="Write to [EMAIL_1] when it is done."))
    messages = [{"role": "user", "content": "Who should I tell about cert rotation? Ops lead is kim.ng@example.com."}]
    with (
        in_process() as http,
        anthropic_client(key, http).messages.stream(model="sluice-auto", max_tokens=100, messages=messages) as live,
    ):
        text = "".join(live.text_stream)
        final = live.get_final_message()
    assert text == "Write to kim.ng@example.com when it is done."
    assert final.stop_reason == "end_turn"
    assert "kim.ng@example.com" not in cloud.received().decode()


def test_no_allowed_model_is_an_overloaded_error_and_nothing_leaves(key: str, cloud) -> None:
    with in_process() as http, pytest.raises(anthropic.InternalServerError) as raised:
        anthropic_client(key, http).messages.create(model="sluice-onprem", max_tokens=50, messages=ASK)
    assert raised.value.status_code == 529
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert "audit id" in raised.value.body["error"]["message"]
    assert not cloud.requests


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"model": "claude-provider-name"}, anthropic.NotFoundError, "model_not_found"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image", "source": {"type": "url", "url": "x"}}]}]},
            anthropic.BadRequestError,
            "uninspectable_content",
        ),
        ({"messages": [{"role": "user", "content": ""}]}, anthropic.BadRequestError, "empty_request"),
    ],
)
def test_bad_requests_get_the_sdks_error_types(key: str, cloud, change, error, code) -> None:
    with in_process() as http, pytest.raises(error) as raised:
        anthropic_client(key, http).messages.create(
            **({"model": "sluice-auto", "max_tokens": 50, "messages": ASK} | change)
        )
    assert raised.value.body["error"]["sluice_code"] == code
    assert not cloud.requests


def test_keys_are_checked_in_anthropics_shape(employee: User, cloud) -> None:
    limited = make_key(employee, "search only", endpoints=["search"])
    with in_process() as http:
        with pytest.raises(anthropic.AuthenticationError):
            anthropic_client("sluice_0123456789ab_" + "x" * 43, http).messages.create(
                model="sluice-auto", max_tokens=50, messages=ASK
            )
        with pytest.raises(anthropic.PermissionDeniedError):
            anthropic_client(limited.key, http).messages.create(model="sluice-auto", max_tokens=50, messages=ASK)
    assert not cloud.requests


def test_the_anthropic_version_header_is_required(key: str) -> None:
    with in_process() as http:
        response = http.post(
            "/v1/messages", json={"model": "sluice-auto", "max_tokens": 5, "messages": ASK}, headers={"x-api-key": key}
        )
    assert response.status_code == 400
    assert response.json()["type"] == "error" and "anthropic-version" in response.json()["error"]["message"]
