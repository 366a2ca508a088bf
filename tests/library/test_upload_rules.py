"""What an upload may and may not do: empty files, clearance, replacing others' documents."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.clearance import Classification
from accounts.roles import Role
from retrieval.jobs import run_ingestion_job
from retrieval.models import Document, IngestionJob
from tests.conftest import make_user

GOOD = b"# Badges\n\nVisitor badges are returned to reception before leaving the building.\n"


def post_files(client, files, classification=Classification.INTERNAL, groups=""):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(
        "/manage/documents/", {"files": uploads, "classification": int(classification), "groups": groups}
    )


def ingest_all() -> None:
    for job in IngestionJob.objects.filter(status=IngestionJob.Status.QUEUED):
        run_ingestion_job(job_id=job.id, final_attempt=True)


def test_an_empty_file_fails_alone_and_the_other_files_go_in(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_files(client, [("empty.md", b""), ("badges.md", GOOD)])
    ingest_all()

    assert response.status_code == 302
    jobs = {job.filename: job for job in IngestionJob.objects.all()}
    assert jobs["empty.md"].status == IngestionJob.Status.FAILED
    assert jobs["empty.md"].error.startswith("empty.md: ") and "empty" in jobs["empty.md"].error[10:]
    assert jobs["badges.md"].status == IngestionJob.Status.DONE
    assert list(Document.objects.values_list("source_name", flat=True)) == ["badges.md"]


def test_the_file_bytes_are_dropped_once_ingested(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("badges.md", GOOD)])
    ingest_all()

    assert bytes(IngestionJob.objects.get().content) == b""


def test_an_admin_cannot_upload_above_their_clearance(client, db, django_capture_on_commit_callbacks):
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    client.force_login(junior)
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("plan.md", GOOD)], classification=Classification.CONFIDENTIAL)
    ingest_all()

    job = IngestionJob.objects.get()
    assert job.status == IngestionJob.Status.FAILED
    assert "cleared for internal" in job.error and "ask an admin" in job.error
    assert not Document.objects.exists()


def test_an_admin_cannot_replace_a_document_they_may_not_read(client, ingest, django_capture_on_commit_callbacks):
    ingest("plan.md", "# Plan\n\nThe acquisition closes in March.", "internal", ["finance"])
    outsider = make_user("out", Role.ADMIN, Classification.RESTRICTED, ["engineering"])
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("plan.md", GOOD)])
    ingest_all()

    job = IngestionJob.objects.get()
    assert job.status == IngestionJob.Status.FAILED
    assert "may not read" in job.error
    document = Document.objects.get()
    assert document.version == 1 and "acquisition" in document.chunks.get().text


def test_the_jobs_list_shows_only_uploads_the_admin_may_know_of(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("open.md", GOOD)])
        post_files(client, [("finance-only.md", GOOD)], groups="finance")
        post_files(client, [("secret-plan.md", GOOD)], classification=Classification.RESTRICTED)
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    client.force_login(junior)

    page = client.get("/manage/documents/jobs/").content.decode()

    assert "open.md" in page
    assert "finance-only.md" not in page and "secret-plan.md" not in page


def test_a_file_of_a_type_that_cannot_be_ingested_fails_at_once_unread(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True) as deferred:
        response = post_files(client, [("setup.exe", b"MZ\x90\x00" * 100), ("badges.md", GOOD)])

    assert response.status_code == 302
    refused = IngestionJob.objects.get(filename="setup.exe")
    assert refused.status == IngestionJob.Status.FAILED and bytes(refused.content) == b""
    assert refused.error == "setup.exe: unsupported file type .exe: upload .md, .txt, .html, .pdf or .docx"
    assert len(deferred) == 1  # only badges.md went to the queue
