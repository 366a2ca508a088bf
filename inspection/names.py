"""Pattern heuristics for people's names and postal addresses.

Without a language model these can only catch names and addresses that announce themselves: a title
("Dr. Ana Lima"), an introduction ("my name is …"), a street with a house number, a unit, a PO box.
`inspection.ner` adds a statistical model when one is installed.

Each pattern is tried only where it can start (see `inspection.scan`): at its opening words,
after a line break, or at a digit, instead of at every character of the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

from inspection.addresses import find_structured_addresses
from inspection.findings import Finding
from inspection.gazetteer import common_words, country_names, name_lists
from inspection.scan import Words, finditer_at, folded, line_starts
from inspection.street_types import STREET_TYPES as _STREET_TYPES

# Where a pattern can start in a text, ascending; None when it could start anywhere.
Starts = Callable[[str], Iterable[int] | None]


def _at_words(*words: str, ignore_case: bool = False) -> Starts:
    """Starts where one of `words` occurs (lower-case words, looked for case-insensitively when
    `ignore_case`): for patterns whose every match opens with one of them."""
    return Words(*words, ignore_case=ignore_case).positions


def _run_before(text: str, end: int, also: str) -> int:
    """Where the run of letters, digits and `also` characters that ends at `end` starts."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in also):
        start -= 1
    return start


