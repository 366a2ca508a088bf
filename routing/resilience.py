"""Keeping a Decision's targets usable: one backend per target per process, a circuit breaker per
target (pybreaker) and bounded retries with jitter (tenacity).

Backends and their connection pools are per process. The breakers' state is not: it lives in PostgreSQL
(routing/circuits.py), so a dead backend found out by any worker of any replica, after
GATE_BREAKER_FAILURES failures in a row counted across them all, is skipped by every one of them.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pybreaker
from django.conf import settings
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_before_delay

from routing import metrics
from routing.backends import get_backend_class
from routing.backends.base import ChatBackend, HttpChatBackend
from routing.circuits import SharedCircuitStorage, open_circuits
from routing.errors import BackendError, ErrorKind

if TYPE_CHECKING:
    from inspection import CustomPattern
    from routing.policy.decide import Target

logger = logging.getLogger(__name__)

# Failures that say nothing about a backend's health: this request's own fault.
REQUEST_FAULTS = frozenset({ErrorKind.BAD_REQUEST, ErrorKind.EGRESS_BLOCKED, ErrorKind.NOT_RECORDED})
# Numbers for the circuit-state gauge.
STATE_VALUES = {pybreaker.STATE_CLOSED: 0, pybreaker.STATE_HALF_OPEN: 1, pybreaker.STATE_OPEN: 2}

_lock = threading.Lock()
_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_backends: dict[str, tuple[tuple[Any, ...], ChatBackend]] = {}


def _not_backend_fault(exc: BaseException) -> bool:
    """Exceptions the breaker does not count: anything but a BackendError, and the request's own faults."""
    return not isinstance(exc, BackendError) or exc.kind in REQUEST_FAULTS


class _StateListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        metrics.CIRCUIT_STATE.labels(target=cb.name).set(STATE_VALUES[new_state.name])
        logger.warning("Circuit of %s is now %s (was %s)", cb.name, new_state.name, old_state.name if old_state else "")


def breaker(target_name: str) -> pybreaker.CircuitBreaker:
    """The circuit breaker of one policy target in this process."""
    with _lock:
        found = _breakers.get(target_name)
        if found is None:
            found = pybreaker.CircuitBreaker(
                fail_max=settings.GATE_BREAKER_FAILURES,
                reset_timeout=settings.GATE_BREAKER_RESET_S,
                exclude=[_not_backend_fault],
                listeners=[_StateListener()],
                name=target_name,
                # Shared by every process and replica (routing/circuits.py), not this process's memory.
                state_storage=SharedCircuitStorage(target_name),
                # Let the failure that tripped it through: its kind is what the audit records.
                throw_new_error_on_trip=False,
            )
            metrics.CIRCUIT_STATE.labels(target=target_name).set(0)
            _breakers[target_name] = found
        return found


@dataclass(frozen=True)
class CircuitState:
    target: str
    state: str  # closed, open or half-open
    failures: int  # in a row
    reopens_at: datetime | None  # when an open circuit lets a trial call through


def circuit_state(target_name: str) -> CircuitState:
    cb = breaker(target_name)
    opened_at = cb._state_storage.opened_at if cb.current_state == pybreaker.STATE_OPEN else None
    reopens_at = opened_at + timedelta(seconds=cb.reset_timeout) if opened_at else None
    return CircuitState(target_name, cb.current_state, cb.fail_counter, reopens_at)


def circuit_open(target_name: str) -> bool:
    """Whether calls to the target are refused now (open, and its reset time not yet passed)."""
    state = circuit_state(target_name)
    return state.reopens_at is not None and datetime.now(UTC) < state.reopens_at


def circuits_open_now() -> set[str]:
    """The targets whose circuit refuses calls now, in whichever process it opened: one query."""
    reset_after = timedelta(seconds=settings.GATE_BREAKER_RESET_S)
    now = datetime.now(UTC)
    return {target for target, opened_at in open_circuits().items() if now < opened_at + reset_after}


def backend_for(target: Target, *, policy_version: str, custom: Sequence[CustomPattern]) -> ChatBackend:
    """The process's backend instance for `target`, made once and kept (with its connection pool).

    A new one replaces it when the policy version, the target's timeout or the
    backend's settings change. The one replaced is not closed: requests still
    streaming from it finish, and its connections go with it when it is collected.
    """
    backend_class = get_backend_class(target.backend)
    prefix = getattr(backend_class, "settings_prefix", "")
    config = tuple((name, getattr(settings, name)) for name in dir(settings) if prefix and name.startswith(prefix))
    key = (target.backend, policy_version, target.timeout_s, config)
    with _lock:
        kept = _backends.get(target.name)
        if kept is not None and kept[0] == key:
            return kept[1]
        options: dict[str, Any] = {}
        if issubclass(backend_class, HttpChatBackend):
            # The egress guard checks for the company's own identifiers too, not only the built-in kinds.
            options = {"egress_custom": tuple(custom), "total_timeout": target.timeout_s}
        backend = backend_class(**options)
        _backends[target.name] = (key, backend)
        return backend


def reset() -> None:
    """Forget every breaker and close every kept backend (tests; a changed configuration)."""
    with _lock:
        for _, backend in _backends.values():
            backend.close()
        _backends.clear()
        _breakers.clear()


def transient(exc: BaseException) -> bool:
    """Whether trying the same target again may help: 429, 5xx, 529, timeouts, dropped streams —
    and not when the server asks for a longer wait than we may give."""
    if not isinstance(exc, BackendError) or exc.permanent:
        return False
    return exc.retry_after is None or exc.retry_after <= settings.GATE_RETRY_MAX_WAIT_S


def _wait(state: RetryCallState) -> float:
    """Full jitter: random in [0, base * 2^(n-1)], at least the server's retry-after, at most the max wait."""
    ceiling = min(settings.GATE_RETRY_MAX_WAIT_S, settings.GATE_RETRY_BASE_S * 2 ** (state.attempt_number - 1))
    wait = random.uniform(0, ceiling)
    error = state.outcome.exception() if state.outcome else None
    hint = getattr(error, "retry_after", None) or 0.0
    return min(settings.GATE_RETRY_MAX_WAIT_S, max(wait, hint))


def retrying(target: Target, *, sleep: Callable[[float], None] | None = None) -> Retrying:
    """Tries of one target: at most GATE_RETRY_ATTEMPTS, none started after the target's timeout,
    again only after a transient error. The last error is raised when they run out."""
    options: dict[str, Any] = {"sleep": sleep} if sleep else {}
    return Retrying(
        stop=stop_after_attempt(max(1, settings.GATE_RETRY_ATTEMPTS)) | stop_before_delay(target.timeout_s),
        wait=_wait,
        retry=retry_if_exception(transient),
        reraise=True,
        **options,
    )
