"""decide() with load-aware burst: the default policy with `saturated_when: {waiting_over: 8}` on its
on-prem target, under every load. Only rules whose data class allows a wider target change their order;
nothing else ever does. Pure: no database."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from accounts.clearance import Classification
from routing.policy.decide import Health, Load, Policy, RequestFacts, Saturation, Zone, decide, zone_violation
from routing.policy.loader import load_policy

DEFAULT_TEXT = (Path(__file__).resolve().parents[2] / "routing" / "policies" / "default.yaml").read_text()
LOCAL = """\
  local:
    zone: onprem
    backend: openai_compatible
"""
BURSTING = DEFAULT_TEXT.replace(LOCAL, LOCAL + "    saturated_when: {waiting_over: 8}\n")
PUB, INT, CONF, RESTR = tuple(Classification)
BUSY, QUIET, AT_LIMIT = Load(waiting=14, running=4), Load(waiting=2, running=4), Load(waiting=8, running=4)
UNKNOWN = Load(unknown="http://vllm:8000/metrics answered 404")
SATURATED = "On-prem saturated: local has 14 waiting, over 8, so claude (cloud) is tried first."


@pytest.fixture(scope="module")
def policy() -> Policy:
    loaded = load_policy(BURSTING)
    assert loaded.target("local").saturated_when == Saturation(waiting_over=8)
    return loaded


def facts(passages: tuple[int, ...] = (), findings: dict[str, int] | None = None, **kwargs: object) -> RequestFacts:
    base = RequestFacts(role="employee", clearance=INT, groups=("engineering",), passage_classes=passages)
    return replace(base, findings=findings or {}, **kwargs)


def health(policy: Policy, load: Load | None, **up: bool) -> Health:
    return Health(
        up={t.name: up.get(t.name, True) for t in policy.targets},
        load={} if load is None else {"local": load},
    )


PERSONAL = facts((INT,), {"email": 1})  # customer-data-private-first: [local, claude], redacted


@pytest.mark.parametrize(
    "request_facts, load, down, targets, reason",
    [
        # A rule that lists on-prem first and allows the cloud: saturated, the cloud goes first.
        (PERSONAL, BUSY, (), ["claude", "local", "extractive"], SATURATED),
        (PERSONAL, QUIET, (), ["local", "claude", "extractive"], None),
        (PERSONAL, AT_LIMIT, (), ["local", "claude", "extractive"], None),  # over 8, not at 8
        (PERSONAL, Load(waiting=2, running=500), (), ["local", "claude", "extractive"], None),  # no running_over
        (PERSONAL, None, (), ["local", "claude", "extractive"], "local (onprem)'s load is unknown (not read)"),
        (PERSONAL, UNKNOWN, (), ["local", "claude", "extractive"], "unknown (http://vllm:8000/metrics answered 404)"),
        # No wider target may take it: the order stays, and the reason says why.
        (PERSONAL, BUSY, ("claude",), ["local", "extractive"], "but no wider target of this rule may take"),
        (replace(PERSONAL, budget_exhausted=True), BUSY, (), ["local", "extractive"], "no wider target"),
        (PERSONAL, BUSY, ("local",), ["claude", "extractive"], None),  # local is down: nothing to reorder
        # Rules that forbid the cloud never change, however loaded.
        (facts((CONF,)), Load(waiting=1000), (), ["local", "extractive"], "no wider target"),
        (facts((RESTR,)), Load(waiting=1000), (), ["local", "extractive"], "no wider target"),
        (facts((INT,), {"secret": 1}), Load(waiting=1000), (), ["local", "extractive"], "no wider target"),
        (facts((PUB,), {"iban": 1}), Load(waiting=1000), (), ["local", "extractive"], "no wider target"),
        (facts((INT,), workload="ci"), BUSY, (), ["local", "extractive"], "no wider target"),
        # Rules that put the cloud first already are as they were.
        (facts((INT,)), BUSY, (), ["claude", "local", "extractive"], None),
        (facts((PUB,)), BUSY, (), ["claude", "local", "extractive"], None),
    ],
)
def test_burst_table(
    policy: Policy,
    request_facts: RequestFacts,
    load: Load | None,
    down: tuple[str, ...],
    targets: list[str],
    reason: str | None,
) -> None:
    decision = decide(request_facts, policy, health(policy, load, **dict.fromkeys(down, False)))
    assert [t.name for t in decision.targets] == targets
    said = [r for r in decision.reasons if "saturated" in r or "load is" in r]
    if reason is None:
        assert said == []
    else:
        assert len(said) == 1 and reason in said[0]


def test_a_burst_keeps_redaction_and_the_rule(policy: Policy) -> None:
    quiet = decide(PERSONAL, policy, health(policy, QUIET))
    busy = decide(PERSONAL, policy, health(policy, BUSY))
    assert busy.redact and busy.rule_name == quiet.rule_name == "customer-data-private-first"
    assert busy.reasons[-1] == SATURATED


def test_without_saturated_when_the_load_changes_nothing() -> None:
    plain = load_policy(DEFAULT_TEXT)
    decision = decide(PERSONAL, plain, health(plain, Load(waiting=1000)))
    assert [t.name for t in decision.targets] == ["local", "claude", "extractive"]
    assert not any("saturated" in r or "load is" in r for r in decision.reasons)


PRIVATE = BURSTING.replace(
    "targets:\n",
    "targets:\n  private-vllm:\n    zone: private\n    backend: openai_compatible\n    tier: large\n",
    1,
).replace("    targets: [local, extractive]\n    redact: false\n    max_passages: 5\n    on_failure: fail_closed\n"
          "    explain: Confidential", "    targets: [local, private-vllm, extractive]\n    redact: false\n"
          "    max_passages: 5\n    on_failure: fail_closed\n    explain: Confidential")  # fmt: skip


def test_confidential_data_bursts_to_the_private_zone_never_the_cloud() -> None:
    policy = load_policy(PRIVATE)
    decision = decide(facts((CONF,)), policy, health(policy, BUSY))
    assert [(t.name, t.zone) for t in decision.targets] == [
        ("private-vllm", Zone.PRIVATE), ("local", Zone.ONPREM), ("extractive", Zone.ONPREM)
    ]  # fmt: skip
    assert "On-prem saturated: local has 14 waiting, over 8, so private-vllm (private) is tried first." in (
        decision.reasons
    )


LOADS = [None, UNKNOWN, QUIET, BUSY, Load(waiting=10_000, running=10_000)]


def test_no_load_breaks_an_invariant_or_changes_which_targets_are_allowed(policy: Policy) -> None:
    """Across classes, findings, workloads, budgets and health: a load only ever reorders the targets."""
    classes = [(), (PUB,), (INT,), (CONF,), (RESTR,)]
    findings = [{}, {"email": 1}, {"secret": 1}, {"iban": 1}, {"custom:customer_id": 1}]
    for cls, found, workload, spent, claude_up in itertools.product(
        classes, findings, ["interactive", "ci"], [False, True], [True, False]
    ):
        request = facts(cls, found, workload=workload, budget_exhausted=spent)
        baseline = decide(request, policy, health(policy, QUIET, claude=claude_up))
        for load in LOADS:
            decision = decide(request, policy, health(policy, load, claude=claude_up))
            assert sorted(t.name for t in decision.targets) == sorted(t.name for t in baseline.targets)
            for target in decision.targets:
                has_secret = "secret" in found
                assert zone_violation(target.zone, decision.data_class, redact=decision.redact,
                                      has_secret=has_secret) is None  # fmt: skip
            if decision.data_class >= CONF or "secret" in found:
                assert all(t.zone == Zone.ONPREM for t in decision.targets)
                assert decision.targets == baseline.targets
