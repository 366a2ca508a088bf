"""The facts of a request, built in one place for every caller that decides: the gate, `route_explain`,
the policy simulator and the replay of audited requests. So a request is decided the same way
wherever it is decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from accounts.clearance import Classification
from accounts.models import User
from inspection import inspect_question
from inspection.findings import Finding
from inspection.injection import judge_typed
from routing.budgets import BudgetStatus
from routing.policy.decide import WORKLOAD_NAME, Health, Load, Policy, RequestFacts, Workload, Zone

HEALTH_STATES = {"up": True, "down": False}


def count_findings(findings: Sequence[Finding]) -> dict[str, int]:
    """Findings as the policy and the audit see them: counts by kind, never values."""
    return dict(Counter(f.kind for f in findings))


def build_request_facts(
    *,
    role: str,
    clearance: int,
    groups: Iterable[str],
    workload: str,
    passage_classes: Iterable[int],
    findings: Mapping[str, int],
    team: str | None,
    budget_exhausted: bool,
    question: str,
    conversation_class: int | None = None,
    conversation_secret: bool = False,
    typed_injection: bool = False,
) -> RequestFacts:
    """The RequestFacts that decide() reads. `findings` are counts by kind (count_findings); `team` is
    the team whose budget pays, None for none; `question` is read only for whether it is empty (the
    policy refuses an empty one); `conversation_class` and `conversation_secret` what the earlier turns
    of its conversation carry over (RequestFacts); `typed_injection` whether the question reads as a
    prompt injection (inspection.injection.judge_typed). Raises ValueError on an unknown workload."""
    if workload not in Workload.values and not WORKLOAD_NAME.fullmatch(workload):
        raise ValueError(
            f'"workload" must be one of {", ".join(Workload)} or a workload the policy names, not {workload!r}'
        )
    return RequestFacts(
        role=str(role),
        clearance=Classification(clearance),
        groups=tuple(str(g) for g in groups),
        workload=workload,
        passage_classes=tuple(Classification(c) for c in passage_classes),
        findings={str(kind): int(n) for kind, n in findings.items()},
        team=team or None,
        budget_exhausted=budget_exhausted,
        question_empty=not question.strip(),
        conversation_class=None if conversation_class is None else Classification(conversation_class),
        conversation_secret=conversation_secret,
        typed_injection=typed_injection,
    )


def facts_for_user(
    *,
    user: User,
    groups: Iterable[str],
    workload: str,
    passage_classes: Iterable[int],
    findings: Mapping[str, int],
    budget: BudgetStatus,
    question: str,
    conversation_class: int | None = None,
    conversation_secret: bool = False,
    typed_injection: bool = False,
) -> RequestFacts:
    """The facts of `user` asking now: their role and clearance, `groups` (their group names, read by
    the caller once per request), the passages' classes, the question's findings, their team's budget,
    what the earlier turns of the conversation carry over and whether the question reads as a prompt
    injection."""
    return build_request_facts(
        role=user.role,
        clearance=user.clearance,
        groups=groups,
        workload=workload,
        passage_classes=passage_classes,
        findings=findings,
        team=budget.team,
        budget_exhausted=budget.exhausted,
        question=question,
        conversation_class=conversation_class,
        conversation_secret=conversation_secret,
        typed_injection=typed_injection,
    )


def facts_from_explain_line(line: Mapping[str, Any], policy: Policy) -> tuple[RequestFacts, Health, dict[str, int]]:
    """RequestFacts, Health and the question's findings from one `route_explain` line
    ({"question", "user": {"role", "clearance", "groups"}, "classifications", "workload", "health",
    "load", "team", "budget_exhausted"}); the question is inspected with the policy's own patterns, and
    judged as typed content (whether it reads as a prompt injection) as the gate judges it.
    ValueError says what is wrong with the line."""
    question = line.get("question")
    if not isinstance(question, str):
        raise ValueError('"question" must be text')
    user = line.get("user", {})
    if not isinstance(user, dict):
        raise ValueError('"user" must be an object {"role", "clearance", "groups"}')
    clearance = user.get("clearance", "internal")
    clearance = Classification(clearance) if isinstance(clearance, int) else Classification.parse(str(clearance))
    groups = user.get("groups", [])
    if not isinstance(groups, list):
        raise ValueError('"user.groups" must be a list')
    labels = line.get("classifications", [])
    if not isinstance(labels, list):
        raise ValueError('"classifications" must be a list of data classes')
    health = line.get("health", {})
    if not isinstance(health, dict) or any(z not in Zone.values or s not in HEALTH_STATES for z, s in health.items()):
        raise ValueError('"health" must map zones (onprem, private, cloud) to "up" or "down"')
    budget_exhausted = line.get("budget_exhausted", False)
    if not isinstance(budget_exhausted, bool):
        raise ValueError('"budget_exhausted" must be true or false')
    workload = str(line.get("workload", Workload.INTERACTIVE))
    if workload not in policy.all_workloads:
        raise ValueError(f'"workload" must be one of {", ".join(policy.all_workloads)}, not {workload!r}')
    findings = count_findings(inspect_question(question, custom=policy.custom_patterns))
    facts = build_request_facts(
        role=str(user.get("role", "employee")),
        clearance=clearance,
        groups=groups,
        workload=workload,
        passage_classes=[Classification.parse(str(label)) for label in labels],
        findings=findings,
        team=line.get("team"),
        budget_exhausted=budget_exhausted,
        question=question,
        typed_injection=judge_typed(question) is not None,
    )
    zones = {zone: HEALTH_STATES[state] for zone, state in health.items()}
    by_zone = Health.from_zones(policy.targets, zones)
    return facts, Health(up=by_zone.up, load=_explain_load(line.get("load", {}), policy)), findings


def _explain_load(value: Any, policy: Policy) -> dict[str, Load]:
    """A `route_explain` line's "load": {target: {"waiting": n, "running": n}}, as its server would report it."""
    names = {t.name for t in policy.targets}
    problem = '"load" must map target names to {"waiting": n, "running": n} (whole numbers, 0 or more)'
    if not isinstance(value, dict):
        raise ValueError(problem)
    loads = {}
    for name, counts in value.items():
        if name not in names:
            raise ValueError(f'"load": unknown target {name!r} (known: {", ".join(sorted(names))})')
        if not isinstance(counts, dict) or not set(counts) <= {"waiting", "running"}:
            raise ValueError(problem)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts.values()):
            raise ValueError(problem)
        loads[name] = Load(waiting=counts.get("waiting"), running=counts.get("running"))
    return loads
