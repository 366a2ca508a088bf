"""Running one ingestion job of the queue: ingest the uploaded file and record the outcome on the job.
Called by the queue's tasks (retrieval.tasks); uploads are queued by retrieval.uploads."""

from __future__ import annotations

import logging

from django.utils import timezone

from accounts.clearance import Classification
from retrieval.errors import IngestionError
from retrieval.models import IngestionJob
from retrieval.parsing import ParseError
from retrieval.services import Outcome, ingest_file

logger = logging.getLogger(__name__)


def run_ingestion_job(*, job_id: int, final_attempt: bool) -> IngestionJob:
    """Ingest one queued file; record the outcome on the job.

    A file that cannot be parsed fails at once with the reason. Any other error
    is re-raised so the queue retries the job, and recorded as a failure on
    the final attempt. Nothing of a failed file is stored.
    """
    job = IngestionJob.objects.get(id=job_id)
    if job.status in (IngestionJob.Status.DONE, IngestionJob.Status.UNCHANGED):
        return job  # a retry of a job that did finish
    IngestionJob.objects.filter(id=job_id).update(status=IngestionJob.Status.RUNNING, attempts=job.attempts + 1)
    try:
        result = ingest_file(
            filename=job.filename,
            content=bytes(job.content),
            classification=Classification(job.classification),
            group_names=job.group_names,
            uploaded_by=job.uploaded_by,
        )
    except ParseError as exc:
        return _finish(job, status=IngestionJob.Status.FAILED, error=f"{job.filename}: {exc}")
    except IngestionError as exc:
        return _finish(job, status=IngestionJob.Status.FAILED, error=str(exc))
    except Exception:
        logger.exception("Ingestion of job %s (%s) failed", job_id, job.filename)
        if final_attempt:
            _finish(
                job,
                status=IngestionJob.Status.FAILED,
                error=f"{job.filename}: ingestion failed unexpectedly; see the worker log, then upload it again",
            )
        else:
            IngestionJob.objects.filter(id=job_id).update(status=IngestionJob.Status.QUEUED)
        raise
    status = IngestionJob.Status.UNCHANGED if result.outcome == Outcome.UNCHANGED else IngestionJob.Status.DONE
    job.document = result.document
    return _finish(job, status=status, error="")


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
