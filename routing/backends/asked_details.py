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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.terms import STOPWORDS, stem

NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen"
    r"|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand|million|dozen|half)\b",
    re.I,
)
# The clauses of a question: a detail is asked by a clause that asks, not by one that tells ("I called the hotline
# and they told me to reset my PIN, how do I do that?" asks for no phone number).
CLAUSE_BREAK = re.compile(r"[,;:?!]\s+|\.\s+|\s+(?:and|but|so)\s+", re.I)
_ASKS = re.compile(r"\b(?:what|what's|whats|which|how|where|when|who|whom|is there|are there)\b|\?\s*$", re.I)

# An amount, whose answer must hold a number (or say there is none). "When" and "how soon" are not among them:
# "before your first day" answers those without a number.
_ASKS_AMOUNT = re.compile(r"\bhow (?:many|much)\b|\b(?:maximum|minimum|limit|cap|rate|percentage)\b", re.I)
_AN_AMOUNT = re.compile(
    NUMBER.pattern + r"|\ban?\s+(?:few\s+|couple\s+of\s+)?(?:minute|hour|day|week|month|year|quarter)s?\b"
    r"|\bunlimited\b|\bno\s+(?:set\s+)?(?:limit|cap|maximum|minimum|fee|charge|cost)\b|\bfree\b"
    r"|\bnot\s+(?:capped|limited)\b",
    re.I,
)
# "Which (Postgres) version": a version ("15.4", "v1.29", "Java 21"), not any figure.
_A_VERSION = re.compile(r"\bv?\d+(?:\.\d+)+\b|\bv\d+\b|\bversion\W{0,3}\d+", re.I)
# The product a version is asked of ("which Java version", "what version of Windows"): "Java 21" states one.
_VERSION_OF = re.compile(
    r"\b(?:which|what)\s+(?:[\w.-]+\s+)?([\w.+#-]+)\s+version\b|\bversion\s+of\s+([\w.+#-]+)", re.I
)
# A sum of money: "how much" with a word of money in its clause ("how much does the course cost", "how much do I get
# paid"), or the price of something ("what's the fee for a new card"). "How many" counts things, whatever they are
# ("how many expense lines", "how many GPU hours are in our budget"); "how much unused leave" is leave. A sum is
# also said as a share or a multiple of another ("5% of base salary", "time and a half"), or in words.
_MONEY = (
    r"costs?|price[ds]?|fees?|charges?|salary|salaries|severance|bonus(?:es)?|stipends?|allowances?|reimburs\w*"
    r"|per diem|money|dollars?|refunds?|wages?|compensation|premiums?|chargebacks?|billed|match|contribute"
    r"|paid(?!\s+(?:\w+\s+)?(?:leave|time|holidays?|vacation|days?|hours?|weeks?))|pay(?!\s+(?:period|stub|slip|grade))"
)
_HOW_MUCH = re.compile(r"\bhow much\s+(\w+)", re.I)
# After "how much", a word that says the amount is of the verb that follows ("how much does …", "how much extra …").
_HOW_MUCH_VERB = frozenset(
    {"is", "are", "was", "were", "does", "do", "did", "will", "would", "can", "could", "should", "may", "might"}
    | {"extra", "more", "less", "money", "it", "we", "i", "you", "they"}
)
_ASKS_MONEY = re.compile(rf"\b(?:{_MONEY})\b", re.I)
_ASKS_PRICE = re.compile(
    r"\b(?:what|what's|whats|how much)\b.*\b(?:costs?|price|fees?|charge)\b(?!\s+(?:off|back|card))", re.I
)
_ASKS_RATE = re.compile(r"\b(?:rate|maximum|minimum|limit|cap)\b", re.I)
_CURRENCY = r"USD|EUR|GBP|CAD|AUD|CHF|JPY|dollars?|cents?|euros?|pounds?|yen|francs?|rupees?"
# Every currency sign Unicode knows ("₹6,000", "₩", "₺"), not only the dollar, euro and pound.
_CURRENCY_SIGNS = "".join(chr(c) for c in range(0x20, 0x10000) if unicodedata.category(chr(c)) == "Sc")
_A_SUM = re.compile(
    rf"[{re.escape(_CURRENCY_SIGNS)}]\s?\d|\d\s?(?:{_CURRENCY})\b|\b(?:{_CURRENCY})\s?\d|\b(?:{_CURRENCY})\b"
    r"|\bfree\b|\bno (?:extra |additional )?(?:cost|charge|fee)s?\b|\bat no (?:extra )?(?:cost|charge)\b"
    r"|\bcosts? nothing\b|\bincluded\b|\bin full\b|\btime and a half\b|\b(?:double|triple)\b"
    r"|\b\d+(?:\.\d+)?\s?(?:x|times)\b|\d\s?%|\bper ?cent\b",
    re.I,
)
# A share ("what percentage", "how much does the company match"): a sum or a count is not one.
_ASKS_SHARE = re.compile(r"\bpercent(?:age)?\b|\bwhat share\b|\bhow much (?:do|does|will) (?:\w+\s+){1,3}match\b", re.I)
_A_SHARE = re.compile(
    r"\d\s?%|\bper ?cent\b|\bhalf\b|\bquarters?\b|\bthirds?\b|\bfifths?\b|\btenths?\b|\b\d+/\d+\b|\bin full\b"
    r"|\bfully\b|\bthe (?:full|entire|whole) (?:amount|cost|price|premium|fee|sum|balance)\b"
    r"|\ball of\b|\bnone of\b|\bnothing\b",
    re.I,
)
# A sum per unit ("the per-mile rate", "cost per GPU hour"): stated per that unit ("$0.70 per mile", "$2/hour",
# "$50 monthly", "$60 a head"). Not "as per policy" or "per the handbook".
_PER_UNIT = re.compile(r"(?<!\bas )\bper[- ](?!diem\b|cent\b)([a-z]+)", re.I)
# Units a sum may be given per without "per": "$2.10 hourly", "$250 nightly", "$50 monthly", "$60 a head".
_UNIT_ADVERBS = {
    "minute": r"/\s*min\b",
    "hour": r"\bhourly\b|/\s*h(?:r|our)?\b",
    "day": r"\bdaily\b",
    "night": r"\bnightly\b",
    "week": r"\bweekly\b",
    "month": r"\bmonthly\b|/\s*mo(?:nth)?\b",
    "year": r"\b(?:yearly|annual(?:ly)?)\b|\ba year\b|/\s*yr\b",
    "person": r"\b(?:a|per|each) (?:head|person|attendee|guest)\b|\bpp\b",
}
# "How often" is answered by a frequency: a number, or a word that says one.
_ASKS_FREQUENCY = re.compile(r"\bhow often\b", re.I)
_PERIOD = (
    r"(?:minute|hour|day|night|week|weekday|month|quarter|year|sprint|shift|cycle|release|pay period"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
)
_A_FREQUENCY = re.compile(
    rf"\b(?:every|each|per|a|an|once\s+a|twice\s+a)\s+(?:other\s+|single\s+|\w+\s+)?{_PERIOD}\b"
    r"|\b(?:daily|weekly|biweekly|bi-weekly|fortnightly|monthly|quarterly|annually|yearly|hourly|nightly)\b"
    r"|\b(?:once|twice|\d+\s+times)\b|\bof (?:the|each|every) (?:week|month|quarter|year)\b"
    # Or that there is none: "passwords do not expire", "as needed".
    r"|\bnever\b|\b(?:do|does|will) not (?:expire|recur|repeat)\b|\bas (?:needed|required)\b",
    re.I,
)
# A number to call ("the phone number of the wire desk", "what number do I call", "the extension for security").
# "Who do I call" asks for a name; "an extension on my deadline", "a file extension" are no numbers to call.
# Asked for, not spoken of: "how do customers change their registered phone number" asks for steps.
_ASKS_PHONE = re.compile(
    r"\b(?:what|what's|whats|which|need)\b(?:\s+\w+){0,3}\s+(?:tele)?phone (?:number|line|extension)\b"
    r"|\b(?:tele)?phone (?:number|line) (?:for|of|to reach)\b|\bhotline\b"
    r"|\bnumber (?:do i|should i|can i|to|we) (?:call|dial)\b"
    r"|\bwhat(?:'s| is)? (?:the )?(?:number|extension) (?:for|to call|do i call)\b"
    r"|\bwhich extension (?:do|should|to|for|is)\b",
    re.I,
)
_A_PHONE = re.compile(
    r"\bext(?:ension)?\.?\s?\d{2,6}\b|\bx\d{3,6}\b|\d{3}\)?[\s.-]\d{3}[\s.-]?\d{4}\b|\+\d[\d\s().-]{7,}\d"
    r"|\b1-8\d\d-[A-Z0-9-]{4,}\b|\b(?:911|999|112|000)\b|\b(?!(?:19|20)\d\d\b)\d{4,6}\b",
    re.I,
)
# An address to write to ("the e-mail address for payroll", "what's the email for the help desk", "which mailing
# list"): an address, or a channel to post in. An e-mail policy or its retention period is not one.
_ASKS_EMAIL = re.compile(
    r"\be-?mail (?:address|alias)\b|\bwhat(?:'s| is)? the e-?mail (?:for|to|of)\b|\bmailing list\b", re.I
)
_AN_EMAIL = re.compile(r"@|\bmailto:|(?<![\w&])#[a-z][\w-]+", re.I)
# A time of day ("what time does the branch close", "the cut-off for same-day wires"): a clock time, or a day or a
# date by which it falls. "Time off" and "time frame" are not one.
_ASKS_TIME = re.compile(
    r"\bwhat time\b(?! ?(?:off|frame|period|window|line|zone))|\bcut-?off\b(?! date)|\bby what time\b|\bwhat hour\b",
    re.I,
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
# A month by its name or usual short form: "mar[a-z]*" took "marketing", "sep…" "separate", "oct…" "octane".
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_A_TIME = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}[:h]\d{2}\b|\b[0-2]\d[0-5]\d\b|\b\d{1,2}\s?o'?clock\b"
    r"|\b(?:at|by|until|till|from|before|after)\s+\d{1,2}\b|\b(?:noon|midday|midnight)\b"
    r"|\b(?:close|end) of (?:business|play|day)\b|\bend of (?:the )?(?:business |working )?day\b|\b(?:COB|EOD|EOB)\b"
    rf"|\b{_WEEKDAY}\b|\b{_MONTH}\s\d{{1,2}}\b|\b\d{{1,2}}\s{_MONTH}",
    re.I,
)
# A date of one occurrence, past or next ("when was the last mock recall", "when is the next upgrade going live",
# "what date is the freeze"): a day, a month, a year, a weekday, a quarter or season, or a rule that fixes it
# ("the first Tuesday of each month", "every quarter", "next week"). "When do I get paid", "when should I file"
# ask when in general, which a rule answers in words ("before your first day").
_ASKS_DATE = re.compile(
    r"\bwhen(?:'s|s)?\s+(?:(?:is|was|will|are|were|did|does|do\s+(?:we|they|you)\s+(?:have|hold|run|do))\s+)?"
    r"(?:the\s+|our\s+|we\s+|they\s+|it\s+)?(?:next|last|previous|upcoming|most recent|latest)\b"
    r"(?!\s+(?:steps?|available|thing|one|time\s+(?:i|we|you)|i\b))"
    r"|\b(?:what|which|on what)\s+(?:date|day)\b(?!s?\s+(?:off|of|format|care|rate|shift|pass))"
    r"|\bdate of the (?:next|last|previous)\b|\bhow long ago\b",
    re.I,
)
# A month by its name or usual short form ("may" only beside a number or after a word of time: "may be called" is
# no month), a day of the month ("the 14th"), a numeric date ("12/15", "15.12.2026"; not "24/7" or "1-2").
_A_MONTH = (
    rf"\b(?!may\b){_MONTH}"
    r"|\bmay\b(?=\s*\d)|(?<=\d\s)may\b|\b(?:in|of|until|till|by|since|from|before|after|early|late|mid|end of)\s+may\b"
)
_A_NUMBER_WORD = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|a few|a couple of)"
_A_DATE = re.compile(
    rf"{_A_MONTH}|\b\d{{1,2}}(?:st|nd|rd|th)\b"
    r"|\b(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|[12]\d|3[01])(?:[/.]\d{2,4})?\b(?<!24/7)"
    r"|\b\d{1,2}-\d{1,2}-\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    r"|(?<!\d)(?:19|20)\d\d(?!\d)|\b(?:Q[1-4]|H[12]|FY\s?\d{2,4})\b"
    rf"|\b{_WEEKDAY}\b|\b(?:spring|summer|autumn|fall|winter|weekend|tomorrow|today|yesterday|tonight)\b"
    r"|\b(?:christmas|easter|thanksgiving|new year'?s?|hanukkah|diwali|eid|ramadan)\b"
    r"|\b(?:this|next|last|each|every)\s+(?:\w+\s+)?(?:week|month|quarter|year|sprint|cycle|shift|day|fortnight"
    r"|term|semester|season)s?\b"
    r"|\b(?:start|end|beginning) of (?:the |each |every )?(?:\w+ )?(?:week|month|sprint|quarter"
    r"|year|shift|day|term|semester)\b|\b(?:year|month|quarter|week|term)-end\b"
    r"|\b(?:daily|weekly|monthly|quarterly|annually|yearly|fortnightly|biweekly|bimonthly|biannually|biannual"
    r"|semi-?annual(?:ly)?|nightly|hourly)\b"
    rf"|\b(?:in|within|after)\s+{_A_NUMBER_WORD}\s+(?:business\s+|working\s+|calendar\s+)?"
    r"(?:days?|weeks?|months?|years?)\b"
    rf"|\b{_A_NUMBER_WORD}\s+(?:days?|weeks?|months?|years?)\s+ago\b"
    r"|\bnot (?:yet )?(?:scheduled|planned|set|decided|announced|fixed|booked)\b|\b(?:tbd|tba|tbc)\b",
    re.I,
)
# A form ("which form do I file", "what tax form"): one named, by a number ("W-4", "I-9", "1099") or a word that
# names one. "A form of ID", "a form factor" are not forms.
# "What form does the review take", "in what form should receipts be sent" ask for a shape, not a form.
_ASKS_FORM = re.compile(
    r"(?<!\bin )\b(?:which|what) (?:\w+\s+)?form (?:do|should|must|can|to|is|are|for|number)\b(?![^?]*\btake\b)"
    r"|\bform (?:number|do i|should i|to)\b",
    re.I,
)
_A_FORM = re.compile(
    r"\b(?:forms?|templates?|requests?|applications?|checklists?|worksheets?|questionnaires?|declarations?"
    r"|certificates?|attestations?|records?|reports?|sheets?|slips?|vouchers?)\b|\b[A-Z]{1,5}-?\d{1,5}[A-Z]?\b"
    r"|\b[A-Z]{2,6}-[A-Z0-9]{1,6}\b|\b\d{3,5}\b",
    re.I,
)


