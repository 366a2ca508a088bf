"""Ingestion jobs on the PostgreSQL-backed queue (procrastinate)."""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from retrieval.uploads import run_ingestion_job

MAX_ATTEMPTS = 3
# A worker that stops sending heartbeats for this long is dead; its job is retried.
STALLED_AFTER_SECONDS = 60


@app.task(queue="ingestion", retry=RetryStrategy(max_attempts=MAX_ATTEMPTS, wait=5), pass_context=True)
def ingest_job(context, job_id: int) -> None:  # type: ignore[no-untyped-def]
    attempts = context.job.attempts  # retries done before this run
    run_ingestion_job(job_id=job_id, final_attempt=attempts + 1 >= MAX_ATTEMPTS)


@app.periodic(cron="* * * * *")
@app.task(queue="ingestion", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:  # type: ignore[no-untyped-def]
    """Requeue jobs whose worker died mid-document (its transaction rolled back)."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS):
        await manager.retry_job(job)
