"""The in-process backend: answers with the retrieved passages' best sentences, each cited.

No extra weights, no network: always available, and the last rung of `degrade`.

Every sentence of the passages sent is scored against the question by two readings that fail
differently: the idf-weighted share of the question's content words it (with its heading) contains,
and its MiniLM similarity to the question (the retrieval model, already loaded in the process). A
sentence carrying what the question asks for (a number for "how many", a command for "how do I")
scores a little more. The answer is the best sentences within a length budget, grouped by passage.

Whether to answer at all is decided from evidence about the question, not one sentence's score:
how much of the question's content the best passage covers, and how similar the best sentences are
to it (see `answers_question`). When it abstains, it names the documents that came closest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from routing.backends.base import Bundle, ChatBackend, ContextPassage

NOTHING_FOUND = (
    "I could not find anything about this in the documents you can read. "
    "Try other words, or ask the document owner whether it is written down."
)
MAX_SENTENCES = 6
MAX_ANSWER_CHARS = 900
# A sentence joins the answer only when it scores this share of the best one's score.
KEEP_RATIO = 0.5
# Fitted on the tuning half of the 18F development set (docs/answer-quality.md): the unanswerable
# questions there scored at most 0.74, the answerable ones whose answer was sent at least 0.78 but one.
ANSWER_THRESHOLD = 0.75
MIN_SAMPLE = 10
# How many of the best sentences bring the sentence after them.
NEIGHBOURS = 1
SAME_PASSAGE_PENALTY = 0.1
W_OWN, W_CONTEXT, W_SIM, W_WANTED = 0.5, 0.2, 0.6, 0.08

_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be by can do does did for from has have had how i if in is it its may me my of on or our
    should so than that the their them then there these they this to up us was we what when where which who why will
    with would you your into about after before over under not no yes any all each also must just got get getting
    im i'm i've ive am been being some much many need know want like please tell thing things one hi hey ok okay
    lot lots loads really because now coming going very still actually currently anyone someone something""",
    )
)
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[`*])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|hundred|half)\b", re.I)
_COMMAND = re.compile(r"`[^`]+`|\$ |\b(?:run|click|select|go to|open|email|contact|submit|file|use)\b", re.I)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|@\w+|#[a-z][\w-]+|\b[A-Z]{2,}\b")

Embed = Callable[[Sequence[str]], list[list[float]]]


def _stem(word: str) -> str:
    # Crude suffix stripping: enough for "rotating"/"rotation"/"rotate" to meet.
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 1}


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of a passage, headings and table rules left out."""
    return [s for _, s in _sentences_with_headings(text, "")]


def _sentences_with_headings(text: str, title: str) -> list[tuple[str, str]]:
    """(heading, sentence) pairs: each sentence with the nearest heading above it (else the title)."""
    heading = title
    pairs = []
    for line in text.splitlines():
        if match := _HEADING.match(line):
            heading = match.group(1).strip()
            continue
        line = line.strip().lstrip("-*+ ").strip()
        if re.fullmatch(r"[|:\-\s]*", line):
            continue
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if len(sentence) > 20:
                pairs.append((heading, sentence))
    return pairs


def _asks_for(question: str) -> re.Pattern[str] | None:
    """The kind of thing the answer should contain, from the question's wording."""
    q = question.lower()
    if re.search(r"\bhow (?:many|much|long|often|soon|far|old|quickly|fast)\b|\bwhen\b|\bwhat (?:time|date|day)\b", q):
        return _NUMBER
    if re.search(r"\bwho\b|\bwhom\b|\bwhich (?:team|person|office|channel)\b", q):
        return _NAME
    if re.search(r"\bhow (?:do|can|should|to)\b|\bwhat (?:command|steps)\b", q):
        return _COMMAND
    return None


@dataclass(frozen=True)
class _Candidate:
    score: float
    passage_rank: int
    order: int
    n: int
    sentence: str
    on_topic: bool = True  # shares a content word with the question, or is close in meaning


