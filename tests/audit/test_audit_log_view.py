"""The query log (/audit/): filters in SQL, full-text search, date ranges, pagination that keeps filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from audit.selectors import PAGE_SIZE
from routing.models import AuditEvent
from routing.policy.decide import Workload
from tests.audit_log import listed

EXTRACTIVE_OK = {"target": "extractive", "zone": "onprem", "model": "extractive-v1", "outcome": "ok", "latency_ms": 3.0}
CLAUDE_CACHED = {"target": "claude", "zone": "cloud", "model": "claude-haiku-4-5", "outcome": "cache_hit"}
CLAUDE_DOWN = {"target": "claude", "zone": "cloud", "model": "claude-haiku-4-5", "outcome": "server_error"}


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def rows(write_audit, employee: User, admin: User, contractor: User) -> dict[str, AuditEvent]:
    """Six requests that differ in one or two fields each, oldest first."""
    return {
        "cloud": write_audit(employee, question="How do I roll back a bad deploy?", at=utc(2025, 3, 1, 9)),
        "fallback": write_audit(
            employee,
            question="Where are the VPN keys kept?",
            attempts=[CLAUDE_DOWN, EXTRACTIVE_OK],
            backend="extractive",
            model="extractive-v1",
            fallback_used=True,
            cost_usd=0.0,
            at=utc(2025, 3, 2, 0, 0),
        ),
        "refused": write_audit(
            admin,
            question="Send [SECRET_1] to the vendor",
            findings={"secret": 1},
            data_class=3,
            attempts=[],
            backend="",
            model="",
            outcome=AuditEvent.Outcome.REFUSED,
            refusal_reason="Secrets never leave: remove the token and ask again.",
            cost_usd=0.0,
            at=utc(2025, 3, 2, 23, 59),
        ),
        "cached": write_audit(
            contractor,
            question="What is the holiday calendar?",
            data_class=0,
            cache_hit=True,
            attempts=[CLAUDE_CACHED],
            at=utc(2025, 3, 3, 8),
        ),
        "batch": write_audit(
            employee,
            question="Summarise the deploy postmortems",
            workload=Workload.BATCH,
            data_class=2,
            backend="local",
            model="qwen2.5-1.5b-instruct",
            attempts=[{"target": "local", "zone": "onprem", "model": "qwen2.5-1.5b-instruct", "outcome": "ok"}],
            at=utc(2025, 3, 4, 10),
        ),
        "cut_off": write_audit(
            admin,
            question="Explain the backup rotation for [EMAIL_1]",
            findings={"email": 1},
            outcome=AuditEvent.Outcome.CUT_OFF,
            at=utc(2025, 3, 5, 10),
        ),
    }


@pytest.fixture
def log(client: Client, auditor: User):
    client.force_login(auditor)

    def _get(**params: str):
        response = client.get("/audit/", params)
        assert response.status_code == 200
        return response

    return _get


def ids(rows: dict[str, AuditEvent], *names: str) -> list[int]:
    """The ids of these rows, newest first (the log's order)."""
    return sorted((rows[n].id for n in names), reverse=True)


def test_the_log_lists_every_request_newest_first_with_its_columns(log, rows) -> None:
    response = log()

    assert listed(response) == ids(rows, *rows)
    html = response.content.decode()
    assert "<caption" in html and '<th scope="col">Route</th>' in html
    assert "claude · cloud" in html  # route: the answering target and its zone
    assert "extractive · onprem" in html and "local · onprem" in html
    assert "refused" in html and "cut off" in html
    assert "Secrets never leave" in html
    assert "2025-03-05 10:00:00" in html
    assert "0.002100" in html and "950" in html  # cost and latency
    assert "6 requests." in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "erin"}, ["cloud", "fallback", "batch"]),
        ({"user": "ERIN"}, ["cloud", "fallback", "batch"]),
        ({"role": "admin"}, ["refused", "cut_off"]),
        ({"data_class": "0"}, ["cached"]),
        ({"data_class": "3"}, ["refused"]),
        ({"outcome": "refused"}, ["refused"]),
        ({"outcome": "cut_off"}, ["cut_off"]),
        ({"outcome": "answered"}, ["cloud", "fallback", "cached", "batch"]),
        ({"backend": "extractive"}, ["fallback"]),
        ({"backend": "claude"}, ["cloud", "cached", "cut_off"]),
        ({"model": "qwen2.5-1.5b-instruct"}, ["batch"]),
        ({"workload": "batch"}, ["batch"]),
        ({"workload": "interactive"}, ["cloud", "fallback", "refused", "cached", "cut_off"]),
        ({"fallback": "yes"}, ["fallback"]),
        ({"fallback": "no"}, ["cloud", "refused", "cached", "batch", "cut_off"]),
        ({"cache_hit": "yes"}, ["cached"]),
        ({"cache_hit": "no"}, ["cloud", "fallback", "refused", "batch", "cut_off"]),
        # combinations narrow further
        ({"user": "erin", "backend": "claude"}, ["cloud"]),
        ({"role": "admin", "outcome": "cut_off", "data_class": "1"}, ["cut_off"]),
        ({"user": "erin", "fallback": "no", "workload": "interactive"}, ["cloud"]),
        ({"user": "ada", "backend": "extractive"}, []),
        ({"role": "employee", "data_class": "1", "cache_hit": "no"}, ["cloud", "fallback"]),
    ],
)
def test_each_filter_narrows_the_log(log, rows, params: dict[str, str], expected: list[str]) -> None:
    assert listed(log(**params)) == ids(rows, *expected)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("deploy", ["cloud", "batch"]),
        ("deploys", ["cloud", "batch"]),  # stemmed, as retrieval's keyword search is
        ("roll back", ["cloud"]),
        ('"bad deploy"', ["cloud"]),
        ("deploy -postmortems", ["cloud"]),
        ("vpn or holiday", ["fallback", "cached"]),
        ("email", ["cut_off"]),  # placeholders are words of the redacted question
        ("kubernetes", []),
    ],
)
def test_full_text_search_finds_requests_by_the_words_of_their_question(log, rows, q: str, expected) -> None:
    assert listed(log(q=q)) == ids(rows, *expected)


