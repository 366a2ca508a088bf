from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

# "retrieval" searches the collection "ingestion" fills, so it runs the ingestion itself when that is left out.
SECTIONS = ("gate", "redaction", "ingestion", "retrieval", "e2e", "cost")


class Command(BaseCommand):
    help = (
        "Measure Sluice on this machine and print one JSON object: the gate's overhead, redaction against "
        "Presidio, ingestion against the raw model, retrieval at 100,000+ chunks and its quality per mode, "
        "50 users end to end through gunicorn, and the default policy's cost against cloud-only. Works in "
        "a throwaway database dropped at the end; with --write-docs, writes docs/benchmarks.md and its plots."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from benchmarks.scale import SIZES

        parser.add_argument("--json", action="store_true", help="print only the JSON object (the default output)")
        parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
        parser.add_argument("--requests", type=int, default=200, help="gate requests measured (after --warmup)")
        parser.add_argument("--warmup", type=int, default=20, help="gate requests before those measured, per figure")
        parser.add_argument("--chunks", type=int, default=100_000, help="chunks in the retrieval collection")
        parser.add_argument("--documents", type=int, default=300, help="real documents ingested (judged ones first)")
        parser.add_argument("--queries", type=int, default=200, help="queries for latency and quality")
        parser.add_argument("--users", type=int, default=50, help="simulated users end to end")
        parser.add_argument("--e2e-seconds", type=float, default=60.0, help="length of the end-to-end run")
        parser.add_argument(
            "--slow-stream-users",
            type=int,
            default=200,
            help="users of the end-to-end runs with each answer streamed over 10 s, on the ASGI workers and on "
            "gunicorn's threads (0: no such runs)",
        )
        parser.add_argument(
            "--remote-embedder-seconds",
            type=float,
            default=30.0,
            help="length of an end-to-end run of --users with EMBEDDING_BACKEND=remote (infinity-emb on loopback), "
            "for the web workers' memory without the model (0: no such run)",
        )
        parser.add_argument("--write-docs", type=Path, help="write this markdown page, its plots and the run's JSON")
        parser.add_argument("--report", type=Path, help="only write --write-docs again from this saved run's JSON")
        parser.add_argument(
            "--scale",
            action="store_true",
            help="only how retrieval's cost grows: one collection grown through --scale-sizes, measured at each "
            "size (with --write-docs: kept as <page stem>/scale.json, and the page written again)",
        )
        parser.add_argument(
            "--scale-sizes",
            default=",".join(str(n) for n in SIZES),
            help="comma-separated chunk counts, increasing, for --scale",
        )
        parser.add_argument(
            "--in-place",
            action="store_true",
            help="measure gate and redaction in the current database, rolled back (for tests); no throwaway database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"]:
            self._write(json.loads(options["report"].read_text()), options["write_docs"])
            return
        if options["scale"]:
            self._scale(options)
            return
        only = [s.strip() for s in options["only"].split(",") if s.strip()]
        unknown = sorted(set(only) - set(SECTIONS))
        if unknown:
            raise CommandError(f"unknown sections {unknown}: choose from {', '.join(SECTIONS)}")
        if options["in_place"] and set(only) - {"gate", "redaction"}:
            raise CommandError("--in-place measures only gate and redaction; the others need the throwaway database")
        started = time.perf_counter()
        result: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": _command(),
        }
        if options["in_place"]:
            self._measure(result, only, options, database_name=None)
        else:
            from benchmarks.database import throwaway_database

            with throwaway_database() as name:
                self._measure(result, only, options, database_name=name)
        result["duration_s"] = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps(result))
        if options["write_docs"]:
            self._write(result, options["write_docs"])

    def _measure(
        self, result: dict[str, Any], only: list[str], options: dict[str, Any], database_name: str | None
    ) -> None:
        result["machine"] = machine()
        timings: dict[str, float] = {}

        def timed(section: str, run: Callable[[], None]) -> None:
            if section in only:
                self.stderr.write(f"bench: {section}...")
                begun = time.perf_counter()
                run()
                timings[section] = round(time.perf_counter() - begun, 1)
                self.stderr.write(f"bench: {section} took {timings[section]} s")

        timed("gate", lambda: _gate(result, options))
        timed("redaction", lambda: _redaction(result))
        timed("ingestion", lambda: _ingestion(result, options))
        timed("retrieval", lambda: _retrieval(result, options))
        if database_name and ({"e2e", "cost"} & set(only)):
            call_command("setup_demo", stdout=StringIO())
        timed("e2e", lambda: _e2e(result, options, database_name))
        timed("cost", lambda: _cost(result))
        result["section_seconds"] = timings

    def _scale(self, options: dict[str, Any]) -> None:
        from benchmarks.database import throwaway_database
        from benchmarks.report import SCALE_RUN, write_beside
        from benchmarks.scale import scale_benchmark

        given = [n.strip() for n in options["scale_sizes"].split(",") if n.strip()]
        sizes = [int(n) for n in given if n.isdigit()]
        if not sizes or len(sizes) < len(given) or sizes[0] <= 0 or sorted(set(sizes)) != sizes:
            raise CommandError(
                f"--scale-sizes takes increasing chunk counts such as 10000,30000: {options['scale_sizes']}"
            )
        started = time.perf_counter()
        result: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "command": _command()}
        with throwaway_database():
            result["machine"] = machine()
            result |= scale_benchmark(
                sizes=sizes, documents=options["documents"], queries=options["queries"], progress=self.stderr.write
            )
        result["duration_s"] = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps(result))
        if options["write_docs"]:
            for path in write_beside(result, SCALE_RUN, options["write_docs"]):
                self.stderr.write(f"wrote {path}")

    def _write(self, result: dict[str, Any], page: Path | None) -> None:
        if page is None:
            raise CommandError("--report needs --write-docs PAGE")
        from benchmarks.report import write_report

        for path in write_report(result, page):
            self.stderr.write(f"wrote {path}")


