"""The egress guard: the exact outbound payload is inspected again, and blocked if anything sensitive is left."""

from __future__ import annotations

import json

import httpx
import pytest

from inspection import CustomPattern, inspect_text
from routing import egress, seen_texts
from routing.backends.anthropic import AnthropicBackend
from routing.backends.base import SYSTEM_PROMPT, BackendError, Bundle, ContextPassage, boundary_code, build_prompt
from routing.backends.openai_compatible import OpenAICompatibleBackend
from routing.egress import EgressBlocked, check_outbound, guard_outbound_texts, outbound_text
from routing.redaction import Vault, redact, restore
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, FAKE_LOCAL_MODEL

CUSTOMER_ID = CustomPattern(name="customer_id", pattern=r"\bCU-\d{5}\b")
API_KEY = "sk-ant-api03-" + ("Zq8vN3xL0pT7rK2mW9yB4cH6jD1fG5sA" * 3)[:93] + "AA"
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "\n".join(["MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw"] * 6)
    + "\n-----END RSA PRIVATE KEY-----"
)


def test_a_placeholder_only_payload_passes():
    payload = "Can [PERSON_1] email [EMAIL_1] about [CUSTOM_CUSTOMER_ID_1] or call [PHONE_2]? Key: [SECRET_1]."

    assert check_outbound(payload, custom=[CUSTOMER_ID]) == []
    guard_outbound_texts([payload], custom=[CUSTOMER_ID])


@pytest.mark.parametrize(
    "payload, kind",
    [
        ("Please reply to ada.lovelace@example.com today.", "email"),
        (f"Use the key {API_KEY} for the bucket.", "secret"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----",
            "secret",
        ),
        ("Customer CU-88812 complained.", "custom:customer_id"),
        ("Card 4539 1488 0343 6467 was charged.", "payment_card"),
    ],
)
def test_a_payload_with_raw_sensitive_data_is_blocked_with_counts_only(payload, kind):
    with pytest.raises(EgressBlocked) as caught:
        guard_outbound_texts([payload], custom=[CUSTOMER_ID])

    blocked = caught.value
    assert kind in blocked.counts
    assert isinstance(blocked, BackendError) and (blocked.kind, blocked.permanent) == ("egress_blocked", True)
    for word in payload.split():
        assert len(word) < 6 or word not in f"{blocked.message} {blocked.counts}"


def test_a_raw_value_beside_placeholders_is_still_found():
    findings = check_outbound("[EMAIL_1] and bob@example.com and [EMAIL_2]")

    assert [f.kind for f in findings] == ["email"]


def test_outbound_text_reads_the_strings_of_a_json_body():
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Name:\nada@example.com"}]}).encode()

    text = outbound_text(body)

    assert "Name:\nada@example.com" in text
    assert [f.kind for f in check_outbound(text)] == ["email"]
    assert outbound_text(b"not json ada@example.com") == "not json ada@example.com"


def test_what_redaction_leaves_passes_the_guard_and_restores():
    text = (
        "Hi, I'm Ada Lovelace (ada.lovelace@example.com, +44 20 7946 0958). Customer CU-88812 paid with "
        f"4539 1488 0343 6467 from 192.168.14.7; our key is {API_KEY}."
    )
    vault = Vault()

    findings = inspect_text(text, custom=[CUSTOMER_ID])
    redaction = redact(text, findings, vault)

    assert check_outbound(redaction.text, custom=[CUSTOMER_ID]) == []
    for raw in ("ada.lovelace@example.com", "7946 0958", "CU-88812", "4539 1488", "192.168.14.7", API_KEY):
        assert raw not in redaction.text
    [secret] = [f for f in findings if f.kind == "secret"]
    assert restore(redaction.text, vault) == text[: secret.start] + "[SECRET_1]" + text[secret.end :]


# -- the guard inside the backends: nothing leaves when it blocks ----------------------------------


def bundle(question: str) -> Bundle:
    return Bundle(
        question=question,
        passages=(ContextPassage(n=1, chunk_id=1, document_id=1, title="Refunds", text="Refunds take 5 days."),),
    )


def test_the_cloud_backend_sends_nothing_when_the_payload_holds_raw_data(fake_anthropic):
    cloud = AnthropicBackend(api_key=FAKE_ANTHROPIC_KEY, base_url=fake_anthropic.url, model=FAKE_ANTHROPIC_MODEL)

    with pytest.raises(EgressBlocked) as caught:
        list(cloud.stream(bundle("Refund CU-88812 for ada@example.com?")))

    assert caught.value.counts == {"email": 1}
    assert fake_anthropic.requests == []


