"""The OpenAPI schema: generated without warnings, every endpoint documented with its errors, and its Swagger
UI served from the sidecar package (nothing from a CDN)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


def _operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_every_api_url_is_in_the_schema():
    api_urls = {
        "/" + str(p.pattern) + str(q.pattern)
        for p in get_resolver().url_patterns
        if str(p.pattern) == "api/"
        for q in p.url_patterns
        if str(q.pattern).startswith("v1/")
    }
    assert api_urls and api_urls == {"/api/" + path.removeprefix("/api/") for path, _, _ in _operations()}


@pytest.mark.parametrize("status", ["400", "401", "403"])
def test_every_endpoint_documents_its_errors(status):
    for path, method, op in _operations():
        response = op["responses"].get(status)
        assert response is not None, f"{method.upper()} {path} does not document {status}"
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOutput"}


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
