"""Running a Decision against misbehaving servers: retries, circuit breakers, timeouts, kept backends.

Real SDKs and real HTTP against the loopback fakes; waits are shortened by
settings (tests/conftest.py), never by patching the gate.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from fakes.common import Script
from routing import resilience
from routing.backends.base import Bundle
from routing.errors import BackendError, ErrorKind
from routing.metrics import render
from routing.models import AuditEvent
from routing.policy.decide import Health, RequestFacts, Target, Zone, decide
from routing.policy.versions import get_active_policy
from routing.redaction import Vault
from routing.runner import DecisionRun
from routing.services import answer_question

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
QUESTION = "How do I roll back a bad deploy?"


def outcomes(answer) -> list[tuple[str, str]]:
    return [(a["target"], a["outcome"]) for a in AuditEvent.objects.get(id=answer.audit_id).attempts]


def test_a_rate_limited_cloud_is_tried_again_and_answers(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(Script(status=429, retry_after=0.05))

    answer = answer_question(question=QUESTION, acting_user=employee)

    assert answer.backend == "claude" and len(cloud.requests) == 2
    assert outcomes(answer) == [("claude", "rate_limited"), ("claude", "ok")]
    assert ", on try 2 (after rate_limited), because " in answer.route
    assert AuditEvent.objects.get(id=answer.audit_id).fallback_used is False  # a retry is no fallback


@pytest.mark.parametrize(("status", "kind"), [(401, "auth"), (400, "bad_request"), (404, "not_found")])
def test_a_permanent_error_is_not_tried_again(ingest, employee, cloud, status, kind):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(status=status)

    answer = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 1
    assert outcomes(answer) == [("claude", kind), ("extractive", "ok")]
    assert AuditEvent.objects.get(id=answer.audit_id).fallback_used is True


def test_a_server_asking_for_a_longer_wait_than_allowed_is_left_for_the_fallback(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(status=529, retry_after=30)

    started = time.monotonic()
    answer = answer_question(question=QUESTION, acting_user=employee)

    assert time.monotonic() - started < 10  # it did not wait the 30 s asked for
    assert len(cloud.requests) == 1
    assert outcomes(answer) == [("claude", "overloaded"), ("extractive", "ok")]


def test_waits_between_tries_are_jittered_and_honour_the_servers_hint(settings):
    settings.GATE_RETRY_ATTEMPTS = 4
    settings.GATE_RETRY_BASE_S = 0.1
    settings.GATE_RETRY_MAX_WAIT_S = 1.0
    target = Target(name="claude", zone=Zone.CLOUD, backend="anthropic", tier="frontier", timeout_s=60)

    def waits(hint: float | None) -> list[float]:
        slept: list[float] = []
        with pytest.raises(BackendError):
            for attempt in resilience.retrying(target, sleep=slept.append):
                with attempt:
                    raise BackendError("busy", kind=ErrorKind.OVERLOADED, retry_after=hint)
        return slept

    plain = [w for _ in range(20) for w in waits(None)]
    assert len(plain) == 60  # 3 waits between 4 tries, 20 times
    assert all(0 <= w <= 0.4 for w in plain)  # full jitter under base * 2^(n-1)
    assert len(set(plain)) > 50  # random, not a fixed schedule
    assert all(w >= 0.3 for w in waits(0.3))  # never sooner than the server asked


def test_after_failures_in_a_row_the_circuit_opens_and_the_policy_skips_the_target(ingest, employee, cloud, settings):
    settings.GATE_RETRY_ATTEMPTS = 1
    settings.GATE_BREAKER_FAILURES = 2
    settings.GATE_BREAKER_RESET_S = 60
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(status=500)

    for _ in range(2):
        assert answer_question(question=QUESTION, acting_user=employee).backend == "extractive"
    assert len(cloud.requests) == 2
    assert resilience.circuit_state("claude").state == "open"
    assert 'sluice_circuit_state{target="claude"} 2.0' in render().decode()

    skipped = answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 2  # not called while open
    assert skipped.backend == "extractive"
    reasons = AuditEvent.objects.get(id=skipped.audit_id).decision["reasons"]
    assert any("claude (cloud) is down: its circuit is open" in r for r in reasons)

    pass_reset_time("claude")  # a trial call goes through, and it succeeds
    cloud.behave(status=200)
    recovered = answer_question(question=QUESTION, acting_user=employee)

    assert recovered.backend == "claude" and len(cloud.requests) == 3
    assert resilience.circuit_state("claude").state == "closed"
    assert 'sluice_circuit_state{target="claude"} 0.0' in render().decode()


def pass_reset_time(target: str) -> None:
    """As if the breaker's reset time had passed (pybreaker keeps when it opened in its storage)."""
    storage = resilience.breaker(target)._state_storage
    storage.opened_at = storage.opened_at - timedelta(seconds=resilience.breaker(target).reset_timeout + 1)


