"""The section of docs/benchmarks.md on how cost grows with the collection, written from `bench --scale`'s
run (docs/benchmarks/scale.json): a table per size, the fitted growth exponents, a log-log plot
(scale.png) and what those curves say about 1 million and 10 million chunks."""

from __future__ import annotations

import math
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.embedding_report import _table  # noqa: E402
from benchmarks.scale import BUILD_MEMORY_SETTING, SERIES, growth_exponent  # noqa: E402

PROJECTED = (1_000_000, 10_000_000)
_READ = {name: (unit, read) for name, unit, read in SERIES}


def measured(run: dict[str, Any], name: str, step: dict[str, Any] | None = None) -> float | None:
    """A SERIES figure at one step (the largest by default)."""
    return _READ[name][1](step or run["steps"][-1])


def exponent(run: dict[str, Any], name: str) -> float | None:
    """A SERIES figure's growth exponent, fitted again from the steps (a run's saved exponents are those
    of the SERIES of its day)."""
    return growth_exponent([s["chunks"] for s in run["steps"]], [measured(run, name, s) for s in run["steps"]])


def projected(run: dict[str, Any], name: str, chunks: int) -> float | None:
    """A figure carried from the largest size measured to `chunks` along its fitted power law."""
    exponent_, value = exponent(run, name), measured(run, name)
    if exponent_ is None or value is None:
        return None
    return value * (chunks / run["steps"][-1]["chunks"]) ** exponent_


def hybrid_from_parts(run: dict[str, Any], chunks: int) -> float | None:
    """Hybrid p50 at `chunks`: the largest size's, plus what the vector list and the pruned keyword list
    each add along their own curves. The query embedding does not grow, so hybrid's own exponent,
    fitted while the embedding is most of it, would understate the growth."""
    hybrid = measured(run, "hybrid search p50")
    parts = [
        (projected(run, name, chunks), measured(run, name)) for name in ("vector list p50", "pruned keyword list p50")
    ]
    if hybrid is None or any(p is None or m is None for p, m in parts):
        return None
    return hybrid + sum(p - m for p, m in parts)  # type: ignore[operator]


def setting_bytes(value: str | None) -> int | None:
    """PostgreSQL's '128MB', '4GB', '8kB' in bytes; None for anything else."""
    match = re.fullmatch(r"(\d+)\s*(kB|MB|GB|TB)", value or "")
    if not match:
        return None
    return int(match[1]) * 1024 ** (["kB", "MB", "GB", "TB"].index(match[2]) + 1)


def _quantity(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value / 1000:,.1f} s" if value >= 1000 else f"{value:,.1f} ms"
    if unit == "s":
        if value >= 3600:
            return f"{value / 3600:,.1f} h"
        return f"{value / 60:,.0f} min" if value >= 120 else f"{value:,.1f} s"
    return f"{value / 1024:,.1f} GB" if value >= 1024 else f"{value:,.0f} MB"


def _p50_p95(latency: dict[str, Any] | None) -> str:
    if not latency:
        return "–"
    return f"{latency['median']:,.1f} / {latency['p95']:,.1f}"


