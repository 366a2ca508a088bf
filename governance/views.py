"""The admins' policy pages: the active policy and its history, one stored version, and the editor
whose buttons validate, simulate, replay or save a draft. Each view parses, calls one service or
selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from governance.errors import SimulationOutOfReach
from governance.forms import ActivateVersionForm, PolicyDraftForm
from governance.listing import around_problems, number_lines
from governance.selectors import get_active_policy_text, get_policy_overview, get_policy_version
from governance.services import replay_audited_requests, simulate_request
from routing.policy.loader import PolicyError, PolicyProblem
from routing.policy.versions import activate_policy_version, save_and_activate_policy

EDIT_TEMPLATE = "governance/edit.html"


@require_GET
@role_required(Role.ADMIN)
def policy(request: HttpRequest) -> HttpResponse:
    overview = get_policy_overview()
    return render(
        request, "governance/policy.html", {"overview": overview, "lines": number_lines(overview.active.text)}
    )


@require_GET
@role_required(Role.ADMIN)
def policy_version(request: HttpRequest, version_id: int) -> HttpResponse:
    stored = get_policy_version(version_id=version_id)
    return render(
        request,
        "governance/version.html",
        {"stored": stored, "lines": number_lines(stored.text), "form": ActivateVersionForm()},
    )


@require_POST
@role_required(Role.ADMIN)
def activate_version(request: HttpRequest, version_id: int) -> HttpResponse:
    stored = get_policy_version(version_id=version_id)
    form = ActivateVersionForm(request.POST)
    problems: list[PolicyProblem] = []
    if form.is_valid():
        try:
            activate_policy_version(
                version=stored.version, acting_user=request.user, comment=form.cleaned_data["comment"]
            )
        except PolicyError as e:
            problems = e.errors
        else:
            messages.success(request, f"Version {stored.version} is the active policy now.")
            return redirect("policy")
    context = {"stored": stored, "lines": number_lines(stored.text, problems), "form": form, "problems": problems}
    return render(request, "governance/version.html", context, status=422)


@require_GET
@role_required(Role.ADMIN)
def edit_policy(request: HttpRequest) -> HttpResponse:
    active = get_active_policy_text()
    form = PolicyDraftForm(initial={"text": active.text})
    return render(request, EDIT_TEMPLATE, {"form": form, "active": active})


def _invalid(request: HttpRequest, form: PolicyDraftForm) -> HttpResponse:
    text = form.data.get("text", "").replace("\r\n", "\n").replace("\r", "\n")
    context = {"form": form, "lines": around_problems(number_lines(text, form.problems))}
    return render(request, EDIT_TEMPLATE, context, status=422)


@require_POST
@role_required(Role.ADMIN)
def validate_draft(request: HttpRequest) -> HttpResponse:
    form = PolicyDraftForm(request.POST, action="validate")
    if not form.is_valid():
        return _invalid(request, form)
    return render(request, EDIT_TEMPLATE, {"form": form, "valid": form.policy})


@require_POST
@role_required(Role.ADMIN)
def simulate_draft(request: HttpRequest) -> HttpResponse:
    form = PolicyDraftForm(request.POST, action="simulate")
    if not form.is_valid():
        return _invalid(request, form)
    assert form.policy is not None
    try:
        simulation = simulate_request(
            policy=form.policy,
            question=form.cleaned_data["question"],
            user=form.cleaned_data["user"],
            workload=form.cleaned_data["workload"],
            zones=form.zones(),
            acting_user=request.user,
        )
    except SimulationOutOfReach as refused:
        form.add_error(refused.field, refused.message)
        return _invalid(request, form)
    return render(request, EDIT_TEMPLATE, {"form": form, "valid": form.policy, "simulation": simulation})


@require_POST
@role_required(Role.ADMIN)
def replay_draft(request: HttpRequest) -> HttpResponse:
    form = PolicyDraftForm(request.POST, action="replay")
    if not form.is_valid():
        return _invalid(request, form)
    assert form.policy is not None
    replay = replay_audited_requests(policy=form.policy, limit=form.cleaned_data["limit"])
    return render(request, EDIT_TEMPLATE, {"form": form, "valid": form.policy, "replay": replay})


@require_POST
@role_required(Role.ADMIN)
def save_draft(request: HttpRequest) -> HttpResponse:
    form = PolicyDraftForm(request.POST, action="save")
    if not form.is_valid():
        return _invalid(request, form)
    try:
        stored = save_and_activate_policy(
            text=form.cleaned_data["text"], acting_user=request.user, comment=form.cleaned_data["comment"]
        )
    except PolicyError as e:
        form.add_policy_error(e)
        return _invalid(request, form)
    messages.success(request, f"Version {stored.version} is saved and is the active policy now.")
    return redirect("policy")
