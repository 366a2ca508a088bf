"""Lists of the API, a page at a time: DRF's page-number pagination, with a cap on the page size."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class CappedPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    # A page is read and serialised in one request: no caller may ask for the whole table at once.
    max_page_size = 100


def paginate(
    request: Request, rows: QuerySet[Any], serializer: type[serializers.Serializer], **context: Any
) -> Response:
    """One page of `rows` as `{count, next, previous, results}`, each row through `serializer`. A page past
    the end is a 404 (DRF's NotFound)."""
    paginator = CappedPagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(serializer(page, many=True, context={"request": request, **context}).data)


_envelopes: dict[str, type[serializers.Serializer]] = {}


def paginated(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of `serializer` rows (one class per row serializer, named after it)."""
    name = "Paginated" + serializer.__name__.removesuffix("Output") + "List"
    if name not in _envelopes:
        fields = {
            "count": serializers.IntegerField(help_text="Rows over all the pages."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last."),
            "previous": serializers.URLField(allow_null=True, help_text="The page before, or null on the first."),
            "results": serializer(many=True),
        }
        _envelopes[name] = type(name, (serializers.Serializer,), fields)
    return _envelopes[name]


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Which page (from 1; past the last: 404)."),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=f"Rows a page (default {CappedPagination.page_size}, at most {CappedPagination.max_page_size}).",
    ),
]
