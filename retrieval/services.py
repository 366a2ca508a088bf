"""Writes on the knowledge base: ingest (parse, chunk, embed, inspect, store), re-ingest and delete documents."""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from accounts.clearance import Classification
from accounts.models import User
from inspection import inspect_text
from inspection.injection import InjectionVerdict, inspect_cues, inspect_injection, with_classifier
from inspection.stored import findings_to_json, inspector_version
from retrieval import bm25
from retrieval.chunking import chunk_sections
from retrieval.embedders import get_embedder
from retrieval.errors import ReingestRefused, UploadRefused
from retrieval.injection import classifier_applies
from retrieval.models import MAIN_COLLECTION, Chunk, Document, vector_literal
from retrieval.parsing import Section, parse_document
from retrieval.selectors import get_reader, readable_document_ids, readable_documents

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    INGESTED = "ingested"
    RECLASSIFIED = "reclassified"  # same content, new classification or reader groups
    UNCHANGED = "unchanged"
    REINGESTED = "reingested"  # same source, chunked and embedded again with the current settings


def check_may_label(*, name: str, classification: Classification, user: User, verb: str = "upload") -> None:
    """The upload rule: nobody labels a document above their own clearance, whether uploading it or
    reclassifying it. Raises UploadRefused naming the document `name` and what to do."""
    if classification > user.clearance:
        raise UploadRefused(
            f"{name}: you are cleared for {Classification(user.clearance).label} documents and cannot "
            f"{verb} one as {classification.label}; ask an admin with that clearance"
        )


@dataclass(frozen=True)
class PreparedChunk:
    heading_path: str
    text: str
    # What is embedded and indexed: the passage in its context (title, headings).
    index_text: str
    # What inspection found in `text` ([kind, start, end, confidence, detector] rows) and the inspector
    # version that found it; "" when not inspected (the gate then inspects the passage when it is used).
    findings: tuple[tuple[Any, ...], ...] = ()
    findings_version: str = ""
    # The injection cues' verdict on `text`, to which storing adds the classifier's view of the chunk's vector
    # (None: not scored; the gate then scores the passage live).
    injection: InjectionVerdict | None = None


@dataclass(frozen=True)
class IngestResult:
    document: Document
    outcome: Outcome


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def prepare_chunks(*, title: str, sections: Sequence[Section]) -> list[PreparedChunk]:
    """Split sections into passages and give each the text it is embedded and indexed by."""
    drafts = chunk_sections(sections, max_chars=settings.CHUNK_MAX_CHARS, overlap_chars=settings.CHUNK_OVERLAP_CHARS)
    prepared = []
    for draft in drafts:
        heading = " > ".join(draft.heading_path)
        context = "\n".join(part for part in (title, heading) if part)
        prepared.append(PreparedChunk(heading_path=heading, text=draft.text, index_text=f"{context}\n{draft.text}"))
    return prepared


def inspect_chunks(chunks: Sequence[PreparedChunk]) -> list[PreparedChunk]:
    """The chunks with what inspection finds in their text (custom patterns aside: they change with the
    policy), so the gate need not inspect them again on every question."""
    version = inspector_version()
    return [
        replace(
            chunk,
            findings=tuple(map(tuple, findings_to_json(inspect_text(chunk.text)))),
            findings_version=version,
            injection=inspect_cues(chunk.text),
        )
        for chunk in chunks
    ]


@dataclass(frozen=True)
class ReadFile:
    """A file parsed, chunked and inspected, waiting for its vectors and its transaction."""

    source_name: str
    digest: str
    title: str
    media_type: str
    sections: list[Section]
    chunks: list[PreparedChunk]


@dataclass(frozen=True)
class FileToIngest:
    """A file with what it is to be stored as: ingest_file's arguments."""

    filename: str
    content: bytes
    classification: Classification
    group_names: Sequence[str]
    uploaded_by: User | None = None
    collection: str = MAIN_COLLECTION


