"""The in-process backend: answers with the retrieved passages' best sentences, each cited.

No extra weights, no network: always available, and the last rung of `degrade`.

Every sentence of the passages sent is scored against the question by two readings that fail
differently: the idf-weighted share of the question's content words (Snowball stems) it (with its
heading) contains, and its MiniLM similarity to the question (the retrieval model, already loaded in
the process). A sentence holding what the question asks for scores more: a number for "how many"
(more when it comes with the unit asked for: "240 hours" for "how many hours"), a place for "where",
a name for "who" and "which one", a command for "how do I". A question that asks several things ("How often…, and
where…?") gets the best sentence for each part first; one that asks how to do something, the steps of the
procedure that holds its best sentence, in order. The answer is the best sentences within a
length budget, one paragraph per passage, a sentence said once even when two passages overlap.

Whether to answer at all is decided from evidence about the question, not one sentence's score:
how much of the question's content the best passage covers, and how similar the best sentences are
to it (see `verdict`). Evidence in between says the passages may answer: they are quoted after a sentence
saying so, since on documents it was not fitted on a firm cut-off there refused two answerable
questions for each unanswerable one it caught. A question that asks for a kind of detail (a sum, a phone
number, a date …) that none of the best sentences states is told so (asked_details), as is one about a year or a
numbered thing ("Line 2") the passages name only others of (numbered_ones), and, where the passages only may
answer, one about a term none of them names (absent_terms). When it abstains, it names the documents that came
closest.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from rapidfuzz.distance import OSA

from inspection.gazetteer import name_lists
from inspection.injection import inspect_injection
from retrieval.embedders import embedder_is_loaded, get_embedder, loaded_embed
from retrieval.follow_up import PreviousTurn, standalone_query
from retrieval.sentences import split_sentences
from retrieval.shorthand import expansion, with_expansions
from retrieval.spelling import in_english
from retrieval.template_tags import readable
from retrieval.terms import STOPWORDS, content_terms, stem
from routing.backends.absent_terms import absent_term
from routing.backends.asked_details import NUMBER, missing_detail, year_missing
from routing.backends.base import Bundle, ChatBackend, ContextPassage
from routing.backends.numbered_ones import numbered_missing
from routing.similarity import Embed, cosine

NOTHING_FOUND = (
    "I could not find anything about this in the documents you can read. "
    "Try other words, or ask the document owner whether it is written down."
)
# The passages are about what was asked, but none states the kind of detail asked for ("how many", "is there a cap",
# "what's the hotline"): asked_details.
NO_DETAIL_FOUND = (
    "The documents you can read speak of this, but none of them states the {detail} you asked for. "
    "Ask the document owner whether it is written down."
)
# The passages may answer, but none names the term the question asks about ("any kind of sabbatical"): absent_terms.
NO_TERM_FOUND = (
    "None of the passages that came closest mentions \u201c{term}\u201d, so the documents you can read may not "
    "cover it. Try other words, or ask the document owner whether it is written down."
)
# The passages are about what was asked, but none names the year or the numbered thing asked about ("the 2027
# downtime dates", "the seal temperature on Line 2"), though they name others.
NOT_NAMED_FOUND = (
    "The documents you can read speak of this, but none of them mentions {name}. "
    "Ask the document owner whether it is written down."
)
MAX_SENTENCES = 10
MAX_ANSWER_CHARS = 1200
# A sentence joins the answer only when it scores this share of the best one's score.
KEEP_RATIO = 0.5
# A sentence that holds what one part of the question asks for (the number, the place) joins at this share.
PART_RATIO = 0.3
# The evidence score (`evidence_score`) at and above which the passages answer: a model with `requires_evidence` is
# asked, and the extractive answer quotes them as the answer. Fitted on the 18F development set, where the
# unanswerable questions scored at most 0.74 and the answerable ones whose answer was sent at least 0.78 but one.
ANSWER_THRESHOLD = 0.75
# Between this and ANSWER_THRESHOLD the passages may answer: the extractive answer quotes them, saying first that
# they may not answer exactly; below it, it says it found nothing. Chosen on four sets of questions about four
# corpora (docs/answer-quality.md, fifteenth session): on the three besides 18F, refusing below 0.75 refused more
# answerable questions (15 of 112) than it caught unanswerable ones (7 of 28 more than below 0.60), since
# MiniLM's similarity reads a table row or a terse runbook line as lukewarm whether or not it answers; a fifth,
# held-out set confirmed it.
HEDGE_THRESHOLD = 0.60
MAY_NOT_ANSWER = "The documents you can read may not answer this exactly. These passages came closest:"
MIN_SAMPLE = 10
# How many of the best sentences bring the sentences on each side of them.
NEIGHBOURS = 1
# A chosen sentence that ends with ":" brings at most this many list items after it.
MAX_LIST_ITEMS = 8
SAME_PASSAGE_PENALTY = 0.1
# A sentence of the passage ranked r (0: retrieval's best) scores RANK_PRIOR / (1 + r) more.
RANK_PRIOR = 0.03
W_OWN, W_CONTEXT, W_SIM, W_WANTED = 0.5, 0.2, 0.6, 0.08

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")  # of lower-cased text
_ANY_CASE_WORD = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_COMMAND = re.compile(r"`[^`]+`|\$ |\b(?:run|click|select|go to|open|email|contact|submit|file|use)\b", re.I)
_PLACE = re.compile(
    r"https?://|\b[\w-]+\.(?:gov|com|org|io|net)\b|\bKB\d+|`[^`]+`|\b(?:in|at|on|through|via)\s+[A-Z][\w]+|#[a-z][\w-]+"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|@\w+|#[a-z][\w-]+|\b[A-Z]{2,}\b")

_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,3}[.)])\s+|\s*\|")
_TABLE_RULE = re.compile(r"[|:\-\s]*")
# A short line is quoted only when it holds a fact: a figure, an address, a command, a name in capitals.
_FACT_TOKEN = re.compile(r"\d|@|https?://|`|\$ |--\w|\b[A-Z]{2,}\b|\b\w+\.\w{2,4}\b|\w/\w")
# A header cell of a table names a column ("Storage location"); one that starts in lower case or holds a flag, a
# path or a redirection is a shell pipeline's command ("kubectl get pods | grep Crash"), which ingestion writes
# like a table once its code fence is gone.
_HEADER_CELL = re.compile(r"[A-Z0-9#(%][^$=<>`]*")
# A flag ("-n", "--all") or a path ("/var/log", "./run", "~/x"); a slash between words is not one ("US/Eastern").
_FLAG = re.compile(r"(?:^|\s)(?:-{1,2}\w|[.~]?/\w)")
MIN_SENTENCE = 20


def _cells(line: str) -> list[str]:
    """The cells of a table line. Ingestion joins cells with " | " and no border, so a line that starts with "|"
    has an empty first cell (a matrix whose corner is blank: " | SEV1 | SEV2"); a line written by hand with a
    border on both sides ("| a | b |") has its border dropped."""
    line = line.strip()
    if len(line) > 1 and line.startswith("|") and line.endswith("|"):
        line = line[1:-1]
    return [cell.strip() for cell in line.split("|")]


def _table(lines: list[str]) -> list[str] | None:
    """A block's rows read with their header ("Stage: Canary; Traffic: 5%"), when the block is a table (every
    line of it cells joined by " | ", as ingestion writes tables, the same number on each); else None."""
    rows = [_cells(line) for line in lines if not _TABLE_RULE.fullmatch(line)]
    if len(rows) < 2 or any("|" not in line for line in lines) or len({len(r) for r in rows}) != 1:
        return None
    header, *body = rows
    if not all(not cell or (_HEADER_CELL.fullmatch(cell) and not _FLAG.search(cell)) for cell in header):
        return None
    return [
        "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, row, strict=True) if c) for row in body if any(row)
    ]


def _quotable(sentence: str, short_ok: bool) -> bool:
    return len(sentence) > MIN_SENTENCE or (short_ok and len(sentence) > 2 and bool(_FACT_TOKEN.search(sentence)))


def _sentences(text: str, heading: str) -> list[tuple[str, str, bool, bool]]:
    """(heading, sentence, on a line of its own, continues the line of the sentence before) for every sentence
    of a passage, as ingestion writes passages
    (retrieval/parsing.py: blocks apart by a blank line, list items as "- item", table rows as "cell | cell");
    each with the nearest markdown heading above it in the text, else `heading` (the passage's own).

    A table row is read with its header, which says what its cells are. A line of a block of several lines
    that are not list items (a code block, a preformatted text) is a sentence of its own, never split at its
    dots (a command, a path), and kept however short when it has two words or more (a program and its
    arguments). Any other sentence of MIN_SENTENCE characters or fewer is kept only when it is on a line of
    its own and holds a fact (a figure, an address): "Call 555-0100" answers, "Overview" does not."""
    found: list[tuple[str, str, bool, bool]] = []
    introduced = False  # the block before ended with a list item that announces what follows ("… run:")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        announced, introduced = introduced, bool(_ITEM.match(lines[-1])) and lines[-1].rstrip().endswith(":")
        if (rows := _table(lines)) is not None:
            found.extend((heading, row, True, False) for row in rows if _quotable(row, True))
            continue
        if announced and len(lines) == 1 and not _ITEM.match(lines[0]):
            # The one-line code block of a step ("- Promote the chosen replica:" then the command): part of it.
            line = lines[0].strip()
            if _quotable(line, True) or len(line.split()) >= 2:
                found.append((heading, line, True, False))
            continue
        # Markdown headings opening a block (a passage written by hand, not by ingestion) are its context.
        while lines and (match := _HEADING.match(lines[0])):
            heading = match.group(1).strip()
            lines = lines[1:]
        verbatim = len(lines) > 1 and not any(_ITEM.match(line) for line in lines)
        for raw in lines:
            if not verbatim and (match := _HEADING.match(raw)):
                heading = match.group(1).strip()
                continue
            item = bool(_ITEM.match(raw))
            line = raw.strip().lstrip("-*+ ").strip()
            if verbatim:
                # A command is a program and its arguments: "kubectl get pods" is short, and the answer.
                if _quotable(line, True) or (len(line) > 2 and len(line.split()) >= 2):
                    found.append((heading, line, True, False))
                continue
            continues = False  # a list item's second sentence is said on the item's line, not on a line of its own
            for sentence in split_sentences(line):
                sentence = sentence.strip()
                if _quotable(sentence, item):
                    found.append((heading, sentence, item, continues))
                    continues = item
    return found


_UNITS = {
    "long": r"minutes?|hours?|days?|weeks?|months?|years?|business days?",
    "often": r"every|each|per|daily|weekly|monthly|quarterly|annually|yearly|times",
    "soon": r"minutes?|hours?|days?|weeks?|months?|before|after|advance",
}
_MONEY = r"\$|%|percent|dollars?|cents?"
_ASKS_NUMBER = re.compile(
    r"\bhow (?:many|much|long|often|soon|far|old|quickly|fast|early|late)\b|\bwhen\b|\bwhat (?:time|date|day)\b"
    r"|\b(?:max|maximum|minimum|limit|cap|rate|percentage|deadline)\b",
    re.I,
)


@dataclass(frozen=True)
class Wanted:
    """What the answer should hold, read from the question's wording: a kind of token (a number, a name,
    a command) and, where the question says it, the unit the number comes with ("how many hours")."""

    kind: re.Pattern[str]
    unit: re.Pattern[str] | None = None

    def strength(self, sentence: str) -> float:
        """1 when the sentence holds the wanted thing with its unit, 0.5 without the unit, else 0."""
        if not self.kind.search(sentence):
            return 0.0
        if self.unit is None:
            return 1.0
        return 1.0 if self.unit.search(sentence) else 0.5


def _unit_after(question: str) -> re.Pattern[str] | None:
    """The unit a number in the answer should carry: the noun after "how many" / "how much", or the
    units of "how long" and "how often"."""
    q = question.lower()
    if match := re.search(r"\bhow (long|often|soon|early|quickly|fast)\b", q):
        units = _UNITS.get(match.group(1), _UNITS["soon"])
        return re.compile(rf"\d[\d,.]*\s*(?:{units})\b|\b(?:{units})\b", re.I)
    if match := re.search(r"\bhow (?:many|much)\s+(?:of\s+(?:the|those|these|my)\s+)?([a-z]+)", q):
        word = match.group(1)
        if word in {"is", "does", "do", "will", "would"}:  # "how much is it": an amount
            return re.compile(rf"\d[\d,.]*\s*(?:{_MONEY})|(?:{_MONEY})\s*\d", re.I)
        if word in STOPWORDS:
            return None
        return re.compile(rf"\d[\d,.]*\s+(?:[a-z-]+\s+)?{re.escape(stem(word))}", re.I)
    return None


def asks_for(question: str) -> Wanted | None:
    """The kind of thing the answer should contain, from the question's wording."""
    q = question.lower()
    if _ASKS_NUMBER.search(q):
        return Wanted(NUMBER, _unit_after(q))
    if re.search(r"\bwho\b|\bwhom\b|\bwhich (?:team|person|office|channel)\b|\bcalled\b", q):
        return Wanted(_NAME)
    if re.search(r"\bwhere (?:do|can|should|is|are)\b", q):
        return Wanted(_PLACE)
    if re.search(r"\bhow (?:do|can|should|to)\b|\bwhat (?:command|steps)\b", q):
        return Wanted(_COMMAND)
    # "Is there a particular password manager we use?", "which VDR vendor": the name of one (after "how do I …",
    # which asks for the steps even about "a specific printer").
    if re.search(r"\bwhich (?!of|is|are|do|does|did|should|can|would|will)\w+|\b(?:particular|specific) \w+", q):
        return Wanted(_NAME)
    return None


