from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

SETS = ("scifact", "18f", "demo", "entity13", "entity14")


class Command(BaseCommand):
    help = (
        "Measure the embedding paths side by side in one run (torch fp32, ONNX fp32, ONNX int8): per-text "
        "cosine against torch, nDCG@10 on each evaluation set, query latency, batch throughput and a web "
        "worker's memory. Works in a throwaway database; about 40 minutes on 2 cores with SciFact. "
        "With --write-docs, writes the run beside docs/benchmarks.md and that page again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from benchmarks.embedding import SHARED_EVAL

        parser.add_argument("--shared", type=Path, default=SHARED_EVAL, help="the evaluation data folder")
        parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {SETS}")
        parser.add_argument("--rounds", type=int, default=300, help="single queries timed per path")
        parser.add_argument("--batches", type=int, default=8, help="batches of 32 passages timed per path")
        parser.add_argument(
            "--write-docs", type=Path, help="this page (docs/benchmarks.md) and <its stem>/embedding.json"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from benchmarks.database import throwaway_database
        from benchmarks.embedding import embedding_benchmark
        from benchmarks.management.commands.bench import machine

        names = [s.strip() for s in options["sets"].split(",") if s.strip()]
        unknown = sorted(set(names) - set(SETS))
        if unknown:
            raise CommandError(f"unknown sets {unknown}: choose from {', '.join(SETS)}")
        started = time.perf_counter()
        result: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "manage.py bench_embedding " + " ".join(sys.argv[2:]),
        }
        with throwaway_database():
            result["machine"] = machine() | {"onnxruntime": version("onnxruntime")}
            try:
                result |= embedding_benchmark(
                    shared=options["shared"], set_names=names, rounds=options["rounds"], batches=options["batches"]
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
        result["duration_s"] = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps(result))
        page = options["write_docs"]
        if page:
            from benchmarks.report import EMBEDDING_RUN, write_report

            run = page.parent / page.stem / EMBEDDING_RUN
            run.parent.mkdir(parents=True, exist_ok=True)
            run.write_text(json.dumps(result, indent=1) + "\n")
            bench = json.loads((page.parent / page.stem / "bench.json").read_text())
            for path in write_report(bench, page):
                self.stderr.write(f"wrote {path}")
