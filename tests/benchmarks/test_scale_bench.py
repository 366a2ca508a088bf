"""`manage.py bench --scale`: one collection grown through several sizes, its growth exponents, and the
page's section written from them."""

from __future__ import annotations

import json
import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.corpus import SCIFACT
from benchmarks.report import SCALE_RUN, render, write_report
from benchmarks.scale import SERIES, growth_exponent
from benchmarks.scale_report import crossing, hybrid_from_parts, projected, render_scale
from tests.benchmarks.test_bench_command import RUN

SCIFACT_PRESENT = (SCIFACT / "corpus.jsonl").exists()  # ../shared/eval, beside the project, not in it


def test_the_growth_exponent_is_the_slope_in_log_log():
    sizes = [10_000, 30_000, 100_000, 300_000]

    assert growth_exponent(sizes, [3 * n**0.5 for n in sizes]) == 0.5
    assert growth_exponent(sizes, [7.0] * 4) == 0.0
    assert growth_exponent(sizes, [0.002 * n for n in sizes]) == 1.0
    # A figure missing or zero at a size leaves that size out; one size alone fits nothing.
    assert growth_exponent(sizes, [None, 0.0, 10.0, 30.0]) == round(math.log(3) / math.log(3), 3)
    assert growth_exponent(sizes, [None, None, 0.0, 5.0]) is None


def _step(chunks: int, *, hybrid: float, vector: float, pruned: float, exact: float) -> dict:
    def latency(median: float) -> dict:
        return {"median": median, "p95": 1.5 * median, "n": 20}

    return {
        "chunks": chunks,
        "documents": chunks // 10,
        "load_s": chunks / 400,
        "index_s": chunks / 1500,
        "index_build_s": {
            "chunk_embedding_hnsw": chunks / 2000,
            "chunk_search_vector_gin": chunks / 20000,
            "posting_lexeme_impact": chunks / 10000,
            "posting_chunk_covering": chunks / 20000,
        },
        "vacuum_s": 1.0,
        "latency": {
            "hybrid": latency(hybrid),
            "query_embedding_ms": latency(20.0),
            "vector_list_ms": latency(vector),
            "keyword_list": {"pruned_ms": latency(pruned), "exact_ms": latency(exact), "exact_top10_kept": 0.9},
        },
        "quality": {
            "hybrid": {"ndcg@10": 0.7},
            "hybrid, exact keyword list": {"ndcg@10": 0.72},
            "keyword": {"ndcg@10": 0.6},
            "keyword, exact": {"ndcg@10": 0.65},
        },
        "disk_bytes": {
            "tables": {
                "retrieval_chunk": {"table": 3000 * chunks, "indexes": 2000 * chunks, "total": 5000 * chunks},
                "retrieval_posting": {"table": 6000 * chunks, "indexes": 9000 * chunks, "total": 15000 * chunks},
            },
            "indexes": {
                "chunk_embedding_hnsw": 1600 * chunks,
                "posting_lexeme_impact": 5000 * chunks,
                "posting_chunk_covering": 2000 * chunks,
                "retrieval_posting_pkey": 2000 * chunks,
            },
            "database": 21000 * chunks,
        },
        "load_average": [2.5, 2.0, 1.5],
    }


def _scale_run() -> dict:
    from benchmarks.scale import exponents

    # Vector list doubles per tenfold (exponent log10(2) = 0.301), the exact keyword list is linear.
    steps = [
        _step(10_000, hybrid=40.0, vector=5.0, pruned=10.0, exact=20.0),
        _step(100_000, hybrid=45.0, vector=10.0, pruned=10.0, exact=200.0),
    ]
    return {
        "date": "2026-12-05T09:00:00+00:00",
        "command": "manage.py bench --scale",
        "duration_s": 1800.0,
        "machine": {"description": "2 cores of a test CPU"},
        "queries": 20,
        "postgres_settings": {"shared_buffers": "128MB", "maintenance_work_mem during index builds": "1GB"},
        "steps": steps,
        "exponents": exponents(steps),
    }


def test_each_figure_is_carried_along_its_own_curve_and_hybrid_along_its_parts():
    run = _scale_run()

    assert run["exponents"]["exact keyword list p50"] == 1.0
    assert run["exponents"]["vector list p50"] == 0.301
    assert run["exponents"]["HNSW index"] == 1.0
    assert projected(run, "exact keyword list p50", 1_000_000) == pytest.approx(2000.0)
    assert projected(run, "HNSW index", 10_000_000) == pytest.approx(1600 * 10_000_000 / 2**20)
    # 45 ms, plus the vector list's growth (10 -> about 20 ms); the flat pruned list adds nothing.
    assert hybrid_from_parts(run, 1_000_000) == pytest.approx(45.0 + 10.0 * (10**0.301 - 1))