def test_the_cloud_backend_applies_the_policys_custom_patterns(fake_anthropic):
    cloud = AnthropicBackend(
        api_key=FAKE_ANTHROPIC_KEY, base_url=fake_anthropic.url, model=FAKE_ANTHROPIC_MODEL, egress_custom=[CUSTOMER_ID]
    )

    with pytest.raises(EgressBlocked) as caught:
        list(cloud.stream(bundle("Refund CU-88812?")))

    assert caught.value.counts == {"custom:customer_id": 1}
    assert fake_anthropic.requests == []


def test_the_cloud_backend_sends_a_redacted_payload_and_no_raw_byte(fake_anthropic):
    question = "Refund CU-88812 for ada@example.com, please?"
    vault = Vault()
    redacted = redact(question, inspect_text(question, custom=[CUSTOMER_ID]), vault).text
    fake_anthropic.behave(text="Refunds for [CUSTOM_CUSTOMER_ID_1] take 5 days [1].")
    cloud = AnthropicBackend(
        api_key=FAKE_ANTHROPIC_KEY, base_url=fake_anthropic.url, model=FAKE_ANTHROPIC_MODEL, egress_custom=[CUSTOMER_ID]
    )

    answer = restore("".join(cloud.stream(bundle(redacted))), vault)

    assert answer == "Refunds for CU-88812 take 5 days [1]."
    sent = fake_anthropic.received()
    assert b"[CUSTOM_CUSTOMER_ID_1]" in sent and b"[EMAIL_1]" in sent
    assert b"CU-88812" not in sent and b"ada@example.com" not in sent


def test_an_on_prem_backend_can_be_guarded_too(fake_openai):
    # The openai SDK lets an event hook's exception through unwrapped (anthropic's wraps it): both surface as is.
    guarded = OpenAICompatibleBackend(base_url=fake_openai.base_url, model=FAKE_LOCAL_MODEL, guard_egress=True)

    with pytest.raises(EgressBlocked):
        list(guarded.stream(bundle(f"Is {API_KEY} still valid?")))

    assert fake_openai.requests == []
    assert "".join(guarded.stream(bundle("Is [SECRET_1] still valid?")))


def test_the_guard_leaves_names_to_where_each_part_was_inspected():
    # The name model read the question and each passage at the source; the guard checks identifiers.
    assert check_outbound("Runbook: deploys\nRoll back a bad deploy, then tell Homero Portillo.") == []
    assert [f.kind for f in check_outbound("Roll back, then mail homero@example.com.")] == ["email"]


def test_the_prompts_own_framing_is_no_evidence_for_the_guard():
    # A passage ending on a Title Case line, then the closing marker: a boundary code with digits in it read
    # as a number under a name line (a contact block), and blocked most such bundles' calls.
    bundles = [
        Bundle(
            question=f"Who do I call in week {week}?",
            passages=(
                ContextPassage(
                    n=1, chunk_id=week, document_id=1, title="On-call", text="Page the primary.\nEscalation Contacts"
                ),
            ),
        )
        for week in range(1, 41)
    ]

    for framed in bundles:
        prompt = build_prompt(framed)
        assert check_outbound(f"{prompt.system}\n{prompt.user}") == []
        assert not any(c.isdigit() for c in boundary_code(framed))


# -- each text read once: the check before the call and the exact bytes share what they read ----------------


def test_a_text_is_read_once_and_what_it_held_is_remembered_not_forgiven():
    seen_texts.forget()
    question = "How long do refunds take?"

    guard_outbound_texts([SYSTEM_PROMPT, question])
    assert len(egress.OUTBOUND) == 2
    guard_outbound_texts([SYSTEM_PROMPT, question, "user"])
    assert len(egress.OUTBOUND) == 3  # only the new string was read
    for _ in range(2):
        with pytest.raises(EgressBlocked) as caught:
            guard_outbound_texts([SYSTEM_PROMPT, "Mail ada@example.com about it."])
        assert caught.value.counts == {"email": 1}
    guard_outbound_texts(["Refund CU-88812?"])
    with pytest.raises(EgressBlocked):  # read again under the policy's own patterns
        guard_outbound_texts(["Refund CU-88812?"], custom=[CUSTOMER_ID])


def test_the_exact_bytes_are_read_where_they_hold_a_string_the_check_before_the_call_did_not():
    seen_texts.forget()
    cloud = AnthropicBackend(api_key=FAKE_ANTHROPIC_KEY, base_url="http://127.0.0.1:9", model=FAKE_ANTHROPIC_MODEL)
    asked = bundle("How long do refunds take?")
    cloud.preflight(asked)
    prompt = build_prompt(asked)
    body = {"system": prompt.system, "messages": [{"role": "user", "content": prompt.user}]}

    cloud._check_egress(httpx.Request("POST", "http://127.0.0.1:9/v1/messages", json=body))
    with pytest.raises(EgressBlocked) as caught:
        added = body | {"metadata": {"user_id": "ada@example.com"}}
        cloud._check_egress(httpx.Request("POST", "http://127.0.0.1:9/v1/messages", json=added))
    assert caught.value.counts == {"email": 1}
