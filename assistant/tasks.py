"""The assistant's periodic jobs on the PostgreSQL-backed queue (procrastinate)."""

from __future__ import annotations

import logging

from django.conf import settings
from procrastinate.contrib.django import app

from assistant.services import purge_history

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.RETENTION_CRON)
@app.task(queue="maintenance", queueing_lock="purge_history")
def purge_history_job(timestamp: int) -> None:
    """Delete history entries older than HISTORY_RETENTION_DAYS (none when it is 0), on RETENTION_CRON."""
    if settings.HISTORY_RETENTION_DAYS <= 0:
        return
    count = purge_history(retention_days=settings.HISTORY_RETENTION_DAYS)
    logger.info("Purged %d history entries older than %d days", count, settings.HISTORY_RETENTION_DAYS)
