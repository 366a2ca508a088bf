"""Re-ingest: a document is chunked and embedded again from the sections kept at ingest, so new
chunking settings or a new embedding model reach documents already in the knowledge base."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from accounts.clearance import Classification
from retrieval.errors import ReingestRefused
from retrieval.models import Chunk, CollectionStats, Document, Posting, Term
from retrieval.selectors import Reader, get_reader, keyword_candidates, search_passages
from retrieval.services import Outcome, reingest_document
from tests.conftest import Ingest
from tests.retrieval.test_search_passages import reference_bm25

HANDBOOK = """---
title: Operations Handbook
---
# Operations Handbook

Read this before your first on-call week. It covers backups, deploys and incidents.

## Backups

Database backups run every night at two. They are kept for thirty days in the vault.
Restores are tested every month by the on-call engineer, e.g. on the first Monday.

- Nightly full backup of every database
- Hourly write-ahead log shipping
  - kept for seven days

### Restore drill

| Step | Owner |
| --- | --- |
| Pick a backup | on-call |
| Restore to staging | on-call |

## Deploys

```
make deploy ENV=production
```

Roll back a bad deploy with the rollback button. Dr. Smith approves emergency deploys!
"""

ROSTER = """Incident roster
===============

The incident commander is chosen from the roster every week and stays on call from Monday morning
until the following Monday morning, handing over in the weekly operations review meeting.

ESCALATION

1. Page the commander.
2. Open the incident channel.
- Write a timeline as you go.

Paging rules
------------

Page at most twice an hour. Quiet hours are respected for low-severity incidents only.
"""


def chunk_rows(document: Document) -> list[tuple[str, str]]:
    return list(document.chunks.order_by("ordinal").values_list("heading_path", "text"))


def index_state() -> tuple[Any, ...]:
    stats = CollectionStats.objects.get(collection="main")
    return (
        list(Chunk.objects.order_by("id").values_list("id", "text", "token_count")),
        Posting.objects.count(),
        sorted(Term.objects.values_list("lexeme", "chunk_frequency")),
        (stats.chunk_count, stats.total_length),
    )


@pytest.mark.parametrize(("name", "content"), [("handbook.md", HANDBOOK), ("roster.txt", ROSTER)])
def test_reingest_gives_the_chunks_of_the_first_ingest(ingest: Ingest, settings: Any, name: str, content: str) -> None:
    # Small chunks, so headings, packing, sentence cuts and overlap all take part.
    settings.CHUNK_MAX_CHARS = 90
    settings.CHUNK_OVERLAP_CHARS = 30
    first = ingest(name, content, "confidential", ["ops"]).document
    before = chunk_rows(first)
    assert len(before) > 4 and len({heading for heading, _ in before}) > 2

    result = reingest_document(document=first)

    document = Document.objects.get()
    assert result.outcome == Outcome.REINGESTED
    assert chunk_rows(document) == before
    assert (document.title, document.content_hash, document.classification) == (
        first.title,
        first.content_hash,
        Classification.CONFIDENTIAL,
    )
    assert list(document.reader_groups.values_list("name", flat=True)) == ["ops"]
    assert document.version == 2


def test_reingest_applies_a_new_chunk_size_and_search_still_finds_the_document(
    ingest: Ingest, settings: Any, admin: Any
) -> None:
    document = ingest("handbook.md", HANDBOOK).document
    assert max(len(t) for _, t in chunk_rows(document)) > 150

    settings.CHUNK_MAX_CHARS = 120
    settings.CHUNK_OVERLAP_CHARS = 20
    reingest_document(document=document)

    texts = [t for _, t in chunk_rows(document)]
    assert len(texts) > 3
    assert all(len(t) <= 120 + 20 for t in texts)
    assert " ".join(texts).count("rollback button") >= 1
    found = search_passages(get_reader(admin), "how do I roll back a bad deploy", k=3).passages
    assert found[0].source_name == "handbook.md"
    assert "rollback button" in found[0].text


def test_bm25_statistics_stay_exact_after_a_reingest(ingest: Ingest, settings: Any) -> None:
    ingest("roster.txt", ROSTER)
    ingest("deploys.md", "# Deploys\n\nRoll back a broken deploy from the deploy dashboard, then page.")
    handbook = ingest("handbook.md", HANDBOOK).document
    settings.CHUNK_MAX_CHARS = 100
    settings.CHUNK_OVERLAP_CHARS = 40

    reingest_document(document=handbook)

    reader = Reader(clearance=Classification.RESTRICTED, group_ids=(), collection="main")
    query = "roll back the deploy dashboard backups page"
    scores = {r.id: r.score for r in keyword_candidates(reader, query, limit=100)}
    expected = {cid: s for cid, s in reference_bm25(query).items() if s > 0}
    assert scores.keys() == expected.keys()
    for chunk_id, score in expected.items():
        assert scores[chunk_id] == pytest.approx(score, rel=1e-9)
    # The stored statistics equal a recount: no chunk of the old version is left in them.
    stats = CollectionStats.objects.get(collection="main")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(token_count) FROM retrieval_chunk")
        assert (stats.chunk_count, stats.total_length) == tuple(cursor.fetchone())
        cursor.execute(
            "SELECT p.lexeme, count(*) FROM retrieval_posting p GROUP BY p.lexeme"
            " EXCEPT SELECT lexeme, chunk_frequency FROM retrieval_term"
        )
        assert cursor.fetchall() == []
    assert Term.objects.count() == Posting.objects.values("lexeme").distinct().count()


def test_a_document_without_sections_is_refused_and_unchanged(ingest: Ingest) -> None:
    document = ingest("handbook.md", HANDBOOK).document
    Document.objects.filter(id=document.id).update(source_sections=[])  # as ingested before re-ingest existed
    before = index_state()

    with pytest.raises(ReingestRefused, match="uploaded before re-ingest was possible: upload the file again"):
        reingest_document(document=document)

    assert index_state() == before
    assert Document.objects.get().version == 1


def test_uploading_the_same_file_again_makes_an_old_document_reingestable(ingest: Ingest) -> None:
    document = ingest("handbook.md", HANDBOOK).document
    Document.objects.filter(id=document.id).update(source_sections=[])

    again = ingest("handbook.md", HANDBOOK)

    assert again.outcome == Outcome.INGESTED
    assert again.document.id == document.id and again.document.source_sections
    assert ingest("handbook.md", HANDBOOK).outcome == Outcome.UNCHANGED
    assert reingest_document(document=again.document).outcome == Outcome.REINGESTED
