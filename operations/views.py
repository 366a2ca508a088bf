"""The admins' backends page: each target's health, circuit and today's figures, and team budgets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from operations.forms import BudgetForm
from operations.selectors import list_budgets, list_targets
from routing.budgets import set_team_budget


def _page(request: HttpRequest, form: BudgetForm, *, status: int = 200) -> HttpResponse:
    targets = list_targets(probe=True)
    context = {
        "targets": targets,
        "cost_today": sum(t.cost_today_usd for t in targets),
        "budgets": list_budgets(),
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