@dataclass(frozen=True)
class Evidence:
    """How well the passages answer the question: the basis of abstaining."""

    coverage: float  # share (idf-weighted) of the question's content words found in the best passage
    best_similarity: float  # the best sentence's cosine similarity to the question
    similarity_gap: float  # how far the best sentence stands out: its similarity less the median sentence's
    candidates: tuple[_Candidate, ...]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def weigh_evidence(bundle: Bundle, embed: Embed | None = None) -> Evidence:
    """Score every sentence of the passages against the question; best first."""
    question_terms = content_terms(bundle.question)
    rows = [
        (rank, order, p, heading, s)
        for rank, p in enumerate(bundle.passages)
        for order, (heading, s) in enumerate(_sentences_with_headings(p.text, p.title))
    ]
    if not question_terms or not rows:
        return Evidence(0.0, 0.0, 0.0, ())
    sentence_terms = [content_terms(s) for *_, s in rows]
    heading_terms = [content_terms(h) for *_, h, _ in rows]
    passage_terms = [content_terms(p.title + "\n" + p.text) for p in bundle.passages]
    # Inverse frequency over the retrieved sentences: rare question words weigh more. A question word
    # found in no passage weighs most, so the coverage of a question about something absent stays low.
    weight = {t: math.log(1 + len(rows) / (1 + sum(t in terms for terms in sentence_terms))) for t in question_terms}
    total = sum(weight.values())
    coverage = max(sum(weight[t] for t in question_terms & terms) / total for terms in passage_terms)
    if embed is not None:
        vectors = embed([bundle.question] + [s for *_, s in rows])
        similarity = [_cosine(vectors[0], v) for v in vectors[1:]]
    else:
        similarity = [0.0] * len(rows)
    wanted = _asks_for(bundle.question)
    candidates = []
    for (rank, order, p, _, sentence), terms, head, sim in zip(
        rows, sentence_terms, heading_terms, similarity, strict=True
    ):
        own = sum(weight[t] for t in question_terms & terms) / total
        context = sum(weight[t] for t in question_terms & (head - terms)) / total
        score = W_OWN * own + W_CONTEXT * context + W_SIM * sim + 0.03 / (1 + rank)
        if wanted is not None and wanted.search(sentence):
            score += W_WANTED
        candidates.append(_Candidate(score, rank, order, p.n, sentence, own > 0 or sim >= 0.3))
    candidates.sort(key=lambda c: -c.score)
    # Fewer sentences than MIN_SAMPLE say little of how the best stands out: the missing ones count as
    # unrelated (similarity 0), so one short on-topic passage is not rejected for lack of company.
    ordered = sorted(similarity, reverse=True) + [0.0] * max(0, MIN_SAMPLE - len(similarity))
    gap = ordered[0] - ordered[len(ordered) // 2]
    return Evidence(coverage, ordered[0], gap, tuple(candidates))


def answers_question(evidence: Evidence, *, with_embeddings: bool) -> bool:
    """Whether the passages hold an answer: the best sentence's similarity to the question, how far it
    stands out from the other sentences sent (a passage that answers has one sentence well above the
    rest; a neighbouring topic is uniformly lukewarm), and the share of the question's words the best
    passage covers. Without the model, word coverage alone decides."""
    if not evidence.candidates:
        return False
    if not with_embeddings:
        return evidence.coverage >= 0.35
    return evidence.best_similarity + 0.5 * evidence.similarity_gap + 0.3 * evidence.coverage >= ANSWER_THRESHOLD


def select_sentences(evidence: Evidence) -> list[_Candidate]:
    """The best few sentences within the length budget, grouped by passage (best passage first), in
    reading order inside each passage."""
    if not evidence.candidates:
        return []
    best = evidence.candidates[0].score
    chosen: list[_Candidate] = []
    length = 0
    pool = [c for c in evidence.candidates if c.on_topic and c.score >= KEEP_RATIO * best]
    per_passage: dict[int, int] = {}
    while pool and len(chosen) < MAX_SENTENCES:
        # Each further sentence from one passage counts for less: the facts of an answer are often
        # spread over the passages sent (the steps in one, the figure in the next).
        candidate = max(pool, key=lambda c: c.score - SAME_PASSAGE_PENALTY * per_passage.get(c.passage_rank, 0))
        pool.remove(candidate)
        if length + len(candidate.sentence) > MAX_ANSWER_CHARS and chosen:
            continue
        chosen.append(candidate)
        per_passage[candidate.passage_rank] = per_passage.get(candidate.passage_rank, 0) + 1
        length += len(candidate.sentence)
    # The sentence after a chosen one often carries its detail (the figure after "Eligibility:").
    by_position = {(c.passage_rank, c.order): c for c in evidence.candidates}
    for candidate in list(chosen[:NEIGHBOURS]):
        after = by_position.get((candidate.passage_rank, candidate.order + 1))
        if after and after not in chosen and length + len(after.sentence) <= MAX_ANSWER_CHARS:
            chosen.append(after)
            length += len(after.sentence)
    first_seen = {}
    for candidate in chosen:
        first_seen.setdefault(candidate.passage_rank, len(first_seen))
    return sorted(chosen, key=lambda c: (first_seen[c.passage_rank], c.order))


def closest_documents(passages: Sequence[ContextPassage], limit: int = 3) -> list[str]:
    titles: list[str] = []
    for p in passages:
        if p.title and p.title not in titles:
            titles.append(p.title)
    return titles[:limit]


def _embedder() -> Embed | None:
    from retrieval.embedders import embedder_is_loaded, get_embedder

    # Only the model retrieval already loaded: the extractive answer never loads weights of its own.
    return get_embedder().embed_batch if embedder_is_loaded() else None


class ExtractiveBackend(ChatBackend):
    name = "extractive"
    zone = "onprem"
    model = "extractive-v1"

    def generate(self, bundle: Bundle) -> Iterator[str]:
        embed = _embedder() if bundle.passages else None
        evidence = weigh_evidence(bundle, embed)
        chosen = select_sentences(evidence) if answers_question(evidence, with_embeddings=embed is not None) else []
        if not chosen:
            yield NOTHING_FOUND
            if closest := closest_documents(bundle.passages):
                yield " The closest documents were: " + "; ".join(closest) + "."
            return
        for i, candidate in enumerate(chosen):
            yield ("" if i == 0 else " ") + f"{candidate.sentence} [{candidate.n}]"
