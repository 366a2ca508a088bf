"""Audit rows for the auditors' pages, written through the real chain (routing.audit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from routing.audit import append_audit_event
from routing.models import AuditEvent

WriteAudit = Callable[..., AuditEvent]

CLAUDE_OK = {
    "target": "claude",
    "zone": "cloud",
    "model": "claude-haiku-4-5",
    "outcome": "ok",
    "latency_ms": 812.4,
    "input_tokens": 1200,
    "output_tokens": 180,
    "cost_usd": 0.0021,
    "usage_estimated": False,
}
DECISION = {
    "action": "answer",
    "rule": "internal-cloud-redacted",
    "targets": [{"name": "claude", "zone": "cloud"}, {"name": "extractive", "zone": "onprem"}],
    "redact": True,
    "remove_secrets": False,
    "max_passages": 4,
    "on_failure": "degrade",
    "data_class": "internal",
    "reasons": ["internal data may use the cloud, redacted"],
}


@pytest.fixture
def write_audit(db: None) -> WriteAudit:
    """write_audit(user, **fields): one chained audit row, an answered cloud request unless told otherwise.
    `at=` (an aware datetime) moves created_at afterwards (the chain no longer verifies then)."""

    def _write(user: User, *, at: dt.datetime | None = None, **fields: Any) -> AuditEvent:
        row: dict[str, Any] = {
            "acting_user": user,
            "username": user.username,
            "role": user.role,
            "question": "How do I roll back a bad deploy?",
            "findings": {},
            "passages": [{"n": 1, "chunk_id": 7, "document_id": 3, "classification": "internal", "cited": True}],
            "data_class": 1,
            "policy_version": "default-3",
            "decision": DECISION,
            "attempts": [CLAUDE_OK],
            "backend": "claude",
            "model": "claude-haiku-4-5",
            "outcome": AuditEvent.Outcome.ANSWERED,
            "cost_usd": 0.0021,
            "latency_ms": 950.0,
        }
        row.update(fields)
        event = append_audit_event(**row)
        if at is not None:
            AuditEvent.objects.filter(id=event.id).update(created_at=at)
            event.refresh_from_db()
        return event

    return _write
