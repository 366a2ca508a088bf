"""Requests held for approval (docs/approvals.md): who may approve them, approving, denying, expiring, and
sending an approved one.

An approver is a user whose role or one of whose groups the rule's `approve: by` names, and never the
requester. Every step is a row of the audit chain: held (routing/held.py), approved or denied by whom, the
answer's own row once sent, expired. A denied or expired request sends nothing, and its sealed vault is
deleted; so is a sent one's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from accounts.clearance import Classification
from accounts.models import ApiKey, User
from accounts.selectors import get_user_groups
from inspection import CustomPattern
from routing.answer import GatedAnswer, GateRequest, SourcePassage
from routing.audit import append_audit_event
from routing.backends.base import Bundle, ContextPassage
from routing.errors import HeldRequestError
from routing.held import vault_row
from routing.models import AuditEvent, HeldRequest, PolicyVersion
from routing.policy.decide import Action, Decision, OnFailure, Target, Zone
from routing.policy.loader import PolicyError, load_policy
from routing.policy.versions import get_active_policy
from routing.redaction import Vault, restore
from routing.sealing import VaultUnreadable, open_vault
from routing.services import answer_approved, current_health

logger = logging.getLogger(__name__)

# Sent once an approved request was answered: held=HeldRequest, answer=GatedAnswer (the asker's history
# keeps it: assistant/approvals.py). Routing cannot import the page apps, so they listen.
held_request_answered = Signal()

OPEN = (HeldRequest.State.HELD, HeldRequest.State.APPROVED, HeldRequest.State.SENDING)


def approver_names(user: User, groups: Sequence[str] | None = None) -> list[str]:
    """The names a rule's `approve: by` may call `user` by: their role and their groups."""
    return [str(user.role), *(get_user_groups(user).names if groups is None else groups)]


def list_held_for_approver(user: User) -> QuerySet[HeldRequest]:
    """Requests awaiting approval that `user` may approve (never their own), oldest first: those past their
    time are expired first (their vaults deleted), so the list never offers one."""
    expire_held_requests()
    return (
        HeldRequest.objects.filter(state=HeldRequest.State.HELD, approvers__overlap=approver_names(user))
        .exclude(requester=user)
        .defer("vault")
        .order_by("created_at", "id")
    )


def list_held_for_requester(user: User) -> QuerySet[HeldRequest]:
    """The requests of `user` held for approval, in any state, newest first."""
    return HeldRequest.objects.filter(requester=user).defer("vault").order_by("-created_at", "-id")


def get_held_for_requester(*, user: User, held_id: int) -> HeldRequest:
    """One of the requester's own held requests (expired first if past its time). Raises
    HeldRequest.DoesNotExist when it is not theirs, whether or not it exists."""
    expire_held_requests()
    return list_held_for_requester(user).get(id=held_id)


def _why_not_approver(held: HeldRequest, user: User) -> str | None:
    if held.requester_id == user.pk:
        return "You asked this question: someone else must approve or deny it."
    if not set(held.approvers) & set(approver_names(user)):
        return f"Only {' or '.join(held.approvers)} may approve or deny this request."
    if held.state != HeldRequest.State.HELD:
        return f"This request is no longer awaiting approval: it is {held.get_state_display().lower()}."
    return None


def _decided(held_id: int, user: User, reason: str, state: HeldRequest.State) -> HeldRequest:
    reason = reason.strip()
    if not reason:
        raise HeldRequestError("Give a reason: the requester and the auditors read it.")
    expire_held_requests()
    with transaction.atomic():
        held = HeldRequest.objects.select_for_update().get(id=held_id)
        if why := _why_not_approver(held, user):
            raise HeldRequestError(why)
        held.state, held.reason = state, reason
        held.decided_by, held.decided_by_name, held.decided_at = user, user.get_username(), timezone.now()
        outcome = AuditEvent.Outcome.APPROVED if state == HeldRequest.State.APPROVED else AuditEvent.Outcome.DENIED
        held.decided_audit_id = _audit_step(held, outcome, acting_user=user, reason=reason).id
        fields = ["state", "reason", "decided_by", "decided_by_name", "decided_at", "decided_audit_id"]
        if state == HeldRequest.State.DENIED:
            held.vault = b""
            fields.append("vault")
        held.save(update_fields=fields)
    return held


