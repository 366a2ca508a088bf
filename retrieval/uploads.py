"""Uploads: store files as queued ingestion jobs for the workers (retrieval.jobs runs one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.clearance import Classification
from accounts.models import User
from retrieval.models import IngestionJob
from retrieval.tasks import ingest_job


@dataclass(frozen=True)
class UploadedFile:
    name: str
    size: int
    content: bytes | None  # None when the file is over MAX_UPLOAD_BYTES: it is never read

    @classmethod
    def read(cls, upload: Any) -> UploadedFile:
        """Read a Django upload, unless it is over the size limit."""
        too_large = upload.size > settings.MAX_UPLOAD_BYTES
        return cls(name=upload.name, size=upload.size, content=None if too_large else upload.read())


def queue_uploads(
    *,
    files: Sequence[UploadedFile],
    classification: Classification,
    group_names: Sequence[str],
    acting_user: User,
) -> list[IngestionJob]:
    """Store each file as a queued IngestionJob and defer its ingestion once committed.

    A file that is too large is recorded as failed at once, with the reason;
    the other files of the upload still go in.
    """
    jobs = []
    with transaction.atomic():
        for upload in files:
            job = IngestionJob(
                filename=upload.name,
                content=upload.content or b"",
                size=upload.size,
                classification=classification,
                group_names=list(group_names),
                uploaded_by=acting_user,
            )
            if upload.content is None or upload.size > settings.MAX_UPLOAD_BYTES:
                job.content = b""
                job.status = IngestionJob.Status.FAILED
                job.error = (
                    f"{upload.name}: the file is {upload.size:,} bytes, over the limit of "
                    f"{settings.MAX_UPLOAD_BYTES:,} (MAX_UPLOAD_BYTES); split it or ask an operator to raise it"
                )
                job.finished_at = timezone.now()
            job.save()
            if job.status == IngestionJob.Status.QUEUED:
                job_id = job.id
                transaction.on_commit(lambda job_id=job_id: ingest_job.defer(job_id=job_id))
            jobs.append(job)
    return jobs
