"""A logistic regression over a text's sentence embedding and its words, beside the cues of `injection`.

The cues read constructions; this reads meaning and wording, so it finds typed injections the cues have no
regex for (an override without "ignore", a bare task to write propaganda, a jailbreak persona) and gives
planted instructions a second chance. Its features: the text's all-MiniLM-L6-v2 vector (the vector Sluice
already computes for retrieval, so a passage's score reuses its chunk's vector) and the text's words and word
pairs and the words' character n-grams, hashed into `GRAM_BUCKETS` buckets (present or not, scaled to unit
length), which carry what the English model blurs: other languages, odd spellings, a persona's name. It is
trained in the repository (scripts/train_injection_classifier.py) on the named sources of `injection_corpus`;
its weights ship in `injection_model.json` with each source's SHA-256.

Beside it, a second regression reads each sentence of a text alone (`SentenceHead`, its words only): an
instruction planted in an ordinary passage is one sentence among many, which the whole text's view dilutes.
The text's score is then the higher of the two, the sentence's mapped so that it flags only when it is sure
(`SentenceHead.score`).

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
# The sentence head's fit (C and class weights) and where its probability starts to flag (`flag_at`): chosen on
# validation documents made from the tuning halves only (docs/inspection.md, 2026-12-06).
SENTENCE_C = 10.0
SENTENCE_FLAG_AT = 0.9
DECIMALS = 6
GRAM_BUCKETS = 32768
# Character n-grams of each word, marked at its edges ("<igno", "ore>"): they carry what whole words miss
# (inflections, compounds and a trigger's forms in related languages: "ignoriere", "ignorez"; split or misspelt
# words). Lengths measured with 3..5 against words alone (docs/inspection.md, thirteenth session).
CHAR_GRAMS = (3, 4, 5)
# A longer word (a hash, a base64 run) gives the grams of its first this many characters only, so that one
# 200,000-character token costs no more than an ordinary word; 22 of the 28,090 training texts have one.
CHAR_GRAM_WORD = 64
# Words up to this length have their grams cached (most words of a corpus recur): the cache then holds at
# most 8,192 × 72 grams (about 20 MB, estimated); about 6 MB measured when full of ordinary words.
_CACHED_WORD = 24
_CHAR_RANGE = f"{CHAR_GRAMS[0]}-{CHAR_GRAMS[-1]}"
_WORD = re.compile(r"\w+")
# Where a sentence ends, for the sentence head: after . ! ? and a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# Shorter pieces (a heading, a table cell) carry too few words to judge alone.
_SENTENCE_MIN_WORDS = 3


def gram_buckets(text: str) -> list[int]:
    """The buckets of `text`'s words, adjacent word pairs and each word's character n-grams (`CHAR_GRAMS`,
    the word marked "<…>" at its edges) after NFKC, lower case and invisible format characters dropped, each
    hashed by CRC-32: sorted, each once."""
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    words = _WORD.findall(text.lower())
    grams = set(words)
    grams.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    buckets = {zlib.crc32(g.encode("utf-8")) % GRAM_BUCKETS for g in grams}
    for word in set(words):
        buckets.update(_cached_char_buckets(word) if len(word) <= _CACHED_WORD else _char_buckets(word))
    return sorted(buckets)


def _char_buckets(word: str) -> tuple[int, ...]:
    """The buckets of one word's character n-grams (of its first CHAR_GRAM_WORD characters, the word marked
    "<…>" at its edges; a longer word has no end mark)."""
    marked = f"<{word}>" if len(word) <= CHAR_GRAM_WORD else f"<{word[:CHAR_GRAM_WORD]}"
    grams = {"c:" + marked[i : i + n] for n in CHAR_GRAMS for i in range(len(marked) - n + 1)}
    return tuple({zlib.crc32(g.encode("utf-8")) % GRAM_BUCKETS for g in grams})


# 93 % hits on the handbook's paragraphs.
_cached_char_buckets = functools.lru_cache(maxsize=8192)(_char_buckets)


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
        return _sigmoid(z + _words_term(self.gram_weights, text))


def _words_term(gram_weights: Sequence[float], text: str) -> float:
    """The hashed words' part of a logit: their weights summed, scaled as in training (unit length); 0 without
    word weights or words."""
    if not gram_weights:
        return 0.0
    buckets = gram_buckets(text)
    return math.fsum(gram_weights[b] for b in buckets) / math.sqrt(len(buckets)) if buckets else 0.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def sentences_of(text: str) -> list[str]:
    """The sentences the sentence head reads: pieces ending at . ! ? or a line break, of three words or more,
    Markdown headings left out (a title such as "About this document" orders nobody)."""
    pieces = (piece.strip() for piece in _SENTENCE_END.split(text))
    return [s for s in pieces if len(s.split()) >= _SENTENCE_MIN_WORDS and not s.startswith("#")]


@dataclass(frozen=True)
class SentenceHead:
    """A logistic regression over one sentence's hashed words (`gram_buckets`), trained on instructions
    planted for a model against the sentences of ordinary documents."""

    intercept: float
    gram_weights: tuple[float, ...]
    flag_at: float = SENTENCE_FLAG_AT

    def probability(self, sentence: str) -> float:
        return _sigmoid(self.intercept + _words_term(self.gram_weights, sentence))

    def highest(self, text: str) -> float:
        """The highest probability of any sentence of `text` (0 without a sentence long enough)."""
        return max((self.probability(s) for s in sentences_of(text)), default=0.0)

    def score(self, text: str) -> float:
        """`highest` on the detector's scale: at or above `flag_at` it maps onto 0.5..1 (a flag for typed
        content; a passage needs 0.7, a sentence probability of flag_at + 0.4 × (1 − flag_at)), below it onto
        0..0.5, where it still ranks texts but flags none."""
        p = self.highest(text)
        if p >= self.flag_at:
            return 0.5 + 0.5 * (p - self.flag_at) / (1.0 - self.flag_at)
        return 0.5 * p / self.flag_at


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


def sentence_head_from_json(stored: dict[str, Any]) -> SentenceHead | None:
    """The sentence head stored beside the classifier (its "sentences"); None in weights from before it."""
    head = stored.get("sentences")
    if not head:
        return None
    grams = tuple(float(w) for w in head["gram_weights"])
    if len(grams) != GRAM_BUCKETS:
        raise ValueError(f"{len(grams)} sentence word weights, not {GRAM_BUCKETS}: train the classifier again")
    return SentenceHead(intercept=float(head["intercept"]), gram_weights=grams, flag_at=float(head["flag_at"]))


@functools.cache
def shipped_classifier() -> InjectionClassifier | None:
    """The classifier whose weights ship with Sluice; None when the file is missing (cues only, then)."""
    stored = _shipped()
    return classifier_from_json(stored) if stored else None


@functools.cache
def shipped_sentence_head() -> SentenceHead | None:
    """The sentence head whose weights ship with Sluice (in the classifier's file); None without one."""
    stored = _shipped()
    return sentence_head_from_json(stored) if stored else None


@functools.cache
def _shipped() -> dict[str, Any] | None:
    return json.loads(WEIGHTS.read_text(encoding="utf-8")) if WEIGHTS.is_file() else None


def strings_digest(texts: Sequence[str]) -> str:
    """SHA-256 of plain strings, one a line: what the sentence head was fitted on."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8") + b"\n")
    return digest.hexdigest()


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

    return sparse.hstack([sparse.csr_matrix(np.asarray(vectors, dtype=np.float64)), word_features(texts)]).tocsr()


def word_features(texts: Sequence[str]) -> Any:
    """Each text's hashed words, word pairs and character n-grams, present, scaled to unit length: a sparse
    matrix."""
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
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), GRAM_BUCKETS), dtype=np.float64)


def train_sentence_head(
    planted: Sequence[str], ordinary: Sequence[str], *, provenance: dict[str, Any]
) -> dict[str, Any]:
    """Fit the sentence head (L2, SENTENCE_C, classes weighted to balance, lbfgs: deterministic) on `planted`
    instructions against `ordinary` sentences; return what the weights file stores under "sentences"."""
    import numpy as np
    import sklearn
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    design = sparse.vstack([word_features(planted), word_features(ordinary)]).tocsr()
    labels = np.r_[np.ones(len(planted)), np.zeros(len(ordinary))]
    fitted = LogisticRegression(C=SENTENCE_C, max_iter=5000, class_weight="balanced").fit(design, labels)
    return {
        "intercept": round(float(fitted.intercept_[0]), DECIMALS),
        "gram_weights": [round(float(w), DECIMALS) for w in fitted.coef_[0]],
        "flag_at": SENTENCE_FLAG_AT,
        "training": {
            **provenance,
            "n": len(labels),
            "positives": len(planted),
            "estimator": f"sklearn {sklearn.__version__} LogisticRegression(C={SENTENCE_C}, balanced, lbfgs, L2)",
            "features": f"one sentence's words, word pairs and character {_CHAR_RANGE}-grams of each word's first "
            f"{CHAR_GRAM_WORD} characters, CRC-32 mod {GRAM_BUCKETS}, present, unit length",
        },
    }


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
            "features": f"sentence vector; words, word pairs and character {_CHAR_RANGE}-grams of each word's "
            f"first {CHAR_GRAM_WORD} characters, CRC-32 mod {GRAM_BUCKETS}, present, unit length",
        },
    }
