"""Running one question through the gate: inspect → decide → minimise → synthesise → restore → record.

Retrieval happens before (the caller passes the passages the user may read);
everything here runs on-prem except the synthesis call itself, which goes only
to a target the Decision names, with the redacted bundle.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from routing import metrics
from routing.audit import append_audit_event
from routing.backends import configured_backends, get_backend_class
from routing.backends.base import Bundle, ContextPassage, HttpChatBackend
from routing.errors import BackendError
from routing.inspection import CustomPattern, Finding, inspect_text
from routing.models import AuditEvent
from routing.policy import Action, DataClass, Decision, Health, Policy, RequestFacts, Target, Zone, decide
from routing.policy_loader import PolicyError
from routing.policy_services import get_active_policy
from routing.redaction import StreamRestorer, Vault, redact

logger = logging.getLogger(__name__)

ZONE_WORDS = {Zone.ONPREM: "on-prem", Zone.PRIVATE: "in the private zone", Zone.CLOUD: "in the cloud"}


@dataclass(frozen=True)
class SourcePassage:
    """A passage the user may read, as retrieval found it."""

    chunk_id: int
    document_id: int
    title: str
    text: str
    classification: int


@dataclass(frozen=True)
class Attempt:
    target: str
    zone: str
    model: str
    outcome: str  # "ok" or the error kind
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


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
    refused: bool = False
    audit_id: int = 0


def _custom(policy: Policy) -> list[CustomPattern]:
    return [CustomPattern(name=p.name, pattern=p.pattern) for p in policy.custom_patterns]


def _health(policy: Policy) -> Health:
    enabled = set(configured_backends())
    return Health(up={t.name: t.backend in enabled for t in policy.targets})


def _counts(findings: Sequence[Finding]) -> dict[str, int]:
    return dict(Counter(f.kind for f in findings))


def answer_through_gate(*, question: str, passages: Sequence[SourcePassage], acting_user: Any) -> GatedAnswer:
    """Answer `question` from `passages` where the active policy allows, and audit it.

    Never raises for a broken backend or an invalid stored policy: the result
    is then the policy's outcome (a degraded answer or a refusal) with its reason.
    """
    started = time.perf_counter()
    try:
        policy = get_active_policy()
    except PolicyError:
        logger.exception("The active routing policy does not validate")
        answer = GatedAnswer(
            text="Sluice cannot answer right now: its routing policy is invalid. An admin must fix it.",
            passages=[],
            decision=None,
            answered_by=None,
            model="",
            refused=True,
            route="Refused: the routing policy is invalid, so nothing may be sent anywhere.",
        )
        return _record(answer, question=question, findings=[], acting_user=acting_user, started=started)
    custom = _custom(policy)
    findings = inspect_text(question, custom=custom)
    facts = RequestFacts(
        role=acting_user.role,
        clearance=acting_user.clearance,
        groups=tuple(acting_user.groups.values_list("name", flat=True)),
        passage_classes=tuple(p.classification for p in passages),
        findings=_counts(findings),
    )
    decision = decide(facts, policy, _health(policy))
    if decision.action == Action.REFUSE:
        answer = GatedAnswer(
            text=" ".join(decision.notices or decision.reasons[-1:]),
            passages=[],
            decision=decision,
            answered_by=None,
            model="",
            refused=True,
            route="Refused: " + " ".join(decision.reasons),
        )
        return _record(answer, question=question, findings=findings, acting_user=acting_user, started=started)

    used = list(passages[: decision.max_passages])
    vault = Vault()
    bundle, redacted = _minimise(question, findings, used, decision, vault, custom)
    answer = _synthesise(bundle, decision, vault, custom)
    answer.passages = used
    answer.redacted = redacted
    return _record(answer, question=question, findings=findings, acting_user=acting_user, started=started)


def _minimise(
    question: str,
    findings: list[Finding],
    passages: list[SourcePassage],
    decision: Decision,
    vault: Vault,
    custom: list[CustomPattern],
) -> tuple[Bundle, dict[str, int]]:
    """The bundle the targets see: sensitive spans of the question and passages replaced by placeholders."""
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
            passage_redaction = redact(text, inspect_text(text, custom=custom), vault)
            text = passage_redaction.text
            counts.update(passage_redaction.counts_by_kind)
        context.append(
            ContextPassage(
                n=n, chunk_id=passage.chunk_id, document_id=passage.document_id, title=passage.title, text=text
            )
        )
    return Bundle(question=redaction.text, passages=tuple(context)), dict(counts)


def _synthesise(bundle: Bundle, decision: Decision, vault: Vault, custom: list[CustomPattern]) -> GatedAnswer:
    """Try the Decision's targets in order; the first that answers wins. Fallbacks never widen locality:
    only the targets the Decision lists are tried."""
    attempts: list[Attempt] = []
    for target in decision.targets:
        backend_class = get_backend_class(target.backend)
        # The egress guard checks for the company's own identifiers too, not only the built-in kinds.
        options = {"egress_custom": custom} if issubclass(backend_class, HttpChatBackend) else {}
        backend = backend_class(**options)
        began = time.perf_counter()
        try:
            with backend.stream(bundle) as generation:
                restorer = StreamRestorer(vault)
                text = "".join(restorer.feed(delta) for delta in generation) + restorer.flush()
        except BackendError as exc:
            logger.warning("Target %s failed: %s", target.name, exc.kind)
            attempts.append(Attempt(target.name, str(target.zone), backend.model, str(exc.kind), _ms(began)))
            continue
        finally:
            backend.close()
        usage = generation.usage
        attempts.append(
            Attempt(
                target.name,
                str(target.zone),
                generation.model,
                "ok",
                _ms(began),
                input_tokens=usage.input_tokens if usage else 0,
                output_tokens=usage.output_tokens if usage else 0,
                cost_usd=backend.cost(usage),
            )
        )
        fallback = len(attempts) > 1
        route = f"Answered {ZONE_WORDS[target.zone]} by {target.name} ({generation.model})"
        route += " after " + ", ".join(f"{a.target} failed ({a.outcome})" for a in attempts[:-1]) if fallback else ""
        route += " because " + _sentence_tail(decision.reasons[0]) if decision.reasons else "."
        return GatedAnswer(
            text=text,
            passages=[],
            decision=decision,
            answered_by=target,
            model=generation.model,
            attempts=attempts,
            route=route,
        )
    tried = ", ".join(f"{a.target} ({a.outcome})" for a in attempts) or "none"
    return GatedAnswer(
        text="No allowed model could answer, and the policy says to refuse rather than send it elsewhere. "
        "Try again later.",
        passages=[],
        decision=decision,
        answered_by=None,
        model="",
        attempts=attempts,
        refused=True,
        route=f"Refused: every target the policy allows failed ({tried}); on failure the policy says "
        f"{decision.on_failure}.",
    )


def _sentence_tail(reason: str) -> str:
    """A reason written as a sentence, to follow "because"."""
    reason = reason.rstrip(".") + "."
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def _ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


@transaction.atomic
def _record(
    answer: GatedAnswer, *, question: str, findings: list[Finding], acting_user: Any, started: float
) -> GatedAnswer:
    """One audit row per request. The question is stored redacted, findings as counts only."""
    decision = answer.decision
    cited = {p for p in range(1, len(answer.passages) + 1) if f"[{p}]" in answer.text}
    data_class = (
        decision.data_class
        if decision
        else max([DataClass(p.classification) for p in answer.passages], default=DataClass.PUBLIC)
    )
    outcome = _outcome(answer, cited)
    event = append_audit_event(
        acting_user=acting_user,
        username=acting_user.get_username(),
        role=acting_user.role,
        question=redact(question, findings, Vault()).text,
        findings=_counts(findings),
        passages=[
            {
                "n": n,
                "chunk_id": p.chunk_id,
                "document_id": p.document_id,
                "classification": DataClass(p.classification).label,
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
        fallback_used=len(answer.attempts) > 1 and answer.answered_by is not None,
        redacted=answer.redacted,
        outcome=outcome,
        refusal_reason=answer.route if answer.refused else "",
        latency_ms=_ms(started),
    )
    answer.audit_id = event.id
    transaction.on_commit(lambda: _count(answer, event.outcome))
    return answer


def _count(answer: GatedAnswer, outcome: str) -> None:
    metrics.REQUESTS.labels(outcome=outcome).inc()
    for attempt in answer.attempts:
        metrics.ATTEMPTS.labels(target=attempt.target, zone=attempt.zone, outcome=attempt.outcome).inc()
        metrics.LATENCY.labels(target=attempt.target, zone=attempt.zone).observe(attempt.latency_ms / 1000)
        metrics.TOKENS.labels(target=attempt.target, direction="input").inc(attempt.input_tokens)
        metrics.TOKENS.labels(target=attempt.target, direction="output").inc(attempt.output_tokens)
        metrics.COST.labels(target=attempt.target).inc(attempt.cost_usd)
    if len(answer.attempts) > 1 and answer.answered_by is not None:
        metrics.FALLBACKS.inc()
    for kind, n in answer.redacted.items():
        metrics.REDACTIONS.labels(kind=kind).inc(n)


def _outcome(answer: GatedAnswer, cited: set[int]) -> str:
    if answer.refused:
        return AuditEvent.Outcome.REFUSED
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
