"""Claims on ingestion jobs: one worker may take several queued jobs into one run (retrieval.jobs), and no
two workers ever ingest the same job.

A claim is a session-level advisory lock on the job's id, taken without waiting (pg_try_advisory_lock, the
queue's SKIP LOCKED), with the job marked RUNNING and its attempt counted. A row lock (SELECT ... FOR
UPDATE SKIP LOCKED) would not do: it ends with its transaction, and each document of a run commits its
own. An advisory lock lasts until it is released or the session ends, so the jobs of a worker that died
are free at once: a RUNNING job that no session holds is one such, and whoever claims it ingests it again.
Session locks stack, so one session never competes with itself: two workers are two sessions.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Q

from retrieval.models import IngestionJob

# Advisory locks on jobs are (this class, the job's id) in PostgreSQL's two-int4 key space, which never
# meets the one-bigint space of the audit chain's lock. Ids past 2^31 wrap: two jobs 2^31 apart would
# only wait for each other.
LOCK_CLASS = 0x1A6E57
_WRAP = 2**31


def claim_job(job_id: int, *, first_try_only: bool = False) -> IngestionJob | None:
    """Claim job `job_id` for this session: mark it RUNNING, count the attempt and return it; None when it
    is finished or another session holds it. A job RUNNING that no session holds (its worker died) is
    claimed again. `first_try_only`: only a queued job never tried."""
    if not _try_lock(job_id):
        return None
    claimable = Q(status=IngestionJob.Status.QUEUED)
    if first_try_only:
        claimable &= Q(attempts=0)
    else:
        claimable |= Q(status=IngestionJob.Status.RUNNING)
    claimed = IngestionJob.objects.filter(claimable, id=job_id).update(
        status=IngestionJob.Status.RUNNING, attempts=F("attempts") + 1
    )
    if not claimed:
        release_job(job_id)
        return None
    return IngestionJob.objects.get(id=job_id)


def claim_next_job(*, after: int = 0) -> IngestionJob | None:
    """Claim the oldest queued job with an id above `after` that was never tried and that no other session
    holds, as claim_job does; None when there is none."""
    while True:
        candidate = (
            IngestionJob.objects.filter(status=IngestionJob.Status.QUEUED, attempts=0, id__gt=after)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if candidate is None:
            return None
        job = claim_job(candidate, first_try_only=True)
        if job is not None:
            return job
        after = candidate


def release_job(job_id: int) -> None:
    """Let go of this session's claim on job `job_id` (its status is the caller's to set first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, job_id % _WRAP])


def wait_for_job(job_id: int) -> None:
    """Wait until no other session holds job `job_id` (its worker finished it, gave it back or died)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, job_id % _WRAP])
    release_job(job_id)


def _try_lock(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, job_id % _WRAP])
        return bool(cursor.fetchone()[0])