@dataclass(frozen=True)
class Detail:
    """A kind of detail an answer must state: its name (said to the user when no passage states it), the patterns
    any of which states it, and for a sum per unit ("per mile"), the unit it comes with."""

    name: str
    says: tuple[re.Pattern[str], ...]
    per: re.Pattern[str] | None = None

    def stated_in(self, sentence: str) -> bool:
        return any(p.search(sentence) for p in self.says) and (self.per is None or bool(self.per.search(sentence)))


def _per_unit(clauses: Iterable[str]) -> re.Pattern[str] | None:
    """The unit of "per X" in the clauses, as a sentence may write it after a sum ("per mile", "/mile", "a mile",
    "each mile", "monthly", "a head"); None when there is none, or it is a function word ("per the handbook")."""
    for clause in clauses:
        if (match := _PER_UNIT.search(clause)) and match.group(1).lower() not in STOPWORDS:
            word = match.group(1).lower()
            base = word[:-1] if word.endswith("s") and len(word) > 3 else word
            noun = rf"(?:\bper|/|\ban?|\beach)\s*(?:\w+[\s-])?(?:{re.escape(base)}|{re.escape(stem(base))})\w*"
            return re.compile("|".join(filter(None, [noun, _UNIT_ADVERBS.get(base)])), re.I)
    return None


