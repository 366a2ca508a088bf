"""Trying a draft policy before it is activated: the simulator (one typed question) and the replay
(the last audited requests). Both only read: they call no model and write nothing (no audit row,
no policy version, no cached answer)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from django.contrib.auth.models import Group

from accounts.clearance import Classification
from accounts.models import User
from accounts.selectors import get_user_groups
from governance.errors import SimulationOutOfReach
from inspection import inspect_question
from inspection.injection import judge_typed
from retrieval.selectors import Passage, get_reader, readable_document_ids
from routing.answer import SourcePassage
from routing.budgets import BudgetStatus, budget_status, budget_statuses
from routing.facts import build_request_facts, count_findings, facts_for_user
from routing.models import REVIEW_OUTCOMES, AuditEvent
from routing.policy.decide import Action, Decision, Health, Policy, RequestFacts, decide
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy
from routing.services import current_health, passages_for_answer, screen

Route = tuple[tuple[str, str], ...]  # (target, zone) in the order they would be tried

# data_class_of() says "a passage is <class>" when the request's class came from a passage. The audit
# row keeps only the passages that were sent (at most the rule's max_passages, none for a refusal),
# so this sentence is how a replay knows the class of a passage that was retrieved but not sent.
_PASSAGE_CLASS = re.compile(r"\ba passage is (public|internal|confidential|restricted)\b")


@dataclass(frozen=True)
class TargetHealth:
    name: str
    zone: str
    up: bool
    why_down: str
    set_here: bool  # the simulator's form set its zone up or down; otherwise it is as it is now


@dataclass(frozen=True)
class Simulation:
    question: str
    user: User
    workload: str
    # What retrieval finds for this user, with their classifications; a document the acting admin
    # may not read has its title, heading and file name blanked.
    passages: list[Passage]
    findings: dict[str, int]  # found in the question by inspection, counts by kind
    budget: BudgetStatus
    # The question reads as a prompt injection, as the gate would judge it (a rule's `typed_injection`).
    typed_injection: bool
    health: list[TargetHealth]
    decision: Decision  # under the draft
    active_decision: Decision | None  # the same request under the active policy; None if that one is invalid

    @property
    def same_as_active(self) -> bool:
        return self.active_decision is not None and _route(self.active_decision) == _route(self.decision)


@dataclass(frozen=True)
class RouteChange:
    """An audited request whose route the draft would change."""

    event_id: int
    created_at: dt.datetime
    username: str
    old_rule: str | None
    old_action: str
    old_route: Route
    new_rule: str | None
    new_action: str
    new_route: Route


@dataclass(frozen=True)
class Replay:
    policy_version: str
    limit: int
    read: int  # audit rows read: the newest `limit`, or fewer when the log is shorter
    replayed: int
    skipped: int  # rows that cannot be replayed: no Decision recorded, or the user no longer exists
    refused_now: int  # replayed requests the draft refuses
    changes: list[RouteChange]  # newest first
    down_now: list[TargetHealth]  # targets of the draft that are down now (the replay's health)


def _route(decision: Decision) -> tuple[str, Route]:
    return str(decision.action), tuple((t.name, str(t.zone)) for t in decision.targets)


def _simulated_health(policy: Policy, zones: Mapping[str, bool]) -> tuple[Health, list[TargetHealth]]:
    # A zone the form sets is up or down as route_explain's "health" would make it (with no reason
    # given, so that both explain a decision in the same words); other targets are as they are now.
    now = current_health(policy)
    up: dict[str, bool] = {}
    why: dict[str, str] = {}
    shown = []
    for target in policy.targets:
        set_here = str(target.zone) in zones and not target.in_process
        up[target.name] = zones[str(target.zone)] if set_here else now.is_up(target)
        if not up[target.name] and not set_here:
            why[target.name] = now.why_down.get(target.name, "")
        is_up = target.in_process or up[target.name]
        shown.append(TargetHealth(target.name, str(target.zone), is_up, why.get(target.name, ""), set_here))
    return Health(up=up, why_down={name: text for name, text in why.items() if text}), shown


def simulate_request(
    *,
    policy: Policy,
    question: str,
    user: User,
    workload: str,
    zones: Mapping[str, bool],
    acting_user: User,
) -> Simulation:
    """The Decision `policy` would make if `user` asked `question` now, and the active policy's.

    Runs what the gate runs before a model is called: retrieval as the user (for the passages'
    classifications), inspection of the question, the team's budget, the targets' health (zones
    named in `zones` set up or down instead), then decide(). Calls no model and writes nothing.
    Raises SimulationOutOfReach when `user` is cleared above `acting_user`.
    """
    if user.clearance > acting_user.clearance:
        # The Decision names the class of what retrieval found for that user: their documents above the
        # admin's clearance would show through it.
        raise SimulationOutOfReach(
            f"You cannot simulate as someone cleared above you ({user.get_username()} is cleared for "
            f"{Classification(user.clearance).label}); ask an admin with that clearance.",
            field="user",
        )
    groups = get_user_groups(user)
    passages = passages_for_answer(get_reader(user, groups=groups), question)
    # The Decision needs every passage's class; the page names only documents the admin may read too.
    readable = readable_document_ids(get_reader(acting_user), [p.document_id for p in passages])
    shown_passages = [
        p if p.document_id in readable else replace(p, title="", heading_path="", source_name="") for p in passages
    ]
    budget = budget_status(user)

    typed = judge_typed(question) is not None

    def facts_under(policy: Policy) -> tuple[RequestFacts, dict[str, int]]:
        # The question is inspected with each policy's own patterns, as the gate would.
        findings = count_findings(inspect_question(question, custom=policy.custom_patterns))
        # Passages flagged as injected instructions are handled as each policy says before it decides.
        kept = screen(SourcePassage.of_all(passages), policy).passages
        facts = facts_for_user(
            user=user,
            groups=groups.names,
            workload=workload,
            passage_classes=[p.classification for p in kept],
            findings=findings,
            budget=budget,
            question=question,
            typed_injection=typed,
        )
        return facts, findings

    facts, findings = facts_under(policy)
    health, shown = _simulated_health(policy, zones)
    try:
        active = get_active_policy(store_default=False)
    except PolicyError:
        active_decision = None
    else:
        active_facts, _ = facts_under(active)
        active_decision = decide(active_facts, active, _simulated_health(active, zones)[0])
    return Simulation(
        question=question,
        user=user,
        workload=workload,
        passages=shown_passages,
        findings=dict(sorted(findings.items())),
        budget=budget,
        typed_injection=typed,
        health=shown,
        decision=decide(facts, policy, health),
        active_decision=active_decision,
    )


def _passage_classes(event: AuditEvent) -> tuple[Classification, ...]:
    """The classes of the passages of an audited request: those sent, and the top class when the
    recorded Decision says a passage had it. Raises ValueError on a label that is not a data class."""
    classes = [Classification.parse(str(p.get("classification", ""))) for p in event.passages]
    reasons = event.decision.get("reasons") or [""]
    found = _PASSAGE_CLASS.search(str(reasons[0]))
    if found:
        classes.append(Classification.parse(found.group(1)))
    return tuple(classes)


def _budget_lookup() -> Callable[[str], bool]:
    spent: dict[str, bool] = {}

    def exhausted(team: str) -> bool:
        if not team:
            return False
        if team not in spent:
            found = budget_statuses(Group.objects.filter(name=team)).values()
            spent[team] = any(status.exhausted for status in found)
        return spent[team]

    return exhausted


def _typed_injection(event: AuditEvent) -> bool:
    """Whether the audited request's question (or gateway message) read as a prompt injection when it was asked."""
    gateway = event.decision.get("gateway")
    return bool(event.decision.get("question_injection")) or (
        isinstance(gateway, dict) and bool(gateway.get("user_message_injection"))
    )