def render_scale(run: dict[str, Any] | None, *, plot: str | None = None) -> str:
    """The markdown section, or "" without a run."""
    if not run or not run.get("steps"):
        return ""
    machine = run.get("machine", {})
    settings = run.get("postgres_settings", {})
    steps = run["steps"]
    loads = ", ".join(f"{s['load_average'][0]}" for s in steps if s.get("load_average"))
    latency_rows = [
        (
            f"{s['chunks']:,}",
            _p50_p95(s["latency"].get("hybrid")),
            _p50_p95(s["latency"].get("query_embedding_ms")),
            _p50_p95(s["latency"].get("vector_list_ms")),
            _p50_p95(s["latency"].get("keyword_list", {}).get("pruned_ms")),
            _p50_p95(s["latency"].get("keyword_list", {}).get("exact_ms")),
        )
        for s in steps
    ]
    quality_rows = [
        (
            f"{s['chunks']:,}",
            s["latency"].get("keyword_list", {}).get("exact_top10_kept", "–"),
            *(_ndcg(s, mode) for mode in ("hybrid", "hybrid, exact keyword list", "keyword", "keyword, exact")),
        )
        for s in steps
    ]
    build_rows = [
        (
            f"{s['chunks']:,}",
            f"{s['load_s']:,.1f}",
            *(_quantity(measured(run, name, s), "s") for name in BUILDS),
            *(_quantity(measured(run, name, s), "MB") for name in ("database", *SIZES)),
        )
        for s in steps
    ]
    last = steps[-1]["chunks"]
    exponent_rows = [
        (
            name,
            _exp(run, name),
            _quantity(measured(run, name), unit),
            *(_quantity(projected(run, name, n), unit) for n in PROJECTED),
        )
        for name, unit, _ in SERIES
    ]
    lines = [
        "## How cost grows",
        "",
        f"Measured on {run.get('date', '?')} with `{run.get('command', 'manage.py bench --scale')}` in "
        f"{run.get('duration_s', '?')} s, on {machine.get('description', '?')}; a run of its own, beside "
        "the one above. One collection grown in steps, in a throwaway database: the real documents "
        "ingested by the product, then synthetic chunks added in bulk up to each size (benchmarks/corpus.py "
        "says how they are made), every chunk and posting index built anew at each size and the tables "
        f"vacuumed; then {run.get('queries', '?')} queries through `search_passages` and each list alone, "
        "and the judged queries' quality per mode, as in the retrieval section (benchmarks/scale.py). The "
        "machine's two cores are shared with other work: the load average when each size was measured was "
        f"{loads or '?'}, so single figures move by tens of percent between runs; the slopes move less.",
        "",
        "PostgreSQL settings in effect (the embedded server's, not tuned for this): "
        + ", ".join(f"{name} {value}" for name, value in settings.items())
        + ".",
        "",
        "Latency in milliseconds, p50 / p95 (the lists: 200 candidates each, as search asks for):",
        "",
        _table(
            (
                "chunks",
                "hybrid search",
                "query embedding",
                "vector list",
                "keyword list, pruned",
                "keyword list, exact",
            ),
            latency_rows,
        ),
        "",
        "What pruning keeps, and nDCG@10 with the synthetic chunks as distractors (pruned / exact keyword list):",
        "",
        _table(
            ("chunks", "pruned keeps of exact top 10", "hybrid", "hybrid, exact", "keyword", "keyword, exact"),
            quality_rows,
        ),
        "",
        "Loading, index builds (from scratch at that size) and size on disk (tables with their TOAST and indexes):",
        "",
        _table(("chunks", "bulk load of this step, s", *BUILDS, "database", *SIZES), build_rows),
    ]
    if plot:
        lines += ["", f"![How cost grows with the collection, log-log]({plot})"]
    lines += [
        "",
        f"Growth exponents (least squares of log figure against log chunks over the {len(steps)} sizes) and "
        f"each figure carried along its own curve from {last:,} chunks:",
        "",
        _table(("figure", "exponent", f"at {last:,}", "at 1M (projected)", "at 10M (projected)"), exponent_rows),
        "",
        _outlook(run),
    ]
    return "\n".join(lines)


BUILDS = ("HNSW build", "posting indexes build", "tsvector GIN build")
SIZES = ("chunks with their indexes", "HNSW index", "postings with their indexes")


def _ndcg(step: dict[str, Any], mode: str) -> str:
    value = (step.get("quality") or {}).get(mode, {}).get("ndcg@10")
    return "–" if value is None else f"{value:.3f}"


# Beyond this a crossing says nothing (a nearly flat curve of a short run reaches any limit only in 10^300 chunks,
# past what a float holds).
NEVER_CHUNKS = 1e15


def crossing(run: dict[str, Any], name: str, limit: float) -> float | None:
    """The collection size at which a figure reaches `limit` along its fitted curve; None when it does not grow,
    or reaches it only beyond NEVER_CHUNKS."""
    exponent_, value = exponent(run, name), measured(run, name)
    if not exponent_ or not value or exponent_ <= 0:
        return None
    log_chunks = math.log(run["steps"][-1]["chunks"]) + math.log(limit / value) / exponent_
    return math.exp(log_chunks) if log_chunks <= math.log(NEVER_CHUNKS) else None


def _pruning_cost(step: dict[str, Any]) -> str:
    """What pruning cost the judged queries at one size, in a sentence."""
    quality = step.get("quality") or {}
    if "hybrid" not in quality or "hybrid, exact keyword list" not in quality:
        return "what that costs the judged queries was not measured."
    pruned, exact = quality["hybrid"]["ndcg@10"], quality["hybrid, exact keyword list"]["ndcg@10"]
    verdict = "nothing yet" if pruned >= exact - 0.005 else f"{exact - pruned:.3f} of nDCG@10"
    return (
        f"that costs the judged queries {verdict} (hybrid nDCG@10 {pruned:.3f} pruned, {exact:.3f} exact, at "
        f"{step['chunks']:,}; both fall as distractors are added, exact BM25 too)."
    )