def test_search_combines_with_the_other_filters(log, rows) -> None:
    assert listed(log(q="deploy", workload="batch")) == ids(rows, "batch")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2025-03-02", "date_to": "2025-03-02"}, ["fallback", "refused"]),  # 00:00 and 23:59
        ({"date_from": "2025-03-02"}, ["fallback", "refused", "cached", "batch", "cut_off"]),
        ({"date_to": "2025-03-01"}, ["cloud"]),
        ({"date_from": "2025-03-03", "date_to": "2025-03-04"}, ["cached", "batch"]),
        ({"date_from": "2025-03-06"}, []),
    ],
)
def test_date_range_bounds_are_whole_days_and_inclusive(log, rows, params, expected) -> None:
    assert listed(log(**params)) == ids(rows, *expected)


def test_an_invalid_filter_shows_its_error_beside_the_field_and_filters_nothing(log, rows) -> None:
    response = log(data_class="9", date_from="yesterday", user="erin")

    html = response.content.decode()
    assert 'id="id_data_class_error"' in html and 'id="id_date_from_error"' in html
    assert 'aria-invalid="true"' in html
    assert listed(response) == ids(rows, "cloud", "fallback", "batch")  # the valid filter still applies


def test_an_end_date_before_the_start_date_is_an_error(log, rows) -> None:
    response = log(date_from="2025-03-05", date_to="2025-03-01")

    assert "The end date is before the start date." in response.content.decode()
    assert listed(response) == ids(rows, "cut_off")  # the start date alone still applies


def test_pages_hold_page_size_rows_and_their_links_keep_the_filters(log, write_audit, employee, admin) -> None:
    for i in range(PAGE_SIZE + 5):
        write_audit(employee, question=f"deploy question {i}")
    write_audit(admin, question="deploy question from an admin")

    first = log(user="erin", q="deploy")
    second_link = re.search(rb'href="(\?[^"]*page=2[^"]*)"', first.content).group(1).decode().replace("&amp;", "&")
    assert "user=erin" in second_link and "q=deploy" in second_link
    second = log(**dict(p.split("=", 1) for p in second_link[1:].split("&")))

    assert len(listed(first)) == PAGE_SIZE and len(listed(second)) == 5
    assert not set(listed(first)) & set(listed(second))
    assert "Page 2 of 2" in second.content.decode()
    assert f"{PAGE_SIZE + 5} requests match these filters." in first.content.decode()
    # the exports of a filtered view carry the same filters, without the page
    assert b'href="/audit/export.csv?user=erin&amp;q=deploy"' in second.content


def test_a_page_number_out_of_range_shows_the_last_page(log, rows) -> None:
    assert listed(log(page="99")) == ids(rows, *rows)
    assert listed(log(page="x")) == ids(rows, *rows)


def test_the_log_takes_a_fixed_number_of_queries(log, rows, django_assert_num_queries) -> None:
    # session + user, count, page, the targets and models suggested in the form, the active policy (its
    # workloads are the filter's choices): not one per row
    with django_assert_num_queries(7):
        log()


def test_search_and_filters_run_in_the_database(log, rows) -> None:
    with CaptureQueriesContext(connection) as queries:
        log(q="deploy", user="erin", date_from="2025-03-01")

    page_sql = next(q["sql"] for q in queries if "ORDER BY" in q["sql"] and "routing_auditevent" in q["sql"])
    assert "websearch_to_tsquery" in page_sql and "to_tsvector" in page_sql
    assert "UPPER" in page_sql and '"created_at" >=' in page_sql and "LIMIT" in page_sql


def test_the_last_possible_end_date_does_not_overflow(client, auditor, write_audit, employee):
    write_audit(employee)
    client.force_login(auditor)

    assert client.get("/audit/", {"date_to": "9999-12-31"}).status_code == 200
    assert client.get("/audit/export.csv", {"date_to": "9999-12-31"}).status_code == 200
