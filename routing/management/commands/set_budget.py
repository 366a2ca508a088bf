from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.budgets import budget_status_of_team, parse_budget, set_team_budget


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
            try:
                limit = parse_budget(options["usd"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            set_team_budget(team, limit)
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
