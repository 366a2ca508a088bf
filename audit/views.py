"""The auditors' pages: the query log, one request in full, exports, and the chain check.

Only auditors may read them (issue 4 lists them under Auditors); admins run the system
whose traffic the log records, so they get 403 here like employees.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_exempt
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import HtmxHttpRequest
from accounts.permissions import role_required
from accounts.roles import Role
from audit.charts import CHARTS
from audit.dashboard import PERIODS, build_dashboard
from audit.exports import export_audit_log
from audit.forms import AuditFilterForm
from audit.selectors import get_audit_event, list_audit_log, verify_audit_chain


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
    return render(request, "audit/log.html", {"form": form, "log": log, "page": log.page, "filtered": bool(filters)})


@require_GET
@role_required(Role.AUDITOR)
def audit_detail(request: HtmxHttpRequest, event_id: int) -> HttpResponse:
    return render(request, "audit/detail.html", {"event": get_audit_event(event_id=event_id)})


@require_GET
@role_required(Role.AUDITOR)
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    return export_audit_log(filters=filters, extension="csv")


@require_GET
@role_required(Role.AUDITOR)
def export_jsonl(request: HttpRequest) -> StreamingHttpResponse:
    _, filters = _filters(request)
    return export_audit_log(filters=filters, extension="jsonl")


@require_POST
@role_required(Role.AUDITOR)
def verify(request: HtmxHttpRequest) -> HttpResponse:
    template = "audit/verify.html#result" if request.htmx else "audit/verify.html"
    return render(request, template, {"report": verify_audit_chain()})


def _period(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        return 30
    return days if days in PERIODS else 30


@require_GET
@role_required(Role.AUDITOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    days = _period(request)
    return render(request, "audit/dashboard.html", {"board": build_dashboard(days), "periods": PERIODS})


@require_GET
@role_required(Role.AUDITOR)
@csp_exempt()
def chart(request: HttpRequest, name: str) -> HttpResponse:
    """One chart as SVG, shown as an image (which runs no script); matplotlib styles it inline, so this
    response has a policy of its own: styles inline, nothing else."""
    draw = CHARTS.get(name)
    if draw is None:
        raise Http404("No such chart")
    response = HttpResponse(draw(build_dashboard(_period(request), parts=[name])), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=60"
    return response