def _matches(pattern: re.Pattern[str], text: str, starts: Starts | None) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, tried only where `starts` says a match can begin."""
    positions = starts(text) if starts is not None else None
    return pattern.finditer(text) if positions is None else finditer_at(pattern, text, positions)


# A capitalised word in any alphabet ("Łukasz", "O'Neil", "Jean-Luc"), or an initial ("B.").
_NAME_WORD = r"(?:[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*|[^\W\d_]\.)"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}}"

TITLES = (
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Lady", "Lord", "Rev", "Herr", "Frau", "Mme",
    "Mlle", "Sr", "Sra", "Dott", "Mister", "Doctor",
)  # fmt: skip
_TITLED_NAME = re.compile(rf"\b(?:{'|'.join(TITLES)})\.?[ \t]+(?P<name>{_NAME})")
_INTRODUCED_NAME = re.compile(
    rf"(?i:\bmy name is|\bname\s*:|\bname is|\bdear|\bregards,|\bsincerely,|\bsigned,?|\battn:?|"
    rf"\bcontact person:?|\bcalled|\bnamed)[ \t]*\n?[ \t]*(?P<name>{_NAME})"
)
# "I'm Ada Lovelace": only with a first and a last name, or "I'm Happy to help" would be a person.
_SELF_INTRODUCTION = re.compile(rf"(?i:\bi am|\bi'm|\bthis is)[ \t]+(?P<name>{_NAME_WORD}[ \t]+{_NAME})")
_RELATIVE_NAME = re.compile(
    rf"(?i:\bmy (?:kid|son|daughter|child|wife|husband|partner|spouse|friend|colleague|boss|manager|brother|sister|"
    rf"mother|father|mom|mum|dad|uncle|aunt|cousin|neighbou?r)(?:'s name is|,)?)[ \t]+(?P<name>{_NAME})"
)
_NAME_THEN_RESIDENCE = re.compile(
    rf"(?P<name>{_NAME})[ \t]+(?:lives|lived|resides|resided|was born)[ \t]+(?:at|in|on)\b"
)
_RESIDENCE_CUES = Words("lives", "lived", "resides", "resided", "was born")


def _before_residence(text: str) -> list[int]:
    """Where a name followed by "lives in" (or the like) can start: anywhere in the run of name characters
    and blanks before each such verb (the pattern starts at any letter, so not trying it elsewhere is
    what makes it affordable)."""
    starts: set[int] = set()
    for cue in _RESIDENCE_CUES.positions(text) or ():
        starts.update(range(_run_before(text, cue, "_'’-. \t"), cue))
    return sorted(starts)


# How each of _INTRODUCED_NAME's introductions begins ("name" also opens "name:", "name is" and "named").
_INTRODUCTIONS = ("my name is", "name", "dear", "regards,", "sincerely,", "signed", "attn", "contact person", "called")
# (pattern, confidence, detector, where it can start) of the names found in running text.
_PEOPLE_PATTERNS: tuple[tuple[re.Pattern[str], float, str, Starts], ...] = (
    (_TITLED_NAME, 0.8, "titled_name", _at_words(*TITLES)),
    (_INTRODUCED_NAME, 0.7, "introduced_name", _at_words(*_INTRODUCTIONS, ignore_case=True)),
    (_SELF_INTRODUCTION, 0.6, "introduced_name", _at_words("i am", "i'm", "this is", ignore_case=True)),
    (_RELATIVE_NAME, 0.7, "introduced_name", _at_words("my ", ignore_case=True)),
    (_NAME_THEN_RESIDENCE, 0.7, "introduced_name", _before_residence),
)
# A line that is only a name, heading a block with an address, a phone or an e-mail (letters, contact cards).
_NAME_LINE = re.compile(rf"(?m)^[ \t>?*•-]*(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,3}})[ \t]*$")
_BLOCK_CONTENT = re.compile(r"@|\d{3,}")

# Words that start sentences or are capitalised for other reasons and end a name.
_NOT_NAMES = frozenset(
    """
    a an the i you he she we they it this that my your his her our their and or but if so not no yes
    hello hi dear thanks thank please sorry ok okay sir madam team all everyone here there what when
    where why how who which phone email e-mail address date name going looking happy sure glad from
    at in on of to for with by as is am are was were be been mr mrs ms dr prof
    """.split()  # noqa: SIM905
)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    kept = []
    for s, e in words:
        word = text[s:e]
        if not word[0].isupper() or word.lower().strip(".") in _NOT_NAMES:
            break
        kept.append((s, e))
    if not kept:
        return None
    return kept[0][0], kept[-1][1]


def find_people(text: str) -> list[Finding]:
    """Names announced by a title or an introduction ("Dr. Ana Lima", "my name is Ana Lima")."""
    findings = []
    for pattern, confidence, detector, starts in _PEOPLE_PATTERNS:
        for m in _matches(pattern, text, starts):
            span = _trim_name(text, m.start("name"), m.end("name"))
            if span is not None:
                findings.append(Finding("person", span[0], span[1], confidence, detector))
    if "\n" in text:
        for m in finditer_at(_NAME_LINE, text, line_starts(text)):
            name = m.group("name")
            if name.isupper() or not _BLOCK_CONTENT.search(text, m.end(), m.end() + 200):
                continue  # a heading in capitals, or a line of prose with nothing personal after it
            span = _trim_name(text, m.start("name"), m.end("name"))
            if span is not None and len(re.findall(r"\S+", text[span[0] : span[1]])) >= 2:
                findings.append(Finding("person", span[0], span[1], 0.6, "name_line"))
    return findings


_STREET_SUFFIXES = (
    r"stra(?:ß|ss)e|str\.|gasse|weg|platz|allee|ring|damm|ufer|gatan|gata|vägen|väg|gade|vej|stræde|straede|torv|"
    r"tie|katu|kuja|polku|tori|utca|út|tér|laan|straat|gracht|plein|steeg|veien|vegen|gaten|gränd|tanya|sor|"
    # Dutch and Scandinavian street endings: "Marinusbaan 09", "Lucassingel 6", "Bäcktorget 65", "Sæthertoppen 7".
    r"baan|singel|kade|dreef|torget|toppen|åsen|bakken|haugen|skogen|marka|holtet|stien|svingen|tunet|jordet|kroken"
)
_PREFIX_WORDS = (
    "Rua", "Via", "Viale", "Calle", "Avenida", "Avda", "Rue", "Boulevard", "Chemin", "Piazza", "Corso", "Largo",
    "Travessa", "Carrer", "Avinguda", "Plaza", "Paseo", "Ulica", "ul.", "Ul.", "Strada", "Str.", "Cesta", "Ulitsa",
    "Praça", "Praca", "Alameda", "Rodovia", "Estrada", "Travessa", "Ladeira", "Rambla", "Acceso", "Camino", "Ronda",
    "Glorieta", "Pasaje", "Carretera", "Passeig", "Borgo", "Vicolo", "Stretto", "Contrada", "Piazzale", "Lungomare",
    "Quai", "Allée", "Impasse", "Plac", "Aleja", "plac", "al.", "Al.", "Sokak", "Sokağı", "Caddesi", "Cad.",
)  # fmt: skip
_STREET_PREFIXES = "|".join(map(re.escape, _PREFIX_WORDS))
_WORD = r"[^\W\d_][\w'’.\-]*"


_STREET_PREFIX_WORDS = Words(*_PREFIX_WORDS)


def _if_street_prefix(text: str) -> list[int] | None:
    """Anywhere (None) in a text with a street prefix or "rue"; nowhere (no starts) in the others."""
    if any(w in text for w in ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "quai")):
        return None
    return None if _STREET_PREFIX_WORDS.occur_in(text) else []


# A digit after blanks: the number that follows a street name with a suffix ("Hauptstraße 5").
_NUMBER_AFTER_BLANK = re.compile(r"\d(?<=[ \t]\d)")


def _before_house_number(text: str) -> list[int]:
    """Where "<word>[.] <number>" can start: at a word boundary in the run of word characters, ' ’ and -
    before blanks and a digit (its start, or just after one of ' ’ -)."""
    starts: set[int] = set()
    for digit in _NUMBER_AFTER_BLANK.finditer(text):
        blanks = digit.start()
        while blanks > 0 and text[blanks - 1] in " \t":
            blanks -= 1
        word_end = blanks - 1 if blanks > 0 and text[blanks - 1] == "." else blanks
        if word_end == 0 or not text[word_end - 1].isalpha():
            continue  # every street suffix ends with a letter
        run_start = _run_before(text, word_end, "_'’-")
        starts.add(run_start)
        starts.update(i + 1 for i in range(run_start, word_end) if text[i] in "'’-")
    return sorted(starts)


_AT_TO_IS = Words("at ", "to ", "is ")


def _after_line_break_or_words(text: str) -> list[int]:
    """Line starts, and the positions just after "at ", "to " and "is "."""
    return sorted(line_starts(text) + [i + 3 for i in _AT_TO_IS.positions(text) or ()])


_UNITS = Words("apt", "apartment", "suite", "ste", ignore_case=True)


def _unit_or_po_box(text: str) -> list[int] | None:
    """Where "Apt", "Suite" … start, and every "p" when the text says "box" (P.O. Box)."""
    lower = folded(text)
    if lower is None:
        return None
    starts = _UNITS.positions(text) or []
    if "box" in lower:
        starts = sorted({*starts, *(i for i, ch in enumerate(lower) if ch == "p")})
    return starts


# Street words written apart from the street's name (German, Scandinavian, Hungarian, Polish, Dutch …).
_LONE_STREET_WORD_LIST = (
    "strasse", "straße", "str.", "gasse", "weg", "platz", "allee", "gate", "gata", "gatan", "vej", "vegen",
    "veien", "utca", "u.", "út", "tér", "ulica", "laan", "straat", "katu",
)  # fmt: skip
_LONE_STREET_WORDS = "|".join(map(re.escape, _LONE_STREET_WORD_LIST))
_LONE_STREET = Words(*_LONE_STREET_WORD_LIST, ignore_case=True)


_LONE_STREET_NUMBER = re.compile(rf"(?<![\w.])(?i:{_LONE_STREET_WORDS})[ \t]+\d{{1,5}}[A-Za-z]?\b\.?")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’\-]*)[ \t]+$")


