"""The detail a question asks for, and whether the best sentences sent state one of that kind.

A question that asks for a detail of a kind (an amount, a sum of money, a share, a version, a frequency, a phone
number, an e-mail address, a time of day, a form) is not answered by passages that are about its topic and state no
detail of that kind: on documents never seen, questions near a real topic that ask a detail no document states
("what's the per-mile rate", "how much does the company match") are answered from the nearest passage otherwise,
since their passages score as well as an answer's. The kind is read from the clause that asks ("I put in 5% of my
salary" tells, "what's the matching percentage" asks). Each check is a rule about wording, not a score: the best
sentences either hold such a detail or they do not.

Years are checked apart (`year_missing`): a question about one year is not answered by passages that name only
others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.terms import STOPWORDS, stem

NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen"
    r"|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand|million|dozen|half)\b",
    re.I,
)
# The clauses of a question: a detail is asked by the clause that asks, not by one that tells.
CLAUSE_BREAK = re.compile(r"[,;:?!]\s+|\.\s+|\s+(?:and|but|so)\s+", re.I)

# A question that asks for an amount, whose answer must hold a number (or say there is none). "When" and "how soon"
# are not among them: "before your first day" answers those without a number.
_ASKS_AMOUNT = re.compile(r"\bhow (?:many|much)\b|\b(?:maximum|minimum|limit|cap|rate|percentage)\b", re.I)
_AN_AMOUNT = re.compile(
    NUMBER.pattern + r"|\ban?\s+(?:few\s+|couple\s+of\s+)?(?:minute|hour|day|week|month|year|quarter)s?\b"
    r"|\bunlimited\b|\bno\s+(?:set\s+)?(?:limit|cap|maximum|minimum|fee|charge|cost)\b|\bfree\b",
    re.I,
)
# "Which (Postgres) version": answered by a version ("15.4", "v1.29"), not by any figure.
_ASKS_VERSION = re.compile(r"\b(?:which|what)\s+(?:[\w.-]+\s+){0,2}version\b", re.I)
_A_VERSION = re.compile(r"\bv?\d+(?:\.\d+)+\b|\bv\d+\b|\bversion\s+\d+", re.I)
# A sum of money ("how much does the course cost", "the per-mile rate I get reimbursed"): a figure that is no sum
# ("56 hours") does not state it. "Paid leave", "pay period" and "pay stub" speak of something else.
_MONEY_WORDS = (
    r"cost|costs|price|priced|fee|fees|charge|charged|chargeback|billed"
    r"|pay(?! (?:period|stub|slip|day|grade|band|scale))|salary|severance|bonus|stipend|allowance|budget"
    r"|reimburs\w*|expense\w*|spend|match|matches|contribut\w*|per diem|worth|owe|money|dollars?|refund\w*"
)
_ASKS_MONEY = re.compile(rf"\b(?:{_MONEY_WORDS})\b|\b(?:get|gets|getting|are|is|be|being|am) paid\b", re.I)
_A_SUM = re.compile(
    r"[$€£]\s?\d|\d\s?(?:USD|EUR|GBP|dollars?|cents?)\b|\b(?:USD|EUR|GBP)\s?\d|\bfree\b|\bno (?:cost|charge|fee)s?\b"
    r"|\bat no (?:cost|charge)\b|\bin full\b",
    re.I,
)
# A share ("what percentage", "how much does the company match"): a sum or a count is not one.
_ASKS_SHARE = re.compile(r"\bpercent(?:age)?\b|\bwhat share\b|\bhow much (?:do|does|will) (?:\w+\s+){1,3}match\b", re.I)
_A_SHARE = re.compile(r"\d\s?%|\bper ?cent\b|\bhalf\b|\bin full\b", re.I)
# "The per-mile rate", "cost per GPU hour": the amount is one per that unit ("$0.70 per mile", "$2/hour").
_PER_UNIT = re.compile(r"\bper[- ](?!diem\b|cent\b)([a-z]+)(?:[- ]([a-z]+))?", re.I)
# "How often" is answered by a frequency: a number, or a word that says one.
_ASKS_FREQUENCY = re.compile(r"\bhow often\b", re.I)
_PERIOD = r"(?:minute|hour|day|night|week|weekday|month|quarter|year|sprint|shift|cycle|release|pay period)s?"
_A_FREQUENCY = re.compile(
    rf"\b(?:every|each|per|a|an|once\s+a|twice\s+a)\s+(?:other\s+|single\s+|\w+\s+)?{_PERIOD}\b"
    r"|\b(?:daily|weekly|biweekly|bi-weekly|fortnightly|monthly|quarterly|annually|yearly|hourly|nightly)\b"
    r"|\b(?:once|twice|\d+\s+times)\b",
    re.I,
)
# A number to call ("what's the hotline", "the extension for the wire desk"): digits of a phone number or an
# extension. "Who do I call" asks for a name, not this.
_ASKS_PHONE = re.compile(
    r"\b(?:tele)?phone (?:number|line)\b|\bhotline\b|\bextension\b|\bwhat number\b"
    r"|\bnumber (?:to|do i|should i|can i) call\b",
    re.I,
)
_A_PHONE = re.compile(
    r"\b(?:ext|x)\.?\s?\d{3,6}\b|\d{3}\)?[\s.-]\d{3}[\s.-]?\d{4}\b|\+\d[\d\s().-]{7,}\d|\b\d{4,6}\b", re.I
)
# An address to write to ("what's the e-mail for payroll", "which alias"): an address or a channel.
_ASKS_EMAIL = re.compile(
    r"\be-?mail (?:address|alias)\b|\bwhat(?:'s| is)? the e-?mail\b|\bwhich (?:e-?mail|alias)\b", re.I
)
_AN_EMAIL = re.compile(r"@|\bmailto:", re.I)
# A time of day ("what time", "the cut-off for same-day wires"): a clock time, or a word for one.
_ASKS_TIME = re.compile(
    r"\bwhat time\b(?! ?(?:frame|period|window|line|zone))|\bcut-?off(?: time)?\b|\bby what time\b|\bwhat hour\b", re.I
)
_A_TIME = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}:\d{2}\b|\b\d{4}\s?(?:hours|hrs|UTC|GMT|ET|CET)\b"
    r"|\b(?:noon|midday|midnight|close of business|end of (?:the )?(?:business )?day|COB|EOD)\b",
    re.I,
)
# A form ("which form do I file"): a form named, or a form's number.
_ASKS_FORM = re.compile(r"\b(?:which|what) (?:\w+\s+)?form\b|\bform (?:number|do i|should i|to)\b", re.I)
_A_FORM = re.compile(r"\bforms?\b|\btemplate\b|\b[A-Z]{1,5}-?\d{2,5}[A-Z]?\b")


@dataclass(frozen=True)
class Detail:
    """A kind of detail an answer must state: its name (said to the user when no passage states it), the patterns
    any of which states it, and for an amount per unit ("per mile"), the unit it comes with."""

    name: str
    says: tuple[re.Pattern[str], ...]
    per: re.Pattern[str] | None = None

    def stated_in(self, sentence: str) -> bool:
        return any(p.search(sentence) for p in self.says) and (self.per is None or bool(self.per.search(sentence)))


def _per_unit(asking: Iterable[str]) -> re.Pattern[str] | None:
    for clause in asking:
        if match := _PER_UNIT.search(clause):
            units = "|".join(re.escape(stem(w)) for w in match.groups() if w and w.lower() not in STOPWORDS)
            return re.compile(rf"(?:\bper|/|\ba|\ban|\beach)\s*(?:\w+\s+)?(?:{units})", re.I)
    return None


def asked_detail(question: str) -> Detail | None:
    """The kind of detail `question` asks for, or None when it asks for none in particular."""
    clauses = CLAUSE_BREAK.split(question)
    amount = [c for c in clauses if _ASKS_AMOUNT.search(c)]
    if _ASKS_VERSION.search(question):
        return Detail("version", (_A_VERSION,))
    if any(_ASKS_SHARE.search(c) for c in amount):
        return Detail("percentage", (_A_SHARE,))
    if any(_ASKS_MONEY.search(c) for c in amount):
        return Detail("sum", (_A_SUM,), _per_unit(amount))
    if amount:
        return Detail("number", (_AN_AMOUNT,), _per_unit(amount))
    if _ASKS_FREQUENCY.search(question):
        return Detail("frequency", (_AN_AMOUNT, _A_FREQUENCY))
    if _ASKS_PHONE.search(question):
        return Detail("phone number", (_A_PHONE,))
    if _ASKS_EMAIL.search(question):
        return Detail("e-mail address", (_AN_EMAIL,))
    if _ASKS_TIME.search(question):
        return Detail("time", (_A_TIME,))
    if _ASKS_FORM.search(question):
        return Detail("form", (_A_FORM,))
    return None


def missing_detail(question: str, best: Sequence[str]) -> str | None:
    """The name of the detail `question` asks for when none of the `best` sentences states one; else None."""
    detail = asked_detail(question)
    if detail is None or not best:
        return None
    return None if any(detail.stated_in(s) for s in best) else detail.name


# "When is the 2027 freeze", "the mileage rate for 2027": a date or an amount of one year. Passages that name other
# years and not this one (a page of 2026's dates) do not answer it; passages that name no year (a standing rule:
# "carry over up to 5 days") may. Years from 1990 to 2039: "port 2049" is not one.
_A_YEAR = re.compile(r"\b(?:199\d|20[0-3]\d)\b")
_ASKS_WHEN_OR_AMOUNT = re.compile(
    r"\bwhen\b|\bdates?\b|\bschedule[ds]?\b|\bcalendar\b|\bdeadline\b|\bhow (?:much|many|long)\b|\brates?\b"
    r"|\bwhat (?:time|day)\b",
    re.I,
)


def year_missing(question: str, texts: Iterable[str]) -> str | None:
    """The year named by the clause of the question that asks for a date or an amount, when the `texts` sent name
    other years but not that one. A year told in another clause ("I joined in 2018, how many days do I get?") is
    not asked about."""
    named = {year for text in texts for year in _A_YEAR.findall(text)}
    if not named:
        return None
    for clause in CLAUSE_BREAK.split(question):
        if _ASKS_WHEN_OR_AMOUNT.search(clause):
            for year in _A_YEAR.findall(clause):
                if year not in named:
                    return year
    return None
