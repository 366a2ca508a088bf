from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection.stored import inspector_version
from retrieval.services import reinspect_chunks


class Command(BaseCommand):
    help = (
        "Inspect again the chunks whose stored findings come from another inspector version (run after an "
        "upgrade that changed inspection, libphonenumber or the NER model). Until then the gate inspects "
        "those passages on each question: slower, never less redacted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200, help="chunks read and written at a time")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        count = reinspect_chunks(batch_size=options["batch_size"])
        if options["json"]:
            self.stdout.write(json.dumps({"reinspected": count, "inspector_version": inspector_version()}))
            return
        self.stdout.write(f"{count} chunks inspected again (inspector {inspector_version()})")
