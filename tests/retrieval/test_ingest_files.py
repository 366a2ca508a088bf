"""ingest_files: many files, their chunks embedded together, each document stored on its own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from accounts.clearance import Classification
from retrieval import embedders
from retrieval.embedders import get_embedder
from retrieval.models import Chunk, Document
from retrieval.parsing import ParseError
from retrieval.pipeline import READ_AHEAD_FILES, ingest_files, ingest_stream
from retrieval.services import FileToIngest, IngestResult, Outcome
from tests.fakes.embedder import ScriptedEmbedder

FILES = [
    ("kettle.md", b"# Kettle\n\nDescale the office kettle every Friday with citric acid."),
    ("broken.pdf", b"%PDF-1.7 this is not really a PDF"),
    (
        "bikes.md",
        b"# Bikes\n\n## Parking\n\nBicycles go in the basement rack behind the loading dock.\n\n"
        b"## Insurance\n\nThe company policy covers theft of staff bicycles up to five hundred euros.",
    ),
]


def test_every_readable_file_goes_in_and_a_broken_one_reports_its_error(db):
    results = ingest_files(FILES, classification=Classification.INTERNAL, group_names=["facilities"])

    assert [type(r).__name__ for r in results] == ["IngestResult", "ParseError", "IngestResult"]
    assert isinstance(results[1], ParseError) and "not a valid PDF" in str(results[1])
    assert {r.outcome for r in results if not isinstance(r, Exception)} == {Outcome.INGESTED}
    assert set(Document.objects.values_list("source_name", flat=True)) == {"kettle.md", "bikes.md"}
    assert all(d.reader_groups.get().name == "facilities" for d in Document.objects.all())


def test_each_chunk_gets_its_own_vector_though_they_were_embedded_together(db):
    ingest_files(FILES, classification=Classification.INTERNAL, group_names=[])

    chunks = list(Chunk.objects.order_by("document__source_name", "ordinal"))
    assert len(chunks) >= 3  # bikes.md has two sections
    stored = np.array([np.array(c.embedding) for c in chunks])
    alone = np.array(get_embedder().embed_batch([c.text for c in chunks]))
    # Every chunk's stored vector is nearest to its own text: no vector went to another chunk.
    assert list((alone @ stored.T).argmax(axis=1)) == list(range(len(chunks)))


def test_the_same_files_again_are_unchanged(db):
    ingest_files(FILES, classification=Classification.INTERNAL, group_names=[])

    again = ingest_files(FILES, classification=Classification.INTERNAL, group_names=[])

    assert [r.outcome for r in again if not isinstance(r, Exception)] == [Outcome.UNCHANGED, Outcome.UNCHANGED]


def test_files_are_drawn_only_as_far_as_the_reading_runs_ahead_and_closing_stops_it(db):
    drawn: list[int] = []

    def notes() -> Iterator[tuple[int, FileToIngest]]:
        for n in range(3 * READ_AHEAD_FILES):
            drawn.append(n)
            yield n, FileToIngest(f"note-{n}.md", f"# Note {n}\n\nNote number {n}.".encode(), Classification.PUBLIC, [])

    stream = ingest_stream(notes())
    key, result = next(stream)
    stream.close()

    assert key == 0 and isinstance(result, IngestResult) and result.document.source_name == "note-0.md"
    # Read ahead of the first batch, and again while the model embeds it: never the whole folder.
    assert len(drawn) <= 2 * READ_AHEAD_FILES
    assert list(Document.objects.values_list("source_name", flat=True)) == ["note-0.md"]


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedEmbedder:
    """The process's embedder, watched: the real model behind a ScriptedEmbedder."""
    fake = ScriptedEmbedder(get_embedder())
    monkeypatch.setattr(embedders, "_embedder", fake)
    return fake


def test_the_model_embeds_the_next_files_while_the_ones_before_are_stored(db, scripted: ScriptedEmbedder) -> None:
    scripted.texts_per_call = 1  # a file per call
    scripted.first_call_delay_s = 0.5  # the other files are read meanwhile
    files = [(n, FileToIngest(n, content, Classification.PUBLIC, [])) for n, content in FILES if n != "broken.pdf"]

    stream = ingest_stream(files)
    key, result = next(stream)

    # The first file is stored and handed over; the model went on to the next file without waiting for that.
    assert key == "kettle.md" and isinstance(result, IngestResult)
    deadline = time.monotonic() + 10
    while len(scripted.calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(scripted.calls) == 2 and "Bicycles" in scripted.calls[1][0]
    assert [k for k, _ in stream] == ["bikes.md"]
