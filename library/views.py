"""The admins' documents: uploads with their ingestion status; the library (list, search and filter documents;
change who may read one; re-ingest or delete one)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.clearance import Classification
from accounts.http import HtmxHttpRequest
from accounts.permissions import role_required
from accounts.roles import Role
from library.forms import DocumentAccessForm, LibraryFilterForm, UploadForm
from library.selectors import (
    get_library_document,
    list_flagged_passages,
    list_library_documents,
    list_library_group_names,
    list_recent_ingestion_jobs,
)
from library.services import (
    change_document_access,
    reingest_library_document,
    remove_document,
    review_flagged_passage,
)
from retrieval.errors import ReingestRefused, UploadRefused
from retrieval.models import Document
from retrieval.uploads import queue_uploads


def _readable_or_404(request: HttpRequest, document_id: int) -> Document:
    document = get_library_document(user=request.user, document_id=document_id)
    if document is None:
        raise Http404("No such document that you may read")  # the same whether it exists or not
    return document


@require_GET
@role_required(Role.ADMIN)
def library(request: HttpRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET, group_names=list_library_group_names(request.user))
    form.is_valid()  # an invalid filter is dropped, the others still apply
    page = list_library_documents(user=request.user, filters=form.filters(), page_number=request.GET.get("page"))
    return render(request, "library/library.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def document_access(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_or_404(request, document_id)
    clearance = request.user.clearance
    status = 200
    if request.method == "POST":
        form = DocumentAccessForm(request.POST, clearance=clearance)
        if form.is_valid():
            try:
                change_document_access(
                    document=document,
                    classification=Classification(form.cleaned_data["classification"]),
                    group_names=form.cleaned_data["groups"],
                    acting_user=request.user,
                )
            except UploadRefused as exc:
                form.add_error("classification", str(exc))
            else:
                messages.success(request, f"Saved who may read {document.source_name}.")
                if get_library_document(user=request.user, document_id=document_id) is None:
                    return redirect("library")  # the admin gave it away: they may no longer read it
                return redirect("library-document", document_id=document_id)
        status = 422
    else:
        groups = ", ".join(g.name for g in document.reader_groups.all())
        form = DocumentAccessForm(
            initial={"classification": document.classification, "groups": groups}, clearance=clearance
        )
    return render(request, "library/document.html", {"document": document, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    """GET asks for confirmation (a page of its own, so it works without JavaScript); POST deletes."""
    document = _readable_or_404(request, document_id)
    if request.method == "POST":
        remove_document(document=document)
        messages.success(request, f"Deleted {document.source_name}; it is gone from search.")
        return redirect("library")
    return render(request, "library/delete.html", {"document": document})


@require_POST
@role_required(Role.ADMIN)
def document_reingest(request: HttpRequest, document_id: int) -> HttpResponse:
    """Re-chunk and re-embed one document while the request waits (seconds for a typical document)."""
    document = _readable_or_404(request, document_id)
    try:
        result = reingest_library_document(document=document)
    except ReingestRefused as exc:
        messages.error(request, f"Not re-ingested: {exc}")
    else:
        count = result.document.chunks.count()
        messages.success(
            request,
            f"Re-ingested {document.source_name} with the current chunking and embedding settings: "
            f"{count} passage{'' if count == 1 else 's'}, now v{result.document.version}.",
        )
    return redirect("library-document", document_id=document_id)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def documents(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, clearance=request.user.clearance)
        if form.is_valid():
            queue_uploads(
                files=form.cleaned_data["files"],
                classification=form.cleaned_data["classification"],
                group_names=form.cleaned_data["groups"],
                acting_user=request.user,
            )
            return redirect("documents")
        status = 422
    else:
        form, status = UploadForm(clearance=request.user.clearance), 200
    return render(
        request,
        "library/documents.html",
        {"form": form, "recent": list_recent_ingestion_jobs(request.user)},
        status=status,
    )


@require_GET
@role_required(Role.ADMIN)
def ingestion_jobs(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "library/documents.html#jobs", {"recent": list_recent_ingestion_jobs(request.user)})


@require_GET
@role_required(Role.ADMIN)
def flagged(request: HttpRequest) -> HttpResponse:
    """Passages flagged as holding instructions aimed at AI models, in documents the admin may read."""
    return render(request, "library/flagged.html", {"flagged": list_flagged_passages(request.user)})


@require_POST
@role_required(Role.ADMIN)
def flagged_review(request: HttpRequest, chunk_id: int, cleared: bool) -> HttpResponse:
    """Clear a flagged passage as a false alarm (`cleared`), or flag it again."""
    chunk = review_flagged_passage(chunk_id=chunk_id, cleared=cleared, acting_user=request.user)
    if chunk is None:
        raise Http404("No such flagged passage that you may read")  # the same whether it exists or not
    name = chunk.document.source_name
    if cleared:
        messages.success(request, f"Cleared the passage of {name} as a false alarm: answers may use it again.")
    else:
        messages.success(request, f"Flagged the passage of {name} again: answers handle it as the policy says.")
    return redirect("library-flagged")