def _replay_facts(event: AuditEvent, budget_exhausted: Callable[[str], bool]) -> RequestFacts | None:
    user = event.acting_user
    if user is None or not event.decision:
        return None
    try:
        return build_request_facts(
            role=event.role,
            clearance=user.clearance,
            groups=[g.name for g in user.groups.all()],
            workload=event.workload,
            passage_classes=_passage_classes(event),
            findings=event.findings,
            team=event.team,
            budget_exhausted=budget_exhausted(event.team),
            question=event.question,  # redacted, but empty only if it was
            typed_injection=_typed_injection(event),
        )
    except ValueError:  # a label or workload this version does not know: the row is skipped
        return None


def replay_audited_requests(*, policy: Policy, limit: int) -> Replay:
    """Decide the newest `limit` audited requests again under `policy` and list those whose route
    (the action, or the targets in order) would change.

    Each request keeps what its audit row holds: role, workload, findings (counts), the classes of
    its passages, and its user, whose clearance and groups are read as they are now. Health is the
    targets' health now, and each team's budget as it stands now (whether it was spent at the time
    is not recorded). Questions are stored redacted, so findings are not detected again: a pattern
    the draft adds does not see old questions. Calls no model and writes nothing.
    """
    health = current_health(policy)
    budget_exhausted = _budget_lookup()
    events = list(
        AuditEvent.objects.select_related("acting_user")
        .exclude(outcome__in=REVIEW_OUTCOMES)
        .prefetch_related("acting_user__groups")
        .defer("attempts", "refusal_reason", "prev_hash", "row_hash")
        .order_by("-created_at", "-id")[:limit]
    )
    replayed = skipped = refused_now = 0
    changes = []
    for event in events:
        facts = _replay_facts(event, budget_exhausted)
        if facts is None:
            skipped += 1
            continue
        decision = decide(facts, policy, health)
        replayed += 1
        refused_now += decision.action == Action.REFUSE
        old = event.decision
        old_route = tuple((str(t.get("name")), str(t.get("zone"))) for t in old.get("targets") or [])
        new_action, new_route = _route(decision)
        if (str(old.get("action")), old_route) != (new_action, new_route):
            changes.append(
                RouteChange(
                    event_id=event.id,
                    created_at=event.created_at,
                    username=event.username,
                    old_rule=old.get("rule"),
                    old_action=str(old.get("action")),
                    old_route=old_route,
                    new_rule=decision.rule_name,
                    new_action=new_action,
                    new_route=new_route,
                )
            )
    down_now = [
        TargetHealth(t.name, str(t.zone), False, health.why_down.get(t.name, ""), False)
        for t in policy.targets
        if not health.is_up(t)
    ]
    return Replay(
        policy_version=policy.version,
        limit=limit,
        read=len(events),
        replayed=replayed,
        skipped=skipped,
        refused_now=refused_now,
        changes=changes,
        down_now=down_now,
    )
