"""The tamper-evident audit trail: AuditEvent rows chained by HMAC-SHA256.

Each row's hash covers its own content and the previous row's hash, so a row
edited, inserted or deleted after the fact breaks the chain at that row. Since
hash version 3 it is an HMAC under settings.AUDIT_CHAIN_KEY, so that whoever can
write the database but not read the key cannot recompute it; rows written before
keep their plain SHA-256. A purge keeps the chain verifiable by recording the
hash of the last row it removed (AuditAnchor, with an HMAC of its own), from
which verification starts. Deleting the newest rows leaves a shorter chain that
still verifies: routing/audit_head.py exports the head to catch that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.clearance import Classification
from routing import metrics
from routing.answer import GatedAnswer, GateRequest, KeepWithAudit, SourcePassage
from routing.facts import count_findings
from routing.models import AuditAnchor, AuditEvent, Dispatch
from routing.policy.decide import Decision
from routing.redaction import Vault, redact

logger = logging.getLogger(__name__)

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
# The user's id is set to NULL when the user is deleted, which broke versions 1 and 2; the username is a snapshot.
HASHED_FIELDS[3] = tuple(name for name in HASHED_FIELDS[2] if name != "acting_user_id")
# Requests made with an API key name it (the pages' and commands' rows hold None and "").
HASHED_FIELDS[4] = (*HASHED_FIELDS[3], "api_key_id", "api_key_name")
# From this version on, a row's hash is an HMAC under settings.AUDIT_CHAIN_KEY.
KEYED_FROM = 3
HASH_VERSION = max(HASHED_FIELDS)


def row_hash(event: AuditEvent, *, key: str | None = None) -> str:
    """The row's hash under its own hash_version: canonical JSON of its fields, the previous row's hash
    among them; HMAC-SHA256 under `key` (default settings.AUDIT_CHAIN_KEY) from version 3, SHA-256 before."""
    fields = HASHED_FIELDS.get(event.hash_version)
    if fields is None:
        return ""  # an unknown version: verify_chain refuses a row whose expected hash is empty
    if event.hash_version < KEYED_FROM:
        return content_hash(event, fields)
    return _mac(_encode(event, fields), settings.AUDIT_CHAIN_KEY if key is None else key)


def content_hash(event: Any, fields: tuple[str, ...]) -> str:
    """SHA-256 of these fields of the row, canonical JSON (versions 1 and 2). A version's fields never
    change, so migrations may call this with HASHED_FIELDS[n] on the model as it stood then."""
    return hashlib.sha256(_encode(event, fields)).hexdigest()


def _encode(event: Any, fields: tuple[str, ...]) -> bytes:
    content = {name: getattr(event, name) for name in fields}
    content["created_at"] = event.created_at.isoformat()
    return _canonical(content)


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


@lru_cache(maxsize=4)
def _keyed(key: str) -> hmac.HMAC:
    # Keyed once: each row copies the state instead of hashing the padded key twice again.
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def _mac(message: bytes, key: str) -> str:
    mac = _keyed(key).copy()
    mac.update(message)
    return mac.hexdigest()


def sign_record(record: dict[str, Any], *, key: str) -> str:
    """HMAC-SHA256 under `key` of a small record (canonical JSON); its "kind" keeps an anchor's
    signature from ever passing for a head's, or for a row's."""
    return _mac(_canonical(record), key)


def anchor_hmac(anchor: AuditAnchor, *, key: str) -> str:
    """The HMAC that authenticates a purge anchor: its purged range, the hash it continues from, when."""
    record = {
        "kind": "anchor",
        "purged_through_id": anchor.purged_through_id,
        "row_hash": anchor.row_hash,
        "purged_rows": anchor.purged_rows,
        "created_at": anchor.created_at.isoformat(),
    }
    return sign_record(record, key=key)


def anchor_is_authentic(anchor: AuditAnchor, *, key: str) -> bool:
    """Whether the anchor carries its HMAC under `key` (anchors from before version 3 carry none)."""
    return bool(anchor.hmac) and hmac.compare_digest(anchor.hmac, anchor_hmac(anchor, key=key))


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
_FLOAT_FIELDS = frozenset(f.attname for f in _FIELDS if f.get_internal_type() == "FloatField")
_COLUMNS = ", ".join(f'"{f.column}"' for f in _FIELDS)
_PLACEHOLDERS = ", ".join("%s::jsonb" if f.name in _JSON_FIELDS else "%s" for f in _FIELDS)
_INSERT = f'INSERT INTO "{AuditEvent._meta.db_table}" ({_COLUMNS}) VALUES ({_PLACEHOLDERS})'


# Within a caller's transaction no savepoint of its own (two round trips fewer a row): the callers let a
# failure here roll their whole transaction back, so a savepoint would keep nothing.
@transaction.atomic(savepoint=False)
def append_audit_event(**fields: Any) -> AuditEvent:
    """Write one audit row at the end of the chain (writers are serialised by an advisory lock).

    Two plain statements, no ORM: the lock with the previous hash and the next id (the function
    sluice_audit_chain_head, routing migration 0011: it reads after the lock is granted, with a snapshot
    that sees the last writer's row); the INSERT of the row with its hash, computed from its values as
    PostgreSQL will give them back (JSON fields round-tripped through json, created_at set here) instead
    of reading the row back and updating it.
    """
    key = settings.AUDIT_CHAIN_KEY
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_hash, next_id FROM sluice_audit_chain_head(%s)", [CHAIN_LOCK])
        last, next_id = cursor.fetchone()
        if last is None:
            last = _last_hash()  # no rows: the purge anchor, or genesis
        for name in _JSON_FIELDS & fields.keys():
            fields[name] = json.loads(json.dumps(fields[name]))
        event = AuditEvent(id=next_id, prev_hash=last, hash_version=HASH_VERSION, **fields)
        # As PostgreSQL gives them back: a float column returns 0.0 for an int 0, and the hash must match it.
        for name in _FLOAT_FIELDS:
            value = getattr(event, name)
            if value is not None:
                setattr(event, name, float(value))
        event.created_at = timezone.now()
        event.row_hash = row_hash(event, key=key)
        values = [getattr(event, f.attname) for f in _FIELDS]
        cursor.execute(
            _INSERT, [json.dumps(v) if f.name in _JSON_FIELDS else v for f, v in zip(_FIELDS, values, strict=True)]
        )
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    first_bad_id: int | None = None  # the row named; None when the problem is not a row's (an anchor, the head)
    problem: str = ""
    bad_row_gone: bool = False  # the row named no longer exists (the exported head's, deleted)
    head_id: int | None = None  # the exported head checked against (routing/audit_head.py), if any
    head_at: str = ""
    head_note: str = ""  # why no head was checked


def verify_chain() -> ChainReport:
    """Walk the chain in id order from the last purge anchor and name the first row that does not match.

    Also refused: an anchor whose HMAC does not match, an anchor without one followed by keyed rows (it
    was made without the key), and a row of an older hash version after a newer one (a keyed row
    rewritten as plain SHA-256). Rows deleted from the end are not seen here (routing/audit_head.py).
    """
    key = settings.AUDIT_CHAIN_KEY
    anchor = AuditAnchor.objects.order_by("-id").first()
    expected_prev = anchor.row_hash if anchor else GENESIS
    signed_anchor = anchor is not None and bool(anchor.hmac)
    if signed_anchor and not anchor_is_authentic(anchor, key=key):
        return ChainReport(False, 0, None, f"purge anchor {anchor.id} does not match its HMAC: it was forged or edited")
    lowest_version = 1
    rows = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=1000):
        rows += 1
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, rows, event.id, "its previous-row hash does not match: a row before it was deleted or inserted"
            )
        expected = row_hash(event, key=key)
        # An unknown version hashes to "": a row claiming one, its hash emptied, must not pass.
        if not expected or expected != event.row_hash:
            return ChainReport(False, rows, event.id, "its content does not match its hash: the row was edited")
        if event.hash_version < lowest_version:
            problem = (
                f"its hash version {event.hash_version} is older than the row before it: "
                "a keyed row was rewritten without the key"
            )
            return ChainReport(False, rows, event.id, problem)
        if rows == 1 and anchor is not None and not signed_anchor and event.hash_version >= KEYED_FROM:
            problem = (
                f"it follows purge anchor {anchor.id}, which has no HMAC though this row is keyed: "
                "the anchor was made without the key"
            )
            return ChainReport(False, rows, event.id, problem)
        lowest_version = event.hash_version
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
    anchor = AuditAnchor.objects.create(purged_through_id=last.id, row_hash=last.row_hash, purged_rows=count)
    # Signed once saved: created_at (covered) is set on save.
    anchor.hmac = anchor_hmac(anchor, key=settings.AUDIT_CHAIN_KEY)
    anchor.save(update_fields=["hmac"])
    return count


@transaction.atomic(savepoint=False)  # as append_audit_event
def record_answer(*, answer: GatedAnswer, request: GateRequest) -> AuditEvent:
    """Write the one audit row of a request: the question redacted, findings as counts only, the
    passages sent with their classes and whether they were cited, the Decision, every attempt.

    Its own transaction, which also deletes the request's dispatch record (routing/dispatch.py): the row
    or the record exists, never neither. The metrics are counted once the row is committed.
    """
    decision = answer.decision
    user = request.acting_user
    data_class = (
        decision.data_class
        if decision
        else max([Classification(p.classification) for p in answer.passages], default=Classification.PUBLIC)
    )
    # A dispatch record is made only before a call outside on-prem, and every call is an attempt: a request
    # that made none (most, answered on-prem) has no record, and skips the statement.
    if any(a.zone != "onprem" for a in answer.attempts):
        Dispatch.objects.filter(request_id=request.request_id).delete()
    event = append_audit_event(
        acting_user=user,
        username=user.get_username(),
        role=user.role,
        workload=request.workload,
        team=request.team,
        api_key_id=request.api_key.id if request.api_key else None,
        api_key_name=request.api_key.name if request.api_key else "",
        question=audited_question(request),
        findings=count_findings(request.findings),
        passages=[
            audited_passage(n, p) | {"cited": n in answer.cited, "attributed": n in answer.attributed}
            for n, p in enumerate(answer.passages, 1)
        ],
        data_class=int(data_class),
        policy_version=decision.policy_version if decision else "",
        # An answer that quoted passages only after saying they may not answer exactly, so that an auditor sees it.
        decision=audited_decision(decision, request) | ({"hedged": True} if answer.hedged else {}),
        attempts=[a.__dict__ for a in answer.attempts],
        backend=answer.backend,
        model=answer.model,
        fallback_used=answer.fell_back,
        redacted=answer.redacted,
        outcome=outcome_of(answer),
        refusal_reason=answer.route if answer.refused else answer.withheld,
        # float(): with no attempt (a refusal, a held request) sum() is the int 0, which PostgreSQL gives back as 0.0.
        cost_usd=round(float(sum(a.cost_usd for a in answer.attempts)), 8),
        cache_hit=answer.cache_hit,
        latency_ms=round((time.perf_counter() - request.started) * 1000, 1),
    )
    transaction.on_commit(lambda: metrics.count_answer(answer, event.outcome))
    return event


def audited_question(request: GateRequest) -> str:
    """The question as its audit row keeps it: redacted (a gateway's transcript, redacted already)."""
    if request.redacted_question is not None:
        return request.redacted_question
    return redact(request.question, request.findings, Vault()).text


def audited_passage(n: int, passage: SourcePassage) -> dict[str, Any]:
    """A passage sent, as the audit row names it: its ids and class, never its text."""
    return {
        "n": n,
        "chunk_id": passage.chunk_id,
        "document_id": passage.document_id,
        "classification": passage.classification_label,
    }


def question_injection_json(request: GateRequest) -> dict[str, Any]:
    """The question's typed-injection verdict as the audit row keeps it (empty when it did not read as one)."""
    return {"question_injection": request.question_injection} if request.question_injection else {}


def audited_decision(decision: Decision | None, request: GateRequest) -> dict[str, Any]:
    """The Decision as the audit row keeps it, with what the request adds (injection, question_injection,
    gateway, conversation, held)."""
    return (
        decision_json(decision)
        | ({"injection": request.injection} if request.injection else {})
        | question_injection_json(request)
        | ({"gateway": request.gateway} if request.gateway else {})
        | ({"conversation": request.conversation} if request.conversation else {})
        | ({"held": request.held} if request.held else {})
    )


def outcome_of(answer: GatedAnswer) -> str:
    if answer.held:
        return AuditEvent.Outcome.HELD
    if answer.refused:
        return AuditEvent.Outcome.REFUSED
    if answer.withheld:
        return AuditEvent.Outcome.WITHHELD
    if answer.cut_off:
        return AuditEvent.Outcome.CUT_OFF
    if answer.found_nothing:
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
    } | (
        {"approval": {"by": list(decision.approval.by), "expires_after_s": decision.approval.expires_after_s}}
        if decision.approval
        else {}
    )


def keep_beside_audit(keep: KeepWithAudit | None, answer: GatedAnswer) -> Exception | None:
    """Run `keep` (the asker's history entry) inside the audit row's transaction, in a savepoint of its own:
    the two are committed together, so a process killed between them leaves neither; but a `keep` that fails
    is rolled back alone and the audit row stays, since an answer that was given (and may have been sent to
    a cloud model) must be in the audit log whatever the history does. Returns the failure, for the caller
    to raise once the audit row is committed; logs it with the row's id and the error's type only."""
    if keep is None:
        return None
    try:
        with transaction.atomic():
            keep(answer)
    except Exception as exc:  # whatever it is, the audit row must not go with it
        logger.error("Audit row %s kept without its history entry (%s)", answer.audit_id, type(exc).__name__)
        return exc
    return None


def record_flag_review(chunk: Any, *, cleared: bool, acting_user: Any) -> AuditEvent:
    """The chain's row of an admin's review of a passage flagged as injected instructions: who, which passage
    of which document (by id: a file name can hold a name), its score and cues, and whether the flag was
    cleared as a false alarm or restored. No text of the passage: auditors open it in the library."""
    document = chunk.document
    return append_audit_event(
        acting_user=acting_user,
        username=acting_user.get_username(),
        role=str(acting_user.role),
        question="",
        findings={},
        passages=[],  # no passage was sent anywhere: the passage and its document are in `decision`
        data_class=int(document.classification),
        policy_version="",
        decision={
            "injection_review": {
                "action": "cleared" if cleared else "restored",
                "chunk_id": chunk.id,
                "document_id": document.id,
                "score": chunk.injection_score,
                "cues": list(chunk.injection_cues or []),
            }
        },
        attempts=[],
        backend="",
        model="",
        outcome=AuditEvent.Outcome.FLAG_CLEARED if cleared else AuditEvent.Outcome.FLAG_RESTORED,
        latency_ms=0.0,
    )
