"""Running Sluice: the admins' backends page (each target's health, circuit and today's figures, and team
budgets), the health check and the Prometheus metrics."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST

from accounts.permissions import role_required
from accounts.roles import Role
from operations.forms import BudgetForm
from operations.selectors import list_budgets, list_targets
from retrieval.embedders import describe_embedder, embedding_health
from routing.budgets import set_team_budget
from routing.metrics import render as render_metrics

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, form: BudgetForm, *, status: int = 200) -> HttpResponse:
    targets = list_targets(probe=True)
    context = {
        "targets": targets,
        "cost_today": sum(t.cost_today_usd for t in targets),
        "budgets": list_budgets(),
        "embedder": describe_embedder(),
        "form": form,
    }
    return render(request, "operations/backends.html", context, status=status)


@require_GET
@role_required(Role.ADMIN)
def backends(request: HttpRequest) -> HttpResponse:
    return _page(request, BudgetForm())


@require_POST
@role_required(Role.ADMIN)
def set_budget(request: HttpRequest) -> HttpResponse:
    form = BudgetForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    set_team_budget(form.cleaned_data["team"], form.cleaned_data["monthly_limit_usd"])
    return redirect("backends")


@require_GET
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    """Counts and latencies only, never content. With METRICS_TOKEN set, a scraper sends it as a bearer
    token; otherwise only a signed-in admin or auditor may read them."""
    token = settings.METRICS_TOKEN
    if token:
        allowed = constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}")
    else:
        allowed = getattr(request.user, "role", None) in (Role.ADMIN, Role.AUDITOR)
    if not allowed:
        return HttpResponse("Forbidden: send METRICS_TOKEN as a bearer token, or sign in as an admin.", status=403)
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        logger.warning("Health check: database unavailable", exc_info=True)
        database = "unavailable"
    # The embedding service's state is reported, not judged: a web pod restarted for it would not bring it back.
    body = {"database": database, **embedding_health()}
    return JsonResponse(body, status=200 if database == "ok" else 503)