def test_a_nearly_flat_curve_reaches_no_limit_and_the_section_still_renders():
    # Two small sizes measured a few microseconds apart fit an exponent near 0: the 10 s statement timeout is
    # then reached only past any float (it raised OverflowError and the page was not written).
    run = _scale_run()
    run["steps"][0] = _step(200, hybrid=40.0, vector=5.0, pruned=10.0, exact=20.0)
    run["steps"][1] = _step(600, hybrid=40.0, vector=5.0, pruned=10.0, exact=20.025)

    assert 0 < growth_exponent([200, 600], [20.0, 20.025]) <= 0.002
    assert crossing(run, "exact keyword list p50", 10_000) is None
    assert "### At 1 million and 10 million chunks" in render_scale(run, plot=None)
    # A curve that does grow still crosses where its fitted line says.
    assert crossing(_scale_run(), "exact keyword list p50", 10_000) == pytest.approx(100_000 * 10_000 / 200)


def test_the_section_shows_each_size_the_exponents_and_the_projections():
    section = render_scale(_scale_run(), plot="benchmarks/scale.png")

    assert section.startswith("## How cost grows")
    assert "| 100,000 | 45.0 / 67.5 | 20.0 / 30.0 | 10.0 / 15.0 | 10.0 / 15.0 | 200.0 / 300.0 |" in section
    assert "| 100,000 | 0.9 | 0.700 | 0.720 | 0.600 | 0.650 |" in section  # what pruning keeps, what it costs
    rows = {line.split("|")[1].strip(): line for line in section.splitlines() if line.startswith("| ")}
    assert set(rows) >= {name for name, _, _ in SERIES}
    assert "| 1.00 | 200.0 ms | 2.0 s | 20.0 s |" in rows["exact keyword list p50"]
    # The exact list's median reaches search's 10 s timeout at 5 million chunks on a linear curve.
    assert "its median at about 5.0 million" in section
    assert "that costs the judged queries 0.020 of nDCG@10" in section
    assert "shared_buffers 128MB" in section and "### At 1 million and 10 million chunks" in section
    assert "](benchmarks/scale.png)" in section
    assert render_scale(None) == "" and "How cost grows" not in render(RUN, plot_names={})


def test_the_page_shows_the_scale_run_kept_beside_the_benchmark_run(tmp_path):
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / SCALE_RUN).write_text(json.dumps(_scale_run()))

    written = write_report(RUN, tmp_path / "benchmarks.md")

    assert (folder / "scale.png") in written and (folder / "scale.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        "![How cost grows with the collection, log-log](benchmarks/scale.png)"
        in (tmp_path / "benchmarks.md").read_text()
    )


@pytest.mark.parametrize("sizes", ["600,200", "200,200", "0,200", "200,lots", ""])
def test_sizes_must_be_positive_and_increasing(sizes):
    with pytest.raises(CommandError, match="increasing chunk counts"):
        call_command("bench", "--scale", "--scale-sizes", sizes, stdout=StringIO())


@pytest.mark.slow
def test_bench_scale_grows_one_collection_and_writes_its_section(django_db_blocker, tmp_path):
    page = tmp_path / "benchmarks.md"
    write_report(RUN, page)
    out = StringIO()

    with django_db_blocker.unblock():
        call_command(
            "bench",
            *("--scale", "--scale-sizes", "200,600", "--documents", "5", "--queries", "3"),
            *("--write-docs", str(page)),
            stdout=out,
            stderr=StringIO(),
        )

    result = json.loads(out.getvalue())
    assert json.loads((tmp_path / "benchmarks" / SCALE_RUN).read_text()) == result
    steps = result["steps"]
    assert [s["chunks"] for s in steps] == [200, 600]  # one collection, grown: the real chunks count too
    assert steps[0]["documents"] < steps[1]["documents"]
    for step in steps:
        assert step["latency"]["hybrid"]["n"] == 3 and "samples" not in step["latency"]["hybrid"]
        assert step["latency"]["keyword_list"]["exact_ms"]["n"] == 3
        if SCIFACT_PRESENT:
            assert 0 <= step["quality"]["hybrid"]["ndcg@10"] <= 1
        else:  # the demo corpus stands in, and it has no judgements to measure quality with
            assert step["quality"] is None
        assert set(step["index_build_s"]) == {
            "chunk_embedding_hnsw",
            "chunk_search_vector_gin",
            "posting_lexeme_impact",
            "posting_chunk_covering",
        }
        assert step["disk_bytes"]["indexes"]["chunk_embedding_hnsw"] > 0
        assert step["disk_bytes"]["tables"]["retrieval_posting"]["total"] > 0
    # More chunks take more room: the postings and the vector index grow.
    for name in ("retrieval_posting_pkey", "chunk_embedding_hnsw"):
        assert steps[0]["disk_bytes"]["indexes"][name] < steps[1]["disk_bytes"]["indexes"][name]
    assert set(result["exponents"]) == {name for name, _, _ in SERIES}
    assert all(value is not None and math.isfinite(value) for value in result["exponents"].values())
    assert result["postgres_settings"]["shared_buffers"]
    text = page.read_text()
    assert "## How cost grows" in text and "| 600 |" in text and "](benchmarks/scale.png)" in text
