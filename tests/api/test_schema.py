"""The OpenAPI schema: generated without warnings, every endpoint documented with its errors, and its Swagger
UI served from the sidecar package (nothing from a CDN)."""

from __future__ import annotations

import re

from django.core.management import call_command
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


def _operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def _api_urls() -> set[str]:
    """Every /api/v1/ route, its parameters written as OpenAPI writes them (<int:id> as {id})."""
    return {
        "/" + str(p.pattern) + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(q.pattern))
        for p in get_resolver().url_patterns
        if str(p.pattern) == "api/"
        for q in p.url_patterns
        if str(q.pattern).startswith("v1/")
    }


def test_every_api_url_is_in_the_schema():
    api_urls = _api_urls()
    assert len(api_urls) >= 16 and api_urls == {path for path, _, _ in _operations()}


def _errors_of(method: str, op: dict) -> set[str]:
    """The errors an operation can answer: anyone can be unauthenticated or refused; input can be invalid
    where there is some (parameters or a body); an object named in the path can be absent."""
    statuses = {"401", "403"}
    parameters = op.get("parameters", [])
    if any(p["in"] == "query" for p in parameters) or "requestBody" in op:
        statuses.add("400")
    if any(p["in"] == "path" for p in parameters) or any(p["name"] == "page" for p in parameters):
        statuses.add("404")
    if "requestBody" in op and method != "get":
        statuses.add("415")
    return statuses


def test_every_endpoint_documents_its_errors():
    for path, method, op in _operations():
        for status in _errors_of(method, op):
            response = op["responses"].get(status)
            assert response is not None, f"{method.upper()} {path} does not document {status}"
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOutput"}


def test_every_list_is_paginated_with_a_cap():
    lists = [
        (path, op) for path, method, op in _operations() if any(p["name"] == "page" for p in op.get("parameters", []))
    ]
    assert {path for path, _ in lists} == {"/api/v1/documents", "/api/v1/audit/events", "/api/v1/history"}
    for path, op in lists:
        page = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert page.startswith("#/components/schemas/Paginated"), path
        assert "at most 100" in next(p for p in op["parameters"] if p["name"] == "page_size")["description"]


def test_ask_documents_its_rate_limit_and_its_stream():
    ask = next(op for path, _, op in _operations() if path == "/api/v1/ask")
    assert "429" in ask["responses"] and "text/event-stream" in ask["responses"]["200"]["content"]


def test_the_docs_page_is_served_from_the_package_and_linked_from_the_pages(client, employee):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/", {"script": ""})

    assert page.status_code == 200 and script.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    assert "<style" not in html and "<script>" not in html  # the Content-Security-Policy allows neither inline
    assert "/api/schema/" in script.content.decode()
    assert client.get("/api/schema/").status_code == 200
    client.force_login(employee)
    assert 'href="/api/docs/"' in client.get("/").content.decode()
