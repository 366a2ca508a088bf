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
    size: int | None  # None when unknown: the file is then read no further than one byte past the limit

    def read(self, size: int = -1) -> bytes: ...


def upload_refusal(name: str, size: int | None) -> str | None:
    """Why a file cannot be ingested, decided from its name and size alone (nothing read), or None. An
    unknown size (None) is not refused here: queue_uploads reads such a file only up to the limit."""
    unsupported = unsupported_type(name)
    if unsupported:
        return f"{name}: {unsupported}"
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        return _too_large(name, size)
    return None


def _too_large(name: str, size: int | None) -> str:
    how_big = f"{size:,} bytes, over" if size is not None else "over"
    return (
        f"{name}: the file is {how_big} the limit of {settings.MAX_UPLOAD_BYTES:,} "
        "(MAX_UPLOAD_BYTES); split it or ask an operator to raise it"
    )


def _read(upload: UploadedFile) -> bytes:
    # Django gives every file its size; one without is read no further than one byte past the limit.
    return upload.read() if upload.size is not None else upload.read(settings.MAX_UPLOAD_BYTES + 1)


def queue_uploads(
    *,
    files: Sequence[UploadedFile],
    classification: Classification,
    group_names: Sequence[str],
    acting_user: User,
) -> list[IngestionJob]:
    """Store each file as a queued IngestionJob and defer its ingestion once committed.

    A file of a type that cannot be ingested or that is too large is recorded as failed at once, with the
    reason, and is never read (one of unknown size, no further than one byte past the limit); the other
    files of the upload still go in. Files are read one at a time, each as its job is stored.
    """
    jobs = []
    with transaction.atomic():
        for upload in files:
            name = upload.name or "(unnamed)"
            refusal = upload_refusal(name, upload.size)
            content = b"" if refusal else _read(upload)
            size = upload.size if upload.size is not None else len(content)
            if len(content) > settings.MAX_UPLOAD_BYTES:  # of unknown size: a known one was refused unread
                content, refusal = b"", _too_large(name, None)
            job = IngestionJob(
                filename=name,
                content=content,
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
