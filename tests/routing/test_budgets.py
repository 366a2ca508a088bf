"""Team budgets for cloud answers: spend from the audit trail this calendar month, the cloud skipped
once a team's budget is spent, and the set_budget command."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from accounts.services import upsert_user
from fakes.common import Script
from routing.audit import append_audit_event
from routing.budgets import budget_status, month_start, set_team_budget
from routing.models import AuditEvent, TeamBudget
from routing.policy.versions import get_active_policy
from routing.services import answer_question
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, FAKE_LOCAL_MODEL

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
QUESTION = "How do I roll back a bad deploy?"
SKIPPED = "claude (cloud) is skipped: team platform's monthly budget is spent."


@pytest.fixture
def gate(settings, fake_anthropic, fake_openai):
    """The cloud and the on-prem model servers both up; the response cache off, so every ask is fresh."""
    settings.ANTHROPIC_API_KEY = FAKE_ANTHROPIC_KEY
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_MODEL
    settings.LOCAL_LLM_BASE_URL = fake_openai.base_url
    settings.LOCAL_LLM_MODEL = FAKE_LOCAL_MODEL
    settings.RESPONSE_CACHE_TTL_S = 0
    fake_anthropic.behave(text="Roll back from the deploy dashboard [1].")
    fake_openai.behave(text="On-prem: roll back from the deploy dashboard [1].")
    return fake_anthropic, fake_openai


def member(username: str, team: str | None) -> User:
    """An employee cleared for internal, in group engineering, billed to `team`."""
    user, _ = upsert_user(
        username=username,
        role=Role.EMPLOYEE,
        clearance=Classification.INTERNAL,
        groups=["engineering"],
        password=None,
        team=team,
    )
    return user


@pytest.fixture
def pia(db) -> User:
    return member("pia", "platform")


def budget(team: str, usd: str) -> None:
    set_team_budget(Group.objects.get_or_create(name=team)[0], Decimal(usd))


def spend(team: str, usd: float, *, at=None) -> AuditEvent:
    """An audit row charging `usd` to `team`, written now or moved to `at`."""
    event = append_audit_event(
        username="someone",
        role="employee",
        team=team,
        question="earlier question",
        data_class=1,
        outcome=AuditEvent.Outcome.ANSWERED,
        cost_usd=usd,
        latency_ms=1.0,
    )
    if at is not None:
        AuditEvent.objects.filter(id=event.id).update(created_at=at)
    return event


def run_set_budget(*args: str) -> str:
    out = StringIO()
    call_command("set_budget", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_paid_answer_spends_the_budget_and_the_next_question_is_answered_on_prem(ingest, pia, gate, settings):
    cloud, local = gate
    settings.ANTHROPIC_PRICE_INPUT_PER_MTOK = 10.0
    settings.ANTHROPIC_PRICE_OUTPUT_PER_MTOK = 50.0
    ingest("deploys.md", DEPLOYS, "internal")
    budget("platform", "0.01")
    cloud.enqueue(Script(text="Roll back from the deploy dashboard [1].", input_tokens=1000, output_tokens=100))

    paid = answer_question(question=QUESTION, acting_user=pia)

    assert paid.backend == "claude" and paid.notices == ()
    paid_event = AuditEvent.objects.get(id=paid.audit_id)
    # 1000 input tokens at $10/M and 100 output tokens at $50/M.
    assert paid_event.cost_usd == pytest.approx(0.015)
    assert paid_event.team == "platform"
    assert budget_status(pia).exhausted

    onprem = answer_question(question="Where do I roll back a deploy?", acting_user=pia)

    assert len(cloud.requests) == 1
    assert len(local.requests) == 1
    assert onprem.backend == "local" and onprem.route.startswith("Answered on-prem by local")
    tell_user = get_active_policy().budget.tell_user
    assert "budget" in tell_user
    assert onprem.notices == (tell_user,)
    event = AuditEvent.objects.get(id=onprem.audit_id)
    assert event.team == "platform" and event.cost_usd == 0
    assert SKIPPED in event.decision["reasons"]
    assert tell_user in event.decision["reasons"]
    assert [t["name"] for t in event.decision["targets"]] == ["local", "extractive"]


def test_a_spent_budget_skips_the_cloud_even_when_only_the_extractive_answer_is_left(ingest, pia, gate, settings):
    cloud, _ = gate
    settings.LOCAL_LLM_BASE_URL = ""
    ingest("deploys.md", DEPLOYS, "internal")
    budget("platform", "1.00")
    spend("platform", 1.0)

    answer = answer_question(question=QUESTION, acting_user=pia)

    assert cloud.requests == []
    assert answer.backend == "extractive" and not answer.refused
    assert answer.notices == (get_active_policy().budget.tell_user,)


def test_spend_counts_only_this_calendar_month_and_only_the_users_team(ingest, pia, gate):
    cloud, _ = gate
    ingest("deploys.md", DEPLOYS, "internal")
    budget("platform", "1.00")
    spend("platform", 5.0, at=month_start() - timedelta(seconds=1))  # last month
    spend("sales", 5.0)
    spend("", 5.0)  # users with no team

    assert budget_status(pia).spent_usd == Decimal(0)
    before = answer_question(question=QUESTION, acting_user=pia)
    assert before.backend == "claude" and before.notices == ()

    spend("platform", 1.0, at=month_start())  # the first instant of this month counts
    status = budget_status(pia)
    assert status.team == "platform" and status.limit_usd == Decimal("1.00")
    assert Decimal("1") <= status.spent_usd < Decimal("1.01")  # plus what `before` cost
    after = answer_question(question=QUESTION, acting_user=pia)

    assert after.backend == "local" and after.notices
    assert len(cloud.requests) == 1


def test_a_user_without_a_team_or_whose_team_has_no_budget_is_unaffected(ingest, gate):
    cloud, _ = gate
    ingest("deploys.md", DEPLOYS, "internal")
    loner = member("lou", None)
    seller = member("sam", "sales")  # sales has no TeamBudget
    budget("platform", "0.00")
    spend("", 100.0)
    spend("sales", 100.0)

    answers = [answer_question(question=QUESTION, acting_user=user) for user in (loner, seller)]

    assert [a.backend for a in answers] == ["claude", "claude"]
    assert all(a.notices == () for a in answers)
    assert len(cloud.requests) == 2
    events = [AuditEvent.objects.get(id=a.audit_id) for a in answers]
    assert [e.team for e in events] == ["", "sales"]
    assert not budget_status(loner).exhausted and budget_status(loner).limit_usd is None
    assert budget_status(seller).limit_usd is None


def test_a_zero_budget_never_uses_the_cloud(ingest, pia, gate):
    cloud, _ = gate
    ingest("deploys.md", DEPLOYS, "internal")
    budget("platform", "0")

    answer = answer_question(question=QUESTION, acting_user=pia)

    assert cloud.requests == [] and answer.backend == "local"


def test_the_audit_cost_is_the_sum_of_the_attempts_costs_at_the_settings_prices(ingest, pia, gate, settings):
    cloud, _ = gate
    settings.ANTHROPIC_PRICE_INPUT_PER_MTOK = 2.0
    settings.ANTHROPIC_PRICE_OUTPUT_PER_MTOK = 8.0
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(
        Script(status=500),
        Script(text="Roll back from the deploy dashboard [1].", input_tokens=3000, output_tokens=500),
    )

    answer = answer_question(question=QUESTION, acting_user=pia)

    event = AuditEvent.objects.get(id=answer.audit_id)
    assert [(a["outcome"], a["input_tokens"], a["output_tokens"]) for a in event.attempts] == [
        ("server_error", 0, 0),
        ("ok", 3000, 500),
    ]
    # 3000 × $2/M + 500 × $8/M
    assert event.attempts[1]["cost_usd"] == pytest.approx(0.01)
    assert event.cost_usd == pytest.approx(sum(a["cost_usd"] for a in event.attempts))
    assert event.cost_usd == pytest.approx(0.01)
    budget("platform", "5")
    assert budget_status(pia).spent_usd == Decimal("0.01")


def test_an_on_prem_answer_costs_nothing(ingest, pia, gate):
    _, local = gate
    ingest("deploys.md", DEPLOYS, "internal")

    # A person in the question: answered on-prem first (customer-data-private-first).
    answer = answer_question(question="I am dana.cho@quillfern.example: how do I roll back a deploy?", acting_user=pia)

    assert answer.backend == "local" and len(local.requests) == 1
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.attempts[0]["input_tokens"] > 0 and event.attempts[0]["cost_usd"] == 0
    assert event.cost_usd == 0


# -- set_budget -------------------------------------------------------------------------------------


def test_set_budget_sets_a_teams_monthly_limit(pia):
    out = run_set_budget("platform", "25.5")

    assert TeamBudget.objects.get(team__name="platform").monthly_limit_usd == Decimal("25.50")
    head, _, spent = out.strip().removesuffix(" USD").rpartition(" ")
    assert head == "platform: 25.50 USD a month; spent this month"
    assert Decimal(spent) == 0


def test_set_budget_again_replaces_the_limit(pia):
    run_set_budget("platform", "25.50")
    run_set_budget("platform", "40")

    assert TeamBudget.objects.count() == 1
    assert TeamBudget.objects.get().monthly_limit_usd == Decimal("40.00")


def test_set_budget_shows_the_limit_and_this_months_spend_as_json(pia):
    run_set_budget("platform", "2.00")
    spend("platform", 1.25)
    spend("platform", 9.0, at=month_start() - timedelta(days=3))

    shown = json.loads(run_set_budget("platform", "--json"))

    assert shown == {
        "team": "platform",
        "monthly_limit_usd": "2.00",
        "spent_this_month_usd": "1.25",
        "exhausted": False,
    }
    spend("platform", 0.75)
    assert json.loads(run_set_budget("platform", "--json"))["exhausted"] is True
    assert TeamBudget.objects.get().monthly_limit_usd == Decimal("2.00")  # showing changes nothing


def test_set_budget_none_removes_the_budget(pia):
    run_set_budget("platform", "2.00")

    shown = json.loads(run_set_budget("platform", "none", "--json"))

    assert not TeamBudget.objects.exists()
    assert shown["monthly_limit_usd"] is None and shown["exhausted"] is False
    assert "platform: no budget" in run_set_budget("platform")


def test_set_budget_shows_a_teams_spend_even_without_a_budget(pia):
    # The help says it prints the team's spend; the audit records it whether or not a budget is set.
    spend("platform", 3.5)

    shown = json.loads(run_set_budget("platform", "--json"))

    assert shown["monthly_limit_usd"] is None
    assert Decimal(shown["spent_this_month_usd"]) == Decimal("3.5")


@pytest.mark.parametrize("amount", ["lots", "-5", "NaN", "Infinity", ""])
def test_set_budget_rejects_a_bad_amount_and_changes_nothing(pia, amount):
    run_set_budget("platform", "2.00")

    with pytest.raises(CommandError, match="budget must be"):
        run_set_budget("platform", amount)

    assert TeamBudget.objects.get().monthly_limit_usd == Decimal("2.00")


def test_set_budget_rejects_an_amount_too_large_to_store_and_changes_nothing(pia):
    # TeamBudget.monthly_limit_usd holds 12 digits, 2 after the point.
    run_set_budget("platform", "2.00")

    for amount in ("100000000000", "9999999999.999", "0.001"):  # too large, too large once rounded, rounds to 0
        with pytest.raises(CommandError):
            run_set_budget("platform", amount)

    assert TeamBudget.objects.get().monthly_limit_usd == Decimal("2.00")


def test_set_budget_rejects_an_unknown_team_and_creates_nothing(db):
    with pytest.raises(CommandError, match="no team 'nobody'"):
        run_set_budget("nobody", "10")

    assert not Group.objects.filter(name="nobody").exists()
    assert not TeamBudget.objects.exists()


def test_a_budget_is_read_in_one_query_and_every_teams_list_in_one(pia, django_assert_num_queries):
    from operations.selectors import list_budgets

    budget("platform", "3.00")
    budget("sales", "2.00")
    spend("platform", 1.25)
    spend("platform", 0.5, at=month_start() - timedelta(days=1))  # last month: not counted
    spend("sales", 2.0)
    pia = User.objects.get(pk=pia.pk)  # the team not loaded yet

    with django_assert_num_queries(1):
        status = budget_status(pia)
    with django_assert_num_queries(1):
        listed = list_budgets()

    assert status == type(status)(team="platform", limit_usd=Decimal("3.00"), spent_usd=Decimal("1.25"))
    assert [(s.team, s.limit_usd, s.spent_usd, s.exhausted) for s in listed] == [
        ("platform", Decimal("3.00"), Decimal("1.25"), False),
        ("sales", Decimal("2.00"), Decimal("2.0"), True),
    ]