def approve_held_request(*, held_id: int, acting_user: User, reason: str) -> GatedAnswer | None:
    """Approve a held request and send it at once: the answer (audited; restored; in the asker's history),
    or None when it is kept approved until one of its targets is up (send_approved_requests).

    Raises HeldRequest.DoesNotExist, and HeldRequestError when `acting_user` may not approve it (it is their
    own, the rule names none of their role and groups, or it is no longer held) or gave no reason."""
    held = _decided(held_id, acting_user, reason, HeldRequest.State.APPROVED)
    return send_held_request(held_id=held.id)


def deny_held_request(*, held_id: int, acting_user: User, reason: str) -> HeldRequest:
    """Deny a held request: nothing is ever sent, its vault is deleted, the requester sees the reason.
    Raises as approve_held_request."""
    return _decided(held_id, acting_user, reason, HeldRequest.State.DENIED)


def expire_held_requests() -> int:
    """Mark every held or approved-but-unsent request past its time expired, delete its vault and audit it.
    Returns how many. Safe to run again."""
    now = timezone.now()
    expired = 0
    for held_id in HeldRequest.objects.filter(state__in=OPEN, expires_at__lte=now).values_list("id", flat=True):
        with transaction.atomic():
            held = HeldRequest.objects.select_for_update().filter(id=held_id, state__in=OPEN).first()
            if held is None:
                continue
            reason = f"Nobody approved it before {held.expires_at:%Y-%m-%d %H:%M} UTC."
            if held.state == HeldRequest.State.APPROVED:
                reason = f"Approved, but no allowed target was up before {held.expires_at:%Y-%m-%d %H:%M} UTC."
            elif held.state == HeldRequest.State.SENDING:
                reason = HeldRequest.SENT_THEN_STOPPED
            held.state, held.reason, held.vault = HeldRequest.State.EXPIRED, reason, b""
            held.decided_audit_id = _audit_step(held, AuditEvent.Outcome.EXPIRED, acting_user=None, reason=reason).id
            held.save(update_fields=["state", "reason", "vault", "decided_audit_id"])
            expired += 1
    return expired


def send_approved_requests() -> int:
    """Send the approved requests still waiting (none of their targets answered when approved) whose targets
    are up now. Returns how many were answered."""
    sent = 0
    for held in HeldRequest.objects.filter(state=HeldRequest.State.APPROVED, expires_at__gt=timezone.now()):
        health = current_health(get_active_policy())
        if any(health.is_up(t) for t in _targets(held)):
            sent += send_held_request(held_id=held.id) is not None
    return sent


@dataclass(frozen=True)
class _Stored:
    bundle: Bundle
    passages: list[SourcePassage]
    decision: Decision
    request: GateRequest


def send_held_request(*, held_id: int) -> GatedAnswer | None:
    """Send an approved request: its stored bundle (exactly what the approver read) on its Decision's
    targets. Answered: the answer is audited, the vault deleted, the request marked sent and
    held_request_answered sent. No target answered: it stays approved (the failure audited) until one is up
    or it expires; returns None. Does nothing (None) unless the request is approved."""
    # Marked as being sent, and committed, before anything is sent: the call runs outside any transaction, so
    # its dispatch record (routing/dispatch.py) is committed before it leaves, and a process that dies mid-call
    # leaves the request `sending`, which nothing sends again (it expires; the call is audited as interrupted).
    with transaction.atomic():
        held = HeldRequest.objects.select_for_update().filter(id=held_id, state=HeldRequest.State.APPROVED).first()
        if held is None or held.requester is None:
            return None
        try:
            vault = open_vault(held.vault, row=vault_row(held.id), key=settings.HELD_VAULT_KEY)
        except VaultUnreadable:
            logger.error("The vault of held request %s does not open: it is not sent", held.id)
            return None
        held.state = HeldRequest.State.SENDING
        held.save(update_fields=["state"])
    back_to_approved = HeldRequest.objects.filter(id=held.id, state=HeldRequest.State.SENDING)
    stored = _stored(held, vault)
    try:
        answer = answer_approved(
            bundle=stored.bundle,
            vault=vault,
            decision=stored.decision,
            passages=stored.passages,
            redacted=dict(held.redacted),
            request=stored.request,
            custom=_custom_patterns(held.policy_version),
        )
    except BaseException:
        back_to_approved.update(state=HeldRequest.State.APPROVED)
        raise
    with transaction.atomic():
        if answer.answered_by is None:
            back_to_approved.update(state=HeldRequest.State.APPROVED)
            return None
        held.state, held.vault, held.answer_audit_id = HeldRequest.State.SENT, b"", answer.audit_id
        held.save(update_fields=["state", "vault", "answer_audit_id"])
        held_request_answered.send(sender=HeldRequest, held=held, answer=answer)
    return answer


