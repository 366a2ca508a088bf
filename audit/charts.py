"""The dashboard's charts as SVG, drawn with matplotlib's object API (no pyplot state: safe in threads).

Each chart is served as an image with the same figures in a table beside it, so the page reads
without images or JavaScript.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from audit.dashboard import Dashboard

ZONE_COLOURS = {"onprem": "#2e7d32", "private": "#b26a00", "cloud": "#1f5fbf", "refused": "#b3261e", "none": "#9aa3ad"}
SERIES_COLOURS = ("#1f5fbf", "#2e7d32", "#b26a00", "#7b3fb0", "#b3261e")


def _figure(width: float = 8.0, height: float = 3.2) -> tuple[Any, Any]:
    from matplotlib.figure import Figure  # imported on first use: it takes a second

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=9)
    return figure, axes


def _svg(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})  # no timestamp: the same data, the same bytes
    return out.getvalue()


def _days(board: Dashboard, by_day: dict[Any, Any]) -> list[Any]:
    return sorted(by_day)


def _stacked(axes: Any, days: list[Any], series: dict[str, list[float]], colours: dict[str, str]) -> None:
    labels = [d.strftime("%d %b") for d in days]
    bottom = [0.0] * len(days)
    for i, (name, values) in enumerate(series.items()):
        axes.bar(labels, values, bottom=bottom, label=name, color=colours.get(name, SERIES_COLOURS[i % 5]))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if series:
        axes.legend(fontsize=8, frameon=False, ncols=min(5, len(series)))
    _few_bars(axes, len(days))
    axes.tick_params(axis="x", labelrotation=45)


def _few_bars(axes: Any, n: int) -> None:
    """Bars keep a bar's width when there are few of them, and counts start at zero."""
    axes.set_xlim(-0.75, max(n, 7) - 0.25)
    axes.set_ylim(bottom=0)


def routes_chart(board: Dashboard) -> bytes:
    figure, axes = _figure()
    days = _days(board, board.routes)
    zones = list(board.zones)
    _stacked(axes, days, {z: [board.routes[d].get(z, 0) for d in days] for z in zones}, ZONE_COLOURS)
    axes.set_ylabel("requests", fontsize=9)
    return _svg(figure)


def latency_chart(board: Dashboard) -> bytes:
    figure, axes = _figure()
    names = [f"{row.target} ({row.zone})" for row in board.latency]
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], [r.p50_ms for r in board.latency], width=0.4, label="p50", color="#1f5fbf")
    axes.bar([p + 0.2 for p in positions], [r.p95_ms for r in board.latency], width=0.4, label="p95", color="#b26a00")
    axes.set_xticks(list(positions), names)
    _few_bars(axes, len(names))
    axes.set_ylabel("ms per answer", fontsize=9)
    axes.legend(fontsize=8, frameon=False)
    return _svg(figure)


def cost_chart(board: Dashboard) -> bytes:
    figure, axes = _figure()
    days = _days(board, board.cost)
    _stacked(axes, days, {w: [board.cost[d].get(w, 0.0) for d in days] for w in board.workloads}, {})
    axes.set_ylabel("USD", fontsize=9)
    return _svg(figure)


# The daily shares of requests drawn by rates_chart: RateRow's field, the legend's label, colour, marker.
RATE_LINES = (
    ("fallback_rate", "fallback", "#b26a00", "o"),
    ("refusal_rate", "refused", "#b3261e", "v"),
    ("nothing_found_rate", "nothing found", "#5f6b7a", "s"),
    ("hedged_rate", "with the caveat", "#2f6f9f", "^"),
)


def rates_chart(board: Dashboard) -> bytes:
    figure, axes = _figure()
    labels = [r.day.strftime("%d %b") for r in board.rates]
    for share, label, colour, marker in RATE_LINES:
        axes.plot(labels, [100 * getattr(r, share) for r in board.rates], marker=marker, label=label, color=colour)
    axes.set_ylabel("% of requests", fontsize=9)
    axes.set_ylim(bottom=0)
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend(fontsize=8, frameon=False)
    return _svg(figure)


def redactions_chart(board: Dashboard) -> bytes:
    figure, axes = _figure(height=2.8)
    kinds = [kind for kind, _ in reversed(board.redactions)]
    axes.barh(kinds, [n for _, n in reversed(board.redactions)], color="#7b3fb0")
    axes.set_xlim(left=0)
    axes.set_xlabel("spans replaced before a bundle left", fontsize=9)
    return _svg(figure)


CHARTS: dict[str, Callable[[Dashboard], bytes]] = {
    "routes": routes_chart,
    "latency": latency_chart,
    "cost": cost_chart,
    "rates": rates_chart,
    "redactions": redactions_chart,
}
