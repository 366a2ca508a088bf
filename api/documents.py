"""The admins' documents through the API, /api/v1/documents: list and filter them, upload files (queued as
ingestion jobs, as the documents page queues them), follow a job, read one document, change who may read
it, delete it. The same selectors and services as the library pages, so the same rules: an admin sees and
changes only documents they may read, and labels none above their own clearance."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Role
from api.endpoints import Endpoint
from api.errors import check_form
from api.pagination import PAGE_PARAMETERS, paginate, paginated
from api.permissions import key_allows, role_is
from api.schema import CLASS_BY_NUMBER, documented_errors, form_parameters
from api.serializers import ClassificationField, absolute_url, group_names
from library.forms import LibraryFilterForm
from library.selectors import (
    JobRow,
    filter_library_documents,
    get_ingestion_job,
    get_library_document,
    list_library_group_names,
    list_recent_ingestion_jobs,
)
from library.services import change_document_access, remove_document
from retrieval.errors import UploadRefused
from retrieval.models import Document, IngestionJob
from retrieval.services import Outcome
from retrieval.uploads import queue_uploads

ADMINS = [IsAuthenticated, key_allows(Endpoint.DOCUMENTS), role_is(Role.ADMIN)]
TAG = ["documents"]


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    source_name = serializers.CharField(help_text="The file name it was uploaded as.")
    media_type = serializers.CharField()
    classification = ClassificationField()
    reader_groups = serializers.SerializerMethodField(help_text="Empty: everyone cleared for its class may read it.")
    version = serializers.IntegerField(help_text="Goes up with each re-ingestion or reclassification.")
    chunk_count = serializers.IntegerField(help_text="Its passages.")
    flagged_count = serializers.IntegerField(help_text="Passages flagged as instructions aimed at AI models.")
    uploaded_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reader_groups(self, document: Document) -> list[str]:
        return [g.name for g in document.reader_groups.all()]  # prefetched by the selector, by name

    @extend_schema_field(serializers.CharField())
    def get_uploaded_by(self, document: Document) -> str:
        return document.uploaded_by.get_username() if document.uploaded_by_id else ""

    @extend_schema_field(serializers.URLField())
    def get_url(self, document: Document) -> str:
        return absolute_url(self.context, "api-document", document_id=document.id)


class JobDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()


class JobOutput(serializers.Serializer):
    """An uploaded file's ingestion job."""

    id = serializers.IntegerField(source="job.id")
    filename = serializers.CharField(source="job.filename")
    size = serializers.IntegerField(source="job.size", help_text="Bytes.")
    classification = ClassificationField(source="job.classification", help_text="As it was uploaded.")
    groups = serializers.ListField(child=serializers.CharField(), source="job.group_names")
    status = serializers.ChoiceField(
        choices=IngestionJob.Status.values,
        source="job.status",
        help_text="queued and running: not finished; done, unchanged (the same file was there) or failed.",
    )
    error = serializers.CharField(source="job.error", help_text="failed: why, naming the file.")
    uploaded_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="job.created_at")
    finished_at = serializers.DateTimeField(source="job.finished_at", allow_null=True)
    document = JobDocumentOutput(allow_null=True, help_text="The document it made, while the caller may read it.")
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_uploaded_by(self, row: JobRow) -> str:
        return row.job.uploaded_by.get_username() if row.job.uploaded_by_id else ""

    @extend_schema_field(serializers.URLField())
    def get_url(self, row: JobRow) -> str:
        return absolute_url(self.context, "api-ingestion-job", job_id=row.job.id)


class JobsOutput(serializers.Serializer):
    jobs = JobOutput(many=True)
    pending = serializers.BooleanField(required=False, help_text="Some job is still queued or running.")


class UploadInput(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),  # an empty file fails in its own job, named
        allow_empty=False,
        help_text="Markdown, text, HTML, PDF or Word (.docx) files; several at once (repeat the field). A file "
        "replaces the document of its name that you may read.",
    )
    classification = ClassificationField()
    groups = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Comma-separated reader groups; empty means everyone cleared for the classification.",
    )

    def validate_groups(self, value: str) -> list[str]:
        return group_names(value)


class AccessInput(serializers.Serializer):
    classification = ClassificationField(help_text="At most your own clearance.")
    groups = serializers.ListField(
        child=serializers.CharField(), default=list, help_text="Reader groups; empty: everyone cleared for the class."
    )

    def validate_groups(self, value: list[str]) -> list[str]:
        return group_names(",".join(value))


class AccessOutput(serializers.Serializer):
    id = serializers.IntegerField()
    classification = ClassificationField()
    reader_groups = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    changed = serializers.BooleanField(help_text="False when it already had this class and these groups.")
    readable = serializers.BooleanField(
        help_text="Whether you may still read it (false: you gave it to groups you are not in)."
    )


