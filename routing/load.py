"""How busy the on-prem model servers are: their queue, read from their Prometheus metrics, for the policy's
load-aware burst (`saturated_when` on a target; docs/policy.md).

vLLM serves `vllm:num_requests_waiting` and `vllm:num_requests_running` at /metrics; llama.cpp's server
serves `llamacpp:requests_deferred` and `llamacpp:requests_processing` there when started with --metrics.
Samples of one name are summed (vLLM labels them by model and engine).

A reading is kept in this process for LOCAL_LLM_LOAD_MAX_AGE_S and then read again by the one request that
finds it stale (with a short timeout), while the others use the last one. Not in PostgreSQL, unlike the
circuits: a circuit's state is made of each process's own failures and must be summed across them, but the
queue is counted by the model server itself, so every process reading it sees the same number already, and
sharing it would cost a write per reading and a read per request for nothing more.

A reading that fails (no /metrics, an error, a timeout, a text without the queue) is unknown, and an
unknown load never makes a target saturated: a broken metrics endpoint must not send data wider.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from routing import resilience
from routing.policy.decide import Load, Policy, Target

# The first name each server family uses, in the order tried.
WAITING = ("vllm:num_requests_waiting", "llamacpp:requests_deferred")
RUNNING = ("vllm:num_requests_running", "llamacpp:requests_processing")
# A reading is on some request's path (once per max age per process): it must be quick or nothing.
READ_TIMEOUT_S = 1.0


def parse_load(text: str) -> Load:
    """The load a server's Prometheus text exposition reports; unknown (saying why) when it has no queue."""
    sums: dict[str, float] = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name in WAITING + RUNNING:
                    sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
    except ValueError:
        return Load(unknown="its metrics are not in Prometheus' text format")
    waiting = next((int(sums[n]) for n in WAITING if n in sums), None)
    running = next((int(sums[n]) for n in RUNNING if n in sums), None)
    if waiting is None and running is None:
        return Load(unknown=f"its metrics name no queue ({' or '.join(WAITING)})")
    return Load(waiting=waiting, running=running)


@dataclass(frozen=True)
class _Reading:
    source: str  # the metrics URL it was read from: another URL (settings changed) is read again
    at: float  # time.monotonic()
    load: Load


_lock = threading.Lock()
_readings: dict[str, _Reading] = {}
_reading_now: dict[str, threading.Lock] = {}


def read_load(target: Target, policy: Policy) -> Load:
    """`target`'s load as this process last read it, read again when older than LOCAL_LLM_LOAD_MAX_AGE_S (by
    one thread at a time: the others use the last reading meanwhile). Never raises: unknown when unreadable."""
    backend = resilience.backend_for(target, policy_version=policy.version, custom=policy.custom_patterns)
    source = backend.metrics_url()
    with _lock:
        last = _readings.get(target.name)
        if last is not None and last.source != source:
            last = None
        if last is not None and time.monotonic() - last.at < settings.LOCAL_LLM_LOAD_MAX_AGE_S:
            return last.load
        reading_now = _reading_now.setdefault(target.name, threading.Lock())
    if not reading_now.acquire(blocking=False):
        return last.load if last is not None else Load(unknown="being read")
    try:
        load = backend.load()
        with _lock:
            _readings[target.name] = _Reading(source, time.monotonic(), load)
        return load
    finally:
        reading_now.release()


def reset() -> None:
    """Forget every reading (tests; a changed configuration)."""
    with _lock:
        _readings.clear()
