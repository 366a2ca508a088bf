from __future__ import annotations

import pytest
from django.db import connection

from retrieval.models import Chunk, CollectionStats, Document, Posting, Term
from retrieval.parsing import ParseError
from retrieval.services import Outcome, delete_document

ROTATION = """---
title: Credential Rotation
---
# Credential Rotation

## Database passwords
Rotate database passwords every ninety days through the vault console.

## API tokens
API tokens expire after thirty days and are renewed by the deploy pipeline.
"""


def index_counts() -> tuple[int, int, int]:
    return Chunk.objects.count(), Posting.objects.count(), Term.objects.count()


def test_a_document_is_stored_with_title_chunks_and_postings(ingest):
    result = ingest("rotation.md", ROTATION, "confidential", ["security"])

    document = result.document
    assert result.outcome == Outcome.INGESTED
    assert document.title == "Credential Rotation"
    assert document.classification_label == "confidential"
    assert list(document.reader_groups.values_list("name", flat=True)) == ["security"]
    chunks = list(document.chunks.order_by("ordinal"))
    assert [c.heading_path for c in chunks] == [
        "Credential Rotation > Database passwords",
        "Credential Rotation > API tokens",
    ]
    assert all(len(c.embedding) == 384 for c in chunks)
    stats = CollectionStats.objects.get(collection="main")
    assert stats.chunk_count == 2
    assert stats.total_length == sum(c.token_count for c in chunks) > 0


def test_the_same_content_again_is_a_no_op(ingest):
    first = ingest("rotation.md", ROTATION)
    counts = index_counts()

    again = ingest("rotation.md", ROTATION)

    assert again.outcome == Outcome.UNCHANGED
    assert again.document.id == first.document.id
    assert again.document.version == 1
    assert index_counts() == counts


def test_changed_content_replaces_the_previous_version(ingest):
    ingest("rotation.md", ROTATION)

    result = ingest("rotation.md", ROTATION.replace("ninety days", "sixty days"))

    assert result.outcome == Outcome.INGESTED
    assert result.document.version == 2
    assert Document.objects.count() == 1
    texts = " ".join(result.document.chunks.values_list("text", flat=True))
    assert "sixty days" in texts and "ninety" not in texts
    # The old chunks left the BM25 index with their document frequencies.
    assert not Term.objects.filter(lexeme="nineti").exists()
    assert Term.objects.get(lexeme="sixti").chunk_frequency == 1
    assert CollectionStats.objects.get(collection="main").chunk_count == 2


def test_a_file_that_cannot_be_parsed_stores_nothing(ingest):
    with pytest.raises(ParseError, match="empty"):
        ingest("empty.md", "")
    with pytest.raises(ParseError):
        ingest("broken.pdf", b"%PDF-1.7\n this is not really a PDF")

    assert Document.objects.count() == 0
    assert index_counts() == (0, 0, 0)


def test_a_failed_replacement_keeps_the_previous_version(ingest):
    ingest("runbook.md", ROTATION)

    with pytest.raises(ParseError):
        ingest("runbook.md", b"\x00\x01\x02 binary garbage")

    document = Document.objects.get()
    assert document.version == 1
    assert document.chunks.count() == 2


def test_deleting_a_document_removes_it_from_the_index(ingest):
    keep = ingest("keep.md", "# Keep\n\nBadge photos are retaken every five years.")
    gone = ingest("gone.md", ROTATION)

    delete_document(document=gone.document)

    assert list(Document.objects.all()) == [keep.document]
    assert set(Posting.objects.values_list("chunk_id", flat=True)) == {c.id for c in keep.document.chunks.all()}
    assert not Term.objects.filter(lexeme="rotat").exists()
    stats = CollectionStats.objects.get(collection="main")
    assert stats.chunk_count == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(token_count) FROM retrieval_chunk")
        assert stats.total_length == cursor.fetchone()[0]


def test_the_file_name_is_the_title_when_the_document_has_none(ingest):
    # A first line this long is prose, not a title.
    result = ingest("vpn-setup_guide.txt", "connect to the vpn with the client and your badge pin " * 3)

    assert result.document.title == "vpn setup guide"


def test_a_failure_while_storing_leaves_nothing_half_stored(ingest):
    from django.db import DataError

    from accounts.clearance import Classification
    from retrieval.services import PreparedChunk, store_document

    ingest("rotation.md", ROTATION)
    before = index_counts()
    chunks = [PreparedChunk(heading_path="", text=t, index_text=t) for t in ("first passage", "second passage")]

    # The second vector has the wrong dimension: PostgreSQL rejects it after the
    # document row and the first chunk were written in the same transaction.
    with pytest.raises(DataError):
        store_document(
            collection="main",
            source_name="rotation.md",
            title="Replacement",
            digest="new-content",
            media_type="text/markdown",
            classification=Classification.INTERNAL,
            group_names=[],
            uploaded_by=None,
            sections=[],
            chunks=chunks,
            vectors=[[0.1] * 384, [0.1] * 3],
        )

    document = Document.objects.get()
    assert (document.title, document.version) == ("Credential Rotation", 1)
    assert index_counts() == before
