"""Running one question through the gate: inspect → decide → minimise → synthesise → restore → record.

Retrieval happens before (the caller passes the passages the user may read);
everything here runs on-prem except the synthesis call itself, which goes only
to a target the Decision names, with the redacted bundle.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from accounts.clearance import Classification
from accounts.models import User
from inspection import CustomPattern, Finding, inspect_text
from inspection.stored import StoredFindings, inspect_passage
from routing import cache, metrics, resilience
from routing.audit import append_audit_event
from routing.backends import configured_backends
from routing.backends.base import Bundle, ContextPassage
from routing.budgets import budget_status
from routing.models import AuditEvent
from routing.policy.decide import Action, Decision, Health, OnFailure, Policy, RequestFacts, Target, Workload, decide
from routing.policy.loader import PolicyError
from routing.policy.versions import get_active_policy
from routing.redaction import Vault, redact, restore
from routing.runner import Attempt, DecisionRun, Delta, Restart

logger = logging.getLogger(__name__)

# What the user reads when every target the Decision allows failed, by the rule's on_failure.
FAILED_TEXT = {
    OnFailure.FAIL_CLOSED: "No allowed model could answer, and the policy says to refuse rather than send it "
    "elsewhere. Try again later.",
    OnFailure.DEGRADE: "No allowed model could answer, and the policy has no on-prem fallback for this question. "
    "Try again later.",
    OnFailure.QUEUE: "No allowed model could answer. The policy queues such questions, but queueing is not "
    "available yet, so it was refused. Try again later.",
}


@dataclass(frozen=True)
class SourcePassage:
    """A passage the user may read, as retrieval found it.

    `stored_findings` are its findings from ingestion, if any: the gate redacts with them instead of
    inspecting the passage again while they are current (see inspection.stored).
    """

    chunk_id: int
    document_id: int
    title: str
    text: str
    classification: int
    stored_findings: StoredFindings | None = None


@dataclass
class GatedAnswer:
    text: str
    passages: list[SourcePassage]  # numbered from 1, as the answer cites them
    decision: Decision | None
    answered_by: Target | None
    model: str
    attempts: list[Attempt] = field(default_factory=list)
    redacted: dict[str, int] = field(default_factory=dict)  # counts by kind of what was replaced before it left
    route: str = ""  # one sentence for the user: where and why
    notices: tuple[str, ...] = ()  # what the user must be told (a secret removed, a budget spent)
    refused: bool = False
    cache_hit: bool = False
    cut_off: bool = False
    audit_id: int = 0


@dataclass(frozen=True)
class Final:
    """The last event of a gated answer: the whole answer, audited."""

    answer: GatedAnswer


Event = Delta | Restart | Final


@dataclass(frozen=True)
class _Request:
    """What the audit row needs to know about the request, besides the answer."""

    question: str
    findings: list[Finding]
    acting_user: User
    workload: str
    team: str
    started: float


def current_health(policy: Policy) -> Health:
    """The policy's targets as they stand now: up when configured and its circuit is not open in this
    process (the in-process extractive target is always up). Reads settings and circuit state only."""
    enabled = set(configured_backends())
    up, why = {}, {}
    for t in policy.targets:
        if t.in_process:
            continue
        if t.backend not in enabled:
            why[t.name] = "not configured"
        elif resilience.circuit_open(t.name):
            why[t.name] = "its circuit is open after failures in a row; it is tried again soon"
        up[t.name] = t.name not in why
    return Health(up=up, why_down=why)


@functools.cache
def _group_names_sql() -> str:
    # The user model's own group relation (accounts.User.groups), as the ORM maps it.
    through = get_user_model().groups.through
    user, group = (through._meta.get_field(name) for name in ("user", "group"))
    return (
        f'SELECT g.name FROM "{Group._meta.db_table}" g JOIN "{through._meta.db_table}" ug '
        f'ON ug."{group.column}" = g.id WHERE ug."{user.column}" = %s'
    )


def _group_names(user: User) -> tuple[str, ...]:
    """The names of the user's groups, in one plain query: the ORM's related manager costs about twice
    the round trip itself, on every question."""
    with connection.cursor() as cursor:
        cursor.execute(_group_names_sql(), [user.pk])
        return tuple(row[0] for row in cursor.fetchall())


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    return dict(Counter(f.kind for f in findings))


def answer_through_gate(
    *, question: str, passages: Sequence[SourcePassage], acting_user: User, workload: str = Workload.INTERACTIVE
) -> GatedAnswer:
    """stream_through_gate(), waited for: the whole answer, audited."""
    for event in stream_through_gate(question=question, passages=passages, acting_user=acting_user, workload=workload):
        if isinstance(event, Final):
            return event.answer
    raise AssertionError("stream_through_gate ended without a Final event")  # pragma: no cover


def stream_through_gate(
    *, question: str, passages: Sequence[SourcePassage], acting_user: User, workload: str = Workload.INTERACTIVE
) -> Iterator[Event]:
    """Answer `question` from `passages` where the active policy allows, and audit it.

    Yields the answer as it is written (Delta; Restart when a target stopped
    mid-answer and another writes it again), then one Final with the whole
    answer, after its audit row is written. Never raises for a broken backend
    or an invalid stored policy: the result is then the policy's outcome (a
    degraded answer or a refusal) with its reason.
    """
    started = time.perf_counter()
    try:
        policy = get_active_policy()
    except PolicyError:
        logger.exception("The active routing policy does not validate")
        request = _Request(question, [], acting_user, str(workload), "", started)
        answer = _refusal(
            None,
            text="Sluice cannot answer right now: its routing policy is invalid. An admin must fix it.",
            route="Refused: the routing policy is invalid, so nothing may be sent anywhere.",
        )
        yield Final(_record(answer, request))
        return
    custom = list(policy.custom_patterns)
    findings = inspect_text(question, custom=custom)
    budget = budget_status(acting_user)
    groups = _group_names(acting_user)
    facts = RequestFacts(
        role=acting_user.role,
        clearance=acting_user.clearance,
        groups=groups,
        workload=workload,
        passage_classes=tuple(p.classification for p in passages),
        findings=_counts(findings),
        team=budget.team or None,
        budget_exhausted=budget.exhausted,
    )
    decision = decide(facts, policy, current_health(policy))
    request = _Request(question, findings, acting_user, str(workload), budget.team, started)
    if decision.action == Action.REFUSE:
        answer = _refusal(
            decision,
            text=" ".join(decision.notices or decision.reasons[-1:]),
            route="Refused: " + " ".join(decision.reasons),
        )
        yield Final(_record(answer, request))
        return

    used = list(passages[: decision.max_passages])
    vault = Vault()
    bundle, redacted = _minimise(question, findings, used, decision, vault, custom)
    key = _cache_key(bundle, decision, findings, acting_user, groups, custom)
    run = DecisionRun(bundle=bundle, decision=decision, vault=vault, custom=custom)
    try:
        answer = yield from _answer(run, key)
    except GeneratorExit:
        # The reader left mid-answer (closed the page): what was sent out is audited all the same.
        answer = _answered(run, cut_off=run.cut_off or "the reader left before the answer was finished")
        _finish(answer, used, redacted, decision, request)
        raise
    yield Final(_finish(answer, used, redacted, decision, request))


def _finish(
    answer: GatedAnswer,
    used: list[SourcePassage],
    redacted: dict[str, int],
    decision: Decision,
    request: _Request,
) -> GatedAnswer:
    answer.passages = used
    answer.redacted = redacted
    answer.notices = decision.notices
    return _record(answer, request)


def _cache_key(
    bundle: Bundle,
    decision: Decision,
    findings: list[Finding],
    acting_user: User,
    groups: tuple[str, ...],
    custom: list[CustomPattern],
) -> str | None:
    """The response-cache key, or None when the bundle still holds something found in the question
    (kept only redacted: the cache never stores raw personal data)."""
    removed = {f.kind for f in findings} if decision.redact else {"secret"} if decision.remove_secrets else set()
    if not cache.enabled() or any(f.kind not in removed for f in findings):
        return None
    models = [
        (t, resilience.backend_for(t, policy_version=decision.policy_version, custom=custom).model)
        for t in decision.targets
    ]
    return cache.cache_key(bundle, decision, models, cache.Scope(acting_user.clearance, groups))


def _answer(run: DecisionRun, key: str | None) -> Generator[Delta | Restart, None, GatedAnswer]:
    """The answer from the cache, else from the Decision's targets in order (`run`); stored in the
    cache when a model (not the in-process extractive backend) wrote it whole."""
    decision, vault = run.decision, run.vault
    began = time.perf_counter()
    hit = cache.lookup(key) if key else None
    target = next((t for t in decision.targets if t.name == hit.target), None) if hit else None
    if hit is not None and target is not None:
        # Recorded before it is shown, so a reader who leaves at once is audited with the hit.
        run.attempts.append(Attempt(target.name, str(target.zone), hit.model, "cache_hit", _ms(began)))
        run.text, run.answered_by, run.model, run.cache_hit = restore(hit.text, vault), target, hit.model, True
        yield Delta(run.text)
        return _answered(run, cut_off="")
    yield from run
    if run.answered_by is None:
        answer = _refusal(
            decision,
            text=FAILED_TEXT[decision.on_failure],
            route=f"Refused: every target the policy allows failed ({_failures(run.attempts) or 'none was up'}); "
            f"on failure the policy says {decision.on_failure}.",
        )
        answer.attempts = run.attempts
        return answer
    keep = key and not run.cut_off and not run.answered_by.in_process
    # Only answers that hold nothing sensitive in the clear are kept (an unredacted passage may be quoted).
    if key and keep and not inspect_text(run.model_text, custom=run.custom):
        cache.store(key, text=run.model_text, target=run.answered_by, model=run.model)
    return _answered(run, cut_off=run.cut_off)


def _answered(run: DecisionRun, *, cut_off: str) -> GatedAnswer:
    """What the run wrote (with nothing answered yet, an empty answer that says it was cut off)."""
    target = run.answered_by
    return GatedAnswer(
        text=run.text,
        passages=[],
        decision=run.decision,
        answered_by=target,
        model=run.model,
        attempts=run.attempts,
        cache_hit=run.cache_hit,
        cut_off=bool(cut_off),
        route=_route(run, cut_off=cut_off) if target else f"Cut off: {cut_off}.",
    )


def _refusal(decision: Decision | None, *, text: str, route: str) -> GatedAnswer:
    return GatedAnswer(text=text, passages=[], decision=decision, answered_by=None, model="", refused=True, route=route)


def _route(run: DecisionRun, *, cut_off: str) -> str:
    """One sentence for the user: where the answer was written, after what failed, and why there."""
    assert run.answered_by is not None
    target, decision = run.answered_by, run.decision
    sentence = f"Answered {target.zone.where} by {target.name} ({run.model})"
    others = [a for a in run.attempts if a.outcome != "ok" and a.target != target.name]
    if others:
        sentence += " after " + _failures(others)
    clauses = []
    retried = [a.outcome for a in run.attempts if a.outcome != "ok" and a.target == target.name]
    if retried and not cut_off:
        clauses.append(f"on try {len(retried) + 1} (after {', '.join(retried)})")
    if run.cache_hit:
        clauses.append("reused from the response cache")
    sentence += "".join(f", {c}" for c in clauses)
    if cut_off:
        return sentence + f", but cut off: {cut_off}."
    if not decision.reasons:
        return sentence + "."
    return sentence + (", " if clauses else " ") + "because " + _sentence_tail(decision.reasons[0])


def _minimise(
    question: str,
    findings: list[Finding],
    passages: list[SourcePassage],
    decision: Decision,
    vault: Vault,
    custom: list[CustomPattern],
) -> tuple[Bundle, dict[str, int]]:
    """The bundle the targets see: sensitive spans of the question and passages replaced by placeholders.

    Passages are redacted with their findings from ingestion where those are current, else inspected now.
    """
    counts: Counter[str] = Counter()
    if decision.redact:
        question_findings = findings
    elif decision.remove_secrets:
        question_findings = [f for f in findings if f.kind == "secret"]
    else:
        question_findings = []
    redaction = redact(question, question_findings, vault)
    counts.update(redaction.counts_by_kind)
    context = []
    for n, passage in enumerate(passages, 1):
        text = passage.text
        if decision.redact:
            found = inspect_passage(text, stored=passage.stored_findings, custom=custom)
            passage_redaction = redact(text, found, vault)
            text = passage_redaction.text
            counts.update(passage_redaction.counts_by_kind)
        context.append(
            ContextPassage(
                n=n, chunk_id=passage.chunk_id, document_id=passage.document_id, title=passage.title, text=text
            )
        )
    return Bundle(question=redaction.text, passages=tuple(context)), dict(counts)


def _failures(attempts: Sequence[Attempt]) -> str:
    """'claude failed (server_error ×3), local failed (timeout)': failed tries by target, in order."""
    kinds: dict[str, Counter[str]] = {}
    for a in attempts:
        kinds.setdefault(a.target, Counter())[a.outcome] += 1
    return ", ".join(
        f"{target} failed ({', '.join(k if n == 1 else f'{k} ×{n}' for k, n in counts.items())})"
        for target, counts in kinds.items()
    )


def _sentence_tail(reason: str) -> str:
    """A reason written as a sentence, to follow "because"."""
    reason = reason.rstrip(".") + "."
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


def _record(answer: GatedAnswer, request: _Request) -> GatedAnswer:
    """One audit row per request. The question is stored redacted, findings as counts only.

    append_audit_event is its own transaction; no second one around it (a savepoint is two more round
    trips to the database per request). The metrics are counted once the row is committed.
    """
    decision = answer.decision
    user = request.acting_user
    cited = {p for p in range(1, len(answer.passages) + 1) if f"[{p}]" in answer.text}
    data_class = (
        decision.data_class
        if decision
        else max([Classification(p.classification) for p in answer.passages], default=Classification.PUBLIC)
    )
    event = append_audit_event(
        acting_user=user,
        username=user.get_username(),
        role=user.role,
        workload=request.workload,
        team=request.team,
        question=redact(request.question, request.findings, Vault()).text,
        findings=_counts(request.findings),
        passages=[
            {
                "n": n,
                "chunk_id": p.chunk_id,
                "document_id": p.document_id,
                "classification": Classification(p.classification).label,
                "cited": n in cited,
            }
            for n, p in enumerate(answer.passages, 1)
        ],
        data_class=int(data_class),
        policy_version=decision.policy_version if decision else "",
        decision=_decision_json(decision),
        attempts=[a.__dict__ for a in answer.attempts],
        backend=answer.answered_by.name if answer.answered_by else "",
        model=answer.model,
        fallback_used=_fell_back(answer),
        redacted=answer.redacted,
        outcome=_outcome(answer, cited),
        refusal_reason=answer.route if answer.refused else "",
        cost_usd=round(sum(a.cost_usd for a in answer.attempts), 8),
        cache_hit=answer.cache_hit,
        latency_ms=_ms(request.started),
    )
    answer.audit_id = event.id
    transaction.on_commit(lambda: _count(answer, event.outcome))
    return answer


def _count(answer: GatedAnswer, outcome: str) -> None:
    metrics.REQUESTS.labels(outcome=outcome).inc()
    for attempt in answer.attempts:
        if attempt.outcome == "cache_hit":
            metrics.CACHE_HITS.labels(target=attempt.target).inc()
            continue
        metrics.ATTEMPTS.labels(target=attempt.target, zone=attempt.zone, outcome=attempt.outcome).inc()
        metrics.LATENCY.labels(target=attempt.target, zone=attempt.zone).observe(attempt.latency_ms / 1000)
        metrics.TOKENS.labels(target=attempt.target, direction="input").inc(attempt.input_tokens)
        metrics.TOKENS.labels(target=attempt.target, direction="output").inc(attempt.output_tokens)
        metrics.COST.labels(target=attempt.target).inc(attempt.cost_usd)
    if _fell_back(answer):
        metrics.FALLBACKS.inc()
    for kind, n in answer.redacted.items():
        metrics.REDACTIONS.labels(kind=kind).inc(n)


def _fell_back(answer: GatedAnswer) -> bool:
    """Answered by a later target than the first one tried (a retry of the same one is no fallback)."""
    return answer.answered_by is not None and any(a.target != answer.answered_by.name for a in answer.attempts)


def _outcome(answer: GatedAnswer, cited: set[int]) -> str:
    if answer.refused:
        return AuditEvent.Outcome.REFUSED
    if answer.cut_off:
        return AuditEvent.Outcome.CUT_OFF
    if not cited:
        return AuditEvent.Outcome.NOTHING_FOUND
    return AuditEvent.Outcome.ANSWERED


def _decision_json(decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {
        "action": str(decision.action),
        "rule": decision.rule_name,
        "targets": [{"name": t.name, "zone": str(t.zone)} for t in decision.targets],
        "redact": decision.redact,
        "remove_secrets": decision.remove_secrets,
        "max_passages": decision.max_passages,
        "on_failure": str(decision.on_failure),
        "data_class": decision.data_class.label,
        "reasons": list(decision.reasons),
    }