@dataclass(frozen=True)
class _Candidate:
    score: float
    passage_rank: int
    order: int
    n: int
    sentence: str
    on_topic: bool = True  # shares a content word with the question, or is close in meaning
    # Against each part of a question that asks several things ("… and how much?"): the sentence's score
    # for that part, and how well it holds what that part asks for (Wanted.strength; 0 when it asks for
    # nothing in particular).
    parts: tuple[float, ...] = ()
    holds: tuple[float, ...] = ()
    item: bool = False  # from a list item or table row: quoted on a line of its own
    continues: bool = False  # a list item's second or later sentence: quoted on the item's line after the one before


@dataclass(frozen=True)
class Evidence:
    """How well the passages answer the question: the basis of abstaining."""

    coverage: float  # share (idf-weighted) of the question's content words found in the best passage
    best_similarity: float  # the best sentence's cosine similarity to the question
    similarity_gap: float  # how far the best sentence stands out: its similarity less the median sentence's
    candidates: tuple[_Candidate, ...]
    # The kind of detail the question asks for ("number", "sum", "phone number": asked_details) when none of the
    # best on-topic sentences states one: the passages are about the topic but do not say what is asked.
    detail_missing: str | None = None
    # The question asks how to do something ("how do I …", "what are the steps"): a procedure answers it.
    asks_steps: bool = False
    # The question asks for a date or an amount of a year ("the 2027 downtime dates"), or names a numbered thing
    # ("Line 2"), that the passages sent do not name, though they name others (asked_details, numbered_ones).
    not_named: str | None = None
    # A term the question asks about that is not common English and that no passage sent names ("sabbatical"):
    # absent_terms. Read only when the passages may answer, not when they answer.
    absent_term: str | None = None


