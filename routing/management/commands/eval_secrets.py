from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection import ner
from inspection.evaluation import evaluate_secrets_dir


class Command(BaseCommand):
    help = (
        "Measure secret detection line by line on a CredSweeper-style folder (samples/ and "
        "labels_text_files.jsonl): recall, precision, throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help="folder with samples/ and labels_text_files.jsonl")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--details", action="store_true", help="also list missed and extra lines, and recall per labelled rule"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder: give the CredSweeper sample folder")
        # Names and places do not change which lines hold a secret; the model would only cost time.
        ner.set_enabled(False)
        try:
            report = evaluate_secrets_dir(folder, details=options["details"])
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            ner.set_enabled(None)
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"line recall {report['recall']:.3f}  precision {report['precision']:.3f}  f1 {report['f1']:.3f}  "
            f"({report['true_positive_lines']}/{report['labelled_lines']} labelled lines, "
            f"{report['detected_lines']} reported)"
        )
        self.stdout.write(
            f"{report['files']} files, {report['lines']} lines, {report['texts_per_s']} files/s, "
            f"{report['lines_per_s']} lines/s"
        )
        if options["details"]:
            for key in ("false_negatives", "false_positives"):
                self.stdout.write(f"{key}: {' '.join(report[key])}")
