from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retrieval.evaluation import BeirError, evaluate
from retrieval.stopping import STOPPED_EXIT_CODE, Stopped, stops_cleanly

MODES = ["hybrid", "vector", "keyword"]


class Command(BaseCommand):
    help = (
        "Measure retrieval on a BEIR data set (corpus.jsonl, queries.jsonl, qrels/test.tsv) in a throwaway "
        "collection that users never see and that is removed afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("beir_dir", help="folder of a BEIR data set")
        parser.add_argument("--mode", choices=[*MODES, "all"], default="hybrid", help="ranking to measure")
        parser.add_argument("--k", type=int, default=10, help="cut-off of the main ranking (default 10)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument("--dump-lists", type=Path, help="write each query's raw vector and keyword lists here")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["beir_dir"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder: give the path of a BEIR data set")
        modes = MODES if options["mode"] == "all" else [options["mode"]]
        try:
            with stops_cleanly():
                report = evaluate(folder, modes=modes, k=options["k"], dump_lists=options["dump_lists"])
        except BeirError as exc:
            raise CommandError(str(exc)) from None
        except Stopped:
            raise CommandError(
                "stopped by SIGTERM before the end: no figures; the throwaway collection was removed. "
                "Run it again to measure.",
                returncode=STOPPED_EXIT_CODE,
            ) from None
        output = report if options["mode"] == "all" else report[options["mode"]]
        if options["json"]:
            self.stdout.write(json.dumps(output))
            return
        for mode, figures in report.items():
            self.stdout.write(f"{mode:8} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
