"""/api/v1/documents: the admins' documents through the library pages' services, with an admin's key."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.clearance import Classification
from accounts.roles import Role
from retrieval.jobs import run_ingestion_job
from retrieval.models import Document, IngestionJob
from retrieval.selectors import get_reader, search_passages
from tests.api.conftest import make_key
from tests.conftest import make_user

BADGES = b"# Badges\n\nVisitor badges are returned to reception before leaving the building.\n"
RUNBOOK = "# Deploy runbook\n\nTo roll back a bad deploy, run the rollback pipeline for the previous release tag.\n"


def upload(client, key, files, classification="internal", groups=""):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(
        "/api/v1/documents", {"files": uploads, "classification": classification, "groups": groups}, **key.bearer
    )


def ingest_queued() -> None:
    for job in IngestionJob.objects.filter(status=IngestionJob.Status.QUEUED):
        run_ingestion_job(job_id=job.id, final_attempt=True)


def test_an_upload_of_several_files_answers_202_with_its_jobs_then_each_job_says_how_it_went(
    client, admin, django_capture_on_commit_callbacks
):
    key = make_key(make_user("ada", Role.ADMIN, Classification.RESTRICTED, ["facilities"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, key, [("badges.md", BADGES), ("tool.exe", b"MZ")], groups="security, facilities")

    assert response.status_code == 202
    jobs = {job["filename"]: job for job in response.json()["jobs"]}
    assert jobs["badges.md"]["status"] == "queued" and jobs["badges.md"]["groups"] == ["facilities", "security"]
    assert jobs["badges.md"]["classification"] == "internal" and jobs["badges.md"]["document"] is None
    assert jobs["tool.exe"]["status"] == "failed" and jobs["tool.exe"]["error"].startswith("tool.exe: ")

    ingest_queued()
    done = client.get(jobs["badges.md"]["url"], **key.header).json()

    document = Document.objects.get(source_name="badges.md")
    assert done["status"] == "done" and done["finished_at"]
    assert done["document"] == {"id": document.id, "title": "Badges", "version": 1}
    assert sorted(document.reader_groups.values_list("name", flat=True)) == ["facilities", "security"]
    recent = client.get("/api/v1/documents/jobs", **key.bearer).json()
    assert [j["filename"] for j in recent["jobs"]] == ["tool.exe", "badges.md"] and recent["pending"] is False


def test_an_upload_above_the_admins_clearance_fails_in_its_job_as_on_the_page(
    client, db, django_capture_on_commit_callbacks
):
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    key = make_key(junior)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, key, [("plan.md", BADGES)], classification="confidential")
    ingest_queued()

    job = client.get(response.json()["jobs"][0]["url"], **key.bearer).json()
    assert response.status_code == 202
    assert job["status"] == "failed" and "cleared for internal" in job["error"]
    assert not Document.objects.exists()


def test_an_upload_needs_files_a_known_classification_and_multipart(client, admin):
    key = make_key(admin)

    no_files = client.post("/api/v1/documents", {"classification": "internal"}, **key.bearer)
    bad_class = upload(client, key, [("badges.md", BADGES)], classification="secret")
    as_json = client.post(
        "/api/v1/documents", json.dumps({"classification": "internal"}), content_type="application/json", **key.bearer
    )

    assert no_files.status_code == bad_class.status_code == 400
    assert "files" in no_files.json()["fields"] and "classification" in bad_class.json()["fields"]
    assert (as_json.status_code, as_json.json()["code"]) == (415, "unsupported_media_type")
    assert not IngestionJob.objects.exists()


def test_the_list_filters_as_the_library_page_and_is_paginated(client, db, ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="internal", groups=["engineering"])
    ingest("badges.md", BADGES, classification="public")
    ingest("salaries.md", "# Salaries\n\nSalary bands are reviewed each spring.\n", classification="confidential")
    ingest("payroll.md", "# Payroll\n\nPayroll runs monthly.\n", classification="internal", groups=["finance"])
    key = make_key(make_user("ada", Role.ADMIN, Classification.RESTRICTED, ["engineering"]))

    everything = client.get("/api/v1/documents", **key.bearer).json()
    public = client.get("/api/v1/documents", {"classification": 0}, **key.bearer).json()
    engineering = client.get("/api/v1/documents", {"group": "engineering"}, **key.bearer).json()
    by_name = client.get("/api/v1/documents", {"q": "SALAR"}, **key.bearer).json()
    first = client.get("/api/v1/documents", {"page_size": 2}, **key.bearer).json()
    second = client.get(first["next"], **key.bearer).json()

    assert everything["count"] == 3  # not payroll: finance's
    assert [d["title"] for d in everything["results"]] == ["Badges", "Deploy runbook", "Salaries"]
    runbook = everything["results"][1]
    assert runbook["classification"] == "internal" and runbook["reader_groups"] == ["engineering"]
    assert runbook["chunk_count"] >= 1 and runbook["flagged_count"] == 0 and runbook["version"] == 1
    assert [d["title"] for d in public["results"]] == ["Badges"]
    assert [d["title"] for d in engineering["results"]] == ["Deploy runbook"]
    assert [d["title"] for d in by_name["results"]] == ["Salaries"]
    assert [d["title"] for d in first["results"] + second["results"]] == ["Badges", "Deploy runbook", "Salaries"]
    assert second["next"] is None and second["previous"]


def test_a_bad_filter_or_a_page_past_the_end_is_an_error_not_an_empty_list(client, admin, ingest):
    ingest("badges.md", BADGES, classification="public")
    key = make_key(admin)

    bad = client.get("/api/v1/documents", {"classification": 9, "group": "nobody"}, **key.bearer)
    past = client.get("/api/v1/documents", {"page": 5}, **key.bearer)

    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"classification", "group"}
    assert (past.status_code, past.json()["code"]) == (404, "not_found")


def test_an_admin_sees_and_touches_only_documents_they_may_read(client, db, ingest):
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    secret = ingest("salaries.md", "# Salaries\n\nSalary bands.\n", classification="confidential").document
    key = make_key(junior)
    url = f"/api/v1/documents/{secret.id}"

    listed = client.get("/api/v1/documents", **key.bearer).json()
    read = client.get(url, **key.bearer)
    changed = client.patch(url, json.dumps({"classification": "public"}), content_type="application/json", **key.bearer)
    deleted = client.delete(url, **key.bearer)

    assert listed["count"] == 0
    assert read.status_code == changed.status_code == deleted.status_code == 404
    assert Document.objects.get(id=secret.id).classification == Classification.CONFIDENTIAL


def test_reclassifying_changes_who_finds_it_and_never_above_the_admins_clearance(client, db, ingest, employee):
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL, ["engineering"])
    document = ingest("deploy-runbook.md", RUNBOOK, classification="internal").document
    key = make_key(junior)
    url = f"/api/v1/documents/{document.id}"

    def patch(body):
        return client.patch(url, json.dumps(body), content_type="application/json", **key.bearer)

    too_high = patch({"classification": "confidential"})
    to_hr = patch({"classification": "internal", "groups": ["hr"]})
    again = patch({"classification": "internal", "groups": ["hr"]})

    assert too_high.status_code == 400 and "cleared for internal" in too_high.json()["fields"]["classification"][0]
    assert to_hr.status_code == 200
    assert to_hr.json() == {
        "id": document.id,
        "classification": "internal",
        "reader_groups": ["hr"],
        "version": 2,
        "changed": True,
        "readable": False,  # the admin is not in hr: as on the page, they gave it away
    }
    assert again.status_code == 404  # no longer theirs to see
    assert search_passages(get_reader(employee), "roll back a bad deploy", k=5).passages == []


def test_deleting_a_document_takes_it_out_of_search_at_once(client, admin, employee, ingest):
    document = ingest("deploy-runbook.md", RUNBOOK, classification="internal").document
    key = make_key(admin)

    response = client.delete(f"/api/v1/documents/{document.id}", **key.header)

    assert response.status_code == 204
    assert not Document.objects.filter(id=document.id).exists()
    assert search_passages(get_reader(employee), "roll back a bad deploy", k=5).passages == []
    assert client.get(f"/api/v1/documents/{document.id}", **key.header).status_code == 404


def test_an_employees_key_and_a_key_without_documents_are_refused(client, employee, admin, service):
    personal = make_key(employee)
    ask_only = make_key(admin, endpoints=["ask"])

    as_employee = client.get("/api/v1/documents", **personal.bearer)
    not_allowed = client.get("/api/v1/documents", **ask_only.bearer)

    assert (as_employee.status_code, as_employee.json()["code"]) == (403, "forbidden")
    assert (not_allowed.status_code, not_allowed.json()["code"]) == (403, "endpoint_not_allowed")


def test_the_list_reads_the_same_number_of_queries_for_one_document_or_many(client, db, ingest):
    key = make_key(make_user("ada", Role.ADMIN, Classification.RESTRICTED, ["g0", "g1", "g2"]))
    ingest("badges.md", BADGES, classification="public")
    client.get("/api/v1/documents", **key.bearer)  # the key's last use is written once a minute

    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/documents", **key.bearer)
    for n in range(3):
        ingest(f"notes-{n}.md", f"# Notes {n}\n\nNotes on topic {n}.\n", classification="internal", groups=[f"g{n}"])
    with CaptureQueriesContext(connection) as many:
        listed = client.get("/api/v1/documents", **key.bearer).json()

    assert listed["count"] == 4 and [d["reader_groups"] for d in listed["results"]][1:] == [["g0"], ["g1"], ["g2"]]
    assert len(many) == len(one)
