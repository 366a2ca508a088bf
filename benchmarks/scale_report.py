"""The section of docs/benchmarks.md on how cost grows with the collection, written from `bench --scale`'s
run (docs/benchmarks/scale.json): a table per size, the fitted growth exponents, a log-log plot
(scale.png) and what those curves say about 1 million and 10 million chunks."""

from __future__ import annotations

import re
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.embedding_report import _table  # noqa: E402
from benchmarks.scale import BUILD_MEMORY_SETTING, SERIES  # noqa: E402

PROJECTED = (1_000_000, 10_000_000)
_READ = {name: (unit, read) for name, unit, read in SERIES}


def measured(run: dict[str, Any], name: str, step: dict[str, Any] | None = None) -> float | None:
    """A SERIES figure at one step (the largest by default)."""
    return _READ[name][1](step or run["steps"][-1])


def projected(run: dict[str, Any], name: str, chunks: int) -> float | None:
    """A figure carried from the largest size measured to `chunks` along its fitted power law."""
    exponent, value = run["exponents"].get(name), measured(run, name)
    if exponent is None or value is None:
        return None
    return value * (chunks / run["steps"][-1]["chunks"]) ** exponent


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
        return f"{value / 1000:,.1f} s" if value >= 10_000 else f"{value:,.1f} ms"
    if unit == "s":
        return f"{value / 3600:,.1f} h" if value >= 3600 else f"{value:,.1f} s"
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
            s["latency"].get("keyword_list", {}).get("exact_top10_kept", "–"),
        )
        for s in steps
    ]
    build_rows = [
        (
            f"{s['chunks']:,}",
            f"{s['load_s']:,.1f}",
            *(_quantity(measured(run, name, s), "s") for name in ("HNSW build", "posting indexes build")),
            _quantity(measured(run, "tsvector GIN build", s), "s"),
            _quantity(s["disk_bytes"]["database"] / 2**20, "MB"),
            *(
                _quantity(measured(run, name, s), "MB")
                for name in ("chunks with their indexes", "HNSW index", "postings with their indexes")
            ),
        )
        for s in steps
    ]
    last = steps[-1]["chunks"]
    exponent_rows = [
        (
            name,
            "–" if run["exponents"].get(name) is None else f"{run['exponents'][name]:.2f}",
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
        "as in the retrieval section (benchmarks/scale.py). The machine's two cores are shared with other "
        f"work: the load average when each size was measured was {loads or '?'}, so single figures move by "
        "tens of percent between runs; the slopes move less.",
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
                "pruned keeps of exact top 10",
            ),
            latency_rows,
        ),
        "",
        "Loading, index builds (from scratch at that size) and size on disk (tables with their TOAST and indexes):",
        "",
        _table(
            (
                "chunks",
                "bulk load of this step, s",
                "HNSW build",
                "posting indexes build",
                "tsvector GIN build",
                "database",
                "chunks",
                "HNSW index",
                "postings",
            ),
            build_rows,
        ),
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


def _outlook(run: dict[str, Any]) -> str:
    """What the curves say about 1M and 10M chunks, and what would have to change first."""
    e = run["exponents"]
    settings = run.get("postgres_settings", {})
    hnsw_1m, hnsw_10m = (projected(run, "HNSW index", n) for n in PROJECTED)
    postings_10m = projected(run, "postings with their indexes", 10_000_000)
    exact_1m, exact_10m = (projected(run, "exact keyword list p50", n) for n in PROJECTED)
    pruned_1m, pruned_10m = (projected(run, "pruned keyword list p50", n) for n in PROJECTED)
    vector_1m, vector_10m = (projected(run, "vector list p50", n) for n in PROJECTED)
    hybrid_1m, hybrid_10m = (hybrid_from_parts(run, n) for n in PROJECTED)
    build_10m = projected(run, "HNSW build", 10_000_000)
    return "\n".join(
        [
            "### At 1 million and 10 million chunks",
            "",
            f"Hybrid search, from its parts (the query embedding stays flat; the vector list and the pruned "
            f"keyword list each grow along their own curves): about {_quantity(hybrid_1m, 'ms')} p50 at 1M "
            f"and {_quantity(hybrid_10m, 'ms')} at 10M. Hybrid's own exponent ({_exp(e, 'hybrid search p50')}) "
            "understates this, as the embedding is most of it at these sizes.",
            "",
            f"- **Pruned keyword list** (exponent {_exp(e, 'pruned keyword list p50')}; "
            f"{_quantity(pruned_1m, 'ms')} at 1M, {_quantity(pruned_10m, 'ms')} at 10M): it reads at most "
            "KEYWORD_PRUNE_DEPTH postings per common lexeme and rescores a fixed number of chunks, so its "
            "work does not grow with the collection; what grows is the depth of the B-tree and how much of "
            "the posting index stays cached.",
            f"- **Exact keyword list** (exponent {_exp(e, 'exact keyword list p50')}; "
            f"{_quantity(exact_1m, 'ms')} at 1M, {_quantity(exact_10m, 'ms')} at 10M): it sums every "
            "posting of the query's lexemes, so it grows with the collection. Search falls back to it "
            "only when pruning leaves fewer than 200 readable chunks, which is cheap then; the benchmark "
            "is its only regular caller.",
            f"- **Vector list** (exponent {_exp(e, 'vector list p50')}; {_quantity(vector_1m, 'ms')} at 1M, "
            f"{_quantity(vector_10m, 'ms')} at 10M): HNSW visits about ef_search × log(N) nodes, but each "
            "visit is a page read: once the graph no longer fits in memory, the curve turns up.",
            f"- **Size**: the HNSW index grows linearly (exponent {_exp(e, 'HNSW index')}): "
            f"{_quantity(hnsw_1m, 'MB')} at 1M, {_quantity(hnsw_10m, 'MB')} at 10M, against a "
            f"shared_buffers of {settings.get('shared_buffers', '?')} and a maintenance_work_mem of "
            f"{settings.get(BUILD_MEMORY_SETTING, '?')} for building it. The postings "
            f"with their indexes would take {_quantity(postings_10m, 'MB')} at 10M. Building the HNSW index "
            f"from scratch at 10M: about {_quantity(build_10m, 's')} on two cores at this curve, longer "
            "once the graph outgrows maintenance_work_mem.",
        ]
    )


def _exp(exponents: dict[str, float | None], name: str) -> str:
    value = exponents.get(name)
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
                if style == "-" and run["exponents"].get(series) is not None:
                    ends = [sizes[-1], PROJECTED[-1]]
                    ax.plot(ends, [measured(run, series), projected(run, series, ends[1])], ":", color=f"C{n}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks (dotted: the fitted curve carried on)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    settings = run.get("postgres_settings", {})
    for label, key in (("shared_buffers", "shared_buffers"), ("build memory", BUILD_MEMORY_SETTING)):
        value = setting_bytes(settings.get(key))
        if value:
            axes[2].axhline(value / 2**20, color="grey", linewidth=0.8)
            axes[2].text(sizes[0], value / 2**20, f" {label} {settings[key]}", va="bottom", fontsize=8)
    return fig
