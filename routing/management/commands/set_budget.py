from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.budgets import budget_status_of_team, set_team_budget

# What TeamBudget.monthly_limit_usd (12 digits, 2 after the point) can hold.
MAX_BUDGET = Decimal(10) ** 10


class Command(BaseCommand):
    help = "Set (or, with 'none', remove) a team's monthly budget for cloud answers, in USD; print its spend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("team", help="the team (a group) whose users' cloud answers the budget pays for")
        parser.add_argument("usd", nargs="?", help="monthly limit in USD, e.g. 50.00, or 'none'; omit to only show")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        team = Group.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"no team {options['team']!r}: give users a team with `manage.py add_user --team`")
        if options["usd"] is not None:
            set_team_budget(team, _limit(options["usd"]))
        status = budget_status_of_team(team)
        summary = {
            "team": status.team,
            "monthly_limit_usd": None if status.limit_usd is None else str(status.limit_usd),
            "spent_this_month_usd": str(status.spent_usd),
            "exhausted": status.exhausted,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        limit = "no budget" if status.limit_usd is None else f"{status.limit_usd} USD a month"
        self.stdout.write(f"{status.team}: {limit}; spent this month {status.spent_usd} USD")


def _limit(text: str) -> Decimal | None:
    if text.lower() == "none":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"the budget must be an amount in USD such as 50.00, or 'none', not {text!r}") from None
    if not value.is_finite() or value < 0:
        raise CommandError(f"the budget must be zero or more, not {text!r}")
    rounded = value.quantize(Decimal("0.01"))
    if rounded >= MAX_BUDGET:
        raise CommandError(f"the budget must be less than {MAX_BUDGET:,} USD, not {text!r}")
    if value and not rounded:
        raise CommandError(f"the budget is kept in cents: {text!r} would round to 0.00, which turns the cloud off")
    return rounded
