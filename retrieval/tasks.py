"""Ingestion jobs on the PostgreSQL-backed queue (procrastinate)."""

from __future__ import annotations

import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.jobs import Status

from retrieval.jobs import MAX_ATTEMPTS, mark_job_failed, run_ingestion_job
from retrieval.services import reinspect_chunks

logger = logging.getLogger(__name__)


# procrastinate's max_attempts counts retries after the first run, and
# context.job.attempts the runs before this one.
@app.task(queue="ingestion", retry=RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=5), pass_context=True)
def ingest_job(context, job_id: int) -> None:  # type: ignore[no-untyped-def]
    run_ingestion_job(job_id=job_id, final_attempt=context.job.attempts + 1 >= MAX_ATTEMPTS)


# On the maintenance queue, not behind the ingestion it rescues: workers busy with a large upload still run it.
@app.periodic(cron=settings.STALLED_JOBS_CRON)
@app.task(queue="maintenance", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:  # type: ignore[no-untyped-def]
    """Requeue the jobs of workers that sent no heartbeat for STALLED_JOB_SECONDS (killed, out of memory, their
    node gone; a document of theirs was rolled back), each a bounded number of times: an ingestion that stopped
    its worker MAX_ATTEMPTS times fails, with a message saying so."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=settings.STALLED_JOB_SECONDS):
        if job.task_name == ingest_job.name and job.attempts + 1 >= MAX_ATTEMPTS:
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            await sync_to_async(mark_job_failed)(
                job_id=job.task_kwargs["job_id"],
                error=f"the ingestion worker stopped {MAX_ATTEMPTS} times on this file; check its size and format",
            )
        else:
            logger.warning("Job %s (%s) of a worker that stopped beating is run again", job.id, job.task_name)
            await manager.retry_job(job)


# Passages a run refreshes at most: about a minute of inspection with the name model on two cores.
REINSPECT_PER_RUN = 2000


@app.periodic(cron="*/5 * * * *")
@app.task(queue="maintenance", queueing_lock="reinspect_stale_chunks")
def reinspect_stale_chunks(timestamp: int) -> None:
    """After an upgrade that changed inspection (or before scores existed), refresh the stored findings and
    injection scores in the background, REINSPECT_PER_RUN passages a run: until then the gate inspects
    such passages live, slower but the same."""
    count = reinspect_chunks(limit=REINSPECT_PER_RUN)
    if count:
        logger.info("Inspected %d passages again (stored findings of another inspector version)", count)