def read_file(
    *,
    filename: str,
    content: bytes,
    classification: Classification,
    group_names: Sequence[str],
    uploaded_by: User | None = None,
    collection: str = MAIN_COLLECTION,
) -> ReadFile | IngestResult:
    """Everything of ingesting `filename` that needs neither the model nor a transaction: the upload
    rules, parsing, chunking and inspection. Returns the result at once when the content is unchanged
    (a reclassification at most). Raises ParseError or UploadRefused, saying why."""
    file = FileToIngest(filename, content, classification, group_names, uploaded_by, collection)
    return check_file(file) or read_content(filename=filename, content=content)


def check_file(file: FileToIngest) -> IngestResult | None:
    """The part of read_file that reads the database: the upload rules, and the result at once when the
    content is unchanged (a reclassification at most); None when the file is to be read. Raises
    UploadRefused, saying why."""
    if file.uploaded_by is not None:
        check_may_label(name=file.filename, classification=file.classification, user=file.uploaded_by, verb="upload")
    existing = _document_to_replace(
        _documents_named(collection=file.collection, source_name=file.filename, uploaded_by=file.uploaded_by),
        name=file.filename,
        classification=file.classification,
        group_names=file.group_names,
        uploaded_by=file.uploaded_by,
    )
    # A document stored before its sections were kept is ingested again, so it can be re-ingested later.
    if existing is not None and existing.content_hash == content_hash(file.content) and existing.source_sections:
        return reclassify_document(
            document_id=existing.id,
            classification=file.classification,
            group_names=file.group_names,
            uploaded_by=file.uploaded_by,
        )
    return None


def read_content(*, filename: str, content: bytes) -> ReadFile:
    """The part of read_file that touches neither the database nor the model (so it may run in a thread of
    its own): parse, chunk, inspect. Raises ParseError, saying why."""
    parsed = parse_document(filename, content)
    stem = PurePath(filename).stem
    title = parsed.title or stem.replace("-", " ").replace("_", " ").strip() or filename
    chunks = inspect_chunks(prepare_chunks(title=title, sections=parsed.sections))
    return ReadFile(filename, content_hash(content), title, parsed.media_type, list(parsed.sections), chunks)


def ingest_file(
    *,
    filename: str,
    content: bytes,
    classification: Classification,
    group_names: Sequence[str],
    uploaded_by: User | None = None,
    collection: str = MAIN_COLLECTION,
) -> IngestResult:
    """Ingest one file as the document named `filename`, in one transaction.

    `filename` names the document among those `uploaded_by` may read (every document, for a
    command-line ingest: uploaded_by None); see _document_to_replace for which one it replaces.
    The same name with the same content again is a no-op; new content replaces the previous
    version atomically (readers see either the old or the new one, whole); a name the uploader
    sees on no document makes a new one, whatever documents they may not read are called.
    Raises retrieval.parsing.ParseError, saying why, when the file cannot be read, and
    UploadRefused when the uploader may not label it so or the document to replace is unclear;
    nothing is stored then.
    """
    file = FileToIngest(filename, content, classification, group_names, uploaded_by, collection)
    read = check_file(file) or read_content(filename=filename, content=content)
    if isinstance(read, IngestResult):
        return read
    # Embedding is the slow part: it runs before the transaction opens.
    return store_read(read, get_embedder().embed_batch([c.index_text for c in read.chunks]), file)


def store_read(read: ReadFile, vectors: Sequence[Sequence[float]], file: FileToIngest) -> IngestResult:
    """Store `file`, as read_file read it, with its chunks' vectors, in one transaction (store_document).
    Raises UploadRefused as store_document does."""
    return store_document(
        collection=file.collection,
        source_name=read.source_name,
        title=read.title,
        digest=read.digest,
        media_type=read.media_type,
        classification=file.classification,
        group_names=file.group_names,
        uploaded_by=file.uploaded_by,
        sections=read.sections,
        chunks=read.chunks,
        vectors=vectors,
    )


