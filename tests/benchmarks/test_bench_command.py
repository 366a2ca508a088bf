"""`manage.py bench`: one JSON object of figures, nothing written, and the page written from it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from benchmarks.gate import two_kb_question
from benchmarks.report import render, write_report
from inspection import inspect_text
from routing.models import AuditEvent


def test_bench_prints_its_figures_and_leaves_no_trace(db):
    out = StringIO()

    call_command("bench", "--in-place", "--only", "gate", "--requests", "3", "--warmup", "1", stdout=out)

    result = json.loads(out.getvalue())
    overhead = result["gate_overhead_ms"]
    assert overhead["n"] == 3 == len(overhead["samples"]) and 0 < overhead["median"] <= overhead["p95"]
    assert result["machine"]["cores"] >= 1 and result["section_seconds"]["gate"] > 0
    assert not AuditEvent.objects.exists() and not User.objects.filter(username__startswith="bench-gate").exists()
    steps = result["gate_steps_ms"]
    assert set(steps) == {
        "inspect_question", "name_model", "policy_read", "audit_row", "short_question", "without_name_model"
    }  # fmt: skip
    assert all(0 < step["median"] <= step["p95"] for step in steps.values())
    for figure in ("gateway_overhead_ms", "gateway_follow_up_ms", "gateway_without_name_model_ms"):
        gateway = result[figure]
        assert gateway["n"] == 3 and 0 < gateway["median"] <= gateway["p95"], figure
    assert not User.objects.filter(username="bench-gateway").exists()


def test_sections_that_need_the_throwaway_database_are_refused_in_place(db):
    with pytest.raises(CommandError, match="throwaway"):
        call_command("bench", "--in-place", "--only", "gate,retrieval", stdout=StringIO())
    with pytest.raises(CommandError, match="unknown sections"):
        call_command("bench", "--only", "gate,speed", stdout=StringIO())


def test_the_benchmark_question_is_2_kb_with_a_typical_mix_of_findings():
    question = two_kb_question()

    kinds = {f.kind for f in inspect_text(question)}

    assert len(question) == 2048
    assert {"email", "phone", "payment_card", "iban", "ip_address", "person"} <= kinds


RUN = {
    "date": "2026-11-28T10:00:00+00:00",
    "command": "manage.py bench",
    "duration_s": 600.0,
    "machine": {"description": "2 cores of a test CPU"},
    "sources": "a test set",
    "gate_overhead_ms": {"median": 3.0, "p95": 4.0, "n": 3, "samples": [3.0, 3.0, 4.0]},
    "retrieval": {
        "ingest": {"documents": 3, "chunks": 6, "embed_chunks_per_s": 10.0, "ingest_chunks_per_s": 8.0, "ratio": 0.8},
        "collection": {"chunks": 100_000, "documents": 10_000, "load_s": 1.0, "index_s": 2.0},
        "latency": {
            mode: {"median": 20.0, "p95": 45.0, "n": 2, "samples": [20.0, 45.0]}
            for mode in ("hybrid", "vector", "keyword")
        }
        | {"keyword_list": {"pruned_ms": {"median": 9, "p95": 12}, "exact_ms": {"median": 50, "p95": 80}}},
        "quality": {"modes": {"hybrid": {"ndcg@10": 0.7, "recall@100": 0.9, "mrr@10": 0.6}}, "queries": 2},
    },
    "policy_cost": {
        "policies": {
            "default": {"cost_per_1k_usd": 0.3, "zones": {"cloud": 0.4, "onprem": 0.6}, "violations": 0},
            "cloud_only": {"cost_per_1k_usd": 1.0, "zones": {"cloud": 1.0}, "violations": 0},
        },
        "ratio": 0.3,
    },
}


def test_the_page_says_which_targets_are_met_and_which_are_not():
    page = render(RUN, plot_names={})

    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ")}
    assert "| yes |" in rows["Gate overhead per request"]
    assert "**no**" in rows["Hybrid top-10 search"]  # p95 45 ms against 40
    assert "**no**" in rows["Ingestion vs the raw model"]  # 80 % against 90 %
    assert "| yes |" in rows["Default policy cost vs cloud-only"]
    assert "2026-11-28" in page and "2 cores of a test CPU" in page


def test_the_page_and_its_plots_are_written_from_the_run(tmp_path):
    written = write_report(RUN, tmp_path / "benchmarks.md")

    names = {path.name for path in written}
    assert {"benchmarks.md", "bench.json", "latency.png", "quality.png", "cost.png"} <= names
    assert json.loads((tmp_path / "benchmarks" / "bench.json").read_text()) == RUN
    assert "](benchmarks/latency.png)" in (tmp_path / "benchmarks.md").read_text()
    assert (tmp_path / "benchmarks" / "cost.png").read_bytes()[:4] == b"\x89PNG"


def test_a_missed_gate_target_is_explained_from_the_steps_measured():
    steps = {
        name: {"median": m, "p95": m * 1.2}
        for name, m in {
            "inspect_question": 9.0, "name_model": 7.5, "policy_read": 0.1, "audit_row": 0.4,
            "without_name_model": 3.0, "short_question": 4.0,
        }.items()
    }  # fmt: skip
    run = RUN | {"gate_overhead_ms": {"median": 10.0, "p95": 12.0, "n": 3, "samples": [10.0, 10.0, 12.0]}}

    page = render(run | {"gate_steps_ms": steps}, plot_names={})

    assert "most of it is the name model reading the question (7.5 ms" in page
    assert "Without it the gate takes 3.0 ms (p95 3.6 ms)" in page
    assert "| … of which the name model | 7.5 ms | 9.0 ms |" in page
    assert "this run has no breakdown per step" in render(run, plot_names={})


def test_the_candidates_table_names_the_fewest_that_keep_quality():
    sweep = {
        "current": 200,
        "counts": {
            "200": {"ndcg@10": 0.736, "recall@100": 0.90, "hybrid_ms": {"median": 30.0, "p95": 40.0}},
            "100": {"ndcg@10": 0.718, "recall@100": 0.89, "hybrid_ms": {"median": 25.0, "p95": 33.0}},
            "50": {"ndcg@10": 0.70, "recall@100": 0.88, "hybrid_ms": {"median": 24.0, "p95": 32.0}},
        },
    }
    run = RUN | {"retrieval": RUN["retrieval"] | {"candidates": sweep}}

    page = render(run, plot_names={})

    assert "| 100 | 0.718 | 0.89 | 25.0 ms | 33.0 ms |" in page
    assert "The fewest candidates within 0.005 nDCG@10 of the best: 200." in page


def test_a_missed_search_target_names_the_lists_read_side_by_side_and_the_candidates_measured():
    sweep = {
        "current": 200,
        "counts": {
            "200": {"ndcg@10": 0.736, "recall@100": 0.90, "hybrid_ms": {"median": 30.0, "p95": 45.0}},
            "100": {"ndcg@10": 0.718, "recall@100": 0.89, "hybrid_ms": {"median": 25.0, "p95": 38.0}},
        },
    }
    latency = RUN["retrieval"]["latency"] | {
        "query_embedding_ms": {"median": 6.0, "p95": 8.0},
        "vector_list_ms": {"median": 10.0, "p95": 14.0},
    }
    run = RUN | {
        "machine": {"description": "2 cores of a test CPU", "shared_buffers": "4GB", "embedding_backend": "onnx"},
        "retrieval": RUN["retrieval"] | {"latency": latency, "candidates": sweep},
    }

    page = render(run, plot_names={})

    assert "**Hybrid search** (p95 45.0 ms at 100,000 chunks): the keyword list (pruned: 9" in page
    assert "With 100 candidates instead of 200 the hybrid p95 is 38.0 ms but nDCG@10 0.718 against 0.736" in page
    assert "shared_buffers is 4GB" in page


def test_the_page_gives_both_ingestion_paths_against_the_raw_model():
    ingest = RUN["retrieval"]["ingest"] | {
        "ratio": 0.92,
        "ingest_chunks_per_s": 9.2,
        "upload_worker": {"documents": 2, "chunks_per_s": 8.5, "ratio": 0.85},
    }
    run = RUN | {"retrieval": RUN["retrieval"] | {"ingest": ingest}}

    page = render(run, plot_names={})

    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ")}
    command, worker = rows["Ingestion vs the raw model"], rows["Uploads (the worker) vs the raw model"]
    assert "92% (9.2 vs 10.0 chunks/s)" in command and "| yes |" in command
    assert "85% (8.5 vs 10.0 chunks/s)" in worker and "**no**" in worker
    assert "| 8.5 | 85% |" in rows["upload worker (run_ingestion_job over queued jobs), first 2 files"]
    assert "92% of the model's rate through the `ingest` command, 85% through the upload worker" in page


def test_the_page_sets_the_remote_embedders_run_beside_the_in_process_one():
    def run(rss: float, p95: float) -> dict:
        return {
            "users": 50, "duration_s": 30.0, "requests": 120, "errors": 0, "rss_mb": {"max": rss},
            "latency_ms": {"median": p95 / 2, "p95": p95}, "retrieval_ms": {"median": 20.0, "p95": 30.0},
            "cpu_s": {"workers_ms_per_request": 90.0},
        }  # fmt: skip

    e2e = run(1215.0, 476.0) | {"first_token_ms": {"median": 300.0, "p95": 400.0}, "target_p95_ms": 300.0}
    e2e["remote_embedder"] = run(640.0, 510.0) | {"service_rss_mb": 700.5}

    page = render(RUN | {"e2e": e2e, "rss_mb": 1215.0}, plot_names={})

    assert "### Embeddings as a service (issue 11 §3)" in page
    assert "| web worker RSS, largest | 1215.0 MB | 640.0 MB |" in page
    assert "| embedding service RSS | – | 700.5 MB |" in page
    assert "| latency median / p95 | 238.0 ms / 476.0 ms | 255.0 ms / 510.0 ms |" in page
    assert "Embeddings as a service" not in render(
        RUN | {"e2e": {k: v for k, v in e2e.items() if k != "remote_embedder"}}, plot_names={}
    )


def test_a_missed_e2e_target_is_explained_with_the_cpu_per_request_and_what_the_fallbacks_fell_back_from():
    e2e = {
        "users": 50, "duration_s": 60.0, "requests": 275, "errors": 0, "fallbacks": 110,
        "failed_calls": {"egress_blocked": 110}, "latency_ms": {"median": 280.0, "p95": 476.0},
        "retrieval_ms": {"median": 27.6, "p95": 59.3}, "cloud_call_ms": {"median": 216.7, "p95": 238.0},
        "cpu_s": {"workers_ms_per_request": 166.0}, "target_p95_ms": 291.3,
    }  # fmt: skip
    retrieval = RUN["retrieval"] | {
        "latency": RUN["retrieval"]["latency"] | {"query_embedding_ms": {"median": 6.1, "p95": 7.0}}
    }

    page = render(RUN | {"e2e": e2e, "retrieval": retrieval}, plot_names={})

    assert "166.0 ms of CPU, of which embedding the query is about 6.1 ms" in page
    assert "110 answers fell back on-prem, after egress_blocked 110." in page
    assert "are fallbacks (110 here, after egress_blocked 110)" in page
    clean = render(RUN | {"e2e": e2e | {"fallbacks": 0, "failed_calls": {}}}, plot_names={})
    assert "answers fell back on-prem" not in clean and "are fallbacks (0 here)" in clean


def test_the_memory_of_a_worker_names_the_libraries_it_holds_and_those_it_does_not_use():
    e2e = {"users": 50, "requests": 10, "errors": 0, "latency_ms": {"median": 200.0, "p95": 250.0}}
    lean = render(RUN | {"e2e": e2e | {"worker_libraries": ["onnxruntime", "spacy"]}, "rss_mb": 450.0}, plot_names={})
    heavy = RUN | {"e2e": e2e | {"worker_libraries": ["onnxruntime", "scipy", "spacy", "torch"]}, "rss_mb": 1215.0}

    assert "450.0 MB (largest worker). Its native libraries: onnxruntime, spacy. Until issue 15" in lean
    assert "torch and scipy unused, there for spaCy." in render(heavy, plot_names={})
    on_torch = heavy | {"machine": RUN["machine"] | {"embedding_backend": "torch"}}
    assert "; scipy unused, there for spaCy." in render(on_torch, plot_names={})


def test_a_missed_ingestion_target_is_explained_from_the_cpu_each_stage_took():
    cpu = {
        "chunks": 515,
        "ms_per_chunk": {
            "parse_and_chunk": 0.2, "detectors": 0.9, "name_model": 7.9, "injection_cues": 2.0, "model": 40.0,
        },
        "process_ms_per_chunk": 55.0,
        "database_ms_per_chunk": 5.0,
    }  # fmt: skip
    ingest = RUN["retrieval"]["ingest"] | {
        "ratio": 0.66,
        "ingest_chunks_per_s": 6.6,
        "upload_worker": {"documents": 2, "chunks_per_s": 6.5, "ratio": 0.65},
        "cpu": cpu,
    }
    run = RUN | {"retrieval": RUN["retrieval"] | {"ingest": ingest}}

    page = render(run, plot_names={})

    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ")}
    assert "| 7.9 |" in rows["reading: the name model"]
    assert "| 5.0 |" in rows["the whole `ingest` run: the database server"]
    note = next(line for line in page.splitlines() if line.startswith("- **Ingestion**"))
    # 60 ms a chunk in all, two thirds of it the model's; reading 11 ms; storing the 9 ms left; 90 % leaves 4.4.
    assert "60.0 ms a chunk (55.0 in this process, 5.0 in the database server), 67% of it the model's" in note
    assert "Reading takes 11.0 ms a chunk, of which the name model 7.9" in note
    assert "about 9.0" in note and "leaves the rest 4.4 ms a chunk" in note
