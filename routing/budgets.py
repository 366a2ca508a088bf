"""Team budgets for paid (cloud) models: what a team has spent this calendar month (UTC), from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from accounts.models import User
from routing.models import AuditEvent, TeamBudget

# What TeamBudget.monthly_limit_usd (12 digits, 2 after the point) can hold.
MAX_BUDGET = Decimal(10) ** 10


@dataclass(frozen=True)
class BudgetStatus:
    team: str  # empty when the user has no team: no budget applies
    limit_usd: Decimal | None  # None: the team has no budget
    spent_usd: Decimal

    @property
    def exhausted(self) -> bool:
        return self.limit_usd is not None and self.spent_usd >= self.limit_usd


def month_start() -> Any:
    return timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def budget_status(user: User) -> BudgetStatus:
    """The budget of the team that pays for `user`'s answers.

    Checked before each request: requests already in flight may take a team a
    little past its limit, never further than their own cost.
    """
    if user.team_id is None:
        return BudgetStatus(team="", limit_usd=None, spent_usd=Decimal(0))
    found = budget_statuses(Group.objects.filter(pk=user.team_id))
    return found.get(user.team_id) or BudgetStatus(team="", limit_usd=None, spent_usd=Decimal(0))


def budget_status_of_team(team: Group) -> BudgetStatus:
    return budget_statuses(Group.objects.filter(pk=team.pk))[team.pk]


def budget_statuses(teams: QuerySet[Group]) -> dict[int, BudgetStatus]:
    """Each team's name, limit and spending this month, in one query (it is read before every request)."""
    limit = TeamBudget.objects.filter(team=OuterRef("pk")).order_by("id").values("monthly_limit_usd")[:1]
    spent = (
        AuditEvent.objects.filter(team=OuterRef("name"), created_at__gte=month_start())
        .values("team")
        .annotate(total=Sum("cost_usd"))
        .values("total")
    )
    rows = teams.annotate(limit=Subquery(limit), spent=Subquery(spent)).values_list("pk", "name", "limit", "spent")
    return {
        pk: BudgetStatus(team=name, limit_usd=limit, spent_usd=Decimal(str(round(spent or 0.0, 6))))
        for pk, name, limit, spent in rows
    }


@transaction.atomic
def set_team_budget(team: Group, limit_usd: Decimal | None) -> None:
    """Set the team's monthly limit; None removes the budget (no limit)."""
    if limit_usd is None:
        TeamBudget.objects.filter(team=team).delete()
        return
    TeamBudget.objects.update_or_create(team=team, defaults={"monthly_limit_usd": limit_usd})


def parse_budget(text: str) -> Decimal | None:
    """A monthly limit as typed ("50", "12.50"; "none" for no budget). ValueError says what is wrong."""
    text = text.strip()
    if text.lower() == "none":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"the budget must be an amount in USD such as 50.00, or 'none', not {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"the budget must be zero or more, not {text!r}")
    if value >= MAX_BUDGET:  # before quantize, which fails on numbers this large
        raise ValueError(f"the budget must be less than {MAX_BUDGET:,} USD, not {text!r}")
    rounded = value.quantize(Decimal("0.01"))
    if rounded >= MAX_BUDGET:
        raise ValueError(f"the budget must be less than {MAX_BUDGET:,} USD, not {text!r}")
    if value and not rounded:
        raise ValueError(f"the budget is kept in cents: {text!r} would round to 0.00, which turns the cloud off")
    return rounded