_ASKS_STEPS = re.compile(
    r"\bhow (?:do|can|should|would) (?:i|we|you)\b|\bhow to\b|\bwhat (?:are )?(?:the )?steps\b|\bprocedure\b", re.I
)
# A passage with this many lines of steps (list items, and the commands a step introduces) or more, one of which is
# among the STEPS_AMONG best sentences, is a procedure: for a question that asks how, its steps are quoted in order
# (the best sentence is often the section's opening line: "we use business cards sparingly" above the steps).
MIN_STEPS = 3
STEPS_AMONG = 3
# How many of the best on-topic sentences are read for the detail asked (asked_details).
DETAIL_AMONG = 8


_PART_SPLIT = re.compile(
    r"(?<=[.?!])\s+|[,;]?\s+\b(?:and|or|also)\s+(?=(?:how|what|what's|where|who|when|which|why|is|are|can|do|does|should|will)\b)",
    re.I,
)


_ASKING = re.compile(
    r"(?:how|what|what's|where|who|when|which|why|is|are|am|can|could|do|does|did|should|will|would|may)\b", re.I
)


def question_parts(question: str) -> list[str]:
    """The questions a question asks ("How often…, and where do I…?" is two), or none when it asks one.
    Statements ("I've got about 5 years of service.") are not parts: the whole question keeps them."""
    pieces = [p.strip() for p in _PART_SPLIT.split(question) if p and p.strip()]
    asks = [p for p in pieces if p.endswith("?") or _ASKING.match(p)]
    return asks if len(asks) > 1 else []


