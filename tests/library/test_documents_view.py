"""The upload page (/manage/documents/): admins queue files, workers ingest them, the jobs table reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from retrieval.jobs import run_ingestion_job
from retrieval.models import Document, IngestionJob
from retrieval.selectors import get_reader, search_passages
from retrieval.tasks import ingest_job
from tests.conftest import Ingest, make_user

CaptureOnCommit = Callable[..., Any]

BACKUPS = b"# Backup policy\n\nDatabase backups run every night and are kept for thirty days.\n"
VPN = b"Remote access\n\nThe office VPN requires a hardware security key for every engineer.\n"
CORRUPT_PDF = b"%PDF-1.4 garbage"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def deferred_ingestions() -> list[ProcrastinateJob]:
    """The queue's ingestion jobs for this test's uploads. The queue's tables are not Django's, so a flush
    between tests leaves the jobs an earlier live-server test deferred: they are told apart by job id."""
    ours = set(IngestionJob.objects.values_list("id", flat=True))
    jobs = ProcrastinateJob.objects.filter(task_name=ingest_job.name).order_by("id")
    return [job for job in jobs if job.args.get("job_id") in ours]


def found_titles(user: User, query: str) -> list[str]:
    return [p.title for p in search_passages(get_reader(user), query, k=3).passages]


def test_anonymous_visitor_is_sent_to_login_from_the_documents_page(client: Client, db: None) -> None:
    response = client.get("/manage/documents/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["employee", "auditor", "contractor"])
def test_only_admins_reach_the_documents_page(client: Client, persona: str, request: pytest.FixtureRequest) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/manage/documents/").status_code == 403
    assert client.get("/manage/documents/jobs/").status_code == 403
    assert (
        client.post("/manage/documents/", {"files": [upload("x.md", BACKUPS)], "classification": 1}).status_code == 403
    )
    assert not IngestionJob.objects.exists()


def test_admin_sees_the_upload_form(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = client.get("/manage/documents/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="files"' in html and "multiple" in html
    assert "No uploads yet." in html


def test_admin_upload_queues_each_file_and_ingestion_stores_only_the_good_ones(
    client: Client, admin: User, employee: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/manage/documents/",
            {
                "files": [upload("backups.md", BACKUPS), upload("vpn.txt", VPN), upload("bad.pdf", CORRUPT_PDF)],
                "classification": 1,
                "groups": "engineering, ops",
            },
        )

    assert response.status_code == 302
    assert response["Location"] == "/manage/documents/"
    jobs = list(IngestionJob.objects.order_by("id"))
    assert [(j.filename, j.status) for j in jobs] == [
        ("backups.md", "queued"),
        ("vpn.txt", "queued"),
        ("bad.pdf", "queued"),
    ]
    assert all(j.classification == 1 and j.group_names == ["engineering", "ops"] for j in jobs)
    assert all(j.uploaded_by == admin and j.size > 0 for j in jobs)
    # One ingestion deferred per queued file, and only once the upload committed.
    assert len(callbacks) == 3
    assert [(q.queue_name, q.args, q.status) for q in deferred_ingestions()] == [
        ("ingestion", {"job_id": j.id}, "todo") for j in jobs
    ]

    finished = {j.filename: run_ingestion_job(job_id=j.id, final_attempt=True) for j in jobs}

    assert finished["backups.md"].status == IngestionJob.Status.DONE
    assert finished["vpn.txt"].status == IngestionJob.Status.DONE
    # Searchable by readers in the groups; the admin, in neither group, does not see them.
    assert "Backup policy" in found_titles(employee, "How long are database backups kept?")
    assert "Remote access" in found_titles(employee, "Does the VPN need a security key?")
    assert found_titles(admin, "How long are database backups kept?") == []
    backups = Document.objects.get(source_name="backups.md")
    assert backups.classification == 1
    assert sorted(backups.reader_groups.values_list("name", flat=True)) == ["engineering", "ops"]
    assert backups.uploaded_by == admin
    bad = IngestionJob.objects.get(filename="bad.pdf")
    assert bad.status == IngestionJob.Status.FAILED
    assert bad.error == "bad.pdf: not a valid PDF (file is damaged or not a PDF)"
    assert bad.finished_at is not None
    assert bad.document is None
    assert not Document.objects.filter(source_name="bad.pdf").exists()

    page = client.get("/manage/documents/").content.decode()
    assert "bad.pdf: not a valid PDF (file is damaged or not a PDF)" in page
    assert page.count("status-done") == 2


def test_file_over_the_upload_limit_fails_at_once_and_is_not_deferred(
    client: Client, admin: User, settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.MAX_UPLOAD_BYTES = 40
    client.force_login(admin)
    big = b"# Big\n\n" + b"This sentence makes the file longer than the limit. " * 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/manage/documents/",
            {"files": [upload("big.md", big), upload("small.txt", b"Short note.")], "classification": 1},
        )

    assert response.status_code == 302
    big_job = IngestionJob.objects.get(filename="big.md")
    assert big_job.status == IngestionJob.Status.FAILED
    assert big_job.error == (
        f"big.md: the file is {len(big)} bytes, over the limit of 40 (MAX_UPLOAD_BYTES); "
        "split it or ask an operator to raise it"
    )
    assert big_job.finished_at is not None
    assert bytes(big_job.content) == b""
    small_job = IngestionJob.objects.get(filename="small.txt")
    assert small_job.status == IngestionJob.Status.QUEUED
    assert [q.args for q in deferred_ingestions()] == [{"job_id": small_job.id}]
    page = client.get("/manage/documents/").content.decode()
    assert "over the limit of 40 (MAX_UPLOAD_BYTES)" in page


def test_upload_without_files_is_rejected_with_422(client: Client, admin: User) -> None:
    client.force_login(admin)

    response = client.post("/manage/documents/", {"classification": 1})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not IngestionJob.objects.exists()


def test_jobs_partial_returns_only_the_table_and_polls_while_jobs_are_pending(
    client: Client, admin: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/manage/documents/", {"files": [upload("backups.md", BACKUPS)], "classification": 1})

    pending = client.get("/manage/documents/jobs/", headers={"HX-Request": "true"})

    html = pending.content.decode()
    assert pending.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<section id="jobs"')
    assert "<table>" in html and "backups.md" in html and "Queued" in html
    assert 'hx-get="/manage/documents/jobs/"' in html

    run_ingestion_job(job_id=IngestionJob.objects.get().id, final_attempt=True)
    finished = client.get("/manage/documents/jobs/", headers={"HX-Request": "true"}).content.decode()

    assert "Ingested" in finished and "Backup policy · v1" in finished
    assert "hx-get" not in finished  # nothing pending: the table stops polling


@pytest.mark.django_db(transaction=True)
def test_real_worker_ingests_an_uploaded_file(client: Client, admin: User) -> None:
    client.force_login(admin)
    client.post("/manage/documents/", {"files": [upload("backups.md", BACKUPS)], "classification": 1})
    [queued] = deferred_ingestions()
    assert queued.status == "todo"

    # What `manage.py procrastinate worker` does: a worker connector of its own, not Django's.
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["ingestion"], wait=False, install_signal_handlers=False, listen_notify=False)

    job = IngestionJob.objects.get()
    assert job.status == IngestionJob.Status.DONE
    assert job.attempts == 1
    assert ProcrastinateJob.objects.get(id=queued.id).status == "succeeded"
    assert "Backup policy" in found_titles(admin, "How long are database backups kept?")


def test_an_upload_of_a_document_reclassified_above_the_uploader_is_listed_without_its_title(
    client: Client, ingest: Ingest
) -> None:
    uploader = make_user("ines", Role.ADMIN, Classification.INTERNAL)
    document = ingest("merger.md", "# Project Heron merger terms\n\nThe price is final.", "restricted").document
    IngestionJob.objects.create(
        filename="merger.md", size=10, classification=Classification.INTERNAL, uploaded_by=uploader,
        status=IngestionJob.Status.DONE, document=document,
    )  # fmt: skip
    client.force_login(uploader)

    page = client.get("/manage/documents/").content.decode()

    assert "merger.md" in page and "Heron" not in page