def _asks_sum(clause: str) -> bool:
    """Whether the clause asks for a sum of money: the price of something, "how much" of money or with a word of money
    after its verb, or a rate or a cap of money ("the per-mile rate I get reimbursed")."""
    if _ASKS_PRICE.search(clause):
        return True
    if match := _HOW_MUCH.search(clause):
        if match.group(1).lower() in _HOW_MUCH_VERB:
            return bool(_ASKS_MONEY.search(clause, match.end(1)))
        return bool(_ASKS_MONEY.match(clause, match.start(1)))
    return bool(_ASKS_RATE.search(clause) and _ASKS_MONEY.search(clause))


# "How much notice / leave / storage": a quantity, answered by a number. "How much detail", "how much access" ask
# for no number.
_QUANTITY = re.compile(
    r"\bhow much\s+(?:\w+\s+){0,2}(?:time|notice|leave|pto|vacation|sick|storage|memory|ram|disk|space|quota"
    r"|bandwidth|data|traffic|capacity|overtime|credit|lead time|longer|later|earlier|weight|power|cpu|gpu)\b",
    re.I,
)


def _asks_amount(clause: str) -> bool:
    if not _ASKS_AMOUNT.search(clause):
        return False
    if (match := _HOW_MUCH.search(clause)) and not _ASKS_AMOUNT.search(_HOW_MUCH.sub("", clause)):
        # "how much" is the only cue: an amount when a verb follows ("how much does it hold") or a quantity.
        return match.group(1).lower() in _HOW_MUCH_VERB or bool(_QUANTITY.search(clause))
    return True


