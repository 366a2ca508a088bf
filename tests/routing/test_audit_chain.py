from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from routing.audit import append_audit_event, row_hash, verify_chain
from routing.models import AuditEvent


def write_rows(user, n: int) -> list[AuditEvent]:
    return [
        append_audit_event(
            acting_user=user,
            username=user.username,
            role=user.role,
            question=f"question {i} about [EMAIL_1]",
            findings={"email": 1},
            passages=[{"n": 1, "chunk_id": i, "document_id": 1, "classification": "internal", "cited": True}],
            data_class=1,
            decision={"rule": "internal-cloud-redacted", "reasons": ["internal data may use the cloud redacted"]},
            attempts=[{"target": "claude", "outcome": "ok", "latency_ms": 12.5, "cost_usd": 0.0001}],
            backend="claude",
            outcome=AuditEvent.Outcome.ANSWERED,
            latency_ms=40.25,
        )
        for i in range(n)
    ]


def verify() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_audit", "--json", stdout=out)
    except CommandError as exc:
        return False, str(exc)
    return json.loads(out.getvalue())["ok"], ""


def test_an_untouched_chain_verifies(employee):
    write_rows(employee, 4)

    assert verify() == (True, "")
    assert verify_chain().rows == 4


def test_an_edited_row_is_named(employee):
    rows = write_rows(employee, 4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE routing_auditevent SET backend = 'local' WHERE id = %s", [rows[2].id])

    ok, message = verify()

    assert not ok
    assert f"row {rows[2].id}" in message and "edited" in message


@pytest.mark.parametrize("tamper", ["delete", "insert"])
def test_a_deleted_or_forged_row_breaks_the_chain(employee, tamper):
    rows = write_rows(employee, 4)
    if tamper == "delete":
        AuditEvent.objects.filter(id=rows[1].id).delete()
        broken = rows[2].id
    else:  # a forged row written straight into the table, without the chain's hash
        forged = AuditEvent.objects.create(
            username="mallory", role="admin", question="?", data_class=0, outcome="answered", latency_ms=1.0
        )
        broken = forged.id

    ok, message = verify()

    assert not ok
    assert f"row {broken}" in message


def test_a_purge_keeps_the_chain_verifiable(employee):
    old = write_rows(employee, 3)
    AuditEvent.objects.filter(id__in=[r.id for r in old]).update(created_at=timezone.now() - timedelta(days=100))
    # Editing created_at changes the content: re-hash those rows as if they had been written then.
    from routing.audit import GENESIS, row_hash

    previous = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        event.prev_hash, event.row_hash = previous, ""
        event.row_hash = row_hash(event)
        event.save(update_fields=["prev_hash", "row_hash"])
        previous = event.row_hash
    write_rows(employee, 2)
    assert verify() == (True, "")

    out = StringIO()
    call_command("purge_audit", "--older-than", "90d", stdout=out)

    assert "purged 3" in out.getvalue()
    assert AuditEvent.objects.count() == 2
    assert verify() == (True, "")


def test_purge_rejects_an_age_it_cannot_read(db):
    with pytest.raises(CommandError, match="90d or 12h"):
        call_command("purge_audit", "--older-than", "three months")


@pytest.mark.parametrize(
    ("column", "value"), [("cost_usd", "7"), ("team", "'finance'"), ("cache_hit", "true"), ("workload", "'ci'")]
)
def test_the_fields_added_in_hash_version_2_are_covered(employee, column, value):
    rows = write_rows(employee, 3)
    assert {r.hash_version for r in rows} == {2}
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE routing_auditevent SET {column} = {value} WHERE id = %s", [rows[1].id])

    ok, message = verify()

    assert not ok and f"row {rows[1].id}" in message


def test_rows_written_before_version_2_still_verify_under_their_own_version(employee):
    rows = write_rows(employee, 3)
    # A row as an older Sluice wrote it: hashed over the version-1 fields only.
    old = rows[0]
    old.hash_version = 1
    old.row_hash = row_hash(old)
    old.save(update_fields=["hash_version", "row_hash"])
    for row in rows[1:]:  # re-chain the rows after it, as they would have been written
        row.refresh_from_db()
        row.prev_hash = AuditEvent.objects.filter(id__lt=row.id).order_by("-id").first().row_hash
        row.row_hash = row_hash(row)
        row.save(update_fields=["prev_hash", "row_hash"])

    assert verify() == (True, "")
    with connection.cursor() as cursor:  # version 1 does not cover cost_usd: editing it is invisible there...
        cursor.execute("UPDATE routing_auditevent SET cost_usd = 5 WHERE id = %s", [old.id])
    assert verify() == (True, "")
    with connection.cursor() as cursor:  # ...but claiming another version is caught
        cursor.execute("UPDATE routing_auditevent SET hash_version = 9 WHERE id = %s", [old.id])
    assert verify()[0] is False
