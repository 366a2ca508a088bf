"""Load-aware burst through the whole gate: the on-prem fake (OpenAI-compatible, vLLM's /metrics) reports its
queue, the policy says local is saturated over 8 waiting, and the question goes where the policy then says,
audited with the reason. Real PostgreSQL, both fakes on loopback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fakes.anthropic_server import FakeAnthropic
from fakes.openai_server import FakeOpenAI
from routing.models import AuditEvent
from routing.services import answer_question

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
KEYS = "# Keys\n\nRoll back database credentials from the vault console."
# customer-data-private-first: on-prem first, the cloud (redacted) as the fallback.
PERSONAL = "I am dana.cho@quillfern.example: how do I roll back a deploy?"
LOCAL = "    backend: openai_compatible\n    tier: small\n"


@pytest.fixture
def bursting(edit_policy: Callable[[str, str], None], cloud: FakeAnthropic, onprem: FakeOpenAI) -> FakeOpenAI:
    """The default policy with local saturated over 8 waiting; both fakes up, the on-prem one reporting 0 waiting."""
    edit_policy(LOCAL, LOCAL + "    saturated_when: {waiting_over: 8}\n")
    onprem.behave(text="Roll back from the deploy dashboard [1].")
    cloud.behave(text="Roll back from the deploy dashboard [1].")
    return onprem


def reasons(answer_id: int | None) -> list[str]:
    return AuditEvent.objects.get(id=answer_id).decision["reasons"]


def test_a_saturated_on_prem_model_sends_an_internal_question_to_the_cloud_first_redacted(
    ingest, employee, bursting, cloud
):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.waiting = 14

    answer = answer_question(question=PERSONAL, acting_user=employee)

    assert answer.backend == "claude" and bursting.requests == []
    sent = cloud.received()
    assert b"dana.cho@quillfern.example" not in sent and b"[EMAIL_1]" in sent
    assert "On-prem saturated: local has 14 waiting, over 8, so claude (cloud) is tried first." in reasons(
        answer.audit_id
    )
    assert bursting.metrics_reads == 1


def test_a_quiet_on_prem_model_answers_first(ingest, employee, bursting, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.waiting = 2

    answer = answer_question(question=PERSONAL, acting_user=employee)

    assert answer.backend == "local" and cloud.requests == []
    assert not any("saturated" in r for r in reasons(answer.audit_id))


def test_a_confidential_question_stays_on_prem_however_saturated(ingest, admin, bursting, cloud):
    ingest("keys.md", KEYS, "confidential")
    bursting.waiting = 10_000

    answer = answer_question(question="How do I roll back database credentials?", acting_user=admin)

    assert answer.backend == "local" and cloud.requests == []
    assert any(r.startswith("On-prem saturated: local has 10000 waiting") and "no wider target" in r
               for r in reasons(answer.audit_id))  # fmt: skip


def test_a_secret_stays_on_prem_however_saturated(ingest, employee, bursting, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.waiting = 10_000
    token = "ghp_" + "Zq8rT2mW9xK4pL7vB3nY6cH1dF5gJ0sA2eR4"

    answer = answer_question(question=f"my token {token} broke the deploy, how do I roll back?", acting_user=employee)

    assert answer.backend == "local" and cloud.requests == []
    assert token.encode() not in bursting.received()


def test_unreadable_metrics_count_as_not_saturated_and_the_reason_says_unknown(ingest, employee, bursting, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.waiting = None  # /metrics answers 404

    answer = answer_question(question=PERSONAL, acting_user=employee)

    assert answer.backend == "local" and cloud.requests == []
    said = [r for r in reasons(answer.audit_id) if "load is unknown" in r]
    assert said == [f"local (onprem)'s load is unknown ({bursting.url}/metrics answered 404), so it is tried first."]


def test_the_reading_is_kept_for_its_max_age(ingest, employee, bursting, cloud, settings):
    ingest("deploys.md", DEPLOYS, "internal")
    settings.LOCAL_LLM_LOAD_MAX_AGE_S = 60
    bursting.waiting = 14

    first = answer_question(question=PERSONAL, acting_user=employee)
    bursting.waiting = 0  # not read again within the max age
    second = answer_question(question=PERSONAL, acting_user=employee)
    settings.LOCAL_LLM_LOAD_MAX_AGE_S = 0
    third = answer_question(question=PERSONAL, acting_user=employee)

    assert [first.backend, second.backend, third.backend] == ["claude", "claude", "local"]
    assert bursting.metrics_reads == 2


def test_llama_cpp_metrics_are_read_too(ingest, employee, bursting, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.metrics_dialect = "llamacpp"
    bursting.waiting = 9

    answer = answer_question(question=PERSONAL, acting_user=employee)

    assert answer.backend == "claude"
    assert "On-prem saturated: local has 9 waiting, over 8, so claude (cloud) is tried first." in reasons(
        answer.audit_id
    )


def test_a_saturated_on_prem_model_still_answers_when_the_cloud_fails(ingest, employee, bursting, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    bursting.waiting = 14
    cloud.behave(status=400)  # permanent: no retry

    answer = answer_question(question=PERSONAL, acting_user=employee)

    assert answer.backend == "local"
    assert [a["target"] for a in AuditEvent.objects.get(id=answer.audit_id).attempts] == ["claude", "local"]