@transaction.atomic
def store_document(
    *,
    collection: str,
    source_name: str,
    title: str,
    digest: str,
    media_type: str,
    classification: Classification,
    group_names: Sequence[str],
    uploaded_by: User | None,
    sections: Sequence[Section],
    chunks: Sequence[PreparedChunk],
    vectors: Sequence[Sequence[float]],
) -> IngestResult:
    """Create or replace a document with its embedded chunks and their BM25 postings: the document
    named `source_name` that _document_to_replace chooses among those `uploaded_by` may read, or a
    new one when they may read none of that name.

    `sections` are what `chunks` were cut from; they are kept so the document can be re-ingested.
    Raises UploadRefused when the document to replace is unclear or changed meanwhile.
    """
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    # Every write of the collection waits here, so the look-up below sees every document committed
    # before it: two uploads of one new name by one reader make one document, the second finding the
    # first (without a unique constraint, nothing else would stop a second). The lock is the
    # collection's, not the name's, so waiting on it tells nobody what is being uploaded.
    bm25.lock_collection(collection)
    document = _document_to_replace(
        _documents_named(collection=collection, source_name=source_name, uploaded_by=uploaded_by).select_for_update(),
        name=source_name,
        classification=classification,
        group_names=group_names,
        uploaded_by=uploaded_by,
    )
    if document is not None:
        document = _still_readable(document, uploaded_by)
    if document is not None and document.content_hash == digest and document.source_sections:
        return IngestResult(document=document, outcome=Outcome.UNCHANGED)  # a concurrent upload won
    if document is None:
        document = Document(collection=collection, source_name=source_name, version=1)
    else:
        _remove_chunks(document)
        document.version += 1
    document.title = title[:500]
    document.content_hash = digest
    document.media_type = media_type
    document.classification = classification
    document.uploaded_by = uploaded_by
    document.source_sections = sections_to_json(sections)
    document.save()
    document.reader_groups.set([Group.objects.get_or_create(name=name)[0] for name in group_names])
    _add_chunks(document, chunks, vectors)
    return IngestResult(document=document, outcome=Outcome.INGESTED)


def reingest_document(*, document: Document) -> IngestResult:
    """Chunk and embed `document` again from its stored sections, with the current CHUNK_* settings
    and embedder, and swap its chunks and BM25 postings for the new ones in one transaction.

    Classification, reader groups, title and content hash stay; the version goes up by one, as
    for any replacement of the chunks (citations name a version). The caller checks that the
    acting user may read the document. Raises ReingestRefused when the document has no stored
    sections (ingested before they were kept), or was replaced or deleted while this ran.
    """
    stored = Document.objects.filter(id=document.id).values_list("title", "content_hash", "source_sections").first()
    if stored is None:
        raise ReingestRefused(f"{document.source_name}: the document was deleted")
    title, digest, source = stored
    if not source:
        raise ReingestRefused(
            f"{document.source_name}: uploaded before re-ingest was possible: upload the file again "
            "(the same name, classification and reader groups replace it), then it can be re-ingested"
        )
    # Embedding and inspection are the slow parts: they run before the transaction opens, as in ingest_file.
    chunks = inspect_chunks(prepare_chunks(title=title, sections=sections_from_json(source)))
    vectors = get_embedder().embed_batch([c.index_text for c in chunks])
    with transaction.atomic():
        bm25.lock_collection(document.collection)
        current = Document.objects.select_for_update().filter(id=document.id).first()
        if current is None or current.content_hash != digest:
            raise ReingestRefused(f"{document.source_name}: the document was replaced or deleted meanwhile; try again")
        _remove_chunks(current)
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        _add_chunks(current, chunks, vectors)
    return IngestResult(document=current, outcome=Outcome.REINGESTED)