def mend_typos(question: str, passages: Sequence[ContextPassage], known: frozenset[str] = frozenset()) -> str:
    """`question` with each word that looks mistyped replaced by the passages' word one slip away.

    A word of five letters or more that is not a `known` word (the embedding model's vocabulary) and that
    no passage holds, in any inflection, is replaced by the passages' word at the
    smallest OSA distance (an adjacent swap is one slip) within 1, or 2 for words of eight letters or
    more, with the same first letter; the most frequent wins a tie. A word with no such neighbour (a
    topic the passages do not mention) is left as it is, so mending never invents a match."""
    counts = Counter(w for p in passages for w in _WORD.findall(f"{p.title} {p.text}".lower()) if len(w) >= 4)
    stems = {stem(w) for w in counts}
    by_first: dict[str, list[str]] = {}
    for word in counts:
        by_first.setdefault(word[0], []).append(word)

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < 5 or low in counts or low in known or not low.isalpha() or stem(low) in stems or expansion(low):
            return word
        limit = 1 if len(low) < 8 else 2
        near = [
            (OSA.distance(low, v, score_cutoff=limit), -counts[v], v)
            for v in by_first.get(low[0], ())
            if abs(len(v) - len(low)) <= limit
        ]
        near = [n for n in near if n[0] <= limit]
        if not near:
            return word
        mended = min(near)[2]
        return mended.capitalize() if word[0].isupper() else mended

    return _ANY_CASE_WORD.sub(mend, question)


