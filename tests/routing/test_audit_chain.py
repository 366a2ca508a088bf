from __future__ import annotations

import json
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing.audit import (
    GENESIS,
    HASH_VERSION,
    HASHED_FIELDS,
    KEYED_FROM,
    anchor_is_authentic,
    append_audit_event,
    content_hash,
    purge_audit_before,
    row_hash,
    verify_chain,
)
from routing.models import AuditAnchor, AuditEvent


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


def rewrite_as(rows: list[AuditEvent], version: int, *, hash_with=row_hash) -> None:
    """Re-hash these rows and re-chain them (and every row after them) as written under `version`."""
    for row in AuditEvent.objects.filter(id__gte=rows[0].id).order_by("id"):
        previous = AuditEvent.objects.filter(id__lt=row.id).order_by("-id").first()
        row.prev_hash = previous.row_hash if previous else GENESIS
        if row.id <= rows[-1].id:
            row.hash_version = version
        row.row_hash = hash_with(row)
        row.save(update_fields=["prev_hash", "hash_version", "row_hash"])


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize(
    ("column", "value"), [("cost_usd", "7"), ("team", "'finance'"), ("cache_hit", "true"), ("workload", "'ci'")]
)
def test_the_fields_added_in_hash_version_2_are_covered(employee, column, value, version):
    rows = write_rows(employee, 3)
    assert {r.hash_version for r in rows} == {HASH_VERSION}
    rewrite_as(rows, version)
    assert verify() == (True, "")
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


def test_a_row_claiming_an_unknown_version_with_no_hash_is_named(employee):
    # row_hash() gives "" for a version it does not know; an emptied hash must not match that.
    rows = write_rows(employee, 3)
    rewrite_as(rows[1:2], 9)

    ok, message = verify()

    assert not ok and f"row {rows[1].id}" in message and "edited" in message


def test_version_3_is_keyed_and_hashes_the_username_not_the_user_id():
    assert HASH_VERSION >= 3 and KEYED_FROM == 3
    assert "username" in HASHED_FIELDS[3] and "acting_user_id" not in HASHED_FIELDS[3]
    assert set(HASHED_FIELDS[2]) - set(HASHED_FIELDS[3]) == {"acting_user_id"}


def test_a_row_rewritten_and_rehashed_without_the_key_is_named(employee):
    # The attacker holds the database, not the key: edits a row and recomputes every hash after it, in the
    # open SHA-256 form of versions 1 and 2 (before version 3, exactly what verification computed).
    rows = write_rows(employee, 4)
    AuditEvent.objects.filter(id=rows[1].id).update(backend="local")
    rows[1].refresh_from_db()
    rewrite_as(rows[1:], HASH_VERSION, hash_with=lambda row: content_hash(row, HASHED_FIELDS[row.hash_version]))

    ok, message = verify()

    assert not ok and f"row {rows[1].id}" in message and "edited" in message


def test_the_key_matters(employee, settings):
    write_rows(employee, 2)
    assert verify() == (True, "")

    settings.AUDIT_CHAIN_KEY = "another key, " * 4

    assert verify()[0] is False


def test_keyed_rows_rewritten_as_version_2_are_named(employee):
    rows = write_rows(employee, 4)
    rewrite_as(rows[2:], 2)  # a downgrade: plain SHA-256, which needs no key

    ok, message = verify()

    assert not ok and f"row {rows[2].id}" in message and "rewritten without the key" in message


@pytest.mark.parametrize(("version", "verifies"), [(2, False), (3, True)])
def test_deleting_a_user_breaks_only_rows_that_hashed_their_id(employee, version, verifies):
    rows = write_rows(employee, 3)
    rewrite_as(rows, version)
    assert verify() == (True, "")
    assert all(len(h) == 64 for h in AuditEvent.objects.values_list("row_hash", flat=True))

    employee.delete()

    assert AuditEvent.objects.filter(acting_user__isnull=True, username="erin").count() == 3
    assert verify()[0] is verifies


def old_rows(user, n: int) -> list[AuditEvent]:
    rows = write_rows(user, n)
    AuditEvent.objects.filter(id__in=[r.id for r in rows]).update(created_at=timezone.now() - timedelta(days=100))
    rewrite_as(rows, HASH_VERSION)
    return rows


def test_a_purge_signs_its_anchor(employee):
    old_rows(employee, 3)
    write_rows(employee, 2)

    purge_audit_before(timezone.now() - timedelta(days=90))

    anchor = AuditAnchor.objects.get()
    assert len(anchor.hmac) == 64 and anchor_is_authentic(anchor, key=django_settings.AUDIT_CHAIN_KEY)
    assert verify() == (True, "")