def _lone_street_addresses(text: str) -> list[Finding]:
    """A street word standing alone after the street's capitalised name, then the number: "Villacher
    Strasse 89", "Trenerys gate 232", "Růžena and Király u. 15." (up to three words of name, "and" between)."""
    if not _LONE_STREET.occur_in(text):
        return []
    found = []
    for m in _LONE_STREET_NUMBER.finditer(text):
        start, words = m.start(), 0
        while words < 3 and (before := _WORD_BEFORE.search(text, max(0, start - 40), start)):
            word = before.group(1)
            if word[0].isupper() and word.lower() not in _PARTICLES:
                start, words = before.start(1), words + 1
            elif word == "and" and words:
                start = before.start(1)
            else:
                break
        if words and text[start].isupper():  # a name before the street word ("Gate 7" alone is no street)
            if number := re.search(r"\d{1,6}[ \t]+$", text[max(0, start - 8) : start]):
                start -= len(number.group())  # "2224 Trenerys gate 232": the number before is the house's
            found.append(Finding("address", start, _extend_block(text, m.end()), 0.7, "address_pattern"))
    return found


@functools.cache
def _country_then_postcode() -> re.Pattern[str]:
    """A country's English name (Faker's list) and a postcode after it: "Switzerland 53730", "Norway 0150"."""
    names = "|".join(re.escape(c) for c in country_names() if "(" not in c)
    return re.compile(rf"(?<![\w-])(?i:{names})[ \t,]+(?P<code>\d{{4,6}})\b(?![.,:/]?\d)")


