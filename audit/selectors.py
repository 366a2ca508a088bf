"""Reads of the audit log for auditors: the filtered query log, one row in full, the chain check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.clearance import Classification
from retrieval.bm25 import TEXT_SEARCH_CONFIG
from routing.audit import ChainReport
from routing.audit_head import head_file_setting, verify_audit_log
from routing.models import REVIEW_OUTCOMES, AuditEvent

PAGE_SIZE = 50
# Outcomes with no answering target: the route column names the outcome instead.
NO_ROUTE = {
    AuditEvent.Outcome.REFUSED: "refused",
    AuditEvent.Outcome.CUT_OFF: "cut off",
    AuditEvent.Outcome.INTERRUPTED: "interrupted",
    **dict.fromkeys(REVIEW_OUTCOMES, "admin review"),
}
# Filters that are plain equality on a column, by the form's field name.
EXACT_FILTERS = {
    "role": "role",
    "data_class": "data_class",
    "outcome": "outcome",
    "backend": "backend",
    "model": "model",
    "workload": "workload",
    "fallback": "fallback_used",
    "cache_hit": "cache_hit",
}


@dataclass(frozen=True)
class AuditLogPage:
    page: Page
    backends: list[str]  # every answering target in the log, to suggest in the filter
    models: list[str]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_audit_events(filters: Mapping[str, Any]) -> QuerySet[AuditEvent]:
    """The audit rows matching `filters` (AuditFilterForm.filters()), newest first. Every filter is SQL.

    Dates are whole days in the site's time zone, both ends inclusive; `q` is PostgreSQL full-text
    search in websearch syntax over the redacted question.
    """
    events = AuditEvent.objects.all()
    for name, column in EXACT_FILTERS.items():
        if name in filters:
            events = events.filter(**{column: filters[name]})
    if "user" in filters:
        events = events.filter(username__iexact=filters["user"])
    if "typed_injection" in filters:
        # `gateway ? key` is NULL where a row has no gateway entry; the has_key("gateway") before it makes that
        # part false instead, so that "not" keeps such rows.
        in_gateway = Q(decision__has_key="gateway") & Q(decision__gateway__has_key="user_message_injection")
        typed = Q(decision__has_key="question_injection") | in_gateway
        events = events.filter(typed if filters["typed_injection"] else ~typed)
    if "hedged" in filters:
        # has_key, never NULL for a row without the key: "no" keeps those rows.
        hedged = Q(decision__has_key="hedged")
        events = events.filter(hedged if filters["hedged"] else ~hedged)
    # Bounds on created_at itself rather than created_at::date, so its index serves the range.
    if "date_from" in filters:
        events = events.filter(created_at__gte=_day_start(filters["date_from"]))
    if "date_to" in filters and filters["date_to"] < dt.date.max:  # the last day has no day after it
        events = events.filter(created_at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if "q" in filters:
        # The vector is computed on the fly: the log holds thousands of rows, not millions, and the
        # other filters usually narrow it first. At a larger scale this wants a GIN index on
        # to_tsvector(TEXT_SEARCH_CONFIG, question) in routing's migrations.
        events = events.annotate(question_vector=SearchVector("question", config=TEXT_SEARCH_CONFIG)).filter(
            question_vector=SearchQuery(filters["q"], config=TEXT_SEARCH_CONFIG, search_type="websearch")
        )
    return events.order_by("-created_at", "-id")


def answering_zone(event: AuditEvent) -> str:
    """The zone of the target that answered, from its successful attempt or else the Decision."""
    for attempt in reversed(event.attempts or []):
        if attempt.get("target") == event.backend and attempt.get("outcome") in ("ok", "cache_hit"):
            return str(attempt.get("zone", ""))
    for target in (event.decision or {}).get("targets", []):
        if target.get("name") == event.backend:
            return str(target.get("zone", ""))
    return ""


def route_label(event: AuditEvent) -> str:
    """ "claude · cloud" for the target that answered; "refused", "cut off" or "interrupted" when none did."""
    if event.outcome in NO_ROUTE:
        return NO_ROUTE[event.outcome]
    if not event.backend:
        return "no model"
    zone = answering_zone(event)
    return f"{event.backend} · {zone}" if zone else event.backend


def class_label(value: int) -> str:
    """The data class's name; a number no class has (a forged row) is shown as it is."""
    return Classification(value).label if value in Classification.values else str(value)


def present_audit_event(event: AuditEvent) -> AuditEvent:
    """Set the row's `route`, `zone` and `data_class_label`, as the query log shows them."""
    event.route = route_label(event)
    event.zone = answering_zone(event)
    event.data_class_label = class_label(event.data_class)
    return event


def list_audit_log(*, filters: Mapping[str, Any], page_number: str | int | None) -> AuditLogPage:
    """One page of the filtered log (an out-of-range or unreadable page number gives the nearest page),
    each row with its `route`, `zone` and `data_class_label` set, and the targets and models that the
    filter form suggests."""
    paginator = Paginator(filter_audit_events(filters), PAGE_SIZE)
    page = paginator.get_page(page_number)
    for event in page.object_list:
        present_audit_event(event)
    distinct = AuditEvent.objects.order_by()
    return AuditLogPage(
        page=page,
        backends=list(distinct.exclude(backend="").values_list("backend", flat=True).distinct().order_by("backend")),
        models=list(distinct.exclude(model="").values_list("model", flat=True).distinct().order_by("model")),
    )


def get_audit_event(*, event_id: int) -> AuditEvent:
    """One audit row, with its `route`, `zone` and `data_class_label` set, and the asker's feedback
    (`event.feedback.all`, comments redacted). Raises Http404 when there is none."""
    return present_audit_event(get_object_or_404(AuditEvent.objects.prefetch_related("feedback"), id=event_id))


def verify_audit_chain() -> ChainReport:
    """Walk the whole hash chain and check it against the last exported head, as `verify_audit` does
    (routing.audit_head.verify_audit_log); report the first problem."""
    return verify_audit_log(head_file=head_file_setting())
