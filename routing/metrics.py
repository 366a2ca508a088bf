"""Prometheus metrics of the gate (prometheus-client).

Under gunicorn each worker is a process: `manage.py serve` sets
PROMETHEUS_MULTIPROC_DIR so /metrics adds up every worker's figures.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

if TYPE_CHECKING:
    from routing.answer import GatedAnswer

REQUESTS = Counter("sluice_requests_total", "Questions through the gate, by outcome", ["outcome"])
ATTEMPTS = Counter(
    "sluice_backend_attempts_total", "Calls to answer targets, by outcome", ["target", "zone", "outcome"]
)
LATENCY = Histogram(
    "sluice_backend_latency_seconds",
    "Time a target took to answer (or fail)",
    ["target", "zone"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
)
TOKENS = Counter("sluice_tokens_total", "Tokens reported by targets", ["target", "direction"])
COST = Counter("sluice_cost_usd_total", "What targets cost, in USD", ["target"])
FALLBACKS = Counter("sluice_fallbacks_total", "Answers that came from a later target than the first")
REDACTIONS = Counter("sluice_redactions_total", "Spans replaced before a bundle left, by kind", ["kind"])
CACHE_HITS = Counter("sluice_cache_hits_total", "Answers reused from the response cache", ["target"])
EGRESS_BLOCKS = Counter("sluice_egress_blocks_total", "Cloud calls the egress guard stopped", ["target"])
RESTARTS = Counter("sluice_restarted_answers_total", "Answers withdrawn mid-stream and written again", ["target"])
# 0 closed, 1 half-open, 2 open; across gunicorn workers, the worst live one.
CIRCUIT_STATE = Gauge(
    "sluice_circuit_state", "Circuit breaker per target: 0 closed, 1 half-open, 2 open", ["target"],
    multiprocess_mode="livemax",
)  # fmt: skip


def render() -> bytes:
    """The metrics in Prometheus' text format, across worker processes when there are several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def count_answer(answer: GatedAnswer, outcome: str) -> None:
    """Count one audited answer: its outcome, every attempt, a fallback, what was redacted."""
    REQUESTS.labels(outcome=outcome).inc()
    for attempt in answer.attempts:
        if attempt.outcome == "cache_hit":
            CACHE_HITS.labels(target=attempt.target).inc()
            continue
        ATTEMPTS.labels(target=attempt.target, zone=attempt.zone, outcome=attempt.outcome).inc()
        LATENCY.labels(target=attempt.target, zone=attempt.zone).observe(attempt.latency_ms / 1000)
        TOKENS.labels(target=attempt.target, direction="input").inc(attempt.input_tokens)
        TOKENS.labels(target=attempt.target, direction="output").inc(attempt.output_tokens)
        COST.labels(target=attempt.target).inc(attempt.cost_usd)
    if answer.fell_back:
        FALLBACKS.inc()
    for kind, n in answer.redacted.items():
        REDACTIONS.labels(kind=kind).inc(n)


def count_interrupted(calls: list[dict[str, str]]) -> None:
    """Count one request audited as interrupted (its process died after sending it) and the calls it made."""
    REQUESTS.labels(outcome="interrupted").inc()
    for call in calls:
        ATTEMPTS.labels(target=call["target"], zone=call["zone"], outcome="interrupted").inc()
