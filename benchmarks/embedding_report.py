"""The section of docs/benchmarks.md on the embedding paths, written from `bench_embedding`'s run
(docs/benchmarks/embedding.json), with the adoption rule of issue 15 checked against its figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# Issue 15: a path replaces torch fp32 on the CPU only if its nDCG@10 is within this of torch's on every
# set, every text's cosine with torch's is at least MIN_COSINE, and it is faster.
NDCG_TOLERANCE = 0.005
MIN_COSINE = 0.99
CANDIDATES = ("onnx", "onnx-int8")


def adoption(run: dict[str, Any], path: str) -> dict[str, Any]:
    """Whether `path` meets each part of the rule: worst nDCG@10 gap to torch (any set, vector or hybrid,
    with its own passages or torch's), lowest per-text cosine, and query latency against torch's."""
    gaps = []
    for figures in run["sets"].values():
        ndcg = figures["ndcg@10"]
        for name in (path, f"{path} queries, torch passages"):
            gaps += [ndcg["torch"][mode] - ndcg[name][mode] for mode in ("vector", "hybrid")]
    cosine = min(run["agreement"][path][kind]["min"] for kind in ("passages", "queries"))
    latency = run["query_latency_ms"]
    speedup = latency["torch"]["median"] / latency[path]["median"]
    worst_gap = max(gaps)
    return {
        "worst_ndcg_loss": round(worst_gap, 4),
        "ndcg_ok": worst_gap <= NDCG_TOLERANCE,
        "min_cosine": cosine,
        "cosine_ok": cosine >= MIN_COSINE,
        "speedup": round(speedup, 1),
        "faster": speedup > 1,
        "adopt": worst_gap <= NDCG_TOLERANCE and cosine >= MIN_COSINE and speedup > 1,
    }


def _decision(path: str, verdict: dict[str, Any]) -> str:
    if verdict["adopt"]:
        return (
            f"`{path}` meets the rule, so `EMBEDDING_BACKEND=auto` runs it on the CPU (torch stays on CUDA); "
            "its queries rank the passages torch stored as torch's own queries do, so stored vectors stay valid."
        )
    reasons = [
        *([f"loses up to {verdict['worst_ndcg_loss']:.4f} of nDCG@10"] if not verdict["ndcg_ok"] else []),
        *([f"moves some texts to a cosine of {verdict['min_cosine']:.4f}"] if not verdict["cosine_ok"] else []),
        *(["is not faster"] if not verdict["faster"] else []),
    ]
    return (
        f"`{path}` {' and '.join(reasons)}, so it is not a default: it is there for whoever sets it, and then "
        "every start warns (retrieval.W001) that vectors stored by another backend no longer match its queries."
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render_embedding(run: dict[str, Any] | None) -> str:
    """The markdown section, or "" without a run."""
    if not run:
        return ""
    machine = run.get("machine", {})
    verdicts = {path: adoption(run, path) for path in CANDIDATES}
    rule_rows = [
        (
            path,
            f"{v['worst_ndcg_loss']:+.4f} ({_yes(v['ndcg_ok'])})",
            f"{v['min_cosine']:.4f} ({_yes(v['cosine_ok'])})",
            f"{v['speedup']}× ({_yes(v['faster'])})",
            "**adopted**" if v["adopt"] else "not adopted",
        )
        for path, v in verdicts.items()
    ]
    agreement_rows = [
        (path, kind, a["n"], a["min"], a["p1"], a["median"], f"{a['share_at_least_0.99']:.2%}")
        for path, kinds in run["agreement"].items()
        for kind, a in kinds.items()
    ]
    pairings = list(next(iter(run["sets"].values()))["ndcg@10"])
    ndcg_rows = [
        (
            f"{name} ({figures['documents']:,} docs, {figures['passages']:,} passages, {figures['queries']} queries)",
            *(f"{figures['ndcg@10'][p]['hybrid']:.4f} / {figures['ndcg@10'][p]['vector']:.4f}" for p in pairings),
        )
        for name, figures in run["sets"].items()
    ]
    memory = run.get("worker_memory", {})
    whole_sets = run.get("corpus_passages_per_s")
    speed_header = ["path", "query median", "query p95", "batch of 32, passages/s"]
    speed_header += ["whole sets, passages/s"] if whole_sets else []
    speed_header += ["web worker RSS (peak)"]
    speed_rows = [
        (
            path,
            f"{run['query_latency_ms'][path]['median']:.1f} ms",
            f"{run['query_latency_ms'][path]['p95']:.1f} ms",
            run["batch32"][path]["passages_per_s"],
            *([whole_sets.get(path, "–")] if whole_sets else []),
            f"{memory[path]['rss_mb']:,.0f} MB ({memory[path]['peak_rss_mb']:,.0f} MB)" if path in memory else "–",
        )
        for path in run["speed_paths"]
    ]
    decision = " ".join(_decision(path, v) for path, v in verdicts.items())
    texts = run["texts"]
    speed_run = run.get("speed_run")
    speed_source = (
        "Measured again in a run of their own after a change to how the sessions run (not to the vectors): "
        f"{speed_run['date']}, `{speed_run['command']}` in {speed_run['duration_s']} s, on "
        f"{speed_run['machine'].get('description', '?')}. "
        if speed_run
        else ""
    )
    return "\n".join(
        [
            "## The embedding model: torch or ONNX on the CPU",
            "",
            f"A run of its own: {run['date']}, `{run['command']}` in {run['duration_s']} s, on "
            f"{machine.get('description', '?')}, ONNX Runtime {machine.get('onnxruntime', '1.32.0')}. "
            "The paths embed the same texts in turn (256 at a time, then "
            "one query or one batch of 32 each), so whatever else ran on the machine slowed them alike. "
            "`torch` is sentence-transformers on torch fp32; `onnx-plain` the graph sentence-transformers' "
            '`backend="onnx"` would run (exported, not fused); `onnx` (`EMBEDDING_BACKEND=onnx`) that graph '
            "with ONNX Runtime's BERT fusions, the same arithmetic; `onnx-int8` its dynamic int8 quantisation "
            "(optimum's avx512_vnni settings). All exported from the installed wheel by "
            "`manage.py export_embedder` (retrieval/embedders/onnx_export.py).",
            "",
            f"The rule (issue 15): nDCG@10 within {NDCG_TOLERANCE} of torch on every set, every text's cosine "
            f"with torch's at least {MIN_COSINE}, and faster. nDCG is checked in both modes and both ways: "
            "queries and passages by the path, and the path's queries against torch's passages (the vectors "
            "already stored).",
            "",
            _table(("path", "worst nDCG@10 loss", "lowest cosine", "query speed-up", "CPU default"), rule_rows),
            "",
            decision,
            "",
            f"Per-text cosine against torch over {texts['passages']:,} passages and {texts['queries']:,} queries "
            "of the sets below:",
            "",
            _table(("path", "texts", "n", "min", "p1", "median", "at least 0.99"), agreement_rows),
            "",
            "nDCG@10, hybrid / vector. The vector list is exact (every passage scored, no HNSW) so that the "
            "paths differ only in their vectors; the keyword list and the fusion are the product's. "
            "`entity13`/`entity14` are scripts/make_entity_set.py's sets (docs/retrieval-evaluation.md), "
            "`18f` the 40 answerable questions of ../shared/eval/qa over the 18F handbook, `demo` "
            "demo/questions.yaml over the demo corpus.",
            "",
            _table(("set", *pairings), ndcg_rows),
            "",
            f"Speed and memory. {speed_source}A query: one short SciFact question at a time; batch of 32: "
            "SciFact passages "
            "(most fill the 256-token window); whole sets: every passage above, in blocks of 256. Memory: "
            "a fresh process that imports the web application, warms up as a gunicorn worker does (the "
            "embedding model and the name model) and embeds a query and 32 passages; resident set after.",
            "",
            _table(speed_header, speed_rows),
        ]
    )