# A number that may be a postcode, and the separators the pattern allows before it.
_CODE_CANDIDATE = re.compile(r"(?<!\d)\d{4,6}(?!\d)")
_LONGEST_COUNTRY = 64  # characters, at least: the longest name in Faker's list has 44


def _country_postcodes(text: str) -> list[Finding]:
    """A country followed by a postcode, the end of an address block printed on one line; a year is no
    postcode ("Germany 2024"). The pattern (an alternation of some 240 names) is tried only just before each
    number of four to six digits, where any match of it must lie (a tenth of the time on a 2 KB question)."""
    found: dict[tuple[int, int], Finding] = {}
    pattern = _country_then_postcode()
    for candidate in _CODE_CANDIDATE.finditer(text):
        begin = candidate.start()
        while begin > 0 and text[begin - 1] in " \t,":
            begin -= 1
        begin = max(0, begin - _LONGEST_COUNTRY)
        # The pattern looks two characters past the number ("0150.5" is no postcode).
        for m in pattern.finditer(text, begin, min(len(text), candidate.end() + 2)):
            code = m.group("code")
            if m.end("code") != candidate.end() or (len(code) == 4 and code[:2] in ("19", "20")):
                continue
            found[(m.start(), m.end())] = Finding("address", m.start(), m.end(), 0.6, "address_pattern")
    return list(found.values())


# "lives on the north side of Joaquin Suarez 2906", "return it to Leon and Eyrarodda 66": a capitalised
# street name and a number after a verb of living, moving or sending and a place preposition.
_AFTER_A_PLACE_VERB = re.compile(
    r"(?i:\b(?:lives?|living|lived|resides?|residing|located|situated|based|moved|moving|ship(?:ped|ping)?|send"
    r"|sent|deliver(?:ed|y)?|mail(?:ed)?|return(?:ed)?|bring|brought|meet|is|are|was)\b"
    r"(?:[ \t]+[\w'’\-]+){0,5}?[ \t]+(?:on|at|to|in|of|near))[ \t]+"
    r"(?P<street>[^\W\d_][\w'’\-]*(?:[ \t]+(?:and[ \t]+)?[^\W\d_][\w'’\-]*){0,3})[ \t]+\d{1,5}[A-Za-z]?\b"
    r"(?![.,:/]?\d|[ \t]*(?:%|ms\b|s\b|[KMGT]i?B\b|px\b|times\b|minutes?\b|hours?\b|days?\b|percent))"
)


_RESIDENCE_VERB = re.compile(r"(?i:lives?|living|lived|resides?|residing|located|situated)\b")


def _addresses_after_place_verbs(text: str) -> list[Finding]:
    """A street name and number after "lives on", "is at", "return to" …; the name must hold a word that
    is no everyday word, or be two or more words that are people's names ("Joaquin Suarez"), so that
    "moved to Step 3" or "is on Page 4" are no addresses; one word is enough only after "lives", "resides",
    "located" ("moved to Grafana 10" is an upgrade)."""
    if not re.search(r"\d", text):
        return []
    names, common = name_lists(), common_words()
    found = []
    for m in _AFTER_A_PLACE_VERB.finditer(text):
        words = [w for w in m.group("street").split() if w != "and"]
        if not all(w[0].isupper() for w in words) or any(w.isupper() and len(w) > 1 for w in words):
            continue  # lower-case words, or an acronym ("AWS 3")
        if len(words) < 2 and not _RESIDENCE_VERB.match(m.group()):
            continue  # "the DB is on Debian 12", "we moved to Grafana 10": only where one lives is one word enough
        unusual = any(w.casefold() not in common for w in words)
        if unusual or (len(words) >= 2 and all(names.is_name(w) for w in words)):
            found.append(Finding("address", m.start("street"), m.end(), 0.6, "address_pattern"))
    return found