def test_an_egress_block_neither_counts_against_nor_closes_a_circuit(cloud, settings, db):
    settings.GATE_RETRY_ATTEMPTS = 1
    settings.GATE_BREAKER_FAILURES = 2
    policy = get_active_policy()
    decision = decide(RequestFacts(role="employee", clearance=1), policy, Health.all_up(policy.targets))
    clean = Bundle(question="How do I roll back a deploy?", passages=())
    leaky = Bundle(question="Mail dana.cho@quillfern.example about the deploy", passages=())
    cloud.behave(status=500)

    def ask(bundle: Bundle) -> list[tuple[str, str]]:
        run = DecisionRun(bundle=bundle, decision=decision, vault=Vault())
        list(run)
        return [(a.target, a.outcome) for a in run.attempts]

    ask(clean)
    ask(leaky)  # between two failures: the count is not reset
    ask(clean)
    assert resilience.circuit_state("claude").state == "open"

    pass_reset_time("claude")
    assert ask(leaky)[0] == ("claude", "egress_blocked")  # in half-open: no trial call was made...
    assert resilience.circuit_state("claude").state != "closed"  # ...so nothing says the server is back
    assert len(cloud.requests) == 2


def test_a_rejected_request_shows_the_server_is_up_and_does_not_open_the_circuit(ingest, employee, cloud, settings):
    settings.GATE_BREAKER_FAILURES = 2
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(status=400)

    for _ in range(3):
        answer_question(question=QUESTION, acting_user=employee)

    assert len(cloud.requests) == 3
    assert resilience.circuit_state("claude").state == "closed"


def test_one_backend_per_target_is_kept_and_replaced_when_its_settings_change(settings, cloud, db):
    policy = get_active_policy()
    claude = policy.target("claude")

    first = resilience.backend_for(claude, policy_version=policy.version, custom=())
    assert resilience.backend_for(claude, policy_version=policy.version, custom=()) is first
    assert first.total_timeout == claude.timeout_s  # the policy's timeout, not the setting's

    assert first.health().ok  # its client is made and has a connection open
    settings.ANTHROPIC_MODEL = "claude-other"
    second = resilience.backend_for(claude, policy_version=policy.version, custom=())

    assert second is not first and second.model == "claude-other"
    # The replaced one is left open: a request in another thread may still be streaming from it.
    assert first._client is not None and first.health().ok


def test_the_policys_timeout_cuts_a_slow_stream_and_the_answer_is_written_again_on_prem(
    ingest, employee, cloud, edit_policy
):
    edit_policy("timeout_s: 60", "timeout_s: 0.5")
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(text="Roll back from the deploy dashboard, step by step, slowly [1].", delay_between_chunks=0.2)

    answer = answer_question(question=QUESTION, acting_user=employee)

    assert outcomes(answer) == [("claude", "timeout"), ("extractive", "ok")]  # no time left for a second try
    assert answer.backend == "extractive" and "deploy dashboard" in answer.text
    assert "Roll back from the deploy dashboard, step by step" not in answer.text


def test_an_egress_block_is_counted_never_retried_and_left_for_the_next_target(cloud, db):
    policy = get_active_policy()
    decision = decide(RequestFacts(role="employee", clearance=1), policy, Health.all_up(policy.targets))
    assert [t.name for t in decision.targets][0] == "claude"
    # A bundle the gate would never build: an e-mail address left in the clear.
    bundle = Bundle(question="Mail dana.cho@quillfern.example about the deploy dashboard", passages=())
    before = REGISTRY.get_sample_value("sluice_egress_blocks_total", {"target": "claude"}) or 0.0

    run = DecisionRun(bundle=bundle, decision=decision, vault=Vault())
    list(run)

    assert cloud.requests == []
    assert [(a.target, a.outcome) for a in run.attempts][0] == ("claude", "egress_blocked")
    assert sum(a.target == "claude" for a in run.attempts) == 1
    assert REGISTRY.get_sample_value("sluice_egress_blocks_total", {"target": "claude"}) == before + 1
    assert resilience.circuit_state("claude").failures == 0  # the request's fault, not the backend's
