from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.audit_head import export_audit_head, head_file_setting
from routing.errors import AuditHeadError


class Command(BaseCommand):
    help = (
        "Export the audit chain's head (last row's id and hash, with an HMAC) to AUDIT_HEAD_FILE and/or the log, "
        "so that verify_audit can tell when the newest rows are deleted. Idempotent; refuses while the last "
        "exported head no longer holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        path = head_file_setting()
        try:
            export = export_audit_head(path=path, log=settings.AUDIT_HEAD_LOG)
        except AuditHeadError as exc:
            raise CommandError(str(exc)) from None
        head = export.head
        if options["json"]:
            self.stdout.write(json.dumps({**head.__dict__, "written": export.written, "file": str(path or "")}))
            return
        where = " and ".join(filter(None, [str(path) if path else "", "the log" if settings.AUDIT_HEAD_LOG else ""]))
        if export.written:
            self.stdout.write(f"audit head exported to {where}: row {head.id}, {head.rows} rows")
        else:
            self.stdout.write(f"audit head unchanged since {head.at}: row {head.id}, nothing written")
