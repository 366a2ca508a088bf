from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection.evaluation import evaluate_injection, load_labelled_texts
from inspection.injection import DEFAULT_THRESHOLD, injection_score
from inspection.injection_texts import deepset_split
from retrieval.embedders import get_embedder
from retrieval.injection import classifier_applies


class Command(BaseCommand):
    help = (
        "Measure the injected-instruction detector on labelled texts (one {text, label} a line, label 1 when the "
        "text holds an injected instruction): precision, recall, F1, false-positive rate, AUC and throughput. "
        "Each text is embedded for the classifier, as a text without a vector is (passages reuse theirs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL file of labelled texts")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"score at which a text is flagged (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--split",
            choices=("tuning", "held-out", "all"),
            default="all",
            help="measure only the tuning or the held-out half of the texts, halved by a fixed hash of each text "
            "as docs/inspection.md halves deepset's prompts (injection_texts.deepset_split); default all",
        )

        parser.add_argument(
            "--cues-only",
            action="store_true",
            help="score with the cues alone, without the classifier (the detector before it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file: give a JSONL file of {{text, label}} lines")
        try:
            records = load_labelled_texts(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["split"] != "all":
            half = options["split"].replace("-", "_")
            records = [r for r in records if deepset_split(r["text"]) == half]
            if not records:
                raise CommandError(
                    f"no text of {path} falls in the {options['split']} half; measure it with --split all"
                )
        score = injection_score
        if not options["cues_only"] and classifier_applies():
            embed = get_embedder().embed

            def score(text: str) -> float:
                return injection_score(text, embed(text))

        report = evaluate_injection(records, score=score, threshold=options["threshold"])
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['n']} texts at threshold {report['threshold']}: precision {report['precision']:.3f}, "
            f"recall {report['recall']:.3f}, F1 {report['f1']:.3f}, false positives {report['fpr']:.3f}, "
            f"AUC {report['auc']:.3f}, {report['texts_per_s']} texts/s"
        )