def _command() -> str:
    return "manage.py bench " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["bench"] else "manage.py bench"


def _gate(result: dict[str, Any], options: dict[str, Any]) -> None:
    from benchmarks.gate import gate_overhead, gate_steps
    from benchmarks.gateway import gateway_overhead
    from inspection import ner

    counts = {"requests": max(2, options["requests"]), "warmup": max(0, options["warmup"])}
    result["gate_overhead_ms"] = gate_overhead(**counts).as_json(samples=True)
    result["gate_steps_ms"] = gate_steps(**counts)
    result["gateway_overhead_ms"] = gateway_overhead(**counts).as_json(samples=True)
    result["gateway_follow_up_ms"] = gateway_overhead(**counts, follow_up=True).as_json()
    ner.set_enabled(False)
    try:
        result["gateway_without_name_model_ms"] = gateway_overhead(**counts).as_json()
    finally:
        ner.set_enabled(None)


def _redaction(result: dict[str, Any]) -> None:
    from benchmarks.redaction import redaction_benchmark

    result["redaction"] = redaction_benchmark()


def _ingestion(result: dict[str, Any], options: dict[str, Any]) -> None:
    from benchmarks import retrieval
    from benchmarks.corpus import load_sources

    sources = load_sources(documents=options["documents"], queries=options["queries"])
    result["sources"] = sources.name
    result["retrieval"] = {"ingest": retrieval.ingestion(sources)}


def _retrieval(result: dict[str, Any], options: dict[str, Any]) -> None:
    from benchmarks import retrieval
    from benchmarks.corpus import load_sources

    if "ingest" not in result.get("retrieval", {}):
        _ingestion(result, options)  # the documents the collection grows from
    ingest = result["retrieval"]["ingest"]
    sources = load_sources(documents=options["documents"], queries=options["queries"])
    collection = retrieval.grow_collection(sources, total_chunks=options["chunks"])
    reader = retrieval.bench_reader()
    result["retrieval"] = {
        "ingest": ingest,
        "collection": collection.as_json(),
        "latency": retrieval.latency(reader, list(sources.queries.values())),
        "quality": retrieval.quality(reader, sources),
    }
    if sources.qrels:
        from benchmarks.candidates import candidates_sweep

        result["retrieval"]["candidates"] = candidates_sweep(reader, sources, retrieval.COLLECTION)