def weigh_evidence(bundle: Bundle, embed: Embed | None = None, known: frozenset[str] = frozenset()) -> Evidence:
    """Score every sentence of the passages against the question (its typos mended, `known` being the
    words that are never typos); best first."""
    question = mend_typos(bundle.question, bundle.passages, known)
    question_terms = content_terms(question)
    # A passage sent flagged (the policy's injection action `mark`) gives no sentence that carries an
    # injection cue: the extractive answer never repeats an instruction aimed at a model.
    rows = [
        (rank, order, p, heading, s, item, continues)
        for rank, p in enumerate(bundle.passages)
        for order, (heading, s, item, continues) in enumerate(_sentences(p.text, p.heading or p.title))
        if not (p.flagged and inspect_injection(s).cues)
    ]
    if not question_terms or not rows:
        return Evidence(0.0, 0.0, 0.0, ())
    sentence_terms = [content_terms(s) for *_, s, _, _ in rows]
    heading_terms = [content_terms(h) for *_, h, _, _, _ in rows]
    passage_terms = [content_terms(p.title + "\n" + p.text) for p in bundle.passages]
    # Inverse frequency over the retrieved sentences: rare question words weigh more. A question word
    # found in no passage weighs most, so the coverage of a question about something absent stays low.
    weight = {t: math.log(1 + len(rows) / (1 + sum(t in terms for terms in sentence_terms))) for t in question_terms}
    total = sum(weight.values())
    # Whether the passages answer is read from the ranked ones: a neighbour sent for context (the paragraph
    # after a match) adds sentences to quote, not evidence.
    ranked = [not p.neighbour for p in bundle.passages]
    if not any(ranked):
        ranked = [True] * len(bundle.passages)
    coverage = max(
        sum(weight[t] for t in question_terms & terms) / total
        for terms, is_ranked in zip(passage_terms, ranked, strict=True)
        if is_ranked
    )
    parts = question_parts(question)
    if embed is not None:
        vectors = embed([with_expansions(question), *parts] + [s for *_, s, _, _ in rows])
        sentence_vectors = vectors[1 + len(parts) :]
        similarity = [cosine(vectors[0], v) for v in sentence_vectors]
        part_similarity = [[cosine(q, v) for q in vectors[1 : 1 + len(parts)]] for v in sentence_vectors]
    else:
        similarity = [0.0] * len(rows)
        part_similarity = [[0.0] * len(parts) for _ in rows]
    wanted = asks_for(question)
    part_terms = [content_terms(part) & set(weight) for part in parts]
    part_wanted = [asks_for(part) for part in parts]
    candidates = []
    for (rank, order, p, _, sentence, item, continues), terms, head, sim, part_sims in zip(
        rows, sentence_terms, heading_terms, similarity, part_similarity, strict=True
    ):
        own = sum(weight[t] for t in question_terms & terms) / total
        context = sum(weight[t] for t in question_terms & (head - terms)) / total
        base = W_CONTEXT * context + RANK_PRIOR / (1 + rank)
        score = base + W_OWN * own + W_SIM * sim
        if wanted is not None:
            score += W_WANTED * wanted.strength(sentence)
        part_scores = tuple(
            base
            + W_OWN * _share(weight, part_t, terms)
            + W_SIM * (sim + part_sim) / 2
            + (W_WANTED * part_w.strength(sentence) if part_w is not None else 0.0)
            for part_t, part_sim, part_w in zip(part_terms, part_sims, part_wanted, strict=True)
        )
        holds = tuple(part_w.strength(sentence) if part_w is not None else 0.0 for part_w in part_wanted)
        on_topic = own > 0 or sim >= 0.3
        candidates.append(_Candidate(score, rank, order, p.n, sentence, on_topic, part_scores, holds, item, continues))
    candidates.sort(key=lambda c: -c.score)
    # Fewer sentences than MIN_SAMPLE say little of how the best stands out: the missing ones count as
    # unrelated (similarity 0), so one short on-topic passage is not rejected for lack of company.
    evidence_similarity = [sim for (rank, *_), sim in zip(rows, similarity, strict=True) if ranked[rank]]
    ordered = sorted(evidence_similarity, reverse=True) + [0.0] * max(0, MIN_SAMPLE - len(evidence_similarity))
    gap = ordered[0] - ordered[len(ordered) // 2]
    texts = [f"{p.title}\n{p.heading}\n{p.text}" for p in bundle.passages]
    return Evidence(
        coverage,
        ordered[0],
        gap,
        tuple(candidates),
        missing_detail(in_english(question), [c.sentence for c in candidates if c.on_topic][:DETAIL_AMONG]),
        asks_steps=bool(_ASKS_STEPS.search(question)),
        not_named=year_missing(question, texts) or numbered_missing(question, texts),
        absent_term=_absent_term(question, texts, embed is not None),
    )


def _absent_term(question: str, texts: Sequence[str], with_model: bool) -> str | None:
    """absent_terms.absent_term on the passages sent; None without the model (word coverage alone decides)."""
    return absent_term(question, texts, is_name=name_lists().is_name) if with_model else None


def _share(weight: dict[str, float], wanted: set[str], found: set[str]) -> float:
    total = sum(weight[t] for t in wanted)
    return sum(weight[t] for t in wanted & found) / total if total else 0.0


class Verdict(enum.Enum):
    """What the evidence says of the passages sent."""

    ANSWERS = "answers"
    MAY_ANSWER = "may_answer"  # quoted, after saying that they may not answer exactly
    NOT_NAMED = "not_named"  # about what was asked, but for other years or numbered things than the one asked about
    NOTHING = "nothing"


def evidence_score(evidence: Evidence) -> float:
    """The best sentence's similarity to the question, how far it stands out from the other sentences sent (a
    passage that answers has one sentence well above the rest; a neighbouring topic is uniformly lukewarm), and
    the share of the question's words the best passage covers."""
    return evidence.best_similarity + 0.5 * evidence.similarity_gap + 0.3 * evidence.coverage


def verdict(evidence: Evidence, *, with_embeddings: bool) -> Verdict:
    """ANSWERS at ANSWER_THRESHOLD and above, MAY_ANSWER from HEDGE_THRESHOLD, else NOTHING; NOTHING too when the
    question asks for a kind of detail no best sentence states (`detail_missing`: asked_details) or when the passages
    only may answer and name no form of the term it asks about (`absent_term`: absent_terms), and NOT_NAMED
    instead of answering when it asks about a year or a numbered thing the passages do not name (`not_named`).
    Without the model,
    word coverage alone decides."""
    if not evidence.candidates or evidence.detail_missing:
        return Verdict.NOTHING
    if not with_embeddings:
        if evidence.coverage < 0.35:
            return Verdict.NOTHING
        found = Verdict.ANSWERS
    elif (score := evidence_score(evidence)) >= ANSWER_THRESHOLD:
        found = Verdict.ANSWERS
    elif score >= HEDGE_THRESHOLD and not evidence.absent_term:
        found = Verdict.MAY_ANSWER
    else:
        return Verdict.NOTHING
    return Verdict.NOT_NAMED if evidence.not_named else found


def answers_question(evidence: Evidence, *, with_embeddings: bool) -> bool:
    """Whether the evidence says the passages answer (not only that they may)."""
    return verdict(evidence, with_embeddings=with_embeddings) is Verdict.ANSWERS


def _same_sentence(a: str, b: str) -> bool:
    """The same sentence twice (overlapping chunks, a page quoting another): nearly the same words."""
    ta, tb = set(_WORD.findall(a.lower())), set(_WORD.findall(b.lower()))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.8


def select_sentences(evidence: Evidence) -> list[_Candidate]:
    """The best few sentences within the length budget, grouped by passage (best passage first), in
    reading order inside each passage. A question that asks several things gets the best sentence for
    each part first; a sentence already said (from an overlapping passage) is not said twice."""
    if not evidence.candidates:
        return []
    best = evidence.candidates[0].score
    chosen: list[_Candidate] = []
    length = 0

    def take(candidate: _Candidate) -> bool:
        nonlocal length
        if candidate in chosen or any(_same_sentence(candidate.sentence, c.sentence) for c in chosen):
            return False
        if chosen and length + len(candidate.sentence) > MAX_ANSWER_CHARS:
            return False
        chosen.append(candidate)
        length += len(candidate.sentence)
        return True

    by_position = {(c.passage_rank, c.order): c for c in evidence.candidates}

    def take_with_sequel(candidate: _Candidate) -> bool:
        """Take a sentence, and what completes it before anything else: the sentences on each side of the best
        one (the one after often carries its detail: the figure after "Eligibility:"; the one before, what it
        speaks of: "Award leave is not paid out." before "Use it before you leave, or you will forfeit it."),
        and when it introduces a list ("… via the options below:") the list after it, whose items are what it
        announces (the number, the steps)."""
        among_best = len(chosen) < NEIGHBOURS
        if not take(candidate):
            return False
        if among_best:
            for order in (candidate.order + 1, candidate.order - 1):
                if neighbour := by_position.get((candidate.passage_rank, order)):
                    take(neighbour)
        if candidate.sentence.rstrip().endswith(":"):
            for order in range(candidate.order + 1, candidate.order + 1 + MAX_LIST_ITEMS):
                item = by_position.get((candidate.passage_rank, order))
                if item is None or not item.item:
                    break
                take(item)
        return True

    if evidence.asks_steps:
        # "How do I make the standby the new primary?": the runbook's steps, in order, not its three best lines
        # spread over the passages (the step that says "promote" may score below a step's note).
        top = evidence.candidates[0]
        steps = sorted(
            (c for c in evidence.candidates if c.passage_rank == top.passage_rank and c.item),
            key=lambda c: c.order,
        )
        if set(evidence.candidates[:STEPS_AMONG]) & set(steps) and len(steps) >= MIN_STEPS:
            take(top)  # first, so that a length budget a long procedure fills still holds the best step
            for step in steps:
                take(step)

    on_topic = [c for c in evidence.candidates if c.on_topic]
    for part in range(len(evidence.candidates[0].parts)):
        # A part that asks for a kind of thing (a number, a place) gets the best on-topic sentence that holds
        # one; another part, the best sentence for its own words.
        if any(c.holds[part] for c in on_topic):
            ranked = sorted(on_topic, key=lambda c: (-c.holds[part], -c.score))
            floor = PART_RATIO * best
        else:
            ranked = sorted(on_topic, key=lambda c: -c.parts[part])
            floor = KEEP_RATIO * best
        for candidate in ranked[:3]:
            if candidate.score >= floor and take_with_sequel(candidate):
                break
    pool = [c for c in on_topic if c.score >= KEEP_RATIO * best]
    per_passage: dict[int, int] = {}
    for c in chosen:
        per_passage[c.passage_rank] = per_passage.get(c.passage_rank, 0) + 1
    while pool and len(chosen) < MAX_SENTENCES:
        # Each further sentence from one passage counts for less: the facts of an answer are often
        # spread over the passages sent (the steps in one, the figure in the next).
        candidate = max(pool, key=lambda c: c.score - SAME_PASSAGE_PENALTY * per_passage.get(c.passage_rank, 0))
        pool.remove(candidate)
        if take_with_sequel(candidate):
            per_passage[candidate.passage_rank] = per_passage.get(candidate.passage_rank, 0) + 1
    # Two sentences of one passage quoted with one left out between them: the one between is said too, within
    # the budget (it is often what joins them: "Try cleaning the contact pad" between the error it fixes and
    # "Wipe any eraser debris off afterwards").
    for c in list(chosen):
        middle = by_position.get((c.passage_rank, c.order + 1))
        if middle is not None and by_position.get((c.passage_rank, c.order + 2)) in chosen:
            take(middle)
    first_seen: dict[int, int] = {}
    for candidate in chosen:
        first_seen.setdefault(candidate.passage_rank, len(first_seen))
    return sorted(chosen, key=lambda c: (first_seen[c.passage_rank], c.order))


# How many documents an answer that found nothing names as the closest.
CLOSEST = 3


class _Titled(Protocol):
    title: str


_P = TypeVar("_P", bound=_Titled)


def closest_passages(passages: Sequence[_P], limit: int = CLOSEST) -> list[_P]:
    """The first passage of each of the `limit` documents (told apart by title) that came closest, best first: the
    documents an answer that found nothing names, and the page links (routing.answer.GatedAnswer.closest)."""
    first: dict[str, _P] = {}
    for p in passages:
        if p.title and p.title not in first and len(first) < limit:
            first[p.title] = p
    return list(first.values())


def _known_words() -> frozenset[str]:
    return get_embedder().vocabulary()


def _weighed(bundle: Bundle) -> tuple[Evidence, Verdict]:
    """The evidence of `bundle`'s passages, and what it says of them."""
    if bundle.previous_question:
        # A follow-up ("and who approves that?") is weighed as retrieval searched it: with what it refers to.
        standalone = standalone_query(bundle.question, PreviousTurn(bundle.previous_question))
        bundle = dataclasses.replace(bundle, question=standalone)
    return _weighed_with(bundle, with_model=embedder_is_loaded())


# The gate weighs a bundle before asking a target that requires evidence, and the extractive answer that follows
# when it finds none weighs the same bundle again: the second time is read from here (some 0.3 s of CPU saved).
# A few bundles only, so that questions are not kept in memory beyond their requests.
@functools.lru_cache(maxsize=4)
def _weighed_with(bundle: Bundle, *, with_model: bool) -> tuple[Evidence, Verdict]:
    embed = loaded_embed() if with_model and bundle.passages else None
    evidence = weigh_evidence(bundle, embed, _known_words() if embed is not None else frozenset())
    return evidence, verdict(evidence, with_embeddings=embed is not None)


def passages_answer(bundle: Bundle) -> bool:
    """Whether the passages of `bundle` hold an answer to its question, by the evidence the extractive answer
    abstains on (`verdict`): checked on-prem before a target with `requires_evidence` is called. Passages that only
    may answer do not: the model is not asked, and the extractive answer quotes them with its caveat."""
    return _weighed(bundle)[1] is Verdict.ANSWERS


class ExtractiveBackend(ChatBackend):
    name = "extractive"
    zone = "onprem"
    model = "extractive-v1"
    # Its citations are its own, one per quoted sentence; a bracketed number inside a quoted sentence (a command's
    # "DBClusters[0]", a footnote) is the passage's text and is left as it is.
    writes_its_citations = True

    def generate(self, bundle: Bundle) -> Iterator[str]:
        evidence, found = _weighed(bundle)
        chosen = select_sentences(evidence) if found in (Verdict.ANSWERS, Verdict.MAY_ANSWER) else []
        if not chosen:
            if found is Verdict.NOT_NAMED:
                yield NOT_NAMED_FOUND.format(name=evidence.not_named)
            elif evidence.absent_term and not evidence.detail_missing:
                yield NO_TERM_FOUND.format(term=evidence.absent_term)
            else:
                yield (
                    NO_DETAIL_FOUND.format(detail=evidence.detail_missing) if evidence.detail_missing else NOTHING_FOUND
                )
            if closest := closest_passages(bundle.passages):
                yield " The closest documents were: " + "; ".join(p.title for p in closest) + "."
            return
        if found is Verdict.MAY_ANSWER:
            yield MAY_NOT_ANSWER + "\n\n"
        # One paragraph per passage quoted, in the order chosen; a list item (its sentences together) or table row
        # on a line of its own. A static-site generator's tags ("{% page … %}") are quoted as the built page shows
        # them (retrieval.template_tags).
        for i, candidate in enumerate(chosen):
            if i == 0:
                separator = ""
            elif candidate.n != chosen[i - 1].n:
                separator = "\n\n"
            elif candidate.continues and candidate.order == chosen[i - 1].order + 1:
                separator = " "
            elif candidate.item or chosen[i - 1].item:
                separator = "\n"
            else:
                separator = " "
            yield f"{separator}{readable(candidate.sentence)} [{candidate.n}]"
