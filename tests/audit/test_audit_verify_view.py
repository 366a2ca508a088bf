"""The "Verify chain" button (/audit/verify/): OK with the row count, or the first bad row, linked."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import User


def test_the_log_page_has_the_verify_button(client: Client, auditor: User) -> None:
    client.force_login(auditor)

    html = client.get("/audit/").content.decode()

    assert 'action="/audit/verify/"' in html and 'method="post"' in html and "Verify chain" in html


def test_an_untouched_chain_is_reported_ok_with_its_row_count(client: Client, auditor, write_audit, employee) -> None:
    for _ in range(3):
        write_audit(employee)
    client.force_login(auditor)

    html = client.post("/audit/verify/").content.decode()

    assert "Chain OK" in html and "all 3 rows" in html


def test_a_tampered_row_is_named_and_linked(client: Client, auditor: User, write_audit, employee: User) -> None:
    rows = [write_audit(employee) for _ in range(4)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE routing_auditevent SET backend = 'local' WHERE id = %s", [rows[2].id])
    client.force_login(auditor)

    html = client.post("/audit/verify/").content.decode()

    assert "Chain broken" in html and "Chain OK" not in html
    assert f'<a href="/audit/{rows[2].id}/">row {rows[2].id}</a>' in html
    assert "the row was edited" in html


def test_a_deleted_row_names_the_row_after_it(client: Client, auditor: User, write_audit, employee: User) -> None:
    rows = [write_audit(employee) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM routing_auditevent WHERE id = %s", [rows[1].id])
    client.force_login(auditor)

    html = client.post("/audit/verify/").content.decode()

    assert f'<a href="/audit/{rows[2].id}/">row {rows[2].id}</a>' in html and "deleted or inserted" in html


def test_htmx_gets_only_the_result(client: Client, auditor: User, write_audit, employee: User) -> None:
    write_audit(employee)
    client.force_login(auditor)

    response = client.post("/audit/verify/", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="verify-result"') and "Chain OK" in html and "<html" not in html


def test_the_head_checked_against_is_shown(
    client: Client, auditor: User, write_audit, employee: User, settings: Any
) -> None:
    rows = [write_audit(employee) for _ in range(2)]
    client.force_login(auditor)

    html = client.post("/audit/verify/").content.decode()
    assert "No head exported to the head file yet" in html and settings.AUDIT_HEAD_FILE not in html

    call_command("export_audit_head")
    html = client.post("/audit/verify/").content.decode()

    assert "Chain OK" in html and f"(row {rows[-1].id}): no row was removed up to it" in html


def test_newest_rows_deleted_after_an_export_are_named_without_a_link(
    client: Client, auditor: User, write_audit, employee: User
) -> None:
    rows = [write_audit(employee) for _ in range(3)]
    call_command("export_audit_head")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM routing_auditevent WHERE id >= %s", [rows[1].id])
    client.force_login(auditor)

    html = client.post("/audit/verify/").content.decode()

    assert "Chain broken" in html and "Chain OK" not in html
    assert f"row {rows[2].id}:</strong>" in html and f'href="/audit/{rows[2].id}/"' not in html
    assert "deleted from the end of the log" in html
