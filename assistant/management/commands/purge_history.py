from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assistant.services import purge_history


class Command(BaseCommand):
    help = "Delete users' question-and-answer history older than HISTORY_RETENTION_DAYS; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep this many days instead of HISTORY_RETENTION_DAYS (at least 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.HISTORY_RETENTION_DAYS
        if days < 1:
            raise CommandError(f"the history retention must be at least 1 day, got {days}: set HISTORY_RETENTION_DAYS")
        count = purge_history(retention_days=days)
        self.stdout.write(f"purged {count} history entries older than {days} days")
