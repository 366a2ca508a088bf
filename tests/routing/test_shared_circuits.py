"""Circuit breakers shared across processes (routing/circuits.py): failures counted by one process open the
circuit for every other, which then skips the target; a success anywhere closes it for all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pybreaker
import pytest
from django.conf import settings
from django.db import connection

from routing import resilience
from routing.circuits import SharedCircuitStorage
from routing.errors import BackendError, ErrorKind
from routing.models import CircuitState
from routing.policy.versions import get_active_policy
from routing.services import current_health


def failing_call(breaker: pybreaker.CircuitBreaker) -> None:
    with pytest.raises(BackendError), breaker.calling():
        raise BackendError("claude: 500", kind=ErrorKind.SERVER_ERROR)


def other_process_breaker(name: str) -> pybreaker.CircuitBreaker:
    """A breaker as another process holds it: its own object and cached state, the same storage."""
    return pybreaker.CircuitBreaker(
        fail_max=settings.GATE_BREAKER_FAILURES, reset_timeout=settings.GATE_BREAKER_RESET_S,
        state_storage=SharedCircuitStorage(name), throw_new_error_on_trip=False, name=name,
    )  # fmt: skip


def test_failures_counted_in_two_breakers_open_the_circuit_for_both(db) -> None:
    resilience.reset()
    here, there = resilience.breaker("claude"), other_process_breaker("claude")
    for n in range(settings.GATE_BREAKER_FAILURES):
        failing_call(here if n % 2 else there)  # the failures alternate between the two
    assert here.current_state == there.current_state == "open"
    with pytest.raises(pybreaker.CircuitBreakerError), here.calling():
        pass
    assert CircuitState.objects.get(target="claude").failures == settings.GATE_BREAKER_FAILURES
    assert "claude" in resilience.circuits_open_now()


def test_a_healthy_target_costs_a_read_and_an_update_that_matches_nothing_per_call(
    db, django_assert_num_queries
) -> None:
    resilience.reset()
    breaker = resilience.breaker("local")
    with breaker.calling():
        pass
    with django_assert_num_queries(2), breaker.calling():  # the state; clearing a count that is already zero
        pass
    assert not CircuitState.objects.filter(target="local").exists()  # nothing written while all is well


@pytest.mark.slow
def test_a_circuit_another_process_opened_makes_this_one_skip_the_target(transactional_db, cloud) -> None:
    """A real second process (manage.py shell, same database) sees the cloud fail and opens its circuit;
    this process's next decision finds the target down without having called it once."""
    resilience.reset()
    script = textwrap.dedent(
        """
        from routing import resilience
        from routing.errors import BackendError, ErrorKind
        breaker = resilience.breaker("claude")
        for _ in range(5):
            try:
                with breaker.calling():
                    raise BackendError("claude: 500", kind=ErrorKind.SERVER_ERROR)
            except BackendError:
                pass
        print(breaker.current_state)
        """
    )
    env = {"SLUICE_DATABASE_NAME": connection.settings_dict["NAME"], "GATE_BREAKER_FAILURES": "5"}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("open")
    health = current_health(get_active_policy())  # claude is configured here (the `cloud` fixture)
    assert health.up["claude"] is False and "circuit is open" in health.why_down["claude"]
    assert not cloud.requests