def asking_clauses(question: str) -> list[str]:
    """The clauses of `question` that ask; the whole question when none does."""
    return [c for c in CLAUSE_BREAK.split(question) if _ASKS.search(c)] or [question]


def asked_detail(question: str) -> Detail | None:
    """The kind of detail `question` asks for, or None when it asks for none in particular."""
    asking = asking_clauses(question)
    amount = [c for c in asking if _asks_amount(c)]
    if version := next(filter(None, map(_VERSION_OF.search, asking)), None):
        product = re.escape(version.group(1) or version.group(2))
        return Detail("version", (_A_VERSION, re.compile(rf"\b{product}\w*\s?v?\d", re.I)))
    if any(_ASKS_SHARE.search(c) for c in asking):
        return Detail("percentage", (_A_SHARE,))
    if money := [c for c in asking if _asks_sum(c)]:
        return Detail("sum", (_A_SUM,), _per_unit(money))
    if amount:
        return Detail("number", (_AN_AMOUNT,))
    if any(_ASKS_FREQUENCY.search(c) for c in asking):
        return Detail("frequency", (_AN_AMOUNT, _A_FREQUENCY))
    for asks, name, says in (
        (_ASKS_PHONE, "phone number", _A_PHONE),
        (_ASKS_EMAIL, "e-mail address", _AN_EMAIL),
        (_ASKS_TIME, "time", _A_TIME),
        (_ASKS_DATE, "date", _A_DATE),
        (_ASKS_FORM, "form", _A_FORM),
    ):
        if any(asks.search(c) for c in asking):
            return Detail(name, (says,))
    return None


def missing_detail(question: str, best: Sequence[str]) -> str | None:
    """The name of the detail `question` asks for when none of the `best` sentences states one; else None."""
    detail = asked_detail(question)
    if detail is None or not best:
        return None
    return None if any(detail.stated_in(s) for s in best) else detail.name


# "When is the 2027 freeze", "the mileage rate for 2027": a date or an amount of one year. Passages that name other
# years and not this one (a page of 2026's dates) do not answer it; passages that name no year (a standing rule:
# "carry over up to 5 days") may. Years from 1990 to 2039, also inside "FY2026" or "Q3-2026": "port 2049" is not one.
_A_YEAR = re.compile(r"(?<!\d)(?:199\d|20[0-3]\d)(?!\d)")
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
