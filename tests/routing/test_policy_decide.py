"""decide() on the default policy, one row per rule and per health/budget/workload combination.
Pure: no database."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from accounts.clearance import Classification
from routing.policy.decide import (
    Action,
    Approval,
    Conditions,
    Health,
    OnFailure,
    Policy,
    RequestFacts,
    Rule,
    Zone,
    decide,
)
from routing.policy.loader import load_policy

DEFAULT_TEXT = (Path(__file__).resolve().parents[2] / "routing" / "policies" / "default.yaml").read_text()
PUB, INT, CONF, RESTR = tuple(Classification)
ALL_UP = {"cloud": True, "private": True, "onprem": True}
CLOUD_DOWN = {"cloud": False, "private": True, "onprem": True}
ONPREM_DOWN = {"cloud": True, "private": True, "onprem": False}
ALL_DOWN = {"cloud": False, "private": False, "onprem": False}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(DEFAULT_TEXT)


def facts(passages: tuple[int, ...] = (), findings: dict[str, int] | None = None, **kwargs: object) -> RequestFacts:
    base = RequestFacts(role="employee", clearance=INT, groups=("engineering",), passage_classes=passages)
    return replace(base, findings=findings or {}, **kwargs)


@pytest.mark.parametrize(
    "request_facts, zones, targets, redact, rule, on_failure",
    [
        # public prefers cloud, falls back on-prem
        (facts((PUB,)), ALL_UP, ["claude", "local", "extractive"], False, "public-prefers-cloud", "degrade"),
        (facts((PUB,)), CLOUD_DOWN, ["local", "extractive"], False, "public-prefers-cloud", "degrade"),
        (facts((PUB,)), ALL_DOWN, ["extractive"], False, "public-prefers-cloud", "degrade"),
        (facts(()), ALL_UP, ["claude", "local", "extractive"], False, "public-prefers-cloud", "degrade"),
        # internal: cloud only redacted, first choice cloud, degrading on-prem
        (facts((PUB, INT)), ALL_UP, ["claude", "local", "extractive"], True, "internal-cloud-redacted", "degrade"),
        (facts((INT,)), CLOUD_DOWN, ["local", "extractive"], True, "internal-cloud-redacted", "degrade"),
        (facts((INT,)), ONPREM_DOWN, ["claude", "extractive"], True, "internal-cloud-redacted", "degrade"),
        (
            facts((INT,), workload="batch"),
            ALL_UP,
            ["claude", "local", "extractive"],
            True,
            "internal-cloud-redacted",
            "degrade",
        ),
        # confidential stays on-prem/private and fails closed
        (facts((INT, CONF)), ALL_UP, ["local", "extractive"], False, "confidential-stays-inside", "fail_closed"),
        (facts((CONF,)), ONPREM_DOWN, ["extractive"], False, "confidential-stays-inside", "fail_closed"),
        (
            facts((PUB,), {"payment_card": 1}),
            ALL_UP,
            ["local", "extractive"],
            False,
            "confidential-stays-inside",
            "fail_closed",
        ),
        (
            facts((PUB,), {"iban": 1, "ssn": 2}),
            ALL_UP,
            ["local", "extractive"],
            False,
            "confidential-stays-inside",
            "fail_closed",
        ),
        # restricted never leaves on-prem
        (facts((RESTR,)), ALL_UP, ["local", "extractive"], False, "restricted-stays-onprem", "fail_closed"),
        (facts((PUB, RESTR)), ONPREM_DOWN, ["extractive"], False, "restricted-stays-onprem", "fail_closed"),
        (
            facts((RESTR,), workload="ci"),
            ALL_UP,
            ["local", "extractive"],
            False,
            "restricted-stays-onprem",
            "fail_closed",
        ),
        # a secret stays on-prem whatever else the request is
        (facts((PUB,), {"secret": 1}), ALL_UP, ["local", "extractive"], False, "secret-stays-onprem", "fail_closed"),
        (
            facts((PUB,), {"secret": 1, "email": 1}),
            ONPREM_DOWN,
            ["extractive"],
            False,
            "secret-stays-onprem",
            "fail_closed",
        ),
        # customer identifiers and personal data: private first, cloud only redacted as a fallback
        (
            facts((PUB,), {"custom:customer_id": 2}),
            ALL_UP,
            ["local", "claude", "extractive"],
            True,
            "customer-data-private-first",
            "degrade",
        ),
        (
            facts((INT,), {"email": 1}),
            ALL_UP,
            ["local", "claude", "extractive"],
            True,
            "customer-data-private-first",
            "degrade",
        ),
        (
            facts((INT,), {"person": 1}),
            ONPREM_DOWN,
            ["claude", "extractive"],
            True,
            "customer-data-private-first",
            "degrade",
        ),
        (
            facts((PUB,), {"custom:customer_id": 1, "payment_card": 1}),
            ALL_UP,
            ["local", "extractive"],
            False,
            "confidential-stays-inside",
            "fail_closed",
        ),
        (
            facts((RESTR,), {"custom:customer_id": 1}),
            ALL_UP,
            ["local", "extractive"],
            False,
            "restricted-stays-onprem",
            "fail_closed",
        ),
        # ci uses on-prem only
        (facts((PUB,), workload="ci"), ALL_UP, ["local", "extractive"], False, "ci-onprem-only", "degrade"),
        (
            facts((INT,), {"email": 1}, workload="ci"),
            ALL_UP,
            ["local", "extractive"],
            False,
            "ci-onprem-only",
            "degrade",
        ),
        (facts((INT,), workload="ci"), ONPREM_DOWN, ["extractive"], False, "ci-onprem-only", "degrade"),
        # a spent budget skips the cloud
        (
            facts((INT,), budget_exhausted=True),
            ALL_UP,
            ["local", "extractive"],
            True,
            "internal-cloud-redacted",
            "degrade",
        ),
        (facts((PUB,), budget_exhausted=True), ONPREM_DOWN, ["extractive"], False, "public-prefers-cloud", "degrade"),
        (
            facts((PUB,), {"email": 1}, budget_exhausted=True),
            ALL_UP,
            ["local", "extractive"],
            True,
            "customer-data-private-first",
            "degrade",
        ),
    ],
)
def test_default_policy_table(
    policy: Policy,
    request_facts: RequestFacts,
    zones: dict[str, bool],
    targets: list[str],
    redact: bool,
    rule: str,
    on_failure: str,
) -> None:
    decision = decide(request_facts, policy, Health.from_zones(policy.targets, zones))
    assert decision.action == Action.ANSWER
    assert [t.name for t in decision.targets] == targets
    assert decision.redact is redact
    assert decision.rule_name == rule
    assert decision.on_failure == on_failure
    assert decision.policy_version == "default-3"
    assert decision.reasons  # every decision says why


@pytest.mark.parametrize(
    "passages, findings, expected",
    [
        ((), {}, PUB),
        ((PUB, INT), {}, INT),
        ((PUB,), {"email": 1}, INT),
        ((INT,), {"payment_card": 1}, CONF),
        ((CONF,), {"secret": 1}, RESTR),
        ((PUB,), {"custom:customer_id": 1}, INT),
        ((PUB,), {"email": 0}, PUB),  # a kind counted zero times was not found
        ((PUB,), {"some_new_detector": 1}, CONF),  # unknown kinds are assumed sensitive
    ],
)
def test_data_class_is_the_highest_of_passages_and_findings(
    policy: Policy, passages: tuple[int, ...], findings: dict[str, int], expected: Classification
) -> None:
    decision = decide(facts(passages, findings), policy, Health.all_up(policy.targets))
    assert decision.data_class == expected
    assert decision.reasons[0].startswith(f"The request is {expected.label}")


def test_a_secret_is_removed_and_the_user_is_told(policy: Policy) -> None:
    decision = decide(facts((PUB,), {"secret": 1}), policy, Health.all_up(policy.targets))
    assert decision.remove_secrets is True
    assert all(t.zone == Zone.ONPREM for t in decision.targets)
    assert decision.notices == (policy.secrets.tell_user,)
    assert decision.reasons[-1] == policy.secrets.tell_user


def test_without_a_secret_nothing_is_removed(policy: Policy) -> None:
    decision = decide(facts((INT,), {"email": 1}), policy, Health.all_up(policy.targets))
    assert decision.remove_secrets is False
    assert decision.notices == ()


def test_a_spent_budget_skips_cloud_and_tells_the_user(policy: Policy) -> None:
    decision = decide(facts((INT,), budget_exhausted=True, team="sre"), policy, Health.all_up(policy.targets))
    assert "claude (cloud) is skipped: team sre's monthly budget is spent." in decision.reasons
    assert decision.notices == (policy.budget.tell_user,)


def test_a_spent_budget_says_nothing_when_no_cloud_was_wanted(policy: Policy) -> None:
    decision = decide(facts((CONF,), budget_exhausted=True), policy, Health.all_up(policy.targets))
    assert decision.notices == ()


def test_cloud_down_says_so_and_degrades(policy: Policy) -> None:
    decision = decide(facts((INT,)), policy, Health.from_zones(policy.targets, CLOUD_DOWN))
    assert "claude (cloud) is down." in decision.reasons


def test_everything_down_degrades_to_extractive_and_says_so(policy: Policy) -> None:
    decision = decide(facts((INT,)), policy, Health.from_zones(policy.targets, ALL_DOWN))
    assert [t.name for t in decision.targets] == ["extractive"]
    assert any("degrades to extractive" in r for r in decision.reasons)


def test_an_unconfigured_target_counts_as_down(policy: Policy) -> None:
    decision = decide(facts((PUB,)), policy, Health(up={"local": True}))
    assert [t.name for t in decision.targets] == ["local", "extractive"]


# Small policies built directly (not through the loader), to show that decide() enforces the
# invariants itself and to reach the fail_closed and queue outcomes.


def _policy_with(policy: Policy, *rules: Rule) -> Policy:
    return replace(policy, rules=rules)


def _rule(name: str, targets: tuple[str, ...], on_failure: OnFailure, **when: object) -> Rule:
    return Rule(
        name=name,
        when=Conditions(**when),  # type: ignore[arg-type]
        targets=targets,
        redact=False,
        max_passages=3,
        on_failure=on_failure,
        explain=f"{name} explains itself.",
    )


def test_fail_closed_refuses_when_no_allowed_target_is_up(policy: Policy) -> None:
    strict = _policy_with(policy, _rule("local-only", ("local",), OnFailure.FAIL_CLOSED))
    decision = decide(facts((CONF,)), strict, Health.from_zones(policy.targets, ONPREM_DOWN))
    assert decision.action == Action.REFUSE
    assert decision.targets == ()
    assert decision.reasons[-1] == "No allowed target is up, and this rule fails closed: the request is refused."


@pytest.mark.parametrize(
    "zones, approve, action, targets, held_because",
    [
        # `queue` holds when no allowed target is up, for the targets the rule allows; admins approve by default
        (ALL_DOWN, None, Action.HOLD, ["local"], "no allowed target is up"),
        (ONPREM_DOWN, None, Action.HOLD, ["local"], "no allowed target is up"),
        (ALL_UP, None, Action.ANSWER, ["local"], None),
        # `approve` holds whatever the health, for the targets that are up
        (ALL_UP, Approval(by=("finance",), expires_after_s=7200), Action.HOLD, ["local"], "needs a person's approval"),
        (ALL_DOWN, Approval(by=("finance",)), Action.HOLD, ["local"], "no allowed target is up"),
    ],
)
def test_queue_and_approve_hold_the_request(
    policy: Policy, zones: dict, approve: Approval | None, action: Action, targets: list[str], held_because: str | None
) -> None:
    queued = _policy_with(policy, replace(_rule("queue-it", ("local",), OnFailure.QUEUE), approve=approve))
    decision = decide(facts((INT,), workload="batch"), queued, Health.from_zones(policy.targets, zones))
    assert decision.action == action
    assert [t.name for t in decision.targets] == targets
    if held_because is None:
        assert decision.approval is None
        return
    assert decision.approval == (approve or Approval(by=("admin",), expires_after_s=24 * 3600))
    assert held_because in decision.reasons[-1] and "nothing is sent until then" in decision.reasons[-1]


@pytest.mark.parametrize(
    "rule, zones, action, targets",
    [
        # approve with degrade: held, the extractive rung among the targets
        (("claude", "local"), CLOUD_DOWN, Action.HOLD, ["local", "extractive"]),
        # approve and fail_closed with nothing up: refused, nothing held
        (("local",), ALL_DOWN, Action.REFUSE, []),
    ],
)
def test_approve_holds_only_what_could_be_sent(
    policy: Policy, rule: tuple[str, ...], zones: dict, action: Action, targets: list[str]
) -> None:
    on_failure = OnFailure.DEGRADE if "claude" in rule else OnFailure.FAIL_CLOSED
    held = _policy_with(policy, replace(_rule("approve-it", rule, on_failure), redact=True, approve=Approval()))
    decision = decide(facts((INT,)), held, Health.from_zones(policy.targets, zones))
    assert decision.action == action
    assert [t.name for t in decision.targets] == targets


def test_queue_refuses_when_no_target_of_the_rule_may_take_the_request(policy: Policy) -> None:
    # Confidential data may never reach claude, up or down: there is nothing to queue for.
    queued = _policy_with(policy, _rule("queue-cloud", ("claude",), OnFailure.QUEUE))
    decision = decide(facts((CONF,)), queued, Health.from_zones(policy.targets, ALL_DOWN))
    assert decision.action == Action.REFUSE and decision.targets == ()
    assert "cannot be queued" in decision.reasons[-1]


def test_a_secret_request_held_for_approval_still_stays_on_prem(policy: Policy) -> None:
    held = _policy_with(policy, replace(_rule("all", ("claude", "local"), OnFailure.QUEUE), approve=Approval()))
    decision = decide(facts((PUB,), {"secret": 1}), held, Health.all_up(policy.targets))
    assert decision.action == Action.HOLD and [t.name for t in decision.targets] == ["local"]
    assert decision.remove_secrets


def test_no_matching_rule_refuses(policy: Policy) -> None:
    narrow = _policy_with(policy, _rule("ci-only", ("local",), OnFailure.DEGRADE, workload=frozenset({"ci"})))
    decision = decide(facts((PUB,)), narrow, Health.all_up(policy.targets))
    assert decision.action == Action.REFUSE
    assert decision.rule_name is None


@pytest.mark.parametrize(
    "passages, findings, redact, expected",
    [
        ((RESTR,), {}, True, ["local", "extractive"]),
        ((CONF,), {}, True, ["local", "extractive"]),
        ((INT,), {}, False, ["local", "extractive"]),  # internal to cloud only redacted
        ((INT,), {}, True, ["claude", "local", "extractive"]),
        ((PUB,), {"secret": 1}, True, ["local", "extractive"]),
        ((PUB,), {}, False, ["claude", "local", "extractive"]),
    ],
)
def test_invariants_hold_even_for_a_policy_the_loader_would_reject(
    policy: Policy, passages: tuple[int, ...], findings: dict[str, int], redact: bool, expected: list[str]
) -> None:
    reckless = _policy_with(policy, replace(_rule("anything", ("claude", "local"), OnFailure.DEGRADE), redact=redact))
    decision = decide(facts(passages, findings), reckless, Health.all_up(policy.targets))
    assert [t.name for t in decision.targets] == expected
    if "claude" not in expected:
        assert any(r.startswith("claude (cloud) is not used:") for r in decision.reasons)


def test_the_default_policy_names_its_rules_in_order(policy: Policy) -> None:
    assert [r.name for r in policy.rules] == [
        "secret-stays-onprem",
        "restricted-stays-onprem",
        "confidential-stays-inside",
        "ci-onprem-only",
        "customer-data-private-first",
        "internal-cloud-redacted",
        "public-prefers-cloud",
    ]


# Property-style: across a grid of facts x health, no decision on the default policy breaks an invariant.

PASSAGE_SETS = [(), (PUB,), (INT,), (CONF,), (RESTR,), (PUB, RESTR), (INT, CONF)]
FINDING_SETS = [
    {},
    {"email": 1},
    {"secret": 1},
    {"payment_card": 1},
    {"custom:customer_id": 3},
    {"email": 1, "secret": 2},
    {"ip_address": 1, "iban": 1},
    {"person": 1, "address": 1, "phone": 1},
]
HEALTHS = [
    dict(zip(("cloud", "private", "onprem"), ups, strict=True)) for ups in itertools.product([True, False], repeat=3)
]


def test_no_decision_on_the_default_policy_breaks_an_invariant(policy: Policy) -> None:
    checked = 0
    for passages, findings, workload, budget, zones in itertools.product(
        PASSAGE_SETS, FINDING_SETS, ["interactive", "batch", "ci"], [False, True], HEALTHS
    ):
        request = facts(passages, findings, workload=workload, budget_exhausted=budget)
        health = Health.from_zones(policy.targets, zones)
        decision = decide(request, policy, health)
        zones_used = {t.zone for t in decision.targets}
        rule = next(r for r in policy.rules if r.name == decision.rule_name)
        context = (passages, findings, workload, budget, zones, decision)
        if decision.data_class >= CONF:
            assert Zone.CLOUD not in zones_used, context
        if decision.data_class == RESTR or findings.get("secret"):
            assert zones_used <= {Zone.ONPREM}, context
        if findings.get("secret"):
            assert decision.remove_secrets, context
        if Zone.CLOUD in zones_used:
            assert decision.redact or decision.data_class == PUB, context
        if budget:
            assert Zone.CLOUD not in zones_used, context
        if workload == "ci":
            assert zones_used <= {Zone.ONPREM}, context
        # a fallback never widens locality: only the rule's own targets, or the extractive last rung
        assert all(t.name in rule.targets or t.in_process for t in decision.targets), context
        assert all(health.is_up(t) for t in decision.targets), context
        # extractive is never down, and every default rule allows it: the default never refuses
        assert decision.action == Action.ANSWER, context
        checked += 1
    assert checked == len(PASSAGE_SETS) * len(FINDING_SETS) * 3 * 2 * len(HEALTHS)


@pytest.mark.parametrize(
    "earlier, secret, passages, expected, targets",
    [
        (None, False, (INT,), INT, ["claude", "local", "extractive"]),  # a first question
        (PUB, False, (INT,), INT, ["claude", "local", "extractive"]),
        (INT, False, (PUB,), INT, ["claude", "local", "extractive"]),
        (CONF, False, (INT,), CONF, ["local", "extractive"]),  # confidential, then internal: still inside
        (CONF, False, (), CONF, ["local", "extractive"]),
        (RESTR, False, (PUB,), RESTR, ["local", "extractive"]),
        (INT, True, (PUB,), RESTR, ["local", "extractive"]),  # a secret earlier keeps it on-prem
    ],
)
def test_a_conversations_class_never_goes_down(
    policy: Policy,
    earlier: Classification | None,
    secret: bool,
    passages: tuple[int, ...],
    expected: Classification,
    targets: list[str],
) -> None:
    request = facts(passages, conversation_class=earlier, conversation_secret=secret)

    decision = decide(request, policy, Health.all_up(policy.targets))

    assert decision.data_class == expected
    assert [t.name for t in decision.targets] == targets
    assert decision.remove_secrets is False and decision.notices == ()  # this turn held no secret


def test_the_reason_says_an_earlier_turn_was_confidential(policy: Policy) -> None:
    decision = decide(facts((INT,), conversation_class=CONF), policy, Health.all_up(policy.targets))

    assert decision.reasons[0] == "The request is confidential: an earlier turn of this conversation was confidential."


def test_the_reason_says_an_earlier_turn_held_a_secret(policy: Policy) -> None:
    decision = decide(
        facts((INT,), conversation_class=INT, conversation_secret=True), policy, Health.all_up(policy.targets)
    )

    assert decision.reasons[0] == "The request is restricted: an earlier turn of this conversation held a secret."


def test_a_public_earlier_turn_is_not_named_as_a_cause(policy: Policy) -> None:
    decision = decide(facts((PUB,), conversation_class=PUB), policy, Health.all_up(policy.targets))

    assert "earlier turn" not in decision.reasons[0]


def test_a_rule_can_ask_whether_the_question_reads_as_a_prompt_injection(policy: Policy) -> None:
    typed = _rule("typed-onprem", ("extractive",), OnFailure.FAIL_CLOSED, typed_injection=True)
    strict = _policy_with(policy, typed, *policy.rules)
    up = Health.all_up(policy.targets)

    flagged = decide(facts((INT,), typed_injection=True), strict, up)
    plain = decide(facts((INT,)), strict, up)

    assert flagged.rule_name == "typed-onprem" and [t.name for t in flagged.targets] == ["extractive"]
    assert "typed-onprem explains itself." in flagged.reasons
    assert plain.rule_name == "internal-cloud-redacted"
    assert not typed.when.only_on_data_class  # a later rule on the same class stays reachable