def _chunks(n: float | None) -> str:
    if n is None:
        return "–"
    return f"{n / 1e6:,.1f} million" if n >= 1e6 else f"{n / 1e3:,.0f},000"


def _outlook(run: dict[str, Any]) -> str:
    """What the curves say about 1M and 10M chunks, and what would have to change first: the figures are
    the run's, the reasoning is written for the shape those figures had on 2026-12-05."""
    from retrieval.selectors import SEARCH_TIMEOUT_MS

    last = run["steps"][-1]
    n = last["chunks"]
    disk = last["disk_bytes"]
    memory = run.get("machine", {}).get("memory", "?")
    build_memory = run.get("postgres_settings", {}).get(BUILD_MEMORY_SETTING)
    postings_kb = disk["tables"]["retrieval_posting"]["total"] / n / 1024
    hnsw_kb = disk["indexes"]["chunk_embedding_hnsw"] / n / 1024
    kept = [s["latency"].get("keyword_list", {}).get("exact_top10_kept") for s in run["steps"]]
    terms = [s["disk_bytes"]["tables"].get("retrieval_term", {}).get("total", 0) / 2**20 for s in run["steps"]]
    q = {name: [projected(run, name, size) for size in PROJECTED] for name, _, _ in SERIES}

    def at(name: str, unit: str) -> str:
        return f"{_quantity(q[name][0], unit)} at 1M, {_quantity(q[name][1], unit)} at 10M"

    hybrid = [hybrid_from_parts(run, size) for size in PROJECTED]
    build_limit = setting_bytes(build_memory)
    spill = crossing(run, "HNSW index", build_limit / 2**20) if build_limit else None
    timeout = [crossing(run, f"exact keyword list {p}", SEARCH_TIMEOUT_MS) for p in ("p95", "p50")]
    return "\n".join(
        [
            "### At 1 million and 10 million chunks",
            "",
            f"**Search time is not what breaks first.** The query embedding does not grow (exponent "
            f"{_exp(run, 'query embedding p50')}), the vector list grows slowly ({_exp(run, 'vector list p50')}: "
            f"{at('vector list p50', 'ms')}) and so does the pruned keyword list "
            f"({_exp(run, 'pruned keyword list p50')}: {at('pruned keyword list p50', 'ms')}), which reads a "
            "fixed number of postings per common lexeme whatever the collection holds. Hybrid search, from "
            f"those parts: about {_quantity(hybrid[0], 'ms')} p50 at 1M and {_quantity(hybrid[1], 'ms')} at "
            f"10M. Its own exponent ({_exp(run, 'hybrid search p50')}) says little: the flat embedding is much "
            "of it, and on shared cores the small sizes' figures moved as much with the load as with the "
            "collection. "
            "Those curves hold only while what the search touches stays in memory: with shared_buffers at "
            f"{run.get('postgres_settings', {}).get('shared_buffers', '?')}, PostgreSQL already reads almost "
            "everything through the operating system's page cache (the database is "
            f"{_quantity(measured(run, 'database'), 'MB')} at {n:,} chunks, on a machine of {memory}). They "
            "say nothing about a database larger than memory.",
            "",
            f"**The postings would have to change first.** They take {postings_kb:.1f} KB per chunk with their "
            f"indexes, {postings_kb / hnsw_kb:.0f}× the HNSW index's {hnsw_kb:.1f} KB: one row per (chunk, lexeme) "
            "with a tuple header, indexed three ways (the primary key on (chunk, lexeme) repeats the key of "
            f"posting_chunk_covering: {_quantity(disk['indexes'].get('retrieval_posting_pkey', 0) / 2**20, 'MB')} "
            f"of it at {n:,}). That is {at('postings with their indexes', 'MB')}, and a database of "
            f"{at('database', 'MB')}: at 1M the database is as large as this machine's memory, mostly "
            "through postings. Pruning also gets less faithful to BM25 as the lists it cuts grow: it kept "
            f"{kept[0]} of the exact top 10 at {run['steps'][0]['chunks']:,} chunks and {kept[-1]} at {n:,}; "
            f"{_pruning_cost(last)} The exact list it falls back on for "
            f"a reader with narrow access is linear ({_exp(run, 'exact keyword list p50')}: "
            f"{at('exact keyword list p50', 'ms')}): its p95 would reach search's {SEARCH_TIMEOUT_MS / 1000:.0f} s "
            f"statement timeout at about {_chunks(timeout[0])} chunks, its median at about {_chunks(timeout[1])}. "
            "The change: partition the postings (by collection, then by a hash of the lexeme), so each "
            "lexeme's impact-ordered list, its indexes and their vacuum stay bounded; drop the duplicate "
            "primary-key index; and replace the fixed depth and the exact fallback by block-max pruning over "
            "impact-ordered blocks (WAND), which finds BM25's exact top k while reading a fraction of the "
            "lists, checking access as it goes.",
            "",
            f"**The vector index comes next.** It grows linearly ({_exp(run, 'HNSW index')}: "
            f"{at('HNSW index', 'MB')}). At 1M it would still fit in memory, if the postings left it room, but "
            "its build outgrows the "
            f"{build_memory or '?'} of maintenance_work_mem the benchmark gives it at about {_chunks(spill)} "
            "chunks, and pgvector builds far slower once the graph spills out of it (a setting to raise, not "
            f"a change). Its build from scratch, on the curve measured ({_exp(run, 'HNSW build')}): "
            f"{at('HNSW build', 's')} on two cores. At 10M the graph alone is most of this machine's memory: "
            "that is where pgvector's quantisation would have to come in, an HNSW index on "
            "`embedding::halfvec(384)` (its vectors in half the bytes) or on `binary_quantize(embedding)` with "
            "the best candidates re-ranked on the full vectors (a 32nd), with read replicas for search.",
            "",
            "**How far to trust this.** Four sizes over a factor of 30, on a shared machine, carried a "
            "further 3 and 33 times. The synthetic chunks repeat a fixed pool of SciFact sentences, so the "
            f"vocabulary does not grow (the term table: {terms[0]:.0f} MB at {run['steps'][0]['chunks']:,} "
            f"chunks, {terms[-1]:.0f} MB at {n:,}) and every lexeme's postings grow in proportion to the "
            "collection; in real text new documents bring new words and rare words stay rare, so the keyword "
            "lists here are a pessimistic case. Sizes on disk and build times are the firmest figures; "
            "latencies are medians of one run each.",
        ]
    )


