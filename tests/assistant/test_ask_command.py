"""The `ask` management command: the same answer and audit as the web page, printed for a terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from accounts.models import User
from retrieval.services import IngestResult
from routing.backends.extractive import NOTHING_FOUND
from routing.models import AuditEvent

Ingest = Callable[..., IngestResult]

RUNBOOK = """# Deploy runbook

To roll back a bad deploy, run the rollback pipeline for the previous release tag.
"""
SECRET = "# Rollback incident review\n\nThe rollback pipeline failed twice during the March outage.\n"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ask", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def ask_json(question: str, username: str) -> Any:
    out, _ = run(question, "--user", username, "--json")
    return json.loads(out)


def test_ask_json_gives_the_answer_its_citations_backend_and_audit_id(employee: User, ingest: Ingest) -> None:
    runbook = ingest("deploy-runbook.md", RUNBOOK).document

    body = ask_json("How do I roll back a bad deploy?", "erin")

    assert set(body) == {
        "answer", "citations", "closest", "backend", "route", "refused", "notices", "redacted", "cache_hit", "declined",
        "citations_removed", "audit_id",
    }  # fmt: skip
    assert body["route"].startswith("Answered on-prem by extractive") and body["refused"] is False
    assert body["answer"] == "To roll back a bad deploy, run the rollback pipeline for the previous release tag. [1]"
    assert body["citations"] == [
        {
            "n": 1,
            "document_id": runbook.id,
            "title": "Deploy runbook",
            "chunk_id": runbook.chunks.get().id,
            "attributed": False,
        }
    ]
    assert body["backend"] == "extractive"
    event = AuditEvent.objects.get()
    assert body["audit_id"] == event.id
    assert event.acting_user == employee
    assert event.question == "How do I roll back a bad deploy?"


def test_ask_answers_only_from_documents_the_user_may_read(employee: User, admin: User, ingest: Ingest) -> None:
    runbook = ingest("deploy-runbook.md", RUNBOOK).document
    review = ingest("incident-review.md", SECRET, classification="confidential").document

    as_employee = ask_json("Did the rollback pipeline fail?", "erin")
    as_admin = ask_json("Did the rollback pipeline fail?", "ada")

    assert {c["document_id"] for c in as_employee["citations"]} == {runbook.id}
    assert "March outage" not in as_employee["answer"]
    assert review.id in {c["document_id"] for c in as_admin["citations"]}


def test_ask_about_nothing_in_the_corpus_says_nothing_was_found(employee: User, ingest: Ingest) -> None:
    ingest("deploy-runbook.md", RUNBOOK)

    body = ask_json("Which penguins nest on Antarctic glaciers?", "erin")

    assert body["answer"].startswith(NOTHING_FOUND)
    assert "closest documents were: Deploy runbook" in body["answer"]
    assert body["citations"] == []
    assert [c["title"] for c in body["closest"]] == ["Deploy runbook"]
    assert AuditEvent.objects.get(id=body["audit_id"]).outcome == AuditEvent.Outcome.NOTHING_FOUND


def test_ask_prints_the_answer_and_numbered_sources_without_json(employee: User, ingest: Ingest) -> None:
    runbook = ingest("deploy-runbook.md", RUNBOOK).document

    out, _ = run("How do I roll back a bad deploy?", "--user", "erin")

    lines = out.splitlines()
    assert lines[:2] == [
        "To roll back a bad deploy, run the rollback pipeline for the previous release tag. [1]",
        f"  [1] Deploy runbook (chunk {runbook.chunks.get().id})",
    ]
    assert lines[2].startswith("Answered on-prem by extractive (extractive-v1) because ")


def test_ask_as_an_unknown_user_is_an_error_and_not_audited(db: None) -> None:
    with pytest.raises(CommandError, match="no user 'ghost'"):
        run("How do I roll back a bad deploy?", "--user", "ghost")
    assert not AuditEvent.objects.exists()


def test_ask_with_an_empty_question_is_an_error(employee: User) -> None:
    with pytest.raises(CommandError, match="the question is empty"):
        run("   ", "--user", "erin")


def test_ask_help_describes_its_options() -> None:
    text = load_command_class("assistant", "ask").create_parser("manage.py", "ask").format_help()

    assert "Ask a question as a user" in text
    assert "--user" in text and "--json" in text


def test_a_user_over_the_rate_limit_gets_a_clear_error(employee, settings, one_rate_window) -> None:
    settings.ASK_RATE_LIMIT_PER_MINUTE = 1
    call_command("ask", "how do I roll back?", "--user", employee.username, stdout=StringIO())

    with pytest.raises(
        CommandError, match=r"Too many requests: at most 1 every 60 s\. Try again in \d+ s.*ASK_RATE_LIMIT_PER_MINUTE"
    ):
        call_command("ask", "how do I roll back?", "--user", employee.username, stdout=StringIO())
