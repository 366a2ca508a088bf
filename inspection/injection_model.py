"""A logistic regression over a text's sentence embedding, beside the cues of `injection`.

The cues read constructions; this reads meaning, so it finds typed injections the cues have no regex for
(an override without "ignore", a bare task to write propaganda) and gives planted instructions a second
chance. It is trained in the repository (scripts/train_injection_classifier.py) on data that can be named:
the tuning half of deepset's prompt injections and the generated sets of `injection_texts` at the tuning
seeds, embedded with all-MiniLM-L6-v2 — the vectors Sluice already computes for retrieval, so a passage's
score reuses its chunk's vector. Its weights ship in `injection_model.json` with the data's SHA-256.

Pure: no Django. Reads its weights file once per process; scikit-learn is imported only to train.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspection.injection_texts import (
    TUNING_SEEDS,
    LabelledText,
    benign_trigger_texts,
    deepset_split,
    planted_documents,
)

WEIGHTS = Path(__file__).with_name("injection_model.json")
# Regularisation of the fit. Stronger fits (C = 3, 10) find more typed injections in cross-validation, but
# flag hundreds more of the 18F handbook's paragraphs, ordinary prose (docs/inspection.md).
C = 1.0
DECIMALS = 6


@dataclass(frozen=True)
class InjectionClassifier:
    """Weights of a logistic regression over unit-length sentence vectors of the model `model_id`."""

    model_id: str
    coefficients: tuple[float, ...]
    intercept: float

    def probability(self, vector: Sequence[float]) -> float:
        """The chance (0..1) that the text embedded as `vector` holds an injected instruction."""
        if len(vector) != len(self.coefficients):
            raise ValueError(f"a vector of {len(vector)} dimensions, not the classifier's {len(self.coefficients)}")
        z = self.intercept + math.fsum(w * float(x) for w, x in zip(self.coefficients, vector, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def classifier_from_json(stored: dict[str, Any]) -> InjectionClassifier:
    return InjectionClassifier(
        model_id=str(stored["model_id"]),
        coefficients=tuple(float(w) for w in stored["coefficients"]),
        intercept=float(stored["intercept"]),
    )


@functools.cache
def shipped_classifier() -> InjectionClassifier | None:
    """The classifier whose weights ship with Sluice; None when the file is missing (cues only, then)."""
    if not WEIGHTS.is_file():
        return None
    return classifier_from_json(json.loads(WEIGHTS.read_text(encoding="utf-8")))


def training_texts(deepset: Iterable[dict[str, Any]]) -> list[LabelledText]:
    """What the classifier is trained on: the tuning half of deepset's prompts (never the held-out half)
    and the generated benign and planted texts of the tuning seeds, in a fixed order."""
    typed = [
        LabelledText(str(r["text"]), 1 if r["label"] else 0, "deepset")
        for r in deepset
        if deepset_split(str(r["text"])) == "tuning"
    ]
    generated = [t for seed in TUNING_SEEDS for t in (*benign_trigger_texts(seed), *planted_documents(seed))]
    return typed + generated


def texts_digest(texts: Sequence[LabelledText]) -> str:
    """SHA-256 of the training texts as JSON lines, so the weights name exactly what they were fitted on."""
    digest = hashlib.sha256()
    for t in texts:
        digest.update(json.dumps(t.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


def train_classifier(
    vectors: Sequence[Sequence[float]], labels: Sequence[int], *, model_id: str, provenance: dict[str, Any]
) -> dict[str, Any]:
    """Fit the logistic regression (L2, C, lbfgs: deterministic for the same vectors) and return what
    `injection_model.json` stores: the weights, rounded, with `provenance` (what data, how)."""
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=C, max_iter=5000).fit(np.asarray(vectors, dtype=np.float64), np.asarray(labels))
    return {
        "model_id": model_id,
        "intercept": round(float(fitted.intercept_[0]), DECIMALS),
        "coefficients": [round(float(w), DECIMALS) for w in fitted.coef_[0]],
        "training": {
            **provenance,
            "n": len(labels),
            "positives": int(sum(labels)),
            "estimator": f"sklearn {sklearn.__version__} LogisticRegression(C={C}, lbfgs, L2)",
        },
    }
