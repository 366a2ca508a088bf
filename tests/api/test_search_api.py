"""GET /api/v1/search: the passages the caller may read, by the same selector as everything else."""

from __future__ import annotations

from tests.api.conftest import make_key

RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"
PAYROLL = "# Payroll runbook\n\nTo roll back a payroll run, call the payroll desk before noon.\n"


def test_search_finds_only_what_the_caller_may_read(client, employee, contractor, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="public")
    ingest("payroll.md", PAYROLL, classification="internal")
    carl = make_key(contractor)
    erin = make_key(employee)

    for_carl = client.get("/api/v1/search", {"q": "roll back", "k": 5}, **carl.bearer).json()
    for_erin = client.get("/api/v1/search", {"q": "roll back", "k": 5}, **erin.header).json()

    assert {p["title"] for p in for_carl["passages"]} == {"Deploy runbook"}
    assert {p["title"] for p in for_erin["passages"]} == {"Deploy runbook", "Payroll runbook"}
    first = for_erin["passages"][0]
    assert first["classification"] in ("public", "internal") and first["source_name"].endswith(".md")
    assert first["url"].endswith(f"/passages/{first['chunk_id']}/")


def test_search_needs_a_query_and_a_sane_k(client, employee):
    key = make_key(employee)

    missing = client.get("/api/v1/search", **key.bearer)
    too_many = client.get("/api/v1/search", {"q": "x", "k": 500}, **key.bearer)

    assert missing.status_code == too_many.status_code == 400
    assert "q" in missing.json()["fields"] and "k" in too_many.json()["fields"]


def test_a_service_key_for_ask_only_cannot_search(client, service):
    key = make_key(service, endpoints=["ask"])

    response = client.get("/api/v1/search", {"q": "roll back"}, **key.bearer)

    assert response.status_code == 403 and response.json()["code"] == "endpoint_not_allowed"
