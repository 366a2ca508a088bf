"""Uploads: store files as queued ingestion jobs for the workers (retrieval.jobs runs one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.clearance import Classification
from accounts.models import User
from retrieval.models import IngestionJob
from retrieval.parsing import unsupported_type
from retrieval.tasks import ingest_job


class UploadedFile(Protocol):
    """A file of an upload request as Django gives it: in memory when small, in a temporary file on disk
    otherwise (over Django's FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB); read here only once it has passed the checks."""

    name: str | None
    size: int | None

    def read(self) -> bytes: ...


def upload_refusal(name: str, size: int) -> str | None:
    """Why a file cannot be ingested, decided from its name and size alone (nothing read), or None."""
    unsupported = unsupported_type(name)
    if unsupported:
        return f"{name}: {unsupported}"
    if size > settings.MAX_UPLOAD_BYTES:
        return (
            f"{name}: the file is {size:,} bytes, over the limit of {settings.MAX_UPLOAD_BYTES:,} "
            "(MAX_UPLOAD_BYTES); split it or ask an operator to raise it"
        )
    return None


def queue_uploads(
    *,
    files: Sequence[UploadedFile],
    classification: Classification,
    group_names: Sequence[str],
    acting_user: User,
) -> list[IngestionJob]:
    """Store each file as a queued IngestionJob and defer its ingestion once committed.

    A file of a type that cannot be ingested or that is too large is recorded as failed at once, with the
    reason, and is never read; the other files of the upload still go in. Files are read one at a time,
    each as its job is stored.
    """
    jobs = []
    with transaction.atomic():
        for upload in files:
            name, size = upload.name or "(unnamed)", upload.size or 0
            refusal = upload_refusal(name, size)
            job = IngestionJob(
                filename=name,
                content=b"" if refusal else upload.read(),
                size=size,
                classification=classification,
                group_names=list(group_names),
                uploaded_by=acting_user,
            )
            if refusal:
                job.status = IngestionJob.Status.FAILED
                job.error = refusal
                job.finished_at = timezone.now()
            job.save()
            if job.status == IngestionJob.Status.QUEUED:
                job_id = job.id
                transaction.on_commit(lambda job_id=job_id: ingest_job.defer(job_id=job_id))
            jobs.append(job)
    return jobs
