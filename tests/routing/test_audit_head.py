"""The chain's head exported outside the database (export_audit_head), and verify_audit against it:
deleting the newest rows leaves a shorter chain that verifies on its own, but not against the head."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from routing.audit import GENESIS, purge_audit_before, row_hash, verify_chain
from routing.models import AuditEvent
from tests.routing.test_audit_chain import write_rows


def export(*args: str) -> str:
    out = StringIO()
    call_command("export_audit_head", *args, stdout=out)
    return out.getvalue()


def verify(*args: str) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return False, str(exc)
    return True, out.getvalue()


def heads(settings) -> list[dict]:
    return [json.loads(line) for line in Path(settings.AUDIT_HEAD_FILE).read_text().splitlines()]


def test_export_appends_one_signed_line_with_the_last_row(employee, settings):
    rows = write_rows(employee, 3)

    result = json.loads(export("--json"))

    [head] = heads(settings)
    assert set(head) == {"id", "row_hash", "rows", "at", "hmac"}
    assert (head["id"], head["row_hash"], head["rows"]) == (rows[-1].id, rows[-1].row_hash, 3)
    assert len(head["hmac"]) == 64 and result["written"] is True and result["id"] == rows[-1].id


def test_export_is_idempotent_and_appends_when_the_chain_grows(employee, settings):
    write_rows(employee, 2)
    export()

    assert "unchanged" in export()
    assert len(heads(settings)) == 1

    newest = write_rows(employee, 1)[0]
    export()

    assert [h["id"] for h in heads(settings)][-1] == newest.id and len(heads(settings)) == 2


def test_export_of_an_empty_log_names_the_genesis(db, settings):
    export()

    [head] = heads(settings)
    assert (head["id"], head["row_hash"], head["rows"]) == (0, GENESIS, 0)
    assert verify()[0] is True


def test_export_writes_the_log_line_too(employee, settings, caplog):
    write_rows(employee, 1)

    with caplog.at_level(logging.INFO, logger="sluice.audit_head"):
        export()

    [record] = caplog.records
    assert record.getMessage() == "audit head " + Path(settings.AUDIT_HEAD_FILE).read_text().strip()


def test_export_to_the_log_only(employee, settings, caplog):
    settings.AUDIT_HEAD_FILE = ""
    write_rows(employee, 1)

    with caplog.at_level(logging.INFO, logger="sluice.audit_head"):
        export()

    assert caplog.records[0].getMessage().startswith('audit head {"at": ')


def test_export_with_nowhere_to_write_says_what_to_set(db, settings):
    settings.AUDIT_HEAD_FILE = ""
    settings.AUDIT_HEAD_LOG = False

    with pytest.raises(CommandError, match="set AUDIT_HEAD_FILE, or AUDIT_HEAD_LOG=true"):
        export()


@pytest.mark.parametrize("deleted", [1, 3])
def test_deleting_the_newest_rows_after_an_export_is_detected_and_named(employee, deleted):
    rows = write_rows(employee, 5)
    export()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM routing_auditevent WHERE id > %s", [rows[-1 - deleted].id])
    assert verify_chain().ok  # what is left is still a chain: only the head can tell

    ok, message = verify()

    assert not ok
    assert f"row {rows[-1].id}" in message and "is gone" in message and "deleted from the end" in message


def test_deleting_rows_written_after_the_last_export_is_not_seen_until_the_next(employee):
    # The window the export's schedule leaves (docs/policy.md#the-audit-log), shown here so it is not forgotten.
    write_rows(employee, 2)
    export()
    later = write_rows(employee, 2)
    AuditEvent.objects.filter(id__in=[r.id for r in later]).delete()

    assert verify()[0] is True


def test_a_rewritten_head_row_is_named(employee, settings):
    rows = write_rows(employee, 3)
    export()
    # Rewritten with the key (a restored backup, say): the chain verifies, the head does not.
    AuditEvent.objects.filter(id=rows[-1].id).update(backend="local")
    rows[-1].refresh_from_db()
    AuditEvent.objects.filter(id=rows[-1].id).update(row_hash=row_hash(rows[-1]))

    ok, message = verify()

    assert not ok and f"row {rows[-1].id}" in message and "rewritten after it" in message


def test_an_edited_head_file_is_named(employee, settings):
    rows = write_rows(employee, 3)
    export()
    head = heads(settings)[0] | {"id": rows[0].id, "row_hash": rows[0].row_hash}
    Path(settings.AUDIT_HEAD_FILE).write_text(json.dumps(head) + "\n")

    ok, message = verify()

    assert not ok and "does not match its HMAC" in message


def test_a_head_file_whose_last_line_is_no_head_is_refused(employee, settings):
    write_rows(employee, 1)
    export()
    with open(settings.AUDIT_HEAD_FILE, "a") as head_file:
        head_file.write("not a head\n")

    ok, message = verify()

    assert not ok and "the last line of the head file is not an exported audit head ('not a head')" in message
    assert "verify_audit --head-file COPY" in message and settings.AUDIT_HEAD_FILE not in message


def test_a_pasted_log_line_is_a_head_file(employee, settings, tmp_path, caplog):
    rows = write_rows(employee, 3)
    settings.AUDIT_HEAD_FILE = ""
    with caplog.at_level(logging.INFO, logger="sluice.audit_head"):
        export()
    copy = tmp_path / "from-the-log-store.txt"
    copy.write_text(f"2026-12-05 00:40:00,123 INFO sluice.audit_head: {caplog.records[0].getMessage()}\n")
    AuditEvent.objects.filter(id=rows[-1].id).delete()

    assert verify()[0] is True  # no head file is set: the chain alone
    ok, message = verify("--head-file", str(copy))
    assert not ok and f"row {rows[-1].id}" in message


def test_export_refuses_while_the_last_head_no_longer_holds(employee, settings):
    # Otherwise the next periodic export would write the shortened chain's head and hide the deletion.
    rows = write_rows(employee, 3)
    export()
    AuditEvent.objects.filter(id=rows[-1].id).delete()

    with pytest.raises(CommandError, match="no longer holds: it was the chain's head .* is gone") as refused:
        export()
    assert "before exporting again" in str(refused.value) and settings.AUDIT_HEAD_FILE not in str(refused.value)
    assert len(heads(settings)) == 1


def test_a_purge_after_the_export_still_verifies(employee, settings):
    rows = write_rows(employee, 3)
    AuditEvent.objects.filter(id__in=[r.id for r in rows]).update(created_at=timezone.now() - timedelta(days=100))
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        event.prev_hash = previous
        event.row_hash = row_hash(event)
        event.save(update_fields=["prev_hash", "row_hash"])
        previous = event.row_hash
    export()

    purge_audit_before(timezone.now() - timedelta(days=90))

    assert AuditEvent.objects.count() == 0
    ok, message = verify()
    assert ok and "up to the head exported at" in message
    export()
    assert heads(settings)[-1]["id"] == rows[-1].id and verify()[0] is True


def test_verify_says_when_no_head_was_exported(employee, settings):
    write_rows(employee, 2)

    ok, message = verify()

    assert ok and "no head exported to the head file yet (manage.py export_audit_head writes one" in message
    assert settings.AUDIT_HEAD_FILE not in message  # the verify page shows this note to auditors
    report = json.loads(StringIO(verify("--json")[1]).getvalue())
    assert report["head_id"] is None and report["ok"] is True


def test_the_export_runs_periodically_on_the_audit_queue(settings):
    from procrastinate.contrib.django import app

    from routing.tasks import export_audit_head_job

    [periodic] = [p for p in app.periodic_registry.periodic_tasks.values() if p.task is export_audit_head_job]
    assert periodic.cron == settings.AUDIT_HEAD_CRON == "*/15 * * * *"
    assert export_audit_head_job.queue == "audit"


def test_the_periodic_job_exports(employee, settings):
    from routing.tasks import export_audit_head_job

    rows = write_rows(employee, 2)

    export_audit_head_job(timestamp=0)

    assert heads(settings)[0]["id"] == rows[-1].id
