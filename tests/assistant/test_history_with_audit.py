"""An answer's audit row and its entry in the asker's history are committed in one transaction: a process
that dies between them leaves neither (tests/operations/test_cluster.py kills a web server mid-answer). A
history entry that cannot be written is rolled back alone: the answer was given, so its audit row stays."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from accounts.models import User
from assistant.models import HistoryEntry
from assistant.services import answer_question
from routing.models import AuditEvent
from tests.conftest import Ingest

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"


@pytest.fixture
def history_refused(db: None) -> None:
    """PostgreSQL refuses every new history entry (as a full disk or a lost connection would fail it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION refuse_history() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'no history today'; END $$;
            CREATE TRIGGER refuse_history BEFORE INSERT ON assistant_historyentry
                FOR EACH ROW EXECUTE FUNCTION refuse_history();
            """
        )


def test_the_answer_is_audited_and_kept_together(employee: User, ingest: Ingest) -> None:
    ingest("deploy-runbook.md", RUNBOOK)

    kept = answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    entry = HistoryEntry.objects.get()
    assert entry.id == kept.history_id and entry.audit_id == kept.answer.audit_id
    assert AuditEvent.objects.get().id == entry.audit_id
    assert entry.latency_ms >= AuditEvent.objects.get().latency_ms  # the history's counts retrieval too


def test_a_history_entry_that_cannot_be_written_leaves_the_audit_row_and_says_so(
    employee: User, ingest: Ingest, history_refused: None, caplog: pytest.LogCaptureFixture
) -> None:
    ingest("deploy-runbook.md", RUNBOOK)

    with pytest.raises(DatabaseError, match="no history today"):
        answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    row = AuditEvent.objects.get()
    assert not HistoryEntry.objects.exists()
    assert f"Audit row {row.id} kept without its history entry" in caplog.text
    assert "roll back" not in caplog.text  # the log names the row, never the question
