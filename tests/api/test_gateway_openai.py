"""POST /v1/chat/completions and GET /v1/models with the official `openai` SDK as the client, against the
wire-faithful fakes behind Sluice: routed by the policy, redacted, restored, audited, errors as the SDK's
own exception types."""

from __future__ import annotations

import json

import openai
import pytest

from accounts.models import User
from fakes.common import Script
from routing.models import AuditEvent
from tests.api.conftest import make_key
from tests.api.gateway_clients import in_process, openai_client

pytestmark = pytest.mark.django_db

ASK = [{"role": "user", "content": "How do I rotate the nginx certificates?"}]


@pytest.fixture
def key(employee: User) -> str:
    return make_key(employee, "triage-tool").key


def test_the_models_are_sluices_routes(key: str) -> None:
    with in_process() as http:
        client = openai_client(key, http)
        assert [m.id for m in client.models.list().data] == ["sluice-auto", "sluice-onprem"]
        assert client.models.retrieve("sluice-onprem").owned_by == "sluice"
        with pytest.raises(openai.NotFoundError, match="claude"):
            client.models.retrieve("claude")


def test_an_internal_conversation_goes_to_the_cloud_and_is_audited_with_the_key(key: str, cloud, onprem) -> None:
    cloud.enqueue(Script(text="Run the renew-certs job, then reload nginx."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=ASK)
    assert reply.choices[0].message.content == "Run the renew-certs job, then reload nginx."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == "sluice-auto"
    assert reply.usage.completion_tokens > 0
    assert len(cloud.requests) == 1 and not onprem.requests
    sent = cloud.requests[0].json()
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": ASK[0]["content"]}]}]
    event = AuditEvent.objects.get(id=reply.model_extra["sluice"]["audit_id"])
    assert (event.api_key_name, event.backend, event.outcome) == ("triage-tool", "claude", "answered")
    assert event.decision["gateway"] == {
        "endpoint": "chat.completions", "route": "sluice-auto", "stream": False,
        "messages": 1, "tools": 0, "tool_calls": 0, "system": False,
    }  # fmt: skip
    assert "rotate the nginx certificates" in event.question
    assert event.cost_usd > 0


def test_personal_data_anywhere_in_the_conversation_never_reaches_the_cloud(key: str, cloud) -> None:
    """The held-out style no-leak check: a phone with an extension, an email, a name and a street address,
    in the system prompt, an earlier turn, an assistant turn and the last question."""
    values = ["345-899-3560x4587", "dana.whitfield@example.com", "Dana Whitfield", "221 Lakeview Drive"]
    messages = [
        {"role": "system", "content": f"You triage tickets. Escalations go to {values[1]}."},
        {"role": "user", "content": f"Ticket from {values[2]}: call back on {values[0]}."},
        {"role": "assistant", "content": f"Noted. Is {values[3]} the site address?"},
        {"role": "user", "content": "Yes. Which team should take it?"},
    ]
    cloud.enqueue(Script(text="The field team."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=messages)
    assert len(cloud.requests) == 1
    received = cloud.received().decode()
    for value in values:
        assert value not in received
    event = AuditEvent.objects.get(id=reply.model_extra["sluice"]["audit_id"])
    for value in values:
        assert value not in event.question
    assert {"phone", "email", "person", "address"} <= set(event.findings)
    assert set(event.redacted) >= {"phone", "email", "person", "address"}


def test_an_ssn_after_its_label_keeps_the_conversation_on_prem(key: str, cloud, onprem) -> None:
    onprem.enqueue(Script(text="Tell HR security."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(
            model="sluice-auto",
            messages=[{"role": "user", "content": "Employee SSN 078-05-1120 appears in the HR export, what do I do?"}],
        )
    assert reply.choices[0].message.content == "Tell HR security."
    assert not cloud.requests and len(onprem.requests) == 1
    event = AuditEvent.objects.get()
    assert event.findings == {"ssn": 1} and event.decision["data_class"] == "confidential"
    assert "078-05-1120" not in event.question


def test_the_reply_is_restored_where_the_model_used_a_placeholder(key: str, cloud) -> None:
    messages = [{"role": "user", "content": "Draft a two-line reply to jo.bell@example.com about the outage."}]
    cloud.enqueue(Script(text="To: [EMAIL_1]\nThe outage is over."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=messages)
    assert "jo.bell@example.com" not in cloud.received().decode()
    assert "[EMAIL_1]" in cloud.requests[0].body.decode()
    assert reply.choices[0].message.content == "To: jo.bell@example.com\nThe outage is over."
    assert reply.model_extra["sluice"]["redacted"] == {"email": 1}


def test_a_streamed_reply_arrives_in_chunks_with_usage(key: str, cloud) -> None:
    cloud.enqueue(Script(text="Renew, then reload nginx on every node."))
    with in_process() as http:
        stream = openai_client(key, http).chat.completions.create(
            model="sluice-auto", messages=ASK, stream=True, stream_options={"include_usage": True}
        )
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Renew, then reload nginx on every node."
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    assert AuditEvent.objects.get().decision["gateway"]["stream"] is True


def test_sluice_onprem_never_leaves_even_for_public_data(key: str, cloud, onprem) -> None:
    onprem.enqueue(Script(text="Reload nginx."))
    with in_process() as http:
        client = openai_client(key, http, **{"X-Sluice-Classification": "internal"})
        reply = client.chat.completions.create(model="sluice-onprem", messages=ASK)
    assert reply.choices[0].message.content == "Reload nginx."
    assert not cloud.requests and len(onprem.requests) == 1


def test_a_declared_class_raises_the_route_never_lowers_it(key: str, cloud, onprem) -> None:
    onprem.enqueue(Script(text="On-prem answer."))
    with in_process() as http:
        client = openai_client(key, http, **{"X-Sluice-Classification": "restricted"})
        reply = client.chat.completions.create(model="sluice-auto", messages=ASK)
        assert reply.model_extra["sluice"]["route"].startswith("Answered on-prem by local")
        lowered = openai_client(key, http, **{"X-Sluice-Classification": "public"})
        lowered.chat.completions.create(model="sluice-auto", messages=ASK)
    assert not cloud.requests[:-1]  # the restricted one never left
    event = AuditEvent.objects.order_by("id").last()
    assert event.decision["data_class"] == "internal"  # the gateway's least class stands


def test_sluice_onprem_without_an_onprem_model_is_refused_and_nothing_leaves(key: str, cloud) -> None:
    with in_process() as http, pytest.raises(openai.InternalServerError) as raised:
        openai_client(key, http).chat.completions.create(model="sluice-onprem", messages=ASK)
    assert raised.value.status_code == 503
    assert raised.value.code == "no_model_available"
    assert "sluice-onprem" in raised.value.message
    assert not cloud.requests
    event = AuditEvent.objects.get()
    assert event.outcome == "refused" and event.api_key_name == "triage-tool"


def test_a_secret_stays_onprem_and_is_removed_for_good(key: str, cloud, onprem) -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"
    onprem.enqueue(Script(text="Rotate [SECRET_1] now."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(
            model="sluice-auto", messages=[{"role": "user", "content": f"Why does AWS reject {secret}?"}]
        )
    assert not cloud.requests
    assert secret not in onprem.received().decode()
    assert reply.choices[0].message.content == "Rotate [SECRET_1] now."  # never restored
    assert "secret" in " ".join(reply.model_extra["sluice"]["notices"])


def test_a_cloud_failure_falls_back_on_prem(key: str, cloud, onprem) -> None:
    cloud.behave(status=500)
    onprem.enqueue(Script(text="From the local model."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=ASK)
    assert reply.choices[0].message.content == "From the local model."
    event = AuditEvent.objects.get()
    assert event.fallback_used and event.backend == "local"
    assert [a["outcome"] for a in event.attempts][-1] == "ok"


def test_a_stream_cut_mid_reply_ends_with_an_error_the_sdk_raises(key: str, cloud, onprem) -> None:
    cloud.enqueue(*[Script(text="one two three four five six", drop_after=5)] * 3)
    with in_process() as http:
        stream = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=ASK, stream=True)
        with pytest.raises(openai.APIError, match="cut off"):
            for _ in stream:
                pass
    assert not onprem.requests  # what was passed on cannot be taken back, so no other model writes it again
    assert AuditEvent.objects.get().outcome == "cut_off"


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"messages": []}, openai.BadRequestError, "invalid_request"),
        ({"messages": [{"role": "user", "content": "   "}]}, openai.BadRequestError, "empty_request"),
        ({"response_format": {"type": "json_object"}}, openai.BadRequestError, "invalid_request"),
        ({"n": 2}, openai.BadRequestError, "invalid_request"),
        ({"model": "gpt-4o"}, openai.NotFoundError, "model_not_found"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:x"}}]}]},
            openai.BadRequestError,
            "uninspectable_content",
        ),
    ],
)
def test_bad_requests_get_the_sdks_error_types(key: str, cloud, change, error, code) -> None:
    body = {"model": "sluice-auto", "messages": ASK} | change
    with in_process() as http, pytest.raises(error) as raised:
        openai_client(key, http).chat.completions.create(**body)
    assert raised.value.code == code
    assert not cloud.requests


def test_keys_are_checked_and_rate_limited(employee: User, settings, one_rate_window, cloud) -> None:
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 1
    issued = make_key(employee, "script")
    with in_process() as http:
        with pytest.raises(openai.AuthenticationError):
            openai_client("sluice_0123456789ab_" + "x" * 43, http).models.list()
        client = openai_client(issued.key, http)
        client.chat.completions.create(model="sluice-auto", messages=ASK)
        with pytest.raises(openai.RateLimitError) as raised:
            client.chat.completions.create(model="sluice-auto", messages=ASK)
    assert int(raised.value.response.headers["retry-after"]) >= 1
    assert len(cloud.requests) == 1


def test_a_key_not_allowed_the_gateway_gets_a_permission_error(employee: User, cloud) -> None:
    limited = make_key(employee, "search only", endpoints=["search"])
    with in_process() as http, pytest.raises(openai.PermissionDeniedError, match="gateway"):
        openai_client(limited.key, http).chat.completions.create(model="sluice-auto", messages=ASK)
    assert not cloud.requests


def test_an_endpoint_sluice_does_not_serve_is_a_404_never_a_pass_through(key: str, cloud) -> None:
    with in_process() as http, pytest.raises(openai.NotFoundError):
        openai_client(key, http).embeddings.create(model="sluice-auto", input="hello")
    assert not cloud.requests


def test_the_request_body_must_be_json(key: str) -> None:
    with in_process() as http:
        response = http.post("/v1/chat/completions", content=b"{not json", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["type"] == "invalid_request_error"


def test_the_auditor_sees_the_key_and_the_gateway_call(key: str, cloud, client, auditor: User) -> None:
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(model="sluice-auto", messages=ASK, stream=True)
        list(reply)
    event = AuditEvent.objects.get()
    client.force_login(auditor)
    log = client.get("/audit/").content.decode()
    assert "triage-tool" in log and "gateway chat.completions" in log
    detail = client.get(f"/audit/{event.id}/").content.decode()
    assert "/v1/chat/completions (OpenAI) · model sluice-auto · 1 message · streamed" in detail


def test_a_request_over_the_size_limit_is_refused_before_inspection(key: str, cloud, settings) -> None:
    settings.GATEWAY_MAX_CHARS = 1000
    with in_process() as http, pytest.raises(openai.APIStatusError) as raised:
        openai_client(key, http).chat.completions.create(
            model="sluice-auto", messages=[{"role": "user", "content": "x " * 600}]
        )
    assert raised.value.status_code == 413 and raised.value.code == "request_too_large"
    assert "1,200 characters" in raised.value.message and not cloud.requests


def test_a_request_a_rule_would_hold_for_approval_is_refused_not_held(key: str, cloud, onprem) -> None:
    from routing.policy.versions import read_default_policy_text, save_and_activate_policy

    rule = "    on_failure: degrade\n    explain: Internal data may go to the cloud only redacted"
    text = read_default_policy_text().replace('version: "default-3"', 'version: "approve-1"')
    save_and_activate_policy(
        text=text.replace(rule, rule.replace("    explain", "    approve: true\n    explain")), acting_user=None
    )
    with in_process() as http, pytest.raises(openai.PermissionDeniedError) as raised:
        openai_client(key, http).chat.completions.create(model="sluice-auto", messages=ASK)
    assert raised.value.code == "refused_by_policy" and "/api/v1/ask" in raised.value.message
    assert not cloud.requests and not onprem.requests
    assert AuditEvent.objects.get().outcome == "refused"
