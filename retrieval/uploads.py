"""Uploads: queue files for ingestion by workers, and run one queued ingestion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from retrieval.classification import Classification
from retrieval.models import IngestionJob
from retrieval.parsing import ParseError
from retrieval.services import Outcome, ingest_file

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content: bytes


def queue_uploads(
    *,
    files: Sequence[UploadedFile],
    classification: Classification,
    group_names: Sequence[str],
    acting_user: Any,
) -> list[IngestionJob]:
    """Store each file as a queued IngestionJob and defer its ingestion once committed.

    A file that is too large is recorded as failed at once, with the reason;
    the other files of the upload still go in.
    """
    from retrieval.tasks import ingest_job

    jobs = []
    with transaction.atomic():
        for upload in files:
            job = IngestionJob(
                filename=upload.name,
                content=upload.content,
                size=len(upload.content),
                classification=classification,
                group_names=list(group_names),
                uploaded_by=acting_user,
            )
            if len(upload.content) > settings.MAX_UPLOAD_BYTES:
                job.content = b""
                job.status = IngestionJob.Status.FAILED
                job.error = (
                    f"{upload.name}: the file is {len(upload.content):,} bytes, over the limit of "
                    f"{settings.MAX_UPLOAD_BYTES:,} (MAX_UPLOAD_BYTES); split it or ask an operator to raise it"
                )
                job.finished_at = timezone.now()
            job.save()
            if job.status == IngestionJob.Status.QUEUED:
                job_id = job.id
                transaction.on_commit(lambda job_id=job_id: ingest_job.defer(job_id=job_id))
            jobs.append(job)
    return jobs


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
    status = IngestionJob.Status.DONE if result.outcome == Outcome.INGESTED else IngestionJob.Status.UNCHANGED
    job.document = result.document
    return _finish(job, status=status, error="")


def _finish(job: IngestionJob, *, status: str, error: str) -> IngestionJob:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "document"])
    return job