# A postcode and the town after it ("56217 Uusikaarlepyy", "65-849 Szczecin", "385 59 Lysá nad Labem",
# "H-9981 Mellékfalu", "TK 63772 Florina", "62911 Şişli/İstanbul"); a 19xx/20xx alone is a year.
_POSTCODE_TOWN = (
    r"(?P<post>(?:[A-Z]{1,2}-|TK[ \t]+)?(?!(?:19|20)\d\d\b)(?:\d{4,5}(?:-\d{3,4})?|\d{3}[ ]\d{2}|\d{2}-\d{3}))"
    # The town's further words are capitalised, or a particle before one ("Lysá nad Labem"), or after a slash.
    r"[ \t]+(?P<town>[^\W\d_][\w'’.\-]*(?:(?:[ \t]+(?:nad|pod|am|an|der|sur|de|la|le|del|di|da|do|im|bei))?"
    r"(?:[ \t]+|[ \t]*[/\-][ \t]*)(?![a-zà-öø-ÿ])[^\W\d_][\w'’.\-]*){0,3})"
)
# A street line ending with its number, then (after a comma or on the next line) a postcode and a town:
# "Yllästunturinbulevardi 825, 56217 Uusikaarlepyy", "al. Konopnickiej 86\n65-849 Szczecin",
# "Atatürk Cad. No: 7 D: 17\n62911 Şişli/İstanbul".
_STREET_THEN_POSTCODE = re.compile(
    r"(?P<street>(?:[^\W\d_][\w'’.\-]*[ \t]+){1,3}(?:No:?[ \t]*)?\d{1,5}[A-Za-z]?(?:[/\-]\d{1,4}[A-Za-z]?)?\.?"
    r"(?:[ \t]+(?:D:|d\.|bis|ter)[ \t]*\d{0,4})?)(?:,[ \t]+|[ \t]*\n[ \t]*)" + _POSTCODE_TOWN
)
# The same with the number first: "5 bis rue Ferreira\n19652 Diallo", "41, avenue Maillot, 75017 Paris".
_NUMBER_STREET_THEN_POSTCODE = re.compile(
    r"(?P<street>(?<![\w.,])\d{1,5}[A-Za-z]?(?: (?:bis|ter))?,?(?: [^\W\d_](?:[^\W_]|['’.\-])*){1,5})"
    r"(?:,[ \t]+|[ \t]*\n[ \t]*)" + _POSTCODE_TOWN
)
# Words that lead up to an address and are not part of it ("ship it to …", "my new address is …").
_LEAD_WORDS = _NOT_NAMES | frozenset(
    """
    ship send sent deliver delivered move moved new old address live lives living located it them please
    post mail return bring courier parcel box
    """.split()  # noqa: SIM905
)


def _streets_with_postcodes(text: str) -> list[Finding]:
    """A street line that ends with its number, followed by a postcode and a town (any case: chat types
    "kyrkotorget 29, 68704 uppsala"); the words that lead up to it are left out."""
    if not re.search(r"(?:,[ \t]+|\n[ \t]*)(?:[A-Z]{1,2}-|TK[ \t]+)?\d{2}", text):
        return []
    found = []
    for m in _STREET_THEN_POSTCODE.finditer(text):
        start = m.start("street")
        for word in re.finditer(r"\S+", m.group("street")):
            if word.group().lower() not in _LEAD_WORDS:
                break
            start = m.start("street") + word.end()
        start = len(text[:start]) + (len(text[start:]) - len(text[start:].lstrip()))
        if re.match(r"\d", text[start:]):  # nothing of the street's name is left: a number, not a street
            continue
        found.append(Finding("address", start, m.end(), 0.6, "address_pattern"))
    for m in _NUMBER_STREET_THEN_POSTCODE.finditer(text):
        town = m.group("town")
        if town.islower() and all(w in common_words() for w in re.findall(r"[^\W\d_]+", town)):
            continue  # "8 cores, 12800 requests": a town typed in lower case is still no everyday word
        found.append(Finding("address", m.start(), m.end(), 0.6, "address_pattern"))
    return found


