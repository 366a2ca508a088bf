"""Reads of the document library. The access filter runs in SQL, as retrieval.selectors' does:
an admin sees only documents up to their clearance, in no group or in one of theirs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.selectors import UserGroups, get_user_groups
from retrieval.models import Chunk, Document, IngestionJob
from retrieval.selectors import get_reader, readable_documents
from routing.policy.versions import get_active_policy

LIBRARY_PAGE_SIZE = 25
# A document's reader groups, listed in the same order every time.
_READER_GROUPS_BY_NAME = Prefetch("reader_groups", queryset=Group.objects.order_by("name"))


@dataclass(frozen=True)
class LibraryFilters:
    query: str = ""
    classification: int | None = None
    group: str = ""


def list_library_documents(*, user: User, filters: LibraryFilters, page_number: str | int | None = None) -> Page:
    """One page of filter_library_documents(); an out-of-range page number gives the nearest page."""
    return Paginator(filter_library_documents(user=user, filters=filters), LIBRARY_PAGE_SIZE).get_page(page_number)


def filter_library_documents(*, user: User, filters: LibraryFilters) -> QuerySet[Document]:
    """The documents `user` may read, by title, with their chunk counts, how many of their passages are
    flagged as injected instructions and wait for review, and their reader groups.

    `filters.query` matches title or source name (case-insensitive substring); `filters.group` is a
    reader group's name.
    """
    documents = readable_documents(get_reader(user))
    if filters.query:
        documents = documents.filter(Q(title__icontains=filters.query) | Q(source_name__icontains=filters.query))
    if filters.classification is not None:
        documents = documents.filter(classification=filters.classification)
    if filters.group:
        documents = documents.filter(
            Exists(Group.objects.filter(readable_documents=OuterRef("pk"), name=filters.group))
        )
    # A document's whole text (source_sections): the list does not show it.
    return _with_counts(documents).defer("source_sections").order_by("title", "source_name", "id")


def _with_counts(documents: QuerySet[Document]) -> QuerySet[Document]:
    threshold = get_active_policy(store_default=False).injection.threshold
    flagged = Q(chunks__injection_score__gte=threshold, chunks__injection_cleared_by="")
    return (
        documents.annotate(chunk_count=Count("chunks"), flagged_count=Count("chunks", filter=flagged))
        .select_related("uploaded_by")
        .prefetch_related(_READER_GROUPS_BY_NAME)
    )


def list_library_group_names(user: User) -> list[str]:
    """Names of the reader groups on documents `user` may read, for the group filter."""
    readable = readable_documents(get_reader(user))
    return list(
        Group.objects.filter(readable_documents__in=readable).distinct().order_by("name").values_list("name", flat=True)
    )


def get_library_document(*, user: User, document_id: int) -> Document | None:
    """The document, if `user` may read it, with its counts as the list has them; None when it does not
    exist or they may not."""
    return _with_counts(readable_documents(get_reader(user))).filter(id=document_id).first()


RECENT_JOBS = 50


@dataclass(frozen=True)
class JobRow:
    job: IngestionJob
    document: Document | None  # the job's document, only when the user may read it now


@dataclass(frozen=True)
class RecentJobs:
    rows: list[JobRow]
    pending: bool  # some job is still queued or running: the page keeps polling


def _visible_ingestion_jobs(user: User, groups: UserGroups) -> QuerySet[IngestionJob]:
    """The uploads the user may know of, newest first: their own, and the others' up to their clearance
    and in no group or one of theirs."""
    in_groups = Q(group_names=[])
    for name in groups.names:
        in_groups |= Q(group_names__contains=[name])
    return (
        IngestionJob.objects.filter((in_groups & Q(classification__lte=user.clearance)) | Q(uploaded_by=user))
        .defer("content")
        .select_related("uploaded_by")
    )


def _job_rows(user: User, groups: UserGroups, jobs: list[IngestionJob]) -> list[JobRow]:
    # A job is listed by the classification it was uploaded with; its document may have been reclassified
    # since: only a document the user may read now is read at all (the access filter in the query).
    documents = readable_documents(get_reader(user, groups=groups)).filter(
        id__in=[j.document_id for j in jobs if j.document_id]
    )
    by_id = {d.id: d for d in documents.only("id", "title", "version")}
    return [JobRow(job, by_id.get(job.document_id) if job.document_id else None) for job in jobs]


def list_recent_ingestion_jobs(user: User) -> RecentJobs:
    """The latest uploads the user may know of, newest first (_visible_ingestion_jobs says which)."""
    groups = get_user_groups(user)
    jobs = list(_visible_ingestion_jobs(user, groups)[:RECENT_JOBS])
    pending = any(j.status in (IngestionJob.Status.QUEUED, IngestionJob.Status.RUNNING) for j in jobs)
    return RecentJobs(rows=_job_rows(user, groups, jobs), pending=pending)


def get_ingestion_job(*, user: User, job_id: int) -> JobRow | None:
    """One upload the user may know of, as list_recent_ingestion_jobs lists it; None when it does not
    exist or they may not know of it (the same answer for both)."""
    groups = get_user_groups(user)
    job = _visible_ingestion_jobs(user, groups).filter(id=job_id).first()
    return None if job is None else _job_rows(user, groups, [job])[0]


FLAGGED_SHOWN = 200


@dataclass(frozen=True)
class FlaggedPassages:
    """Passages of documents the admin may read whose injection score reaches the policy's threshold:
    those waiting for review, best score first, and those an admin cleared as false alarms, latest first."""

    threshold: float
    action: str
    waiting: list[Chunk]
    cleared: list[Chunk]


def readable_chunks(user: User) -> QuerySet[Chunk]:
    """Chunks of documents `user` may read (the access filter in SQL), with their document."""
    return (
        Chunk.objects.filter(document__in=readable_documents(get_reader(user)))
        .select_related("document")
        .defer("embedding", "search_vector", "findings", "document__source_sections")
    )


def flagged_chunks(user: User, threshold: float | None = None) -> QuerySet[Chunk]:
    """Passages `user` may read that score at or above `threshold` (default: the active policy's injection
    threshold) as injected instructions, cleared or not; the access filter and the threshold are in SQL."""
    if threshold is None:
        threshold = get_active_policy(store_default=False).injection.threshold
    return readable_chunks(user).filter(injection_score__gte=threshold)


def list_flagged_passages(user: User) -> FlaggedPassages:
    """The library's flagged passages for `user`, under the active policy's injection threshold."""
    handling = get_active_policy(store_default=False).injection
    chunks = flagged_chunks(user, handling.threshold)
    return FlaggedPassages(
        threshold=handling.threshold,
        action=str(handling.action),
        waiting=list(chunks.filter(injection_cleared_by="").order_by("-injection_score", "id")[:FLAGGED_SHOWN]),
        cleared=list(chunks.exclude(injection_cleared_by="").order_by("-injection_cleared_at", "-id")[:FLAGGED_SHOWN]),
    )
