"""The injection detector (inspection.injection) with the sentence vectors retrieval computes.

Its classifier reads all-MiniLM-L6-v2 vectors. A chunk's vector is computed at ingestion anyway, so a
passage is scored from it; a text without one (a tool result in the gateway, a stale passage's) is
embedded here. With an embedder of another model (a remote service serving something else) the vectors
mean nothing to the classifier, and the cues and the sentence head (which reads words only) score alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspection.injection import (
    InjectionVerdict,
    classifier_model_id,
    inspect_cues,
    inspect_injection,
    with_classifier,
)
from retrieval.embedders import get_embedder
from retrieval.models import Chunk

if TYPE_CHECKING:
    from retrieval.selectors import Passage


def classifier_applies() -> bool:
    """Whether the configured embedder's vectors are those the shipped classifier was trained on."""
    model = classifier_model_id()
    return model is not None and get_embedder().model_id == model


def judge_with_vectors(
    texts: Sequence[str], verdicts: Sequence[InjectionVerdict], vectors: Sequence[Sequence[float]]
) -> list[InjectionVerdict]:
    """The cues' `verdicts` on `texts` with the classifier's view of them and their vectors (the embedder's)."""
    if not classifier_applies():
        return [with_classifier(t, v, None) for t, v in zip(texts, verdicts, strict=True)]
    return [with_classifier(t, v, vector) for t, v, vector in zip(texts, verdicts, vectors, strict=True)]


def inspect_injection_texts(texts: Sequence[str]) -> list[InjectionVerdict]:
    """Score texts that have no vector yet: they are embedded in one call when the classifier applies."""
    cues = [inspect_cues(text) for text in texts]
    if not texts or not classifier_applies():
        return [with_classifier(t, v, None) for t, v in zip(texts, cues, strict=True)]
    return judge_with_vectors(texts, cues, get_embedder().embed_batch(list(texts)))


def inspect_passages(passages: Sequence[Passage]) -> dict[int, InjectionVerdict]:
    """Score passages again (those whose stored score is stale) with their chunks' stored vectors, read in
    one query: by chunk id."""
    if not passages:
        return {}
    vectors = {}
    if classifier_applies():
        vectors = dict(Chunk.objects.filter(id__in=[p.chunk_id for p in passages]).values_list("id", "embedding"))
    return {p.chunk_id: inspect_injection(p.text, vectors.get(p.chunk_id)) for p in passages}
