"""The auditors' dashboard: figures aggregated from the audit trail, charts as SVG images."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from audit.dashboard import build_dashboard
from routing.models import AuditEvent
from tests.audit.conftest import DECISION

LOCAL_OK = {
    "target": "local",
    "zone": "onprem",
    "model": "qwen",
    "outcome": "ok",
    "latency_ms": 4000.0,
    "cost_usd": 0.0,
}
CLAUDE_FAILED = {"target": "claude", "zone": "cloud", "model": "claude-haiku-4-5", "outcome": "server_error",
                 "latency_ms": 30.0, "cost_usd": 0.0}  # fmt: skip


@pytest.fixture
def trail(write_audit, employee):
    write_audit(employee, redacted={"email": 2, "person": 1})  # claude, 812.4 ms, 0.0021 USD
    write_audit(employee, redacted={"email": 1}, workload="ci", cost_usd=0.01)
    write_audit(
        employee, attempts=[CLAUDE_FAILED, LOCAL_OK], backend="local", fallback_used=True, cost_usd=0.0
    )  # fell back on-prem
    write_audit(employee, attempts=[], backend="", outcome=AuditEvent.Outcome.REFUSED, cost_usd=0.0)
    write_audit(employee, at=timezone.now() - dt.timedelta(days=40), redacted={"iban": 5})  # outside 30 days


def test_the_figures_come_from_the_period_only(trail):
    board = build_dashboard(30)

    assert board.total_requests == 4
    assert board.zones == {"cloud": 2, "onprem": 1, "refused": 1}
    assert board.cloud_share == pytest.approx(100 * 2 / 3)
    assert board.redactions == [("email", 3), ("person", 1)]
    assert board.total_cost == pytest.approx(0.0121)
    assert board.workloads == ["ci", "interactive"]
    [today] = board.rates
    assert (today.requests, today.fallback_rate, today.refusal_rate) == (4, 0.25, 0.25)
    latency = {row.target: row for row in board.latency}
    assert latency["claude"].answers == 2 and latency["claude"].p50_ms == pytest.approx(812.4)
    assert latency["local"].p95_ms == pytest.approx(4000.0)  # failed tries are not latencies of answers


def test_an_admins_review_of_a_flagged_passage_is_no_request(trail, write_audit, admin):
    for outcome in (AuditEvent.Outcome.FLAG_CLEARED, AuditEvent.Outcome.FLAG_RESTORED):
        write_audit(admin, attempts=[], backend="", outcome=outcome, cost_usd=0.0, redacted={})

    board = build_dashboard(30)

    assert board.total_requests == 4 and board.zones == {"cloud": 2, "onprem": 1, "refused": 1}
    [today] = board.rates
    assert today.requests == 4


def test_answers_not_found_and_answers_with_the_caveat_are_shares_of_each_days_requests(trail, write_audit, employee):
    write_audit(employee, attempts=[LOCAL_OK], backend="local", outcome=AuditEvent.Outcome.NOTHING_FOUND, cost_usd=0.0)
    write_audit(employee, attempts=[LOCAL_OK], backend="local", decision=DECISION | {"hedged": True}, cost_usd=0.0)

    [today] = build_dashboard(30).rates

    # Six requests: the four of the trail (none of them either), one found nothing, one with the caveat.
    assert today.requests == 6
    assert today.nothing_found_rate == pytest.approx(1 / 6)
    assert today.hedged_rate == pytest.approx(1 / 6)
    assert today.refusal_rate == pytest.approx(1 / 6)


def test_ninety_days_include_the_older_request(trail):
    assert build_dashboard(90).total_requests == 5


@pytest.mark.parametrize("name", ["routes", "latency", "cost", "rates", "redactions"])
def test_each_chart_is_an_svg_image_with_a_policy_of_its_own(client, auditor, trail, name):
    client.force_login(auditor)

    response = client.get(f"/audit/dashboard/{name}.svg?days=30")

    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert ET.fromstring(response.content).tag.endswith("svg")


def test_the_page_shows_the_figures_in_tables_beside_the_charts(client, auditor, trail):
    client.force_login(auditor)

    page = client.get("/audit/dashboard/").content.decode()

    assert "<dd>4</dd>" in page and "67 %" in page and "0.0121 USD" in page
    assert page.count('<img class="chart"') == 5 and page.count("<table>") == 5
    assert '<th scope="row">email</th><td>3</td>' in page


def test_an_unknown_chart_is_not_found(client, auditor):
    client.force_login(auditor)

    assert client.get("/audit/dashboard/secrets.svg").status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("employee", 403), ("contractor", 403), ("admin", 403)])
def test_only_auditors_see_the_dashboard(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/audit/dashboard/").status_code == status
    assert client.get("/audit/dashboard/routes.svg").status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/audit/dashboard/")["Location"].startswith("/accounts/login/")
    assert client.get("/audit/dashboard/routes.svg")["Location"].startswith("/accounts/login/")


def test_a_chart_runs_only_the_query_it_draws(client, auditor, trail, django_assert_max_num_queries):
    client.force_login(auditor)

    with django_assert_max_num_queries(3):  # the session, the user, one aggregate (not the five)
        assert client.get("/audit/dashboard/latency.svg").status_code == 200
