from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection import inspect_question, inspect_text, ner
from inspection.evaluation import evaluate_pii, load_jsonl


class Command(BaseCommand):
    help = (
        "Measure inspection on labelled PII spans (Presidio format: one {text, spans: [{start, end, label}]} a line): "
        "recall, precision and F1 per label, the micro average and throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL file of labelled texts")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--ner",
            choices=["auto", "off"],
            default="auto",
            help="auto: use a spaCy model when one is installed (default); off: patterns only",
        )
        parser.add_argument(
            "--as",
            dest="read_as",
            choices=["question", "document"],
            default="question",
            help="read each text as a question (inspect_question: for recall, the default) or as a document "
            "(inspect_text: names need more evidence)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file: give a JSONL file of labelled texts")
        try:
            records = load_jsonl(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if any("text" not in r for r in records):
            raise CommandError(f"{path}: every line needs a 'text' (and 'spans')")
        ner.set_enabled(False if options["ner"] == "off" else None)
        try:
            inspector = inspect_question if options["read_as"] == "question" else inspect_text
            report = evaluate_pii(records, inspector=inspector)
        finally:
            ner.set_enabled(None)
        report["ner"] = ner.is_active() and options["ner"] != "off"
        report["read_as"] = options["read_as"]
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{'label':18} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
        for label, s in report["per_label"].items():
            self.stdout.write(f"{label:18} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} {s['support']:8d}")
        m = report["micro"]
        self.stdout.write(f"{'micro':18} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:8d}")
        unmapped = ", ".join(f"{label} ({n})" for label, n in report["unmapped"].items()) or "none"
        self.stdout.write(f"unmapped labels: {unmapped}")
        self.stdout.write(
            f"{report['texts']} texts read as {report['read_as']}s, {report['texts_per_s']} texts/s, "
            f"NER {'on' if report['ner'] else 'off'}"
        )
