"""Explaining how a policy decides one described request (a question and the facts of who asks), without
retrieval or any model: what `route_explain` prints for each line of its file and what the API's route
explain answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from routing.facts import facts_from_explain_line
from routing.policy.decide import Decision, Policy, decide


@dataclass(frozen=True)
class Explanation:
    decision: Decision
    findings: dict[str, int]  # found in the question, counts by kind

    def as_json(self) -> dict[str, Any]:
        decision = self.decision
        return {
            "action": str(decision.action),
            "rule": decision.rule_name,
            "targets": [{"name": t.name, "zone": str(t.zone)} for t in decision.targets],
            "redact": decision.redact,
            "on_failure": str(decision.on_failure),
            "data_class": decision.data_class.label,
            "findings": dict(sorted(self.findings.items())),
            "reasons": list(decision.reasons),
            "policy_version": decision.policy_version,
        }


def explain_request(line: Mapping[str, Any], policy: Policy) -> Explanation:
    """The Decision `policy` makes for the request `line` describes ({"question", "user": {"role",
    "clearance", "groups"}, "classifications", "workload", "health", "team", "budget_exhausted"}: see
    facts_from_explain_line), with the question's findings. Reads and writes nothing. ValueError says what
    is wrong with the line."""
    facts, health, findings = facts_from_explain_line(line, policy)
    return Explanation(decision=decide(facts, policy, health), findings=findings)
