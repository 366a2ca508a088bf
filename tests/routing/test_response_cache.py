"""The response cache: a model's answer reused for the same request, never across access scopes,
never holding raw personal data, and never for what the in-process extractive backend wrote."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.clearance import Classification
from accounts.roles import Role
from fakes.common import Script
from routing.answer import Final, SourcePassage
from routing.models import AuditEvent, CachedAnswer
from routing.policy.versions import read_default_policy_text, save_and_activate_policy
from routing.runner import Delta
from routing.services import answer_question, stream_through_gate
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, FAKE_LOCAL_MODEL, make_user

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
QUESTION = "How do I roll back a bad deploy?"
KEYS = "# Keys\n\nRotate database credentials from the vault console, then tell the on-call DBA."


@pytest.fixture
def cloud(settings, fake_anthropic):
    """Only the cloud target (and the extractive last rung) is up."""
    settings.ANTHROPIC_API_KEY = FAKE_ANTHROPIC_KEY
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_MODEL
    settings.LOCAL_LLM_BASE_URL = ""
    settings.RESPONSE_CACHE_TTL_S = 3600
    fake_anthropic.behave(text="Roll back from the deploy dashboard [1].")
    return fake_anthropic


@pytest.fixture
def onprem(settings, fake_openai):
    """Only the on-prem model server (and the extractive last rung) is up."""
    settings.ANTHROPIC_API_KEY = ""
    settings.LOCAL_LLM_BASE_URL = fake_openai.base_url
    settings.LOCAL_LLM_MODEL = FAKE_LOCAL_MODEL
    settings.RESPONSE_CACHE_TTL_S = 3600
    fake_openai.behave(text="Rotate them from the vault console [1].")
    return fake_openai


def test_the_same_question_twice_is_answered_once_by_the_model_then_from_the_cache(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")

    first = answer_question(question=QUESTION, acting_user=employee)
    second = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 1
    assert first.backend == "claude" and not first.cache_hit
    assert second.cache_hit and second.backend == "claude"
    assert second.text == first.text == "Roll back from the deploy dashboard [1]."
    assert [c.n for c in second.citations] == [1]
    assert "reused from the response cache" in second.route
    assert "reused from the response cache" not in first.route
    first_event = AuditEvent.objects.get(id=first.audit_id)
    event = AuditEvent.objects.get(id=second.audit_id)
    assert first_event.cache_hit is False and event.cache_hit is True
    assert [(a["target"], a["outcome"]) for a in event.attempts] == [("claude", "cache_hit")]
    assert event.backend == "claude" and event.model == first_event.model
    assert event.outcome == AuditEvent.Outcome.ANSWERED
    # A hit is free: the cloud model was not called for it.
    assert first_event.cost_usd > 0 and event.cost_usd == 0
    assert CachedAnswer.objects.get().hits == 1


def test_an_answer_that_cites_nothing_is_kept_with_its_attribution_and_a_hit_reads_it_from_there(
    ingest, employee, cloud
):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text="Roll back a bad deploy from the deploy dashboard, then post in the deploys channel.")

    first = answer_question(question=QUESTION, acting_user=employee)
    second = answer_question(question=QUESTION, acting_user=employee)
    # Matched once, when it was stored: a hit does not embed the passages' sentences again.
    CachedAnswer.objects.update(attributed=[])
    third = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 1 and second.cache_hit and third.cache_hit
    assert first.attributed == second.attributed == (1,)
    assert [c.attributed for c in second.citations] == [True]
    assert third.attributed == () and third.found_nothing


def test_a_cache_hit_streams_the_whole_answer_then_the_final(ingest, employee, cloud):
    document = ingest("deploys.md", DEPLOYS, "internal").document
    passages = [
        SourcePassage(chunk_id=c.id, document_id=document.id, title=document.title, text=c.text, classification=1)
        for c in document.chunks.order_by("ordinal")
    ]
    first = list(stream_through_gate(question=QUESTION, passages=passages, acting_user=employee))

    events = list(stream_through_gate(question=QUESTION, passages=passages, acting_user=employee))

    assert len(cloud.requests) == 1
    assert not first[-1].answer.cache_hit
    assert [type(e) for e in events] == [Delta, Final]
    assert events[0].text == events[1].answer.text == "Roll back from the deploy dashboard [1]."
    assert events[1].answer.cache_hit


def test_users_with_the_same_scope_share_an_entry_but_other_reader_groups_do_not(ingest, employee, cloud):
    # No reader groups: everyone cleared for internal reads the same passage.
    ingest("deploys.md", DEPLOYS, "internal")
    colleague = make_user("eli", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])
    salesperson = make_user("finn", Role.EMPLOYEE, Classification.INTERNAL, ["sales"])

    answer_question(question=QUESTION, acting_user=employee)
    shared = answer_question(question=QUESTION, acting_user=colleague)
    other_scope = answer_question(question=QUESTION, acting_user=salesperson)

    assert shared.cache_hit
    assert not other_scope.cache_hit and other_scope.backend == "claude"
    assert len(cloud.requests) == 2
    assert CachedAnswer.objects.count() == 2


def test_users_with_another_clearance_do_not_share_an_entry(ingest, employee, contractor, cloud):
    # Public: the contractor (cleared for public) and the employee read the same passage.
    ingest("deploys.md", DEPLOYS, "public")

    answer_question(question=QUESTION, acting_user=employee)
    other = answer_question(question=QUESTION, acting_user=contractor)

    assert not other.cache_hit
    assert len(cloud.requests) == 2


def test_a_redacted_answer_is_kept_with_placeholders_and_restored_with_each_users_own_values(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    colleague = make_user("eli", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])
    cloud.behave(text="Write to [EMAIL_1]: roll back from the deploy dashboard [1].")

    first = answer_question(
        question="I am dana.cho@quillfern.example: how do I roll back a deploy?", acting_user=employee
    )
    second = answer_question(
        question="I am omar.vance@quillfern.example: how do I roll back a deploy?", acting_user=colleague
    )

    assert len(cloud.requests) == 1
    assert first.text == "Write to dana.cho@quillfern.example: roll back from the deploy dashboard [1]."
    assert second.cache_hit
    assert second.text == "Write to omar.vance@quillfern.example: roll back from the deploy dashboard [1]."
    assert "dana.cho" not in second.text
    entry = CachedAnswer.objects.get()
    assert entry.text == "Write to [EMAIL_1]: roll back from the deploy dashboard [1]."
    assert entry.target == "claude" and entry.zone == "cloud"
    event = AuditEvent.objects.get(id=second.audit_id)
    assert event.cache_hit and event.question == "I am [EMAIL_1]: how do I roll back a deploy?"
    assert event.redacted == {"email": 1}


def test_an_answer_whose_bundle_holds_an_unredacted_finding_is_never_cached(ingest, admin, onprem):
    # Confidential: on-prem, redact false, so the email in the question reaches the model as it is.
    ingest("keys.md", KEYS, "confidential")
    question = "I am ada.lovelace@quillfern.example: how do I rotate database credentials?"

    first = answer_question(question=question, acting_user=admin)
    second = answer_question(question=question, acting_user=admin)

    assert first.backend == second.backend == "local"
    assert b"ada.lovelace@quillfern.example" in onprem.requests[0].raw  # the premise: not redacted
    assert len(onprem.requests) == 2
    assert not second.cache_hit
    assert CachedAnswer.objects.count() == 0
    assert AuditEvent.objects.get(id=second.audit_id).cache_hit is False


def test_an_on_prem_answer_without_findings_is_cached(ingest, admin, onprem):
    # The control for the test above: the on-prem route itself is cacheable.
    ingest("keys.md", KEYS, "confidential")

    answer_question(question="How do I rotate database credentials?", acting_user=admin)
    second = answer_question(question="How do I rotate database credentials?", acting_user=admin)

    assert len(onprem.requests) == 1
    assert second.cache_hit and second.backend == "local"
    assert second.text == "Rotate them from the vault console [1]."


def test_the_cache_never_keeps_raw_personal_data_from_unredacted_passages(ingest, admin, onprem):
    # routing.services._cache_key: "the cache never stores raw personal data". On a route with
    # redact: false the passages are not redacted either, and the model may quote them.
    ingest("oncall.md", "# On-call\n\nPage the DBA on call, Dana Cho, at dana.cho@quillfern.example.", "confidential")
    onprem.behave(text="Write to dana.cho@quillfern.example [1].")

    answer_question(question="Who is the DBA on call?", acting_user=admin)

    kept = list(CachedAnswer.objects.values_list("text", flat=True))
    assert [text for text in kept if "dana.cho@quillfern.example" in text] == []


def test_a_ttl_of_zero_turns_the_cache_off(ingest, employee, cloud, settings):
    settings.RESPONSE_CACHE_TTL_S = 0
    ingest("deploys.md", DEPLOYS, "internal")

    answer_question(question=QUESTION, acting_user=employee)
    second = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 2
    assert not second.cache_hit
    assert CachedAnswer.objects.count() == 0


def test_an_expired_entry_is_a_miss_and_is_replaced(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    answer_question(question=QUESTION, acting_user=employee)
    CachedAnswer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    second = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 2
    assert not second.cache_hit
    assert AuditEvent.objects.get(id=second.audit_id).cache_hit is False
    assert CachedAnswer.objects.get().expires_at > timezone.now() + timedelta(seconds=3000)


def test_an_entry_lives_for_the_ttl(ingest, employee, cloud, settings):
    settings.RESPONSE_CACHE_TTL_S = 600
    ingest("deploys.md", DEPLOYS, "internal")
    before = timezone.now()

    answer_question(question=QUESTION, acting_user=employee)

    entry = CachedAnswer.objects.get()
    assert before + timedelta(seconds=600) <= entry.expires_at <= timezone.now() + timedelta(seconds=600)


def test_a_changed_document_misses(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    answer_question(question=QUESTION, acting_user=employee)
    ingest("deploys.md", DEPLOYS.replace("deploy dashboard", "release console"), "internal")

    second = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 2
    assert not second.cache_hit
    assert b"release console" in cloud.requests[1].raw


def test_a_new_policy_version_misses(ingest, employee, admin, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    answer_question(question=QUESTION, acting_user=employee)
    text = read_default_policy_text()
    save_and_activate_policy(text=text.replace('version: "default-3"', 'version: "default-4"'), acting_user=admin)

    second = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 2
    assert not second.cache_hit


def test_an_extractive_answer_is_not_cached_so_the_next_ask_reaches_the_recovered_cloud(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(Script(status=500), Script(status=500), Script(status=500))

    degraded = answer_question(question=QUESTION, acting_user=employee)
    assert degraded.backend == "extractive"
    assert CachedAnswer.objects.count() == 0

    recovered = answer_question(question=QUESTION, acting_user=employee)

    assert recovered.backend == "claude" and not recovered.cache_hit
    assert len(cloud.requests) == 4


def test_with_only_the_extractive_backend_nothing_is_cached(ingest, employee, settings):
    settings.ANTHROPIC_API_KEY = ""
    settings.LOCAL_LLM_BASE_URL = ""
    settings.RESPONSE_CACHE_TTL_S = 3600
    ingest("deploys.md", DEPLOYS, "internal")

    first = answer_question(question=QUESTION, acting_user=employee)
    second = answer_question(question=QUESTION, acting_user=employee)

    assert first.backend == second.backend == "extractive"
    assert not second.cache_hit
    assert CachedAnswer.objects.count() == 0


def test_an_on_prem_answer_written_from_unredacted_passages_is_not_kept_under_the_redacted_key(
    ingest, employee, cloud, onprem
):
    # Internal: redacted for the cloud, which fails; the local model reads the passage unredacted, so its answer
    # may hold what the key's placeholders stand for (where the detectors miss it in the answer) and is not
    # kept for the next asker of the same bundle, even when nothing is found in it, as here.
    ingest("deploys.md", "# Deploys\n\nRoll back from the deploy dashboard, then write to ops@quillfern.example.")
    cloud.behave(status=500)
    onprem.behave(text="Roll back from the deploy dashboard [1].")

    first = answer_question(question="How do I roll back a deploy?", acting_user=employee)

    assert first.backend == "local" and b"ops@quillfern.example" in onprem.requests[0].raw
    assert CachedAnswer.objects.count() == 0
