from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from routing.audit import purge_audit_before


def parse_age(value: str, *, flag: str = "--older-than") -> timedelta:
    """A number of days or hours ("90d", "12h"); CommandError naming `flag` otherwise."""
    match = re.fullmatch(r"(\d+)([dh])", value.strip())
    if not match:
        raise CommandError(f"{flag} {value!r}: give days or hours, e.g. 90d or 12h")
    amount = int(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


class Command(BaseCommand):
    help = "Delete audit rows older than an age; the chain stays verifiable from an anchor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, help="age of the rows to delete, e.g. 90d or 12h")

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_audit_before(timezone.now() - parse_age(options["older_than"]))
        self.stdout.write(f"purged {count} audit rows older than {options['older_than']}")
