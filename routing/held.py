"""Holding a request for approval: what the gate does when the policy's Decision is HOLD.

Nothing is sent. The bundle that would leave is stored redacted, its vault sealed (routing/sealing.py), and
the asker is told it awaits approval; routing/approvals.py approves, denies, expires and sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.clearance import Classification
from routing.answer import GatedAnswer, GateRequest, KeepWithAudit, SourcePassage
from routing.audit import decision_json, keep_beside_audit, question_injection_json, record_answer
from routing.backends.base import Bundle
from routing.facts import count_findings
from routing.models import HeldRequest
from routing.policy.decide import Approval, Decision, format_duration
from routing.redaction import Vault
from routing.sealing import seal_vault


def vault_row(held_id: int) -> str:
    """What a held request's sealed vault is bound to (routing/sealing.py)."""
    return f"held:{held_id}"


def held_text(approvers: Sequence[str], expires_after_s: int) -> str:
    """What the asker is told of a request held for approval."""
    return (
        f"Your request is held for approval: nothing has been sent to any model yet. A person in "
        f"{' or '.join(approvers)} must approve it within {format_duration(expires_after_s)}; the answer will "
        "then be in your history. If nobody approves it in time, it expires and nothing is sent."
    )


def hold_request(
    *,
    bundle: Bundle,
    vault: Vault,
    redacted: dict[str, int],
    passages: Sequence[SourcePassage],
    decision: Decision,
    request: GateRequest,
    notices: tuple[str, ...] = (),
    keep: KeepWithAudit | None = None,
) -> GatedAnswer:
    """Store the request as `bundle` (redacted: exactly what will be sent once approved) with `vault` sealed,
    audit it as held, with what `keep` writes in that transaction, and return what the asker is shown. Sends
    nothing."""
    approval = decision.approval or Approval()
    answer = GatedAnswer(
        text=held_text(approval.by, approval.expires_after_s),
        passages=list(passages),
        decision=decision,
        answered_by=None,
        model="",
        route="Held for approval: " + " ".join(decision.reasons),
        notices=decision.notices + notices,
        held=True,
    )
    answer.question = request.question
    user = request.acting_user
    with transaction.atomic():
        held = HeldRequest.objects.create(
            requester=user,
            requester_name=user.get_username(),
            api_key_id=request.api_key.id if request.api_key else None,
            api_key_name=request.api_key.name if request.api_key else "",
            workload=request.workload,
            team=request.team,
            question=bundle.question,
            passages=[
                {
                    "n": sent.n,
                    "chunk_id": sent.chunk_id,
                    "document_id": sent.document_id,
                    "title": sent.title,
                    "heading_path": source.heading_path,
                    "classification": int(source.classification),
                    "text": sent.text,
                    "neighbour": sent.neighbour,
                    "flagged": sent.flagged,
                }
                for sent, source in zip(bundle.passages, passages, strict=True)
            ],
            findings=count_findings(request.findings),
            redacted=redacted,
            data_class=int(Classification(decision.data_class)),
            policy_version=decision.policy_version,
            # The question's typed-injection verdict travels with it, for the row written when it is approved.
            decision=decision_json(decision) | question_injection_json(request),
            targets=[
                {
                    "name": t.name,
                    "zone": str(t.zone),
                    "backend": t.backend,
                    "tier": t.tier,
                    "price_input_per_mtok": t.price_input_per_mtok,
                    "price_output_per_mtok": t.price_output_per_mtok,
                    "timeout_s": t.timeout_s,
                    "requires_evidence": t.requires_evidence,
                }
                for t in decision.targets
            ],
            notices=list(answer.notices),
            approvers=list(approval.by),
            expires_at=timezone.now() + timedelta(seconds=approval.expires_after_s),
        )
        answer.held_id = held.id
        answer.audit_id = record_answer(answer=answer, request=request).id
        held.vault = seal_vault(vault, row=vault_row(held.id), key=settings.HELD_VAULT_KEY)
        held.held_audit_id = answer.audit_id
        held.save(update_fields=["vault", "held_audit_id"])
        failed = keep_beside_audit(keep, answer)
    if failed is not None:
        raise failed
    return answer
