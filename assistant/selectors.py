"""Reads for the assistant's pages."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.models import IngestionJob

RECENT_JOBS = 50


@dataclass(frozen=True)
class RecentJobs:
    jobs: list[IngestionJob]
    pending: bool  # some job is still queued or running: the page keeps polling


def list_recent_ingestion_jobs() -> RecentJobs:
    """The latest uploads with their status, newest first (admins only: the view checks the role)."""
    jobs = list(IngestionJob.objects.defer("content").select_related("document", "uploaded_by")[:RECENT_JOBS])
    pending = any(j.status in (IngestionJob.Status.QUEUED, IngestionJob.Status.RUNNING) for j in jobs)
    return RecentJobs(jobs=jobs, pending=pending)
