"""Documents, their chunks, and the BM25 postings that make keyword search rank like BM25."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast
from pgvector.django import HnswIndex, VectorField

from accounts.clearance import Classification
from retrieval.bm25_params import IMPACT_REFERENCE_LENGTH, K1, B

EMBEDDING_DIMENSIONS = 384
MAIN_COLLECTION = "main"


class Document(models.Model):
    """One source file, in its latest successfully ingested version.

    `collection` separates what users search ("main") from throwaway evaluation
    corpora, which no user ever sees. `source_name` is the file's name; documents
    that different readers see may share one (see Meta).
    """

    collection = models.CharField(max_length=64, default=MAIN_COLLECTION)
    title = models.CharField(max_length=500)
    source_name = models.CharField(max_length=500)
    content_hash = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    reader_groups = models.ManyToManyField(Group, blank=True, related_name="readable_documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    version = models.PositiveIntegerField(default=1)
    # The parsed sections chunking received ([{"heading_path": [...], "text": ...}]), so the
    # document can be chunked and embedded again without its file; empty for documents
    # ingested before they were kept.
    source_sections = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # A name is not unique: it is scoped to the readers who can see it (issue 14, finding 9). An upload
        # replaces only a document of its name that the uploader may read, so two documents may share a
        # name when their readers differ; retrieval.services.store_document serialises the look-up and
        # the write under the collection's lock, so one reader's concurrent uploads still make one document.
        indexes = [
            models.Index(fields=["collection", "classification"], name="document_access"),
            models.Index(fields=["collection", "source_name"], name="document_source"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def classification_label(self) -> str:
        return Classification(self.classification).label

    @property
    def can_reingest(self) -> bool:
        return bool(self.source_sections)


class Chunk(models.Model):
    """A passage of a document: the unit that is embedded, ranked and cited."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    ordinal = models.PositiveIntegerField()
    heading_path = models.CharField(max_length=1000, blank=True)
    text = models.TextField()
    embedding = VectorField(dimensions=EMBEDDING_DIMENSIONS)
    search_vector = SearchVectorField()
    # Number of indexed lexeme occurrences: the document length of BM25.
    token_count = models.PositiveIntegerField(default=0)
    # What inspection found in `text` at ingestion ([kind, start, end, confidence, detector] rows, custom
    # patterns left out) and the inspector version that found it (inspection.stored): the gate
    # redacts with them while that version is current, else inspects the passage again. "" = never inspected.
    # The database defaults let bulk loads that write raw SQL leave them out.
    findings = models.JSONField(default=list, db_default=Value([], output_field=models.JSONField()), blank=True)
    findings_version = models.CharField(max_length=200, blank=True, default="", db_default="")
    # The injection detector's score for `text` (inspection.injection, 0..1; NULL = not scored yet: the gate
    # scores the passage live) and the cues behind it, set with the findings. A passage at or above the
    # policy's threshold is handled as the policy says (routing.screening) until an admin clears it as a
    # false alarm: who cleared it ("" = nobody) and when.
    injection_score = models.FloatField(null=True, blank=True)
    injection_cues = models.JSONField(default=list, db_default=Value([], output_field=models.JSONField()), blank=True)
    injection_cleared_by = models.CharField(max_length=150, blank=True, default="", db_default="")
    injection_cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="chunk_unique_ordinal")]
        indexes = [
            # The library's flagged passages, and the documents a quarantine holds back: few rows score above 0.
            models.Index(
                fields=["injection_score"], name="chunk_injection_score", condition=models.Q(injection_score__gt=0)
            ),
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_vector_gin"),
        ]


def _tf_part(tf: Any, length: Any) -> Any:
    """BM25's saturating term-frequency factor with the chunk length relative to IMPACT_REFERENCE_LENGTH."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B) + (K1 * B / IMPACT_REFERENCE_LENGTH) * length)


class Posting(models.Model):
    """One lexeme of one chunk, with its term frequency: the BM25 inverted index.

    Rows are written and deleted only with raw SQL in retrieval.bm25, in the
    same transaction as their chunk, so Django's cascade never loads them.
    """

    pk = models.CompositePrimaryKey("chunk", "lexeme")
    # Indexed by posting_chunk_covering below (and the primary key), not by an index of its own.
    chunk = models.ForeignKey(Chunk, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    # The chunk's document, so keyword search checks access without reading the (wide) chunk rows.
    document = models.ForeignKey(Document, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    collection = models.CharField(max_length=64)
    lexeme = models.TextField()
    term_frequency = models.PositiveIntegerField()
    chunk_length = models.PositiveIntegerField()

    # BM25's term-frequency part at a reference chunk length: the order in which keyword search reads a
    # lexeme's postings when it prunes (retrieval.bm25.pruned_score_sql). Kept by PostgreSQL itself.
    impact = models.GeneratedField(
        expression=_tf_part(Cast("term_frequency", models.FloatField()), Cast("chunk_length", models.FloatField())),
        output_field=models.FloatField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["collection", "lexeme", "-impact"],
                include=["chunk", "document", "term_frequency", "chunk_length"],
                name="posting_lexeme_impact",
            ),
            # Pruned search's exact rescoring reads a chunk's postings of the query's lexemes from here alone.
            models.Index(
                fields=["chunk", "lexeme"], include=["term_frequency", "chunk_length"], name="posting_chunk_covering"
            ),
        ]


class Term(models.Model):
    """How many chunks of a collection contain a lexeme (BM25's document frequency)."""

    pk = models.CompositePrimaryKey("collection", "lexeme")
    collection = models.CharField(max_length=64)
    lexeme = models.TextField()
    chunk_frequency = models.PositiveIntegerField()


class CollectionStats(models.Model):
    """Chunk count and total length of a collection, for BM25's idf and average length."""

    collection = models.CharField(max_length=64, primary_key=True)
    chunk_count = models.PositiveBigIntegerField(default=0)
    total_length = models.PositiveBigIntegerField(default=0)


class IngestionJob(models.Model):
    """One uploaded file waiting for, going through, or done with ingestion.

    The file's bytes live here so a worker on any machine can ingest it; the
    Document is created or replaced only when the whole file went in.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Ingesting"
        DONE = "done", "Ingested"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    filename = models.CharField(max_length=500)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    classification = models.PositiveSmallIntegerField(choices=Classification.choices)
    group_names = models.JSONField(default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def classification_label(self) -> str:
        return Classification(self.classification).label


def vector_literal(vector: Sequence[float]) -> str:
    """A vector as pgvector's text input, for raw SQL."""
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"
