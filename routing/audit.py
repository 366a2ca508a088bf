"""The tamper-evident audit trail: AuditEvent rows chained by SHA-256.

Each row's hash covers its own content and the previous row's hash, so a row
edited, inserted or deleted after the fact breaks the chain at that row. A
purge keeps the chain verifiable by recording the hash of the last row it
removed (AuditAnchor), from which verification starts.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.clearance import Classification
from routing import metrics
from routing.answer import GatedAnswer, GateRequest
from routing.facts import count_findings
from routing.models import AuditAnchor, AuditEvent
from routing.policy.decide import Decision
from routing.redaction import Vault, redact

GENESIS = "0" * 64
# Any constant: the advisory lock that orders writers of the chain.
CHAIN_LOCK = 0x51_0CE_A0D17
# The fields each row's hash covers, by the row's hash_version; new rows are written with the last one.
HASHED_FIELDS = {
    1: (
        "id", "created_at", "acting_user_id", "username", "role", "question", "findings", "passages", "data_class",
        "policy_version", "decision", "attempts", "backend", "model", "fallback_used", "redacted", "outcome",
        "refusal_reason", "latency_ms", "prev_hash",
    ),
}  # fmt: skip
HASHED_FIELDS[2] = (*HASHED_FIELDS[1], "workload", "team", "cost_usd", "cache_hit", "hash_version")
HASH_VERSION = max(HASHED_FIELDS)


def row_hash(event: AuditEvent) -> str:
    """SHA-256 of the row's content, canonical JSON, including the previous row's hash."""
    fields = HASHED_FIELDS.get(event.hash_version)
    if fields is None:
        return ""  # an unknown version never matches: verification names the row
    return content_hash(event, fields)


def content_hash(event: Any, fields: tuple[str, ...]) -> str:
    """SHA-256 of these fields of the row, canonical JSON. A version's fields never change, so
    migrations may call this with HASHED_FIELDS[n] on the model as it stood then."""
    content = {name: getattr(event, name) for name in fields}
    content["created_at"] = event.created_at.isoformat()
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _lock_chain() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _last_hash() -> str:
    last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    if last is not None:
        return last
    anchor = AuditAnchor.objects.order_by("-id").first()
    return anchor.row_hash if anchor else GENESIS


_FIELDS = tuple(AuditEvent._meta.concrete_fields)
_JSON_FIELDS = frozenset(f.name for f in _FIELDS if f.get_internal_type() == "JSONField")
_COLUMNS = ", ".join(f'"{f.column}"' for f in _FIELDS)
_PLACEHOLDERS = ", ".join("%s::jsonb" if f.name in _JSON_FIELDS else "%s" for f in _FIELDS)
_INSERT = f'INSERT INTO "{AuditEvent._meta.db_table}" ({_COLUMNS}) VALUES ({_PLACEHOLDERS})'


@transaction.atomic
def append_audit_event(**fields: Any) -> AuditEvent:
    """Write one audit row at the end of the chain (writers are serialised by an advisory lock).

    Three plain statements, no ORM: the lock; the previous hash and the next id (after the lock, so the
    statement's snapshot sees the last writer's row); the INSERT of the row with its hash, computed from
    its values as PostgreSQL will give them back (JSON fields round-tripped through json, created_at set
    here) instead of reading the row back and updating it.
    """
    _lock_chain()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT (SELECT row_hash FROM "{AuditEvent._meta.db_table}" ORDER BY id DESC LIMIT 1), '
            f"nextval(pg_get_serial_sequence('{AuditEvent._meta.db_table}', 'id'))"
        )
        last, next_id = cursor.fetchone()
        if last is None:
            last = _last_hash()  # no rows: the purge anchor, or genesis
        for name in _JSON_FIELDS & fields.keys():
            fields[name] = json.loads(json.dumps(fields[name]))
        event = AuditEvent(id=next_id, prev_hash=last, hash_version=HASH_VERSION, **fields)
        event.created_at = timezone.now()
        event.row_hash = row_hash(event)
        values = [getattr(event, f.attname) for f in _FIELDS]
        cursor.execute(
            _INSERT, [json.dumps(v) if f.name in _JSON_FIELDS else v for f, v in zip(_FIELDS, values, strict=True)]
        )
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in id order and name the first row that does not match."""
    anchor = AuditAnchor.objects.order_by("-id").first()
    expected_prev = anchor.row_hash if anchor else GENESIS
    rows = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=1000):
        rows += 1
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, rows, event.id, "its previous-row hash does not match: a row before it was deleted or inserted"
            )
        if row_hash(event) != event.row_hash:
            return ChainReport(False, rows, event.id, "its content does not match its hash: the row was edited")
        expected_prev = event.row_hash
    return ChainReport(True, rows)


@transaction.atomic
def purge_audit_before(cutoff: datetime) -> int:
    """Delete rows older than `cutoff`, anchoring the chain at the last one removed. Returns the count."""
    _lock_chain()
    doomed = AuditEvent.objects.filter(created_at__lt=cutoff)
    last = doomed.order_by("-id").first()
    if last is None:
        return 0
    # Rows are appended in time order, so everything up to `last` goes; anything newer stays chained.
    count, _ = AuditEvent.objects.filter(id__lte=last.id).delete()
    AuditAnchor.objects.create(purged_through_id=last.id, row_hash=last.row_hash, purged_rows=count)
    return count


def record_answer(*, answer: GatedAnswer, request: GateRequest) -> AuditEvent:
    """Write the one audit row of a request: the question redacted, findings as counts only, the
    passages sent with their classes and whether they were cited, the Decision, every attempt.

    Its own transaction (append_audit_event); the metrics are counted once the row is committed.
    """
    decision = answer.decision
    user = request.acting_user
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
        findings=count_findings(request.findings),
        passages=[
            {
                "n": n,
                "chunk_id": p.chunk_id,
                "document_id": p.document_id,
                "classification": p.classification_label,
                "cited": n in answer.cited,
            }
            for n, p in enumerate(answer.passages, 1)
        ],
        data_class=int(data_class),
        policy_version=decision.policy_version if decision else "",
        decision=decision_json(decision),
        attempts=[a.__dict__ for a in answer.attempts],
        backend=answer.backend,
        model=answer.model,
        fallback_used=answer.fell_back,
        redacted=answer.redacted,
        outcome=outcome_of(answer),
        refusal_reason=answer.route if answer.refused else "",
        cost_usd=round(sum(a.cost_usd for a in answer.attempts), 8),
        cache_hit=answer.cache_hit,
        latency_ms=round((time.perf_counter() - request.started) * 1000, 1),
    )
    transaction.on_commit(lambda: metrics.count_answer(answer, event.outcome))
    return event


def outcome_of(answer: GatedAnswer) -> str:
    if answer.refused:
        return AuditEvent.Outcome.REFUSED
    if answer.cut_off:
        return AuditEvent.Outcome.CUT_OFF
    if not answer.cited:
        return AuditEvent.Outcome.NOTHING_FOUND
    return AuditEvent.Outcome.ANSWERED


def decision_json(decision: Decision | None) -> dict[str, Any]:
    """The Decision as the audit row keeps it."""
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
