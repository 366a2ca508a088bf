"""The admins' backends page: health, circuit, today's figures per target, and team budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from fakes.common import Script
from routing import resilience
from routing.models import TeamBudget
from routing.services import answer_question

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."


def row(page: str, target: str) -> str:
    """The table row of one target."""
    return next(r for r in page.split('<th scope="row">')[1:] if r.startswith(target + " ")).split("</tr>")[0]


@pytest.mark.parametrize(("persona", "status"), [("employee", 403), ("auditor", 403), ("admin", 200)])
def test_only_admins_see_the_backends_page(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/manage/backends/").status_code == status
    posted = client.post("/manage/backends/budget/", {"team": "no-such-team", "monthly_limit_usd": "1"})
    assert posted.status_code == (422 if status == 200 else status)  # an admin's unknown team is a form error


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/manage/backends/")["Location"].startswith("/accounts/login/")


def test_each_target_shows_health_circuit_and_todays_tries(client, admin, employee, ingest, cloud, settings):
    settings.GATE_RETRY_ATTEMPTS = 1
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(Script(status=500))
    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)  # claude fails, extractive
    answer_question(question="How do I roll back a deploy quickly?", acting_user=employee)  # claude answers
    client.force_login(admin)

    page = client.get("/manage/backends/").content.decode()

    claude = row(page, "claude")
    assert "up" in claude and "claude-haiku-4-5 available" in claude  # probed through the SDK
    cells = [c.split("</td>")[0].strip() for c in claude.split("<td")[1:]]
    assert cells[3:6] == [">2", ">1", ">0"]  # tries, failures, cache hits today
    assert "not configured" in row(page, "local")
    assert resilience.circuit_state("claude").state == "closed" and "closed" in claude


def test_an_open_circuit_is_shown(client, admin, cloud, settings):
    settings.GATE_BREAKER_FAILURES = 1
    breaker = resilience.breaker("claude")
    breaker.open()
    client.force_login(admin)

    page = client.get("/manage/backends/").content.decode()

    claude = row(page, "claude")
    assert "<td>open" in claude and "trial after" in claude


def test_an_admin_sets_a_budget_and_sees_the_months_spend(client, admin, db):
    Group.objects.create(name="platform")
    client.force_login(admin)

    response = client.post("/manage/backends/budget/", {"team": "platform", "monthly_limit_usd": "25.5"})

    assert response.status_code == 302
    assert TeamBudget.objects.get(team__name="platform").monthly_limit_usd == Decimal("25.50")
    page = client.get("/manage/backends/").content.decode()
    assert "platform" in page and "25.50 USD" in page and "within budget" in page


@pytest.mark.parametrize("amount", ["lots", "-1", "0.001", "99999999999"])
def test_a_bad_budget_is_shown_next_to_the_field_and_nothing_changes(client, admin, db, amount):
    TeamBudget.objects.create(team=Group.objects.create(name="platform"), monthly_limit_usd=Decimal("2.00"))
    client.force_login(admin)

    response = client.post("/manage/backends/budget/", {"team": "platform", "monthly_limit_usd": amount})

    assert response.status_code == 422
    assert 'class="error" role="alert"' in response.content.decode()
    assert TeamBudget.objects.get().monthly_limit_usd == Decimal("2.00")


def test_none_removes_a_budget(client, admin, db):
    TeamBudget.objects.create(team=Group.objects.create(name="platform"), monthly_limit_usd=Decimal("2.00"))
    client.force_login(admin)

    client.post("/manage/backends/budget/", {"team": "platform", "monthly_limit_usd": "none"})

    assert not TeamBudget.objects.exists()


@pytest.mark.parametrize("amount", ["1e30", "1e999999"])
def test_a_budget_with_a_huge_exponent_is_a_form_error_not_a_crash(client, admin, db, amount):
    Group.objects.create(name="platform")
    client.force_login(admin)

    response = client.post("/manage/backends/budget/", {"team": "platform", "monthly_limit_usd": amount})

    assert response.status_code == 422 and not TeamBudget.objects.exists()


def test_the_on_prem_target_shows_its_queue_and_whether_it_is_saturated(client, admin, onprem):
    from routing.policy.versions import read_default_policy_text, save_and_activate_policy

    local = "    backend: openai_compatible\n    tier: small\n"
    text = read_default_policy_text().replace(local, local + "    saturated_when: {waiting_over: 8}\n")
    save_and_activate_policy(text=text.replace('"default-3"', '"burst-1"'), acting_user=None)
    onprem.waiting, onprem.running = 14, 3
    client.force_login(admin)

    local_row = row(client.get("/manage/backends/").content.decode(), "local")

    assert "load: 14 waiting, 3 running" in local_row
    assert "saturated (14 waiting, over 8): wider targets go first" in local_row


def test_unreadable_metrics_show_as_unknown(client, admin, onprem):
    onprem.waiting = None
    client.force_login(admin)

    local_row = row(client.get("/manage/backends/").content.decode(), "local")

    assert f"load: unknown ({onprem.url}/metrics answered 404)" in local_row and "saturated" not in local_row
