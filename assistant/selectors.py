"""Reads for the assistant's pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from retrieval.models import IngestionJob

RECENT_JOBS = 50


@dataclass(frozen=True)
class RecentJobs:
    jobs: list[IngestionJob]
    pending: bool  # some job is still queued or running: the page keeps polling


def list_recent_ingestion_jobs(user: Any) -> RecentJobs:
    """The latest uploads the user may know of, newest first: their own, and the others' up to
    their clearance and in no group or one of theirs."""
    groups = list(user.groups.values_list("name", flat=True))
    in_groups = Q(group_names=[])
    for name in groups:
        in_groups |= Q(group_names__contains=[name])
    jobs = list(
        IngestionJob.objects.filter((in_groups & Q(classification__lte=user.clearance)) | Q(uploaded_by=user))
        .defer("content")
        .select_related("document", "uploaded_by")[:RECENT_JOBS]
    )
    pending = any(j.status in (IngestionJob.Status.QUEUED, IngestionJob.Status.RUNNING) for j in jobs)
    return RecentJobs(jobs=jobs, pending=pending)
