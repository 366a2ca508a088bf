from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from routing.approvals import expire_held_requests, send_approved_requests


class Command(BaseCommand):
    help = (
        "Expire requests held for approval past their time (their vaults deleted, audited); with --send, also "
        "send approved ones whose targets were down. The queue's worker does both on HELD_REQUESTS_CRON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send", action="store_true", help="also send approved requests whose targets are up")

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_held_requests()
        sent = send_approved_requests() if options["send"] else 0
        self.stdout.write(
            f"expired {expired} held requests" + (f", sent {sent} approved ones" if options["send"] else "")
        )
