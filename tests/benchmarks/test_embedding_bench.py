"""bench_embedding's figures and the page section that checks issue 15's adoption rule against them."""

from __future__ import annotations

import copy
import json

import numpy as np

from benchmarks.embedding import agreement
from benchmarks.embedding_report import adoption, render_embedding
from benchmarks.management.commands.bench_embedding import merge_speed_run
from benchmarks.report import EMBEDDING_RUN, write_report
from tests.benchmarks.test_bench_command import RUN


def _ndcg(torch: float, onnx: float, int8: float) -> dict[str, dict[str, float]]:
    both = {"torch": torch, "onnx": onnx, "onnx-int8": int8}
    names = {**both, "onnx queries, torch passages": onnx, "onnx-int8 queries, torch passages": int8}
    return {name: {"vector": value, "hybrid": value} for name, value in names.items()}


def _agreement(low: float) -> dict[str, dict[str, float]]:
    figures = {"n": 10, "min": low, "p1": low, "median": 0.995, "share_at_least_0.99": 0.9}
    return {"passages": figures, "queries": figures}


EMBEDDING = {
    "date": "2026-12-05T07:00:00+00:00",
    "command": "manage.py bench_embedding",
    "duration_s": 100.0,
    "machine": {"description": "2 cores of a test CPU"},
    "paths": ["torch", "onnx", "onnx-int8"],
    "speed_paths": ["torch", "onnx-plain", "onnx", "onnx-int8"],
    "sets": {
        "scifact": {"documents": 5, "passages": 8, "queries": 3, "ndcg@10": _ndcg(0.72, 0.72, 0.718)},
        "18f": {"documents": 4, "passages": 6, "queries": 2, "ndcg@10": _ndcg(0.60, 0.60, 0.59)},
    },
    "agreement": {"onnx": _agreement(1.0), "onnx-int8": _agreement(0.975)},
    "texts": {"passages": 14, "queries": 5},
    "query_latency_ms": {
        p: {"median": m, "p95": m * 2, "n": 3}
        for p, m in (("torch", 12.0), ("onnx-plain", 9.0), ("onnx", 4.0), ("onnx-int8", 3.0))
    },  # fmt: skip
    "batch32": {
        p: {"passages_per_s": 10.0, "batch_ms_median": 3200.0, "batches": 2}
        for p in ("torch", "onnx-plain", "onnx", "onnx-int8")
    },
    "corpus_passages_per_s": {"torch": 9.0, "onnx": 20.0, "onnx-int8": 30.0},
    "worker_memory": {p: {"rss_mb": 700.0, "peak_rss_mb": 900.0} for p in ("torch", "onnx", "onnx-int8")},
}


def test_a_path_is_adopted_only_when_quality_every_texts_cosine_and_speed_all_hold():
    onnx, int8 = adoption(EMBEDDING, "onnx"), adoption(EMBEDDING, "onnx-int8")

    assert onnx["adopt"] and onnx["speedup"] == 3.0
    # int8 loses 0.01 on 18F and one text falls to 0.975: two reasons, each enough.
    assert not int8["adopt"] and not int8["ndcg_ok"] and not int8["cosine_ok"] and int8["faster"]


def test_a_loss_against_the_stored_torch_passages_alone_is_enough_to_refuse():
    run = copy.deepcopy(EMBEDDING)
    run["sets"]["scifact"]["ndcg@10"]["onnx queries, torch passages"]["hybrid"] = 0.714

    assert adoption(run, "onnx")["worst_ndcg_loss"] == 0.006 and not adoption(run, "onnx")["adopt"]


def test_agreement_reports_the_low_end_of_the_per_text_cosine():
    reference = np.eye(4, dtype=np.float32)
    vectors = reference.copy()
    vectors[3] = [0.0, 0.0, 0.6, 0.8]

    figures = agreement(vectors, reference)

    assert figures["min"] == 0.8 and figures["median"] == 1.0 and figures["share_at_least_0.99"] == 0.75


def test_the_page_shows_the_embedding_run_kept_beside_the_bench_run(tmp_path):
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / EMBEDDING_RUN).write_text(json.dumps(EMBEDDING))

    write_report(RUN, tmp_path / "benchmarks.md")
    page = (tmp_path / "benchmarks.md").read_text()

    assert "## The embedding model: torch or ONNX on the CPU" in page
    assert "| onnx | +0.0000 (yes) | 1.0000 (yes) | 3.0× (yes) | **adopted** |" in page
    assert "| onnx-int8 | +0.0100 (**no**) | 0.9750 (**no**) | 4.0× (yes) | not adopted |" in page


def test_a_speed_only_run_replaces_the_speed_figures_and_says_when_it_ran():
    speed = {
        "date": "2026-12-06T07:00:00+00:00",
        "command": "manage.py bench_embedding --speed-only",
        "machine": {"description": "2 cores of another test CPU"},
        "duration_s": 10.0,
        "query_latency_ms": {p: {"median": 1.0, "p95": 2.0, "n": 3} for p in EMBEDDING["speed_paths"]},
        "batch32": EMBEDDING["batch32"],
        "worker_memory": EMBEDDING["worker_memory"],
    }

    merged = merge_speed_run(EMBEDDING, speed)
    page = render_embedding(merged)

    assert merged["sets"] == EMBEDDING["sets"] and merged["query_latency_ms"]["torch"]["median"] == 1.0
    assert "corpus_passages_per_s" not in merged
    assert "2026-12-06T07:00:00+00:00, `manage.py bench_embedding --speed-only`" in page
    assert "2 cores of another test CPU" in page
