"""Running ingestion jobs of the queue: ingest the uploaded files and record each outcome on its job.
Called by the queue's tasks (retrieval.tasks); uploads are queued by retrieval.uploads."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.utils import timezone

from accounts.clearance import Classification
from retrieval.claims import claim_job, claim_next_job, release_job, wait_for_job
from retrieval.errors import IngestionError
from retrieval.models import IngestionJob
from retrieval.parsing import ParseError
from retrieval.pipeline import Result, ingest_stream
from retrieval.services import FileToIngest, IngestResult, Outcome

logger = logging.getLogger(__name__)

# Runs of one ingestion at most, the first included.
MAX_ATTEMPTS = 3
# Other queued jobs one run takes at most: their chunks go through the model with this one's. Bounded so a
# run ends and its claims are let go of; a worker's next run takes the rest.
JOBS_PER_RUN = 64
FINISHED = (IngestionJob.Status.DONE, IngestionJob.Status.UNCHANGED, IngestionJob.Status.FAILED)


def run_ingestion_job(*, job_id: int, final_attempt: bool) -> IngestionJob:
    """Ingest one queued file, and with it other queued ones; record each outcome on its job. Returns the
    job `job_id` once it is finished.

    A job's first try takes up to JOBS_PER_RUN other jobs never tried into the run, claimed as the reading
    gets to them (retrieval.claims), so their chunks go through the model together (retrieval.pipeline);
    each file is still stored in its own transaction and its job finished when it is. A retry runs alone,
    so a file that broke one run breaks no other.

    A file that cannot be parsed fails at once with the reason, and only that file. Any other error gives
    every job of the run not yet finished back to the queue, where its own task retries it; on its final
    attempt (`final_attempt` for this job, MAX_ATTEMPTS for the others) the job fails instead. The error is
    re-raised when this job is among them, so the queue retries it. Nothing of a failed file is stored.

    When another worker holds this job, this run takes other queued jobs meanwhile, then waits for that
    worker, and returns the job as it finished, or runs it when it was given back.
    """
    while True:
        job = IngestionJob.objects.get(id=job_id)
        if job.status in FINISHED:
            return job
        own = claim_job(job_id)
        claimed = _run(_jobs_of_run(own), own_id=job_id, final_attempt=final_attempt)
        if own is not None:
            return IngestionJob.objects.get(id=job_id)
        if not claimed:
            wait_for_job(job_id)


def _jobs_of_run(own: IngestionJob | None) -> Iterator[IngestionJob]:
    """The run's jobs, each claimed only when the reading draws it: its own (when claimed), then other
    first tries, unless its own is a retry."""
    if own is not None:
        yield own
        if own.attempts > 1:
            return
    after = 0
    for _ in range(JOBS_PER_RUN):
        job = claim_next_job(after=after)
        if job is None:
            return
        after = job.id
        yield job


def _run(jobs: Iterator[IngestionJob], *, own_id: int, final_attempt: bool) -> int:
    """Ingest the jobs, finishing each as its file is stored; returns how many were claimed."""
    held: dict[int, IngestionJob] = {}
    claimed = 0

    def files() -> Iterator[tuple[IngestionJob, FileToIngest]]:
        nonlocal claimed
        for job in jobs:
            held[job.id] = job
            claimed += 1
            yield job, _file_of(job)

    try:
        for job, result in ingest_stream(files()):
            _record(job, result)
            del held[job.id]
            release_job(job.id)
    except Exception:
        logger.exception(
            "Ingestion failed; back to the queue: %s", ", ".join(f"job {j.id} ({j.filename})" for j in held.values())
        )
        for job in held.values():
            _give_back(job, final=(job.id == own_id and final_attempt) or job.attempts >= MAX_ATTEMPTS)
        if own_id in held:
            raise
    finally:
        for job_id in held:
            release_job(job_id)
    return claimed


def _file_of(job: IngestionJob) -> FileToIngest:
    return FileToIngest(
        filename=job.filename,
        content=bytes(job.content),
        classification=Classification(job.classification),
        group_names=job.group_names,
        uploaded_by=job.uploaded_by,
    )


def _record(job: IngestionJob, result: Result) -> None:
    if isinstance(result, ParseError):
        _finish(job, status=IngestionJob.Status.FAILED, error=f"{job.filename}: {result}")
    elif isinstance(result, IngestionError):
        _finish(job, status=IngestionJob.Status.FAILED, error=str(result))
    elif isinstance(result, IngestResult):
        job.document = result.document
        unchanged = result.outcome == Outcome.UNCHANGED
        _finish(job, status=IngestionJob.Status.UNCHANGED if unchanged else IngestionJob.Status.DONE, error="")


def _give_back(job: IngestionJob, *, final: bool) -> None:
    if final:
        _finish(
            job,
            status=IngestionJob.Status.FAILED,
            error=f"{job.filename}: ingestion failed unexpectedly; see the worker log, then upload it again",
        )
    else:
        IngestionJob.objects.filter(id=job.id).update(status=IngestionJob.Status.QUEUED)


def mark_job_failed(*, job_id: int, error: str) -> None:
    """Record a final failure that happened outside the job (its worker died every time)."""
    job = IngestionJob.objects.filter(id=job_id).first()
    if job is not None:
        _finish(job, status=IngestionJob.Status.FAILED, error=f"{job.filename}: {error}")


def _finish(job: IngestionJob, *, status: str, error: str) -> IngestionJob:
    # The bytes are not kept once the job is over: the document holds what was ingested.
    job.status = status
    job.error = error
    job.content = b""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "content", "finished_at", "document"])
    return job
