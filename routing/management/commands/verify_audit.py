from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero and names the first bad row if it was tampered with."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        if not report.ok:
            where = f" at row {report.first_bad_id}" if report.first_bad_id is not None else ""
            raise CommandError(f"audit chain broken{where}: {report.problem}")
        if not options["json"]:
            self.stdout.write(f"audit chain intact: {report.rows} rows")
