"""Requests on their way outside on-prem, on record before they leave: a process killed while a cloud answer
streams (SIGKILL, out of memory, its node lost) writes no audit row, and the log must still say what was sent.

Before each call to a target outside on-prem the gate commits the request's Dispatch, in a short transaction of
its own (DispatchLog). record_answer deletes it in the transaction of the request's audit row, so that one of the
two always exists. A Dispatch older than INTERRUPTED_DISPATCH_SECONDS (longer than any answer may take) was left
by a process that died: the worker turns it into an `interrupted` audit row, in the same chain, and deletes it in
that row's transaction (audit_interrupted_dispatches).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from routing import metrics
from routing.answer import GateRequest, SourcePassage
from routing.audit import append_audit_event, audited_decision, audited_passage, audited_question
from routing.errors import BackendError, ErrorKind
from routing.facts import count_findings
from routing.models import AuditEvent, Dispatch
from routing.policy.decide import Decision, Target, Zone

HOST = socket.gethostname()
logger = logging.getLogger(__name__)


@dataclass
class DispatchLog:
    """A run's `before_call` (DecisionRun, ChatRun): before a call to a target outside on-prem, the request's
    Dispatch is committed (made on the first such call, its `calls` extended on the next ones). A database
    error raises BackendError (not_recorded) and the call is not made: nothing leaves that is not on record; the
    run goes on to the Decision's next target.

    Its transaction commits only where the gate runs outside one; an approved held request is sent inside the
    transaction that holds it (routing/approvals.py), so there the record commits with the audit row, in vain.
    """

    request: GateRequest
    decision: Decision
    passages: Sequence[SourcePassage] = ()
    redacted: dict[str, int] = field(default_factory=dict)  # the caller's, complete once the run starts
    calls: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, target: Target) -> None:
        if target.zone == Zone.ONPREM:
            return
        self.calls.append({"target": target.name, "zone": str(target.zone)})
        try:
            self._record()
        except DatabaseError:
            # Not on record, so not made: the run goes on to the Decision's next target (on-prem ones need no
            # record), and the attempt is audited as not_recorded. Not the backend's fault: no breaker counts it.
            self.calls.pop()
            logger.exception("The call to %s could not be put on record; it was not made", target.name)
            raise BackendError(
                f"{target.name}: not called, the call could not be put on record", kind=ErrorKind.NOT_RECORDED
            ) from None

    def _record(self) -> None:
        with transaction.atomic():
            if len(self.calls) > 1:
                Dispatch.objects.filter(request_id=self.request.request_id).update(calls=self.calls)
                return
            request, user = self.request, self.request.acting_user
            Dispatch.objects.create(
                request_id=request.request_id,
                acting_user=user,
                username=user.get_username(),
                role=user.role,
                api_key_id=request.api_key.id if request.api_key else None,
                api_key_name=request.api_key.name if request.api_key else "",
                workload=request.workload,
                team=request.team,
                question=audited_question(request),
                findings=count_findings(request.findings),
                passages=[audited_passage(n, p) for n, p in enumerate(self.passages, 1)],
                data_class=int(self.decision.data_class),
                policy_version=self.decision.policy_version,
                decision=audited_decision(self.decision, request),
                redacted=dict(self.redacted),
                calls=self.calls,
                host=HOST,
                pid=os.getpid(),
            )


def audit_interrupted_dispatches(*, older_than_s: float) -> int:
    """Audit each Dispatch older than `older_than_s` seconds as `interrupted`, oldest first, and delete it in its
    audit row's transaction. Returns how many. Safe with several workers at once: each takes the records nobody
    else holds (FOR UPDATE SKIP LOCKED), and a record whose answer is being audited right now is held by that."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    audited = 0
    while True:
        with transaction.atomic():
            left = Dispatch.objects.select_for_update(skip_locked=True).filter(created_at__lt=cutoff)
            dispatch = left.order_by("created_at", "id").first()
            if dispatch is None:
                return audited
            append_audit_event(**interrupted_row(dispatch))
            dispatch.delete()
            calls = list(dispatch.calls)
            transaction.on_commit(lambda calls=calls: metrics.count_interrupted(calls))
        audited += 1


def interrupted_row(dispatch: Dispatch) -> dict[str, Any]:
    """The audit row of a request whose process died after sending it: who, what left (redacted) and to which
    targets; no answer, no model's reply, no tokens or cost (the process that would have counted them is gone)."""
    sent_to = ", ".join(f"{c['target']} ({c['zone']})" for c in dispatch.calls)
    why = (
        f"Sent to {sent_to} by process {dispatch.pid} on {dispatch.host} at "
        f"{dispatch.created_at:%Y-%m-%d %H:%M:%S} UTC, which stopped before the answer ended (killed, out of memory "
        "or its node lost): the answer, its tokens and its cost are unknown."
    )
    return {
        "acting_user_id": dispatch.acting_user_id,
        "username": dispatch.username,
        "role": dispatch.role,
        "workload": dispatch.workload,
        "team": dispatch.team,
        "api_key_id": dispatch.api_key_id,
        "api_key_name": dispatch.api_key_name,
        "question": dispatch.question,
        "findings": dispatch.findings,
        "passages": [p | {"cited": False, "attributed": False} for p in dispatch.passages],
        "data_class": dispatch.data_class,
        "policy_version": dispatch.policy_version,
        "decision": dispatch.decision,
        "attempts": [interrupted_attempt(call) for call in dispatch.calls],
        "backend": "",
        "model": "",
        "fallback_used": False,
        "redacted": dispatch.redacted,
        "outcome": AuditEvent.Outcome.INTERRUPTED,
        "refusal_reason": why,
        "cost_usd": 0.0,
        "cache_hit": False,
        "latency_ms": 0.0,
    }


def interrupted_attempt(call: dict[str, str]) -> dict[str, Any]:
    """A call of an interrupted request, in the shape of routing.runner.Attempt: what is not known is None."""
    return {
        "target": call["target"],
        "zone": call["zone"],
        "model": "",
        "outcome": "interrupted",
        "latency_ms": None,
        "input_tokens": None,
        "output_tokens": None,
        "cost_usd": None,
        "usage_estimated": None,
        "citations_removed": 0,
    }