SLOW_STREAM_MS = 10_000.0


def _e2e(result: dict[str, Any], options: dict[str, Any], database_name: str | None) -> None:
    from benchmarks.e2e import SERVERS, e2e_benchmark

    assert database_name is not None
    retrieval_p95 = result.get("retrieval", {}).get("latency", {}).get("hybrid", {}).get("p95")
    # People read a streamed answer with its citations before asking again: 5-15 s between questions
    # is a heavy interactive load (about 5 questions a second from 50 users); 15 s of the run then has
    # the cloud failing, to show the gate degrading under load.
    users = {"users": options["users"], "think_s": (5.0, 15.0), "retrieval_p95_ms": retrieval_p95}
    e2e = e2e_benchmark(database_name, duration_s=options["e2e_seconds"], fault_duration_s=15, **users)
    result["e2e"] = e2e
    result["rss_mb"] = e2e.get("rss_mb", {}).get("max")
    if options["remote_embedder_seconds"] > 0:
        e2e["remote_embedder"] = _remote_embedder_e2e(database_name, options["remote_embedder_seconds"], users)
    if options["slow_stream_users"] > 0:
        # The same run on gunicorn's threads as served before, on the same machine, to compare.
        e2e["on_threads"] = e2e_benchmark(database_name, server="threads", duration_s=options["e2e_seconds"], **users)
        # Issue 11 §1: answers as slow as a model writes them (10 s each), many users at once, the same
        # think times; served as `manage.py serve` does, then as it did before (gunicorn's threads) to compare.
        slow = {
            "users": options["slow_stream_users"],
            "duration_s": 60.0,
            "think_s": (5.0, 15.0),
            "cloud_ms": SLOW_STREAM_MS,
            "request_timeout_s": 60.0,
            "retrieval_p95_ms": retrieval_p95,
        }
        e2e["slow_streams"] = {server: e2e_benchmark(database_name, server=server, **slow) for server in SERVERS}


def _remote_embedder_e2e(database_name: str, duration_s: float, users: dict[str, Any]) -> dict[str, Any]:
    """Issue 11 §3: the same users with the embedding model out of the web workers, in infinity-emb on
    loopback (as text-embeddings-inference or vLLM would serve it on a cluster's GPU nodes): the workers'
    memory, the service's, and what a question pays for the extra hop."""
    from django.conf import settings

    from benchmarks.e2e import e2e_benchmark, resident_mb
    from operations.embedding_service import EmbeddingService

    service = EmbeddingService(settings.DATA_DIR).start()
    try:
        run = e2e_benchmark(database_name, duration_s=duration_s, environment=service.settings(), **users)
        assert service.process is not None
        run["service_rss_mb"] = resident_mb(service.process.pid)
    finally:
        service.stop()
    return run


def _cost(result: dict[str, Any]) -> None:
    from benchmarks.cost import policy_cost_comparison

    result["policy_cost"] = policy_cost_comparison()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    import torch
    from django.conf import settings

    from retrieval.embedders import resolve_backend

    cores = os.cpu_count()
    backend = resolve_backend(settings.EMBEDDING_BACKEND, device=settings.EMBEDDING_DEVICE)
    memory = f"{memory_kb / 1024 / 1024:.0f} GiB" if memory_kb else "? GiB"
    return {
        "cpu": cpu,
        "cores": cores,
        "memory": memory,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "postgresql": postgres,
        "pgvector": row[0] if row else None,
        "embedding_backend": backend,
        "shared_buffers": shared_buffers,
        "description": f"{cores} cores of {cpu}, {memory}, Python {platform.python_version()}, "
        f"torch {torch.__version__}, embedding backend {backend}, PostgreSQL {postgres}"
        + (f" + pgvector {row[0]}" if row else "")
        + f" (shared_buffers {shared_buffers})",
    }