def _exp(run: dict[str, Any], name: str) -> str:
    value = exponent(run, name)
    return "–" if value is None else f"{value:.2f}"


def scale_figure(run: dict[str, Any] | None) -> Any:
    """The plot: latency, index build time and size against chunks, log-log, each fitted curve dotted on
    to 10M; the memory the server has for pages and for index builds as horizontal lines. None without a run."""
    if not run or not run.get("steps"):
        return None
    panels = (
        (
            "latency p50 (solid) and p95 (dashed), ms",
            ("hybrid search", "vector list", "pruned keyword list", "exact keyword list", "query embedding"),
        ),
        ("index build from scratch, s", ("HNSW build", "posting indexes build", "tsvector GIN build")),
        ("size on disk, MB", ("HNSW index", "postings with their indexes", "chunks with their indexes")),
    )
    sizes = [s["chunks"] for s in run["steps"]]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for ax, (title, names) in zip(axes, panels, strict=True):
        for n, name in enumerate(names):
            for series, style in ((f"{name} p50", "-"), (f"{name} p95", "--"), (name, "-")):
                if series not in _READ:
                    continue
                values = [measured(run, series, s) for s in run["steps"]]
                ax.plot(sizes, values, style, marker="o", color=f"C{n}", label=name if style == "-" else None)
                if style == "-" and exponent(run, series) is not None:
                    ends = [sizes[-1], PROJECTED[-1]]
                    ax.plot(ends, [measured(run, series), projected(run, series, ends[1])], ":", color=f"C{n}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks (dotted: the fitted curve carried on)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    from retrieval.selectors import SEARCH_TIMEOUT_MS

    settings = run.get("postgres_settings", {})
    memory = run.get("machine", {}).get("memory", "")
    lines = [
        (0, SEARCH_TIMEOUT_MS, f"search's statement timeout {SEARCH_TIMEOUT_MS / 1000:.0f} s"),
        *(
            (2, setting_bytes(settings.get(key)), f"{label} {settings.get(key)}")
            for label, key in (("shared_buffers", "shared_buffers"), ("build memory", BUILD_MEMORY_SETTING))
        ),
        (2, setting_bytes(memory.replace("GiB", "GB").replace(" ", "")), f"machine memory {memory}"),
    ]
    for panel, value, label in lines:
        if value:
            y = value / 2**20 if panel == 2 else value
            axes[panel].axhline(y, color="grey", linewidth=0.8)
            axes[panel].text(sizes[0], y, f" {label}", va="bottom", fontsize=8)
    return fig
