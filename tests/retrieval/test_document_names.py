"""Which document an ingest replaces when documents share a name (issue 14, finding 9): a name is scoped to
the readers who can see it. An uploader finds only the documents they may read; a command-line ingest
(no uploader) finds every one; when several are found, the one with the file's classification and groups."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from retrieval.embedders import get_embedder
from retrieval.errors import UploadRefused
from retrieval.models import Document
from retrieval.services import (
    IngestResult,
    Outcome,
    ReadFile,
    ingest_file,
    read_file,
    reclassify_document,
    store_document,
)
from tests.conftest import make_user

PLAN = "# Plan\n\nThe office moves to the fourth floor in May.\n"
NEW_PLAN = "# Plan\n\nThe office moves to the fifth floor in June.\n"
RESTRICTED_PLAN = "# Heron plan\n\nThe acquisition of Heron closes in March.\n"


def upload(name: str, text: str, classification: Classification, user: User | None, groups=()) -> IngestResult:
    return ingest_file(
        filename=name,
        content=text.encode(),
        classification=classification,
        group_names=list(groups),
        uploaded_by=user,
    )


def snapshot(document: Document) -> tuple:
    document = Document.objects.get(id=document.id)
    return document.version, document.content_hash, list(document.chunks.values_list("id", "text"))


@pytest.fixture
def junior(db: None) -> User:
    """An admin cleared for internal, in group engineering."""
    return make_user("jun", Role.ADMIN, Classification.INTERNAL, ["engineering"])


@pytest.fixture
def two_plans(admin: User, junior: User) -> tuple[Document, Document]:
    """plan.md twice: the restricted one of `admin` (who reads both), and the internal one `junior` made
    beside it without seeing it."""
    restricted = upload("plan.md", RESTRICTED_PLAN, Classification.RESTRICTED, admin).document
    internal = upload("plan.md", PLAN, Classification.INTERNAL, junior).document
    return restricted, internal


def test_an_uploader_outside_a_documents_groups_makes_a_document_of_their_own(junior: User) -> None:
    finance = upload("plan.md", PLAN, Classification.INTERNAL, None, ["finance"]).document
    before = snapshot(finance)

    result = upload("plan.md", NEW_PLAN, Classification.INTERNAL, junior)

    assert result.outcome == Outcome.INGESTED and result.document.id != finance.id
    assert snapshot(finance) == before


def test_an_uploader_who_reads_one_of_the_name_replaces_it_whatever_its_class(two_plans, junior: User) -> None:
    restricted, internal = two_plans
    before = snapshot(restricted)

    result = upload("plan.md", NEW_PLAN, Classification.PUBLIC, junior)

    assert result.document.id == internal.id and result.document.version == 2
    assert result.document.classification == Classification.PUBLIC
    assert snapshot(restricted) == before


def test_an_uploader_who_reads_several_replaces_the_one_with_the_files_class_and_groups(two_plans, admin: User) -> None:
    restricted, internal = two_plans

    assert upload("plan.md", NEW_PLAN, Classification.RESTRICTED, admin).document.id == restricted.id
    assert upload("plan.md", NEW_PLAN, Classification.INTERNAL, admin).document.id == internal.id
    assert [d.version for d in Document.objects.order_by("id")] == [2, 2]


def test_an_uploader_who_reads_several_and_none_with_the_files_class_is_told_what_to_do(two_plans, admin: User) -> None:
    before = [snapshot(d) for d in two_plans]

    with pytest.raises(UploadRefused) as refused:
        upload("plan.md", NEW_PLAN, Classification.CONFIDENTIAL, admin)

    assert str(refused.value).startswith(
        "plan.md: 2 documents you may read have this name, none with this classification and these reader groups"
    )
    assert "delete the ones you no longer need from the library" in str(refused.value)
    assert [snapshot(d) for d in two_plans] == before


def test_a_command_line_ingest_replaces_the_one_document_of_the_name(junior: User) -> None:
    mine = upload("plan.md", PLAN, Classification.INTERNAL, junior).document

    result = upload("plan.md", NEW_PLAN, Classification.RESTRICTED, None)

    assert (result.document.id, result.document.version) == (mine.id, 2)


def test_a_command_line_ingest_among_several_replaces_the_one_with_its_class_or_says_how_many(two_plans) -> None:
    restricted, internal = two_plans

    assert upload("plan.md", NEW_PLAN, Classification.INTERNAL, None).document.id == internal.id
    with pytest.raises(UploadRefused) as refused:
        upload("plan.md", NEW_PLAN, Classification.CONFIDENTIAL, None)
    assert str(refused.value).startswith("plan.md: 2 documents in the knowledge base have this name, none with")
    assert snapshot(restricted)[0] == 1


def test_a_reclassification_of_a_document_the_uploader_may_no_longer_read_is_refused_without_naming_it(
    junior: User,
) -> None:
    # The uploader found it readable, then it was reclassified above them before their change committed.
    document = upload("plan.md", PLAN, Classification.RESTRICTED, None).document

    with pytest.raises(UploadRefused) as refused:
        reclassify_document(
            document_id=document.id, classification=Classification.PUBLIC, group_names=[], uploaded_by=junior
        )

    assert str(refused.value) == "the document changed while this ran (it was reclassified or deleted); try again"
    assert Document.objects.get(id=document.id).classification == Classification.RESTRICTED


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_new_name_by_one_reader_at_once_make_one_document() -> None:
    junior = make_user("jun", Role.ADMIN, Classification.INTERNAL, ["engineering"])
    # Both uploads are read before either is stored: each found no plan.md, as concurrent uploads would.
    reads = [
        read_file(filename="plan.md", content=PLAN.encode(), classification=Classification.INTERNAL,
                  group_names=[], uploaded_by=junior)
        for _ in range(2)
    ]  # fmt: skip
    assert all(isinstance(read, ReadFile) for read in reads)
    vectors = get_embedder().embed_batch([c.index_text for c in reads[0].chunks])
    start = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def store(read: ReadFile) -> None:
        try:
            start.wait()
            result = store_document(
                collection="main", source_name=read.source_name, title=read.title, digest=read.digest,
                media_type=read.media_type, classification=Classification.INTERNAL, group_names=[],
                uploaded_by=junior, sections=read.sections, chunks=read.chunks, vectors=vectors,
            )  # fmt: skip
            outcomes.append(result.outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=store, args=(read,)) for read in reads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.value for o in outcomes) == ["ingested", "unchanged"]
    assert Document.objects.filter(source_name="plan.md").count() == 1
