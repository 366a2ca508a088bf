from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.clearance import Classification
from accounts.errors import WeakPassword
from accounts.roles import Role
from accounts.services import upsert_user


def parse_groups(value: str) -> list[str]:
    return sorted({g.strip() for g in value.split(",") if g.strip()})


class Command(BaseCommand):
    help = "Create or update a user with a role, a clearance and reader groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values, help="what the user does in Sluice")
        parser.add_argument(
            "--clearance",
            default="internal",
            help="highest classification the user may read: public, internal, confidential or restricted",
        )
        parser.add_argument("--groups", default="", help="comma-separated reader groups, e.g. engineering,finance")
        parser.add_argument(
            "--password",
            default=None,
            help="set this password (unchanged when omitted): at least PASSWORD_MIN_LENGTH characters, not common",
        )
        parser.add_argument(
            "--team",
            default=None,
            help="team whose monthly budget pays for the user's cloud answers ('' for none; unchanged if omitted)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            clearance = Classification.parse(options["clearance"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        groups = parse_groups(options["groups"])
        try:
            user, created = upsert_user(
                username=options["username"],
                role=Role(options["role"]),
                clearance=clearance,
                groups=groups,
                password=options["password"],
                team=options["team"],
            )
        except WeakPassword as exc:
            raise CommandError(f"--password: {exc.message}") from None
        summary = {
            "username": user.username,
            "created": created,
            "role": user.role,
            "clearance": clearance.label,
            "groups": groups,
            "team": user.team.name if user.team else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            verb = "Created" if created else "Updated"
            self.stdout.write(f"{verb} {user.username}: {user.role}, clearance {clearance.label}")
