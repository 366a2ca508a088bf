"""The routing app's periodic jobs on the PostgreSQL-backed queue (procrastinate)."""

from __future__ import annotations

from django.conf import settings
from procrastinate.contrib.django import app

from routing.audit_head import export_audit_head, head_file_setting


# A failure (AuditHeadError: the last head no longer holds, rows were deleted) fails the job, which the
# worker logs as an error with the reason, again on every run until someone looks.
@app.periodic(cron=settings.AUDIT_HEAD_CRON)
@app.task(queue="audit", queueing_lock="export_audit_head")
def export_audit_head_job(timestamp: int) -> None:
    """Export the audit chain's head (routing/audit_head.py) on AUDIT_HEAD_CRON."""
    export_audit_head(path=head_file_setting(), log=settings.AUDIT_HEAD_LOG)