# "Address: 106 rúa olmos 44, belfast, south africa": what follows the label, to the end of its line or
# sentence, when it holds a number and a word (an e-mail, IP, MAC or web address is another kind).
_ADDRESS_LABEL = re.compile(
    r"(?<![\w@.\-])(?i:(?:home|street|postal|mailing|shipping|billing|delivery|office|physical|residential"
    r"|business|permanent|current|new|old|my|his|her|their|our|the)[ \t]+)?(?i:address)(?:es)?"
    r"[ \t]*(?::|=|\bis\b)[ \t]*(?P<value>[^\n]{4,160})"
)
_NOT_POSTAL = re.compile(r"(?i)(?:e-?mail|ip|ipv[46]|mac|web|memory|bind|listen|server|host|wallet|return|base)[ \t]*$")
_VALUE_END = re.compile(r"[;|]|\.(?:\s+[A-Z]|\s*$)|\s{3,}")


def _labelled_addresses(text: str) -> list[Finding]:
    """The value after an "address" label ("Address:", "home address is"), when it reads as a postal one."""
    if "ddress" not in text and "DDRESS" not in text:
        return []
    found = []
    for m in _ADDRESS_LABEL.finditer(text):
        if _NOT_POSTAL.search(text, max(0, m.start() - 12), m.start()):
            continue
        value = m.group("value")
        end = _VALUE_END.search(value)
        value = value[: end.start() if end else len(value)].rstrip(" ,")
        if (
            not value[:1].isdigit()
            and not value[:1].isupper()
            or not re.search(r"\d", value)
            or not re.search(r"[^\W\d_]{3,}", value)
            or re.search(r"@|://|\b0x[0-9a-f]|\b\d{1,3}(?:\.\d{1,3}){3}\b|[0-9a-f]{2}(?::[0-9a-f]{2}){3}", value, re.I)
        ):
            continue
        start = m.start("value")
        found.append(Finding("address", start, start + len(value), 0.7, "address_label"))
    return found


# (pattern, whether the words between number and street type must be capitalised, where it can start).
# Lower-case words would turn "3 apples in the Park" into an address. A leading `\b\d` is written
# `\d(?<!\w\d)`, the same, so the regex engine can skip to the digits.
_ADDRESS_PATTERNS: tuple[tuple[re.Pattern[str], bool, Starts | None], ...] = (
    # 1600 Amphitheatre Parkway, 3968 Bay Street
    (re.compile(rf"\d(?<!\w\d)\d{{0,5}}[A-Za-z]?(?:[ \t]+{_WORD}){{1,4}}?[ \t]+(?:{_STREET_TYPES})\b\.?"), True, None),
    # Hauptstraße 5, Östbygatan 14, Tawastintie 72
    (
        re.compile(rf"\b[^\W\d_][\w'’\-]*(?:{_STREET_SUFFIXES})[ \t]+\d{{1,5}}[A-Za-z]?\b", re.IGNORECASE),
        False,
        _before_house_number,
    ),
    # Rua do Arenque 1634, Via Franscini 71, ul. Północna 73
    (
        re.compile(rf"(?<!\w)(?:{_STREET_PREFIXES})(?:[ \t]+{_WORD}){{1,4}}?,?[ \t]+\d{{1,5}}[A-Za-z]?\b(?![.,:]\d)"),
        False,
        _STREET_PREFIX_WORDS.positions,
    ),
    # 106 Rue de Kairouan, 12 rue de la Paix, 7 Via Roma
    (
        re.compile(
            rf"\d(?<!\w\d)\d{{0,4}}[A-Za-z]?,?[ \t]+"
            rf"(?:{_STREET_PREFIXES}|rue|avenue|boulevard|chemin|allée|impasse|quai)(?:[ \t]+{_WORD}){{1,4}}"
        ),
        False,
        _if_street_prefix,
    ),
    # A line opening with a street name between numbers, as printed in many European addresses:
    # "20789 Allika 46", "3247 Rua Igreja 25" (after a newline, "at" or "to" only: mid-sentence it is a date).
    (
        re.compile(
            rf"(?m)(?:^[ \t>]*|(?<=\bat )|(?<=\bto )|(?<=\bis ))"
            rf"\d{{1,6}}(?:[ \t]+{_WORD}){{1,3}}[ \t]+\d{{1,5}}[A-Za-z]?\b"
        ),
        True,
        _after_line_break_or_words,
    ),
    # Apt. 595, Suite 501, PO Box 44, Unit 12B
    (re.compile(r"\b(?i:Apt|Apartment|Suite|Ste|P\.?\s?O\.?\s?Box)\.?[ \t]*#?\d{1,6}[A-Z]?\b"), False, _unit_or_po_box),
    (
        re.compile(r"\b(?:Unit|Flat|Postbox|Post Box|Box)[ \t]+#?\d{1,6}[A-Z]?\b"),
        False,
        _at_words("Unit", "Flat", "Postbox", "Post Box", "Box"),
    ),
    # US military mail: PSC 0413, Box 8144 / APO AA 42323
    (
        re.compile(
            r"\b(?:PSC|CMR|Unit)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{3,5}"
            r"(?:\s*\n?\s*(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5})?"
        ),
        False,
        _at_words("PSC", "CMR", "Unit"),
    ),
    (
        re.compile(r"\b(?:APO|FPO|DPO)[ \t]+A[AEP][ \t]+\d{5}\b", re.IGNORECASE),
        False,
        _at_words("apo", "fpo", "dpo", ignore_case=True),
    ),
    # "the corner of X and Y"
    (
        re.compile(
            rf"\bcorner of[ \t]+(?:\d{{1,5}}[ \t]+)?{_WORD}(?:[ \t]+{_WORD}){{0,4}}"
            rf"[ \t]+and[ \t]+{_WORD}(?:[ \t]+{_WORD}){{0,3}}"
        ),
        True,
        _at_words("corner of"),
    ),
)
_PARTICLES = frozenset(
    """
    de la del der den van von du di da do dos das le les el st st. of and the corner
    """.split()  # noqa: SIM905
)


