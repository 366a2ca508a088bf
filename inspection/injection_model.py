"""A logistic regression over a text's sentence embedding and its words, beside the cues of `injection`.

The cues read constructions; this reads meaning and wording, so it finds typed injections the cues have no
regex for (an override without "ignore", a bare task to write propaganda, a jailbreak persona) and gives
planted instructions a second chance. Its features: the text's all-MiniLM-L6-v2 vector (the vector Sluice
already computes for retrieval, so a passage's score reuses its chunk's vector) and the text's words and word
pairs, hashed into `GRAM_BUCKETS` buckets (present or not, scaled to unit length), which carry what the
English model blurs: other languages, odd spellings, a persona's name. It is trained in the repository
(scripts/train_injection_classifier.py) on the named sources of `injection_corpus`; its weights ship in
`injection_model.json` with each source's SHA-256.

Pure: no Django. Reads its weights file once per process; scikit-learn is imported only to train.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspection.injection_texts import LabelledText

WEIGHTS = Path(__file__).with_name("injection_model.json")
# Regularisation of the fit: measured with C = 1, 3 and 10 (docs/inspection.md); 3 found as many held-out
# typed injections as 10 with fewer of the 18F handbook's paragraphs flagged.
C = 3.0
DECIMALS = 6
GRAM_BUCKETS = 16384
_WORD = re.compile(r"\w+")


def gram_buckets(text: str) -> list[int]:
    """The buckets of `text`'s words and adjacent word pairs (NFKC, lower case, invisible format characters
    dropped), each word or pair hashed by CRC-32: sorted, each once."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    words = _WORD.findall(text.lower())
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return sorted({zlib.crc32(g.encode("utf-8")) % GRAM_BUCKETS for g in grams})


@dataclass(frozen=True)
class InjectionClassifier:
    """Weights of a logistic regression over unit-length sentence vectors of the model `model_id` and the
    text's hashed words (`gram_buckets`, one weight a bucket; none in weights from before they existed)."""

    model_id: str
    coefficients: tuple[float, ...]
    intercept: float
    gram_weights: tuple[float, ...] = ()

    def probability(self, vector: Sequence[float], text: str) -> float:
        """The chance (0..1) that `text`, embedded as `vector`, holds an injected instruction."""
        if len(vector) != len(self.coefficients):
            raise ValueError(f"a vector of {len(vector)} dimensions, not the classifier's {len(self.coefficients)}")
        z = self.intercept + math.fsum(w * float(x) for w, x in zip(self.coefficients, vector, strict=True))
        if self.gram_weights:
            buckets = gram_buckets(text)
            if buckets:
                z += math.fsum(self.gram_weights[b] for b in buckets) / math.sqrt(len(buckets))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def classifier_from_json(stored: dict[str, Any]) -> InjectionClassifier:
    grams = tuple(float(w) for w in stored.get("gram_weights", ()))
    if grams and len(grams) != GRAM_BUCKETS:
        raise ValueError(f"{len(grams)} word weights, not {GRAM_BUCKETS}: train the classifier again")
    return InjectionClassifier(
        model_id=str(stored["model_id"]),
        coefficients=tuple(float(w) for w in stored["coefficients"]),
        intercept=float(stored["intercept"]),
        gram_weights=grams,
    )


@functools.cache
def shipped_classifier() -> InjectionClassifier | None:
    """The classifier whose weights ship with Sluice; None when the file is missing (cues only, then)."""
    if not WEIGHTS.is_file():
        return None
    return classifier_from_json(json.loads(WEIGHTS.read_text(encoding="utf-8")))


def texts_digest(texts: Sequence[LabelledText]) -> str:
    """SHA-256 of the training texts as JSON lines, so the weights name exactly what they were fitted on."""
    digest = hashlib.sha256()
    for t in texts:
        digest.update(json.dumps(t.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


def features(vectors: Sequence[Sequence[float]], texts: Sequence[str]) -> Any:
    """The fit's design matrix: each text's vector beside its hashed words scaled to unit length (sparse)."""
    import numpy as np
    from scipy import sparse

    rows, cols, values = [], [], []
    for row, text in enumerate(texts):
        buckets = gram_buckets(text)
        if not buckets:
            continue
        rows += [row] * len(buckets)
        cols += buckets
        values += [1.0 / math.sqrt(len(buckets))] * len(buckets)
    grams = sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), GRAM_BUCKETS), dtype=np.float64)
    return sparse.hstack([sparse.csr_matrix(np.asarray(vectors, dtype=np.float64)), grams]).tocsr()


def train_classifier(
    vectors: Sequence[Sequence[float]],
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    model_id: str,
    provenance: dict[str, Any],
) -> dict[str, Any]:
    """Fit the logistic regression (L2, C, lbfgs: deterministic for the same vectors and texts) and return
    what `injection_model.json` stores: the weights, rounded, with `provenance` (what data, how)."""
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression

    dims = len(vectors[0]) if len(vectors) else 0
    fitted = LogisticRegression(C=C, max_iter=5000).fit(features(vectors, texts), np.asarray(labels))
    weights = fitted.coef_[0]
    return {
        "model_id": model_id,
        "intercept": round(float(fitted.intercept_[0]), DECIMALS),
        "coefficients": [round(float(w), DECIMALS) for w in weights[:dims]],
        "gram_buckets": GRAM_BUCKETS,
        "gram_weights": [round(float(w), DECIMALS) for w in weights[dims:]],
        "training": {
            **provenance,
            "n": len(labels),
            "positives": int(sum(labels)),
            "estimator": f"sklearn {sklearn.__version__} LogisticRegression(C={C}, lbfgs, L2)",
            "features": f"sentence vector; words and word pairs, CRC-32 mod {GRAM_BUCKETS}, present, unit length",
        },
    }
