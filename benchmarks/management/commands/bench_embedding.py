from __future__ import annotations

import json
import os
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
        "worker's memory. Works in a throwaway database; about 45 minutes on 2 cores with SciFact. "
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
        parser.add_argument(
            "--speed-only",
            action="store_true",
            help="only query latency, batch throughput and memory, on the first set; with --write-docs they "
            "replace those of the saved run (after a change to how the sessions run, not to the vectors)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from benchmarks.database import throwaway_database
        from benchmarks.embedding import embedding_benchmark, speed_benchmark
        from benchmarks.management.commands.bench import machine

        names = [s.strip() for s in options["sets"].split(",") if s.strip()]
        unknown = sorted(set(names) - set(SETS))
        if unknown or not names:
            raise CommandError(f"unknown sets {unknown}: choose from {', '.join(SETS)}")
        started = time.perf_counter()
        result: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "manage.py bench_embedding " + " ".join(sys.argv[2:]),
        }
        measure = {"shared": options["shared"], "rounds": options["rounds"], "batches": options["batches"]}
        with throwaway_database():
            result["machine"] = machine() | {"onnxruntime": version("onnxruntime")}
            try:
                if options["speed_only"]:
                    result |= speed_benchmark(set_name=names[0], **measure)
                else:
                    result |= embedding_benchmark(set_names=names, **measure)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
        result["duration_s"] = round(time.perf_counter() - started, 1)
        # What else ran meanwhile slows every path alike (interleaved), but says how noisy the figures are.
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        self.stdout.write(json.dumps(result))
        page = options["write_docs"]
        if page:
            from benchmarks.report import EMBEDDING_RUN, write_beside

            if options["speed_only"]:
                result = merge_speed_run(json.loads((page.parent / page.stem / EMBEDDING_RUN).read_text()), result)
            for path in write_beside(result, EMBEDDING_RUN, page):
                self.stderr.write(f"wrote {path}")


def merge_speed_run(saved: dict[str, Any], speed: dict[str, Any]) -> dict[str, Any]:
    """The saved run with its speed and memory figures replaced by a --speed-only run's, which is recorded
    beside them; the saved run's whole-set throughput is dropped (measured under the old settings)."""
    from benchmarks.embedding import SPEED_KEYS

    merged = {k: v for k, v in saved.items() if k != "corpus_passages_per_s"} | {k: speed[k] for k in SPEED_KEYS}
    merged["speed_run"] = {k: speed[k] for k in ("date", "command", "machine", "duration_s")}
    return merged