def reinspect_chunks(*, batch_size: int = 200, limit: int | None = None) -> int:
    """Inspect again every chunk whose stored findings are not the running inspector's (never inspected,
    or inspected before the inspection code, libphonenumber or the NER model changed); returns how many.

    Until this runs the gate inspects such passages live, so it is about speed, never about what is
    redacted. Works in batches by id: each batch is read, inspected outside any transaction and written
    back by id. Chunk text never changes in place (a new version replaces the rows), so a chunk replaced
    meanwhile is simply gone and its update touches nothing. `limit`: stop after about that many (the
    periodic job's bound per run).
    """
    version = inspector_version()
    applies = classifier_applies()
    done, after = 0, 0
    while True:
        batch = list(
            Chunk.objects.filter(id__gt=after)
            .filter(~Q(findings_version=version) | Q(injection_score__isnull=True))
            .order_by("id")
            .values_list("id", "text", "embedding")[: batch_size if limit is None else min(batch_size, limit - done)]
        )
        if not batch:
            return done
        rows = []
        for chunk_id, text, vector in batch:
            # Scored with the stored vector, as at ingestion.
            verdict = inspect_injection(text, vector if applies else None)
            findings = json.dumps(findings_to_json(inspect_text(text)))
            rows.append((findings, version, verdict.score, json.dumps(list(verdict.cues)), chunk_id))
        with connection.cursor() as cursor:
            # An admin's clearing of a false alarm stays: it is about the text, which never changes in place.
            cursor.executemany(
                "UPDATE retrieval_chunk SET findings = %s::jsonb, findings_version = %s, injection_score = %s, "
                "injection_cues = %s::jsonb WHERE id = %s",
                rows,
            )
        done += len(rows)
        after = batch[-1][0]
        if limit is not None and done >= limit:
            return done


def sections_to_json(sections: Sequence[Section]) -> list[dict[str, Any]]:
    """Sections as stored in Document.source_sections."""
    return [{"heading_path": list(s.heading_path), "text": s.text} for s in sections]


def sections_from_json(stored: Sequence[dict[str, Any]]) -> list[Section]:
    """Sections back from Document.source_sections, equal to those that were stored."""
    return [Section(heading_path=tuple(s["heading_path"]), text=s["text"]) for s in stored]


@transaction.atomic
def reclassify_document(
    *, document_id: int, classification: Classification, group_names: Sequence[str], uploaded_by: User | None
) -> IngestResult:
    """Give a document a new classification and reader groups, if they differ; access changes at commit.
    Raises UploadRefused when `uploaded_by` may no longer read it, or it was deleted."""
    document = _still_readable(Document.objects.select_for_update().filter(id=document_id).first(), uploaded_by)
    groups = sorted(set(group_names))
    current = sorted(document.reader_groups.values_list("name", flat=True))
    if document.classification == classification and current == groups:
        return IngestResult(document=document, outcome=Outcome.UNCHANGED)
    document.classification = classification
    document.version += 1
    document.save(update_fields=["classification", "version", "updated_at"])
    document.reader_groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    return IngestResult(document=document, outcome=Outcome.RECLASSIFIED)


def _documents_named(*, collection: str, source_name: str, uploaded_by: User | None) -> QuerySet[Document]:
    """The documents named `source_name` that an upload by `uploaded_by` may replace.

    A name is scoped to the readers who can see it (issue 14, finding 9): an uploader finds only the
    documents they may read, by the access rule of search in the query itself, so one they may not read
    is never found, never touched and never mentioned, and costs no work of its own. A command-line
    ingest (uploaded_by None) sees every document of the collection.
    """
    if uploaded_by is None:
        return Document.objects.filter(collection=collection, source_name=source_name)
    return readable_documents(get_reader(uploaded_by, collection=collection)).filter(source_name=source_name)


