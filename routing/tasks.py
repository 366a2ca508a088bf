"""The routing app's periodic jobs on the PostgreSQL-backed queue (procrastinate)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from procrastinate.contrib.django import app

from routing.approvals import expire_held_requests, send_approved_requests
from routing.audit import purge_audit_before
from routing.audit_head import export_audit_head, head_file_setting
from routing.dispatch import audit_interrupted_dispatches

logger = logging.getLogger(__name__)


# A failure (AuditHeadError: the last head no longer holds, rows were deleted) fails the job, which the
# worker logs as an error with the reason, again on every run until someone looks.
@app.periodic(cron=settings.AUDIT_HEAD_CRON)
@app.task(queue="audit", queueing_lock="export_audit_head")
def export_audit_head_job(timestamp: int) -> None:
    """Export the audit chain's head (routing/audit_head.py) on AUDIT_HEAD_CRON."""
    export_audit_head(path=head_file_setting(), log=settings.AUDIT_HEAD_LOG)


@app.periodic(cron=settings.RETENTION_CRON)
@app.task(queue="maintenance", queueing_lock="purge_audit")
def purge_audit_job(timestamp: int) -> None:
    """Purge audit rows older than AUDIT_RETENTION_DAYS (none when it is 0), on RETENTION_CRON."""
    if settings.AUDIT_RETENTION_DAYS <= 0:
        return
    count = purge_audit_before(timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS))
    logger.info("Purged %d audit rows older than %d days", count, settings.AUDIT_RETENTION_DAYS)


@app.periodic(cron=settings.HELD_REQUESTS_CRON)
@app.task(queue="maintenance", queueing_lock="held_requests")
def held_requests_job(timestamp: int) -> None:
    """Expire held requests past their time and send approved ones whose targets are up, on HELD_REQUESTS_CRON."""
    expired, sent = expire_held_requests(), send_approved_requests()
    if expired or sent:
        logger.info("Held requests: %d expired, %d approved ones sent", expired, sent)


@app.periodic(cron=settings.INTERRUPTED_DISPATCH_CRON)
@app.task(queue="maintenance", queueing_lock="interrupted_dispatches")
def audit_interrupted_dispatches_job(timestamp: int) -> None:
    """Audit as `interrupted` the requests sent outside on-prem whose process died before their audit row was
    written (routing/dispatch.py), once INTERRUPTED_DISPATCH_SECONDS old, on INTERRUPTED_DISPATCH_CRON."""
    count = audit_interrupted_dispatches(older_than_s=settings.INTERRUPTED_DISPATCH_SECONDS)
    if count:
        logger.warning("Audited %d requests as interrupted: sent outside on-prem by a process that died", count)
