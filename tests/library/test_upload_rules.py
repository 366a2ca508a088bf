"""What an upload may and may not do: empty files, clearance, and which document of its name it replaces."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.clearance import Classification
from accounts.roles import Role
from retrieval.jobs import run_ingestion_job
from retrieval.models import Document, IngestionJob
from retrieval.selectors import get_reader, search_passages
from retrieval.uploads import queue_uploads
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


def test_an_admin_is_offered_and_may_choose_only_classes_up_to_their_clearance(
    client, db, django_capture_on_commit_callbacks
):
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    client.force_login(junior)

    page = BeautifulSoup(client.get("/manage/documents/").content, "html.parser")
    offered = [o["value"] for o in page.select('select[name="classification"] option')]
    assert offered == [str(Classification.PUBLIC), str(Classification.INTERNAL)]
    assert page.select_one('select[name="classification"] option[selected]')["value"] == str(Classification.INTERNAL)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_files(client, [("plan.md", GOOD)], classification=Classification.CONFIDENTIAL)

    assert answer.status_code == 422 and b"Select a valid choice" in answer.content
    assert not IngestionJob.objects.exists() and not Document.objects.exists()


def test_the_ingestion_job_refuses_a_class_above_the_uploaders_clearance_too(db):
    """The job checks again (the API and the command queue jobs without the page's form)."""
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    queue_uploads(
        files=[SimpleUploadedFile("plan.md", GOOD)],
        classification=Classification.CONFIDENTIAL,
        group_names=[],
        acting_user=junior,
    )
    ingest_all()

    job = IngestionJob.objects.get()
    assert job.status == IngestionJob.Status.FAILED
    assert "cleared for internal" in job.error and "ask an admin" in job.error
    assert not Document.objects.exists()


PLAN = "# Heron merger plan\n\nThe acquisition of Heron closes in March at the agreed price.\n"


def stored(document: Document) -> tuple:
    """Everything of a document an upload could change: its row and its chunks."""
    document = Document.objects.get(id=document.id)
    chunks = list(document.chunks.order_by("ordinal").values_list("id", "text"))
    return document.version, document.content_hash, document.classification, document.title, chunks


def titles_found(user, query: str) -> list[str]:
    return [p.title for p in search_passages(get_reader(user), query, k=5).passages]


# Issue 14, finding 9: a name is scoped to the readers who can see it. The old rule refused this upload with
# "a document of that name exists that you may not read", confirming a restricted plan.md to an admin cleared
# for internal. Byte-for-byte the same file must not tell either (it would be "unchanged" or refused).
@pytest.mark.parametrize("content", [GOOD, PLAN.encode()], ids=["other-content", "same-content"])
def test_an_upload_beside_a_document_the_uploader_may_not_read_makes_a_document_of_its_own(
    client, admin, ingest, django_capture_on_commit_callbacks, content
):
    restricted = ingest("plan.md", PLAN, "restricted").document
    before = stored(restricted)
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    client.force_login(junior)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_files(client, [("plan.md", content)])
    ingest_all()

    assert response.status_code == 302
    job = IngestionJob.objects.get()
    assert (job.status, job.error) == (IngestionJob.Status.DONE, "")
    own = job.document
    assert own.id != restricted.id
    assert (own.source_name, own.classification, own.version) == ("plan.md", Classification.INTERNAL, 1)
    assert stored(restricted) == before
    assert "Heron merger plan" in titles_found(admin, "When does the Heron acquisition close?")
    if content == GOOD:
        for page in (client.get("/manage/documents/"), client.get("/manage/library/")):
            assert "Heron" not in page.content.decode() and "acquisition" not in page.content.decode()


def test_a_later_upload_of_the_name_replaces_the_uploaders_own_document_never_the_hidden_one(
    client, admin, ingest, django_capture_on_commit_callbacks
):
    restricted = ingest("plan.md", PLAN, "restricted").document
    before = stored(restricted)
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL)
    client.force_login(junior)
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("plan.md", GOOD)])
    ingest_all()
    with django_capture_on_commit_callbacks(execute=True):
        post_files(client, [("plan.md", GOOD + b"\nA lost badge is reported to security at once.\n")])
    ingest_all()

    first, second = IngestionJob.objects.order_by("id")
    assert second.status == IngestionJob.Status.DONE and second.document_id == first.document_id
    own = Document.objects.get(id=first.document_id)
    assert own.version == 2 and "lost badge" in " ".join(own.chunks.values_list("text", flat=True))
    assert Document.objects.filter(source_name="plan.md").count() == 2
    assert stored(restricted) == before
    assert titles_found(junior, "When does the Heron acquisition close?") == ["Badges"]
    assert "Heron merger plan" in titles_found(admin, "When does the Heron acquisition close?")


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