LIST_SCHEMA = extend_schema(
    methods=["GET"],
    operation_id="documents_list",
    summary="List the documents you may read",
    description="By title, filtered as the library page filters; a page at a time.",
    tags=TAG,
    parameters=[
        *form_parameters(
            LibraryFilterForm,
            q="Words in the title or the file name.",
            classification=CLASS_BY_NUMBER,
            group="A reader group's name (one on a document you may read).",
        ),
        *PAGE_PARAMETERS,
    ],
    responses={200: paginated(DocumentOutput), **documented_errors(400, 401, 403, 404)},
)
UPLOAD_SCHEMA = extend_schema(
    methods=["POST"],
    operation_id="documents_upload",
    summary="Upload files",
    description=(
        "Queues each file as an ingestion job, as the documents page does, and answers at once with the "
        "jobs: follow each at its `url`. A file of a type that cannot be ingested, too large, or labelled "
        "above your clearance fails in its own job, with the reason; the other files still go in."
    ),
    tags=TAG,
    request={"multipart/form-data": UploadInput},
    responses={202: JobsOutput, **documented_errors(400, 401, 403, 415)},
)


@LIST_SCHEMA
@UPLOAD_SCHEMA
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser])
@permission_classes(ADMINS)
def documents(request: Request) -> Response:
    if request.method == "POST":
        given = UploadInput(data=request.data)
        given.is_valid(raise_exception=True)
        jobs = queue_uploads(
            files=given.validated_data["files"],
            classification=given.validated_data["classification"],
            group_names=given.validated_data["groups"],
            acting_user=request.user,
        )
        rows = [JobRow(job, None) for job in jobs]  # nothing ingested yet: no document to name
        return Response(JobsOutput({"jobs": rows}, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)
    form = LibraryFilterForm(request.query_params, group_names=list_library_group_names(request.user))
    check_form(form)
    return paginate(request, filter_library_documents(user=request.user, filters=form.filters()), DocumentOutput)


def _readable_or_404(request: Request, document_id: int) -> Document:
    document = get_library_document(user=request.user, document_id=document_id)
    if document is None:
        raise Http404("No such document that you may read")  # the same whether it exists or not
    return document


@extend_schema(
    methods=["GET"],
    operation_id="documents_read",
    summary="One document",
    tags=TAG,
    responses={200: DocumentOutput, **documented_errors(401, 403, 404)},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="documents_reclassify",
    summary="Change who may read a document",
    description="A new classification (at most your clearance) and reader groups; search sees it at once.",
    tags=TAG,
    request=AccessInput,
    responses={200: AccessOutput, **documented_errors(400, 401, 403, 404, 415)},
)
@extend_schema(
    methods=["DELETE"],
    operation_id="documents_delete",
    summary="Delete a document",
    description="It leaves search at once.",
    tags=TAG,
    responses={204: OpenApiResponse(description="Deleted."), **documented_errors(401, 403, 404)},
)
@api_view(["GET", "PATCH", "DELETE"])
@parser_classes([JSONParser])
@permission_classes(ADMINS)
def document(request: Request, document_id: int) -> Response:
    found = _readable_or_404(request, document_id)
    if request.method == "DELETE":
        remove_document(document=found)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "GET":
        return Response(DocumentOutput(found, context={"request": request}).data)
    given = AccessInput(data=request.data)
    given.is_valid(raise_exception=True)
    try:
        result = change_document_access(
            document=found,
            classification=given.validated_data["classification"],
            group_names=given.validated_data["groups"],
            acting_user=request.user,
        )
    except UploadRefused as exc:
        raise ValidationError({"classification": [str(exc)]}) from None
    changed = result.document
    answer = {
        "id": changed.id,
        "classification": changed.classification,
        "reader_groups": sorted(changed.reader_groups.values_list("name", flat=True)),
        "version": changed.version,
        "changed": result.outcome != Outcome.UNCHANGED,
        "readable": get_library_document(user=request.user, document_id=document_id) is not None,
    }
    return Response(AccessOutput(answer).data)


@extend_schema(
    operation_id="documents_jobs",
    summary="The latest uploads",
    description="Yours, and the others' up to your clearance and in your groups, newest first (the documents "
    "page's list).",
    tags=TAG,
    responses={200: JobsOutput, **documented_errors(401, 403)},
)
@api_view(["GET"])
@permission_classes(ADMINS)
def ingestion_jobs(request: Request) -> Response:
    recent = list_recent_ingestion_jobs(request.user)
    answer = {"jobs": recent.rows, "pending": recent.pending}
    return Response(JobsOutput(answer, context={"request": request}).data)


@extend_schema(
    operation_id="documents_job",
    summary="An upload's ingestion state",
    description="Poll it until `status` is done, unchanged or failed.",
    tags=TAG,
    responses={200: JobOutput, **documented_errors(401, 403, 404)},
)
@api_view(["GET"])
@permission_classes(ADMINS)
def ingestion_job(request: Request, job_id: int) -> Response:
    row = get_ingestion_job(user=request.user, job_id=job_id)
    if row is None:
        raise Http404("No such upload that you may know of")  # the same whether it exists or not
    return Response(JobOutput(row, context={"request": request}).data)
