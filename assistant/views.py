"""Pages of the ask flow and of document uploads. Each view parses, calls one service, renders."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.http import HtmxHttpRequest
from assistant.forms import AskForm, FeedbackForm
from assistant.models import Conversation
from assistant.selectors import (
    clean_history_query,
    get_conversation,
    get_history_entry,
    list_history,
    list_suggested_questions,
)
from assistant.services import (
    KeptAnswer,
    answer_question,
    delete_history,
    delete_history_entry,
    record_feedback,
    stream_answer,
)
from assistant.streaming import ThreadedStreamingResponse, answer_events
from retrieval.selectors import get_chunk, get_reader, list_document_chunks
from routing.models import AuditEvent
from routing.rate_limits import RateLimited

logger = logging.getLogger(__name__)


@require_GET
@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The ask page, for a new conversation; `?q=` fills the question in (the suggested questions link there,
    without JavaScript)."""
    form = AskForm(initial={"question": request.GET.get("q", "")[:4000]})
    suggestions = list_suggested_questions(get_reader(request.user))
    return render(request, "assistant/ask.html", {"form": form, "suggestions": suggestions})


@require_GET
@login_required
def conversation(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The ask page holding one of the user's conversations: its turns above the box, to continue it."""
    found = get_conversation(owner=request.user, conversation_id=conversation_id)
    form = AskForm(initial={"conversation": found.id})
    return render(request, "assistant/ask.html", {"form": form, "conversation": found, "turns": found.turn_list})


@require_POST
@login_required
def ask(request: HtmxHttpRequest) -> HttpResponse:
    form = AskForm(request.POST)
    template = "assistant/ask.html#result" if request.htmx else "assistant/ask.html"
    if not form.is_valid():
        return _not_asked(request, template, form, status=422)
    try:
        kept = answer_question(
            question=form.cleaned_data["question"],
            acting_user=request.user,
            conversation_id=form.cleaned_data["conversation"],
        )
    except Conversation.DoesNotExist:
        raise Http404("No such conversation of yours") from None  # the same whether it exists or is someone else's
    except RateLimited as limited:
        return _too_many(request, template, form, limited)
    return render(request, template, _answered(request, kept))


def _answered(request: HtmxHttpRequest, kept: KeptAnswer) -> dict[str, object]:
    """The page's context after an answer: the conversation's earlier turns above the box, the answer below."""
    found = get_conversation(owner=request.user, conversation_id=kept.conversation_id)
    return {
        "form": AskForm(initial={"conversation": found.id}),
        "answer": kept.answer,
        "history_id": kept.history_id,
        "conversation": found,
        "turns": [t for t in found.turn_list if t.id != kept.history_id],
    }


def _not_asked(request: HtmxHttpRequest, template: str, form: AskForm, *, status: int) -> HttpResponse:
    """The page again with the form's errors, and the conversation it was to continue, if it is the user's."""
    context: dict[str, object] = {"form": form, "inline_errors": template.endswith("#result")}
    if conversation_id := form.cleaned_data.get("conversation"):
        found = get_conversation(owner=request.user, conversation_id=conversation_id)
        context |= {"conversation": found, "turns": found.turn_list}
    return render(request, template, context, status=status)


def _too_many(request: HtmxHttpRequest, template: str, form: AskForm, limited: RateLimited) -> HttpResponse:
    form.add_error("question", limited.message)
    response = _not_asked(request, template, form, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


@require_POST
@login_required
def ask_stream(request: HtmxHttpRequest) -> HttpResponse:
    """The answer as server-sent events (static/ask.js reads them); without JavaScript the form posts to ask."""
    form = AskForm(request.POST)
    if not form.is_valid():
        return _not_asked(request, "assistant/ask.html#result", form, status=422)
    try:
        events = stream_answer(
            question=form.cleaned_data["question"],
            acting_user=request.user,
            conversation_id=form.cleaned_data["conversation"],
        )
    except Conversation.DoesNotExist:
        raise Http404("No such conversation of yours") from None
    except RateLimited as limited:
        return _too_many(request, "assistant/ask.html#result", form, limited)

    def render_final(kept: KeptAnswer) -> dict[str, object]:
        html = render_to_string("assistant/ask.html#result", _answered(request, kept), request=request)
        return {"html": html, "conversation": kept.conversation_id}

    return ThreadedStreamingResponse(
        answer_events(events, render_final),
        content_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@require_GET
@login_required
def passage(request: HtmxHttpRequest, chunk_id: int) -> HttpResponse:
    chunk = get_chunk(get_reader(request.user), chunk_id)
    if chunk is None:
        raise Http404("No such passage")  # the same answer whether it exists or is not yours to read
    chunks = list_document_chunks(chunk.document)
    return render(request, "assistant/passage.html", {"cited": chunk, "document": chunk.document, "chunks": chunks})


@require_GET
@login_required
def history(request: HtmxHttpRequest) -> HttpResponse:
    query = clean_history_query(request.GET.get("q", ""))
    page = list_history(owner=request.user, query=query, page_number=request.GET.get("page"))
    # A history restore (back button after an htmx search) wants the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "assistant/history.html#entries" if partial else "assistant/history.html"
    return render(request, template, {"page": page, "query": query, "retention_days": settings.HISTORY_RETENTION_DAYS})


@require_GET
@login_required
def history_entry(request: HtmxHttpRequest, entry_id: int) -> HttpResponse:
    entry = get_history_entry(owner=request.user, entry_id=entry_id)
    return render(request, "assistant/history_entry.html", {"entry": entry})


@require_POST
@login_required
def history_entry_delete(request: HtmxHttpRequest, entry_id: int) -> HttpResponse:
    if not delete_history_entry(entry_id=entry_id, acting_user=request.user):
        raise Http404("No such history entry")
    return redirect("history")


@require_POST
@login_required
def history_delete(request: HtmxHttpRequest) -> HttpResponse:
    delete_history(acting_user=request.user)
    return redirect("history")


def _back_to(request: HttpRequest, url: str) -> str:
    """`url` when it points into this site, else the history page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("history")


@require_POST
@login_required
def feedback(request: HtmxHttpRequest, audit_id: int) -> HttpResponse:
    """Thumbs up or down, with an optional comment, on an answer the user was given. htmx gets the
    form back with the feedback saved; a plain post goes back to the page it came from."""
    form = FeedbackForm(request.POST)
    context = {"feedback_for": audit_id, "feedback_next": _back_to(request, request.POST.get("next", ""))}
    template = "assistant/feedback.html#feedback" if request.htmx else "assistant/feedback.html"
    if not form.is_valid():
        return render(request, template, context | {"feedback_form": form}, status=422)
    try:
        saved = record_feedback(
            audit_id=audit_id,
            acting_user=request.user,
            vote=form.cleaned_data["vote"],
            comment=form.cleaned_data["comment"],
        )
    except AuditEvent.DoesNotExist:
        raise Http404("No such answer of yours") from None  # the same whether it exists or is someone else's
    if not request.htmx:
        return redirect(context["feedback_next"])
    return render(request, template, context | {"feedback": saved, "feedback_saved": True})