def _targets(held: HeldRequest) -> tuple[Target, ...]:
    return tuple(
        Target(
            name=t["name"],
            zone=Zone(t["zone"]),
            backend=t["backend"],
            tier=t["tier"],
            price_input_per_mtok=t["price_input_per_mtok"],
            price_output_per_mtok=t["price_output_per_mtok"],
            timeout_s=t["timeout_s"],
            requires_evidence=t.get("requires_evidence", False),
        )
        for t in held.targets
    )


def _stored(held: HeldRequest, vault: Vault) -> _Stored:
    """The held request as the gate runs it: the bundle as stored; the passages and question restored in
    memory only (what the answer is checked against and the asker's record keeps)."""
    assert held.requester is not None
    context = tuple(
        ContextPassage(
            n=p["n"], chunk_id=p["chunk_id"], document_id=p["document_id"], title=p["title"], text=p["text"],
            neighbour=p["neighbour"], flagged=p["flagged"],
        )
        for p in held.passages
    )  # fmt: skip
    passages = [
        SourcePassage(
            chunk_id=p["chunk_id"], document_id=p["document_id"], title=p["title"], text=restore(p["text"], vault),
            classification=p["classification"], heading_path=p["heading_path"], neighbour=p["neighbour"],
            flagged=p["flagged"],
        )
        for p in held.passages
    ]  # fmt: skip
    d = held.decision
    approved = f"Approved by {held.decided_by_name}: {held.reason}"
    decision = Decision(
        action=Action.ANSWER,
        targets=_targets(held),
        redact=True,
        max_passages=len(context),
        on_failure=OnFailure(d["on_failure"]),
        data_class=Classification(held.data_class),
        reasons=(*d["reasons"], approved),
        policy_version=held.policy_version,
        rule_name=d.get("rule"),
        remove_secrets=d.get("remove_secrets", False),
        notices=tuple(held.notices),
    )
    request = GateRequest(
        question=restore(held.question, vault),
        findings=[],
        acting_user=held.requester,
        workload=held.workload,
        team=held.team,
        started=time.perf_counter(),
        api_key=ApiKey.objects.filter(id=held.api_key_id).first() if held.api_key_id else None,
        redacted_question=held.question,
        question_injection=d.get("question_injection"),
        held={"id": held.id, "approved_by": held.decided_by_name},
    )
    return _Stored(Bundle(question=held.question, passages=context), passages, decision, request)


def _custom_patterns(version: str) -> Sequence[CustomPattern]:
    """The custom patterns of the policy version that held the request (the egress guard looks for them)."""
    stored = PolicyVersion.objects.filter(version=version).values_list("text", flat=True).first()
    try:
        return load_policy(stored).custom_patterns if stored else get_active_policy().custom_patterns
    except PolicyError:
        return get_active_policy().custom_patterns


def _audit_step(held: HeldRequest, outcome: str, *, acting_user: User | None, reason: str) -> AuditEvent:
    """The chain's row of one step of a held request (approved, denied, expired): who, why, which request."""
    return append_audit_event(
        acting_user=acting_user,
        username=acting_user.get_username() if acting_user else "system",
        role=str(acting_user.role) if acting_user else "",
        workload=held.workload,
        team=held.team,
        api_key_id=held.api_key_id,
        api_key_name=held.api_key_name,
        question=held.question,
        findings=held.findings,
        passages=[],
        data_class=held.data_class,
        policy_version=held.policy_version,
        decision=held.decision | {"held": {"id": held.id, "requester": held.requester_name, "step": outcome}},
        attempts=[],
        backend="",
        model="",
        fallback_used=False,
        redacted={},
        outcome=outcome,
        refusal_reason=reason,
        cost_usd=0.0,
        cache_hit=False,
        latency_ms=0.0,
    )
