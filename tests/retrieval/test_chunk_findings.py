"""Chunks are inspected once, at ingestion: their findings are stored with the inspector's version,
carried by retrieval to the gate, and refreshed by `reinspect_chunks` when the inspector changes."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from inspection import inspect_text
from inspection.stored import findings_to_json, inspector_version
from retrieval.models import Chunk, Document
from retrieval.selectors import get_reader, search_passages
from retrieval.services import reingest_document, reinspect_chunks
from tests.conftest import Ingest

SUPPORT = """# Support desk

Escalations go to Dana Cho (dana.cho@quillfern.example, +1 415 555 0134) in the Lisbon office.

## Refunds

A refund for card 4111 1111 1111 1111 goes back to IBAN GB82 WEST 1234 5698 7654 32 within five days.
The payments duty lead approves refunds; tickets never carry card numbers.
"""


def stored(document: Document) -> list[tuple[str, Any, str]]:
    return list(document.chunks.order_by("ordinal").values_list("text", "findings", "findings_version"))


def test_ingest_stores_what_live_inspection_finds_with_the_inspectors_version(ingest: Ingest, settings: Any) -> None:
    settings.CHUNK_MAX_CHARS = 160
    settings.CHUNK_OVERLAP_CHARS = 20

    document = ingest("support.md", SUPPORT).document

    rows = stored(document)
    assert len(rows) > 1
    for text, findings, version in rows:
        assert version == inspector_version()
        assert findings == findings_to_json(inspect_text(text))
    kinds = {f[0] for _, findings, _ in rows for f in findings}
    assert {"email", "phone", "payment_card", "iban"} <= kinds


def test_reingest_inspects_the_new_chunks(ingest: Ingest, settings: Any) -> None:
    document = ingest("support.md", SUPPORT).document
    settings.CHUNK_MAX_CHARS = 120
    settings.CHUNK_OVERLAP_CHARS = 10

    reingest_document(document=document)

    rows = stored(Document.objects.get())
    assert len(rows) > 2
    assert all(f == findings_to_json(inspect_text(t)) and v == inspector_version() for t, f, v in rows)


def test_search_hands_the_stored_findings_to_whoever_asks(ingest: Ingest, admin: Any) -> None:
    ingest("support.md", SUPPORT)

    found = search_passages(get_reader(admin), "who approves refunds for a card", k=3).passages

    assert found
    for passage in found:
        assert passage.findings_version == inspector_version()
        assert [list(f) for f in passage.findings] == findings_to_json(inspect_text(passage.text))
    assert any(passage.findings for passage in found)


def test_reinspect_refreshes_chunks_of_another_inspector_version_only(ingest: Ingest) -> None:
    document = ingest("support.md", SUPPORT).document
    ingest("other.md", "# Other\n\nNothing personal here, only the deploy dashboard.")
    stale = document.chunks.order_by("ordinal").first()
    assert stale is not None
    Chunk.objects.filter(id=stale.id).update(findings=[], findings_version="an older inspector")
    Chunk.objects.filter(document__source_name="other.md").update(findings=[], findings_version="")

    count = reinspect_chunks(batch_size=1)

    assert count == 2
    for chunk in Chunk.objects.all():
        assert chunk.findings_version == inspector_version()
        assert chunk.findings == findings_to_json(inspect_text(chunk.text))
    assert Chunk.objects.get(id=stale.id).findings  # the e-mail and phone are back
    assert reinspect_chunks() == 0


def test_the_reinspect_command_reports_how_many_it_refreshed(ingest: Ingest) -> None:
    ingest("support.md", SUPPORT)
    Chunk.objects.update(findings_version="")
    out = StringIO()

    call_command("reinspect_chunks", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report == {"reinspected": Chunk.objects.count(), "inspector_version": inspector_version()}
    assert not Chunk.objects.exclude(findings_version=inspector_version()).exists()