@pytest.mark.parametrize("column", ["row_hash", "purged_rows", "purged_through_id"])
def test_an_edited_purge_anchor_is_named(employee, column):
    old_rows(employee, 3)
    write_rows(employee, 2)
    purge_audit_before(timezone.now() - timedelta(days=90))
    anchor = AuditAnchor.objects.get()
    setattr(anchor, column, "0" * 64 if column == "row_hash" else 1)
    anchor.save()

    ok, message = verify()

    assert not ok and f"purge anchor {anchor.id} does not match its HMAC" in message


@pytest.mark.parametrize("forged_hmac", ["", "f" * 64])
def test_a_purge_forged_without_the_key_is_named(employee, forged_hmac):
    # Delete the oldest rows and anchor the chain where they ended, as a purge would but without the key.
    rows = write_rows(employee, 5)
    AuditEvent.objects.filter(id__lte=rows[1].id).delete()
    AuditAnchor.objects.create(purged_through_id=rows[1].id, row_hash=rows[1].row_hash, purged_rows=2, hmac=forged_hmac)

    ok, message = verify()

    assert not ok and "anchor" in message


def test_an_anchor_made_before_version_3_still_verifies_while_older_rows_follow_it(employee):
    rows = write_rows(employee, 4)
    rewrite_as(rows, 2)
    rows[1].refresh_from_db()
    AuditEvent.objects.filter(id__lte=rows[1].id).delete()
    AuditAnchor.objects.create(purged_through_id=rows[1].id, row_hash=rows[1].row_hash, purged_rows=2)
    write_rows(employee, 2)  # version 3, after the upgrade

    assert verify() == (True, "")


def test_writing_a_row_stays_two_statements(employee):
    # The gate's overhead: the lock with the previous hash and the next id, the INSERT (the key costs no query).
    write_rows(employee, 1)
    with CaptureQueriesContext(connection) as captured:
        write_rows(employee, 1)

    statements = [q["sql"].split()[0] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["SELECT", "INSERT"]


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_time_each_chain_to_the_row_before_theirs(employee):
    """Six threads (six connections) write 20 rows each at once: each row's previous hash is the row
    committed just before it, which holds only if the head is read after the lock is granted."""
    start = threading.Barrier(6)

    def write() -> None:
        try:
            start.wait()
            for _ in range(20):
                write_rows(employee, 1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert AuditEvent.objects.count() == 120
    assert verify_chain().ok
    rows = list(AuditEvent.objects.order_by("id").values_list("prev_hash", "row_hash"))
    assert all(prev == before for (prev, _), (_, before) in zip(rows[1:], rows, strict=False))


@pytest.mark.parametrize(("column", "value"), [("api_key_id", "7"), ("api_key_name", "'ci-bot'")])
def test_the_api_key_fields_of_hash_version_4_are_covered_and_older_rows_still_verify(employee, column, value):
    rows = write_rows(employee, 4)
    assert HASH_VERSION == 4 and {"api_key_id", "api_key_name"} <= set(HASHED_FIELDS[4])
    rewrite_as(rows[:2], 3)  # rows an earlier Sluice wrote, before keys, followed by version-4 rows
    assert verify() == (True, "")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE routing_auditevent SET {column} = {value} WHERE id = %s", [rows[3].id])

    ok, message = verify()

    assert not ok and f"row {rows[3].id}" in message


def test_a_refusal_with_no_attempt_verifies(employee):
    # Its cost is a sum over no attempts: written as 0.0, as PostgreSQL gives it back, or its hash never matches.
    from routing.services import answer_question

    answer = answer_question(question="   ", acting_user=employee)

    assert answer.refused and AuditEvent.objects.get(id=answer.audit_id).attempts == []
    assert verify_chain().ok


def test_whole_numbers_in_float_columns_are_hashed_as_postgresql_gives_them_back(employee):
    # Any writer may pass an int (a sum over no attempts is 0): the row is hashed with 0.0, as it is read back.
    append_audit_event(
        acting_user=employee, username=employee.username, role=employee.role, question="q", findings={},
        passages=[], data_class=1, decision={}, attempts=[], backend="", outcome=AuditEvent.Outcome.REFUSED,
        cost_usd=0, latency_ms=3,
    )  # fmt: skip
    assert verify_chain().ok
