from __future__ import annotations

import json
import platform
import resource
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from benchmarks.gate import gate_overhead, inspector_throughput, two_kb_question


class Command(BaseCommand):
    help = (
        "Measure Sluice on this machine and print one JSON object. So far: the gate's overhead per "
        "request and the inspector's throughput (issue 5 adds retrieval at 100k chunks, ingestion, "
        "end-to-end load and the baselines). Writes nothing: the gate's audit rows are rolled back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=200, help="gate requests measured (after 20 warm-up)")
        parser.add_argument("--json", action="store_true", help="print only the JSON object (the default output)")

    def handle(self, *args: Any, **options: Any) -> None:
        overhead = gate_overhead(requests=max(2, options["requests"]))
        result = {
            "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "gate_overhead_ms": overhead.as_json(),
            "redaction_texts_per_s": {"sluice": inspector_throughput([two_kb_question()])},
            # Peak resident memory of this process (Linux reports KiB): the embedding model is not loaded here.
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(json.dumps(result))
