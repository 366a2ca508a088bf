"""The approvers' page: requests held for approval that the signed-in user may approve (routing.approvals),
and their decision on one. Each view parses, calls one service or selector, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import HtmxHttpRequest
from assistant.forms import ApprovalForm
from routing.approvals import approve_held_request, deny_held_request, list_held_for_approver
from routing.errors import HeldRequestError
from routing.models import HeldRequest


@require_GET
@login_required
def approvals(request: HtmxHttpRequest) -> HttpResponse:
    """What would leave (redacted: never the vault's values) and why each request was held."""
    held = list_held_for_approver(request.user)
    return render(request, "assistant/approvals.html", {"held_requests": held, "form": ApprovalForm()})


@require_POST
@login_required
def approval_decide(request: HtmxHttpRequest, held_id: int) -> HttpResponse:
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        held = list_held_for_approver(request.user)
        context = {"held_requests": held, "form": form, "invalid_for": held_id}
        return render(request, "assistant/approvals.html", context, status=422)
    decide = approve_held_request if form.cleaned_data["decision"] == "approve" else deny_held_request
    try:
        decided = decide(held_id=held_id, acting_user=request.user, reason=form.cleaned_data["reason"])
    except HeldRequest.DoesNotExist:
        raise Http404("No such held request") from None
    except HeldRequestError as refused:
        raise PermissionDenied(refused.message) from None
    if isinstance(decided, HeldRequest):
        messages.success(request, f"Request #{held_id} denied: nothing was sent, its vault is deleted.")
    elif decided is None:
        messages.success(request, f"Request #{held_id} approved; it is sent as soon as an allowed model is up.")
    else:
        messages.success(request, f"Request #{held_id} approved and answered by {decided.backend}.")
    return redirect("approvals")