def _capitalised(words: str) -> bool:
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _PARTICLES for w in words.split())


# A line that continues an address block: a unit, a postcode with a place, a place in capitals, a country + code.
_CONTINUATION = re.compile(
    r"^(?!.*\b(?i:office|fax|mobile|cell|phone|tel|home|work)\b)[ \t>]*(?:"
    r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Box)\.?[ \t]*#?\d{1,6}[A-Z]?"
    r"|\d{3,6}(?:[ \-]\d{2,4})?[ \t]+[^\W\d_][\w'’ .\-]{1,40}"
    r"|[^\W\d_][\w'’ .\-]{1,40},?[ \t]+(?:[A-Z]{2}[ \t]+)?\d{3,6}(?:[ \-]\d{2,4})?"
    r"|[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ' .\-]{2,40}"
    r")[ \t]*$"
)


def find_addresses(text: str) -> list[Finding]:
    """Postal addresses recognisable by their shape; a block's following lines are joined when they
    continue it (unit, postcode and place, country)."""
    findings = []
    for pattern, needs_capitals, starts in _ADDRESS_PATTERNS:
        for m in _matches(pattern, text, starts):
            if needs_capitals and not _capitalised(m.group()):
                continue
            start, end = m.start(), m.end()
            # A house number written before the street line ("3037 ul. Północna 73") belongs to it.
            before = re.search(r"\d{1,6}[ \t]+$", text[max(0, start - 8) : start])
            if before:
                start -= len(before.group())
            end = _extend_block(text, end)
            findings.append(Finding("address", start, end, 0.7, "address_pattern"))
    return [
        *findings,
        *_lone_street_addresses(text),
        *_labelled_addresses(text),
        *_country_postcodes(text),
        *_addresses_after_place_verbs(text),
        *_streets_with_postcodes(text),
        *find_structured_addresses(text),
    ]


def _extend_block(text: str, end: int) -> int:
    line_end = text.find("\n", end)
    if line_end == -1:
        return end
    for _ in range(4):
        next_end = text.find("\n", line_end + 1)
        next_end = len(text) if next_end == -1 else next_end
        line = text[line_end + 1 : next_end]
        if not line.strip() or not _CONTINUATION.match(line):
            break
        end = line_end + 1 + len(line.rstrip())
        line_end = next_end
        if next_end >= len(text):
            break
    return end