def _document_to_replace(
    documents: QuerySet[Document],
    *,
    name: str,
    classification: Classification,
    group_names: Sequence[str],
    uploaded_by: User | None,
) -> Document | None:
    """Which of `documents` (those named `name` that the uploader may read) an upload replaces: none
    when there is none; the one when there is one; when there are several, the one with the upload's own
    classification and reader groups. Raises UploadRefused, saying how many there are and what to do,
    when several are left with no such one or more than one."""
    found = list(documents.order_by("id"))
    if len(found) <= 1:
        return found[0] if found else None
    groups = sorted(set(group_names))
    same_access = [
        d
        for d in found
        if d.classification == classification and sorted(d.reader_groups.values_list("name", flat=True)) == groups
    ]
    if len(same_access) == 1:
        return same_access[0]
    # Only documents the uploader may read are counted, so the number tells them nothing new.
    who = "you may read" if uploaded_by is not None else "in the knowledge base"
    raise UploadRefused(
        f"{name}: {len(found)} documents {who} have this name, {len(same_access) or 'none'} with this "
        "classification and these reader groups, so it is unclear which one to replace; give the file the "
        "classification and reader groups of the one it replaces, delete the ones you no longer need from "
        "the library, or rename the file"
    )


def _still_readable(document: Document | None, uploaded_by: User | None) -> Document:
    """The document the uploader found, unless it is gone or they may no longer read it: deleted or
    reclassified since (command-line ingests may change any); raises UploadRefused then. The caller holds
    its row lock, so access stays as read here until the change commits. One message for both: the
    uploader saw the document, and learns no more than that it changed."""
    if document is not None and (
        uploaded_by is None
        or readable_document_ids(get_reader(uploaded_by, collection=document.collection), [document.id])
    ):
        return document
    raise UploadRefused("the document changed while this ran (it was reclassified or deleted); try again")


def _remove_chunks(document: Document) -> None:
    """Take a document's chunks out of the index and delete them; the caller holds the collection lock."""
    bm25.remove_postings(collection=document.collection, document_id=document.id)
    document.chunks.all().delete()


def _add_chunks(document: Document, chunks: Sequence[PreparedChunk], vectors: Sequence[Sequence[float]]) -> None:
    """Store a saved document's new chunks and index them; the caller holds the collection lock."""
    _insert_chunks(document.id, chunks, vectors)
    bm25.add_postings(collection=document.collection, document_ids=[document.id])


def _insert_chunks(document_id: int, chunks: Sequence[PreparedChunk], vectors: Sequence[Sequence[float]]) -> None:
    # The injection classifier reads the vector just computed for search (retrieval.injection).
    applies = classifier_applies()
    rows = []
    for ordinal, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True)):
        injection = chunk.injection
        if injection is not None:  # the sentence head reads words only: it applies whatever the embedder
            injection = with_classifier(chunk.text, injection, vector if applies else None)
        rows.append(
            (
                document_id,
                ordinal,
                chunk.heading_path[:1000],
                chunk.text,
                vector_literal(vector),
                chunk.index_text,
                json.dumps(chunk.findings),
                chunk.findings_version,
                injection.score if injection else None,
                json.dumps(list(injection.cues) if injection else []),
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"""
            INSERT INTO retrieval_chunk
                (document_id, ordinal, heading_path, text, embedding, search_vector, token_count,
                 findings, findings_version, injection_score, injection_cues)
            VALUES (%s, %s, %s, %s, %s::vector, to_tsvector('{bm25.TEXT_SEARCH_CONFIG}', %s), 0, %s::jsonb, %s,
                    %s, %s::jsonb)
            """,
            rows,
        )


@transaction.atomic
def delete_document(*, document: Document) -> None:
    """Delete a document; its passages leave search in the same transaction."""
    bm25.lock_collection(document.collection)
    bm25.remove_postings(collection=document.collection, document_id=document.id)
    document.delete()


@transaction.atomic
def drop_collection(collection: str) -> None:
    """Delete every document of a (throwaway) collection and its index."""
    if collection == MAIN_COLLECTION:
        raise ValueError("the main collection is never dropped wholesale")
    bm25.drop_collection_index(collection)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM retrieval_chunk WHERE document_id IN"
            " (SELECT id FROM retrieval_document WHERE collection = %s)",
            [collection],
        )
        cursor.execute(
            "DELETE FROM retrieval_document_reader_groups WHERE document_id IN"
            " (SELECT id FROM retrieval_document WHERE collection = %s)",
            [collection],
        )
        cursor.execute("DELETE FROM retrieval_document WHERE collection = %s", [collection])
