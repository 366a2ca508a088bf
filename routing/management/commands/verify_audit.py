from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.audit_head import head_file_setting, verify_audit_log


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain, then that the last exported head (export_audit_head) is still there; "
        "exits non-zero and names the first bad row if it was tampered with."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--head-file",
            type=Path,
            help="the exported heads to check against (default AUDIT_HEAD_FILE): a copy from the object or log "
            "store will do, the last line counts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_audit_log(head_file=options["head_file"] or head_file_setting())
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        if not report.ok:
            where = f" at row {report.first_bad_id}" if report.first_bad_id is not None else ""
            raise CommandError(f"audit chain broken{where}: {report.problem}")
        if not options["json"]:
            if report.head_id is not None:
                checked = f", up to the head exported at {report.head_at} (row {report.head_id})"
            else:
                checked = f"; {report.head_note}"
            self.stdout.write(f"audit chain intact: {report.rows} rows{checked}")
