"""The auditors' pages: the query log, one request in full, exports, and the chain check.

Only auditors may read them (issue 4 lists them under Auditors); admins run the system
whose traffic the log records, so they get 403 here like employees.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from accounts.models import Role
from assistant.permissions import role_required
from review.exports import csv_lines, jsonl_lines
from review.forms import AuditFilterForm
from review.selectors import filter_audit_events, get_audit_event, list_audit_log, verify_audit_chain


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    # Invalid fields are shown with their errors and left out; the valid ones still filter.
    form = AuditFilterForm(request.GET)
    form.is_valid()
    return form, form.filters()


@require_GET
@role_required(Role.AUDITOR)
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    log = list_audit_log(filters=filters, page_number=request.GET.get("page"))
    return render(request, "review/log.html", {"form": form, "log": log, "page": log.page, "filtered": bool(filters)})


@require_GET
@role_required(Role.AUDITOR)
def audit_detail(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    return render(request, "review/detail.html", {"event": get_audit_event(event_id=event_id)})


def _attachment(extension: str) -> str:
    return f'attachment; filename="sluice-audit-{timezone.now():%Y%m%d-%H%M%S}.{extension}"'


@require_GET
@role_required(Role.AUDITOR)
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    response = StreamingHttpResponse(csv_lines(filter_audit_events(filters)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment("csv")
    return response


@require_GET
@role_required(Role.AUDITOR)
def export_jsonl(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    response = StreamingHttpResponse(
        jsonl_lines(filter_audit_events(filters)), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = _attachment("jsonl")
    return response


@require_POST
@role_required(Role.AUDITOR)
def verify(request: HtmxHttpRequest) -> HttpResponse:
    template = "review/verify.html#result" if request.htmx else "review/verify.html"
    return render(request, template, {"report": verify_audit_chain()})
