"""Postal addresses recognised by their structure, in the orders of many countries.

`inspection.names` finds a street by its type word ("Bay Street", "Hauptstraße 5", "Rua do Arenque").
Most of the world's addresses say less about themselves street by street, but every one ends the same way:
a postcode of its country's shape next to a town, after one or more comma- or line-separated parts of
which one holds a house number. This module reads that structure, as libpostal's parser does, without
lists of places:

- a postcode (UK `S60 4WB`, Canada `K1A 0B1`, Netherlands `6873 HZ`, Australia `NSW 2000`, US `IL 62704`,
  Brazil `87513-954`, Japan `662-2181`, Poland `80-827`, Czechia `480 77`, four to six digits elsewhere)
  with a town before or after it, and the parts before it back to the street: `80/579, Grewal Ganj,
  Hazaribagh 130575`, `4-21-10 Tenjin\\nChuo-ku, Nagoya 662-2181`;
- a house-number marker (`d. 42`, `bud. 66`, `д. 8`, `No: 94`, `H.No. 31`) beside a street's name:
  `ul. Koltsova, d. 42 str. 9`, `Gazi Sokak No: 94 D: 24`, `H.No. 645, Goswami Ganj`.

A postcode of digits alone needs a town beside it and a house number before it; everything it takes must
be capitalised, a number, or one of the small words addresses are written with ("de", "ul.", "bis"),
unless the whole address is typed in lower case, and then it must hold a word that is no everyday word.
"""

from __future__ import annotations

import re

from inspection.findings import Finding
from inspection.gazetteer import common_words
from inspection.street_types import STREET_WORDS

# Postcodes whose shape holds letters, upper case (or all lower case, as chat types them).
_LETTER_CODES = (
    r"[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2}"  # United Kingdom: SW1A 1AA, CF7 8RG
    r"|[A-Z]\d[A-Z][ ]?\d[A-Z]\d"  # Canada: K1A 0B1
    r"|\d{4}[ ]?[A-Z]{2}"  # Netherlands: 1012 AB, 6873HZ
    r"|(?:NSW|VIC|QLD|TAS|ACT|NT|WA|SA)[ ]\d{4}"  # Australia: the state, then the postcode
    r"|[A-Z]{2}[ ]\d{5}(?:-\d{4})?"  # United States: the state, then the ZIP code
)
_DIGIT_CODES = (
    r"\d{5}-\d{3}"  # Brazil
    r"|\d{3}-\d{4}"  # Japan
    r"|\d{2}-\d{3}"  # Poland
    r"|\d{3}[ ]\d{2}"  # Czechia, Slovakia, Sweden, Greece
    r"|\d{4,6}"  # most other countries
)
_CODE = re.compile(
    rf"(?<![\w\-/.,#:+])(?:(?P<letters>{_LETTER_CODES})|(?P<digits>{_DIGIT_CODES}))(?![\w\-/@]|[.,:]\d)",
    re.IGNORECASE,
)
# Small words that addresses are written with in lower case: particles of names ("Lysá nad Labem", "rue de
# la Paix"), street and locality types written small ("ul.", "provulok", "avenue"), house and unit markers.
_SMALL_WORDS = frozenset(
    """
    de da do dos das del della delle dei di du des la le les el al van von der den ten ter bis nad pod am an
    im bei y e i of the sur sous en
    ul. al. pl. os. per. pr. prosp. sh. nab. bul. all. proezd pereulok ulitsa shosse vul. prov. provulok
    prospekt naberezhna skver uzviz ploshcha maidan bulvar shose plac aleja osiedle
    ул. пер. просп. пр. наб. ш. бул. пл. ал. вул. пров. провулок проспект набережна сквер узвіз площа
    майдан бульвар шосе
    rue avenue boulevard bd allée allee impasse chemin place quai cours route rua via viale calle avenida
    d. д. bud. буд. kv. кв. str. стр. k. к. korp. корп. lit. g. г. s. с. p. п. st. pos. khutir selo smt
    mkr. х. м. смт
    """.split()  # noqa: SIM905
)
# Markers of a house or flat number ("d. 42", "bud. 66", "No: 94", "H.No. 31", "кв. 6").
_HOUSE_MARKER = r"(?:d\.|д\.|bud\.|буд\.|H\.\s?No\.?|No[.:]?|Nr\.|nº|№|kv\.|кв\.|str\.|стр\.|k\.|к\.|korp\.|D:)"
_NUMBER_TOKEN = re.compile(rf"^(?:{_HOUSE_MARKER}|#)?\d[\w/\-ªº]*\.?,?$")
_MARKER_TOKEN = re.compile(rf"^{_HOUSE_MARKER}$")
# Parts that may stand before the street: a unit, a building, a flat ("Flat 12", "Building 5", "Villa 3").
_UNIT_PART = re.compile(
    r"^(?i:flat|apt\.?|apartment|suite|unit|room|building|bldg\.?|block|villa|floor|house|h\.\s?no\.?)[ ]?#?\d+\w*$"
)
# Separators between an address's parts: a comma, a line break; what opens a value or a cell (a semicolon,
# an opening bracket, a colon, a quote, a table's bar, a tab) ends the walk.
_PART_BREAK = re.compile(r"[,\n;(:\"|\t]")
# Words that lead up to an address and are no part of it, however they are written.
_LEAD_WORDS = frozenset(
    """
    a an the i you he she we they it this that my your his her our their and or but if so not no yes to at in
    on from for with by is am are was were be been as of into onto near outside inside opposite
    hello hi dear thanks thank please ship send sent deliver delivered delivery move moved address live
    lives living located post mail return bring courier parcel box pickup collect visit meet office home work
    """.split()  # noqa: SIM905
)
# Lead words that, capitalised, open a place's name ("New Juneport", "Old Town", "Post Office Road").
_NAME_WORDS_TOO = frozenset(("post", "office", "home", "box", "work"))
# What may follow an address's number part without being its street: units of measure and time.
_NOT_A_TOWN = re.compile(r"(?i)(?:%|ms|s|[kmgt]i?b|px|times|minutes?|hours?|days?|weeks?|percent|users?|rows?)\b")


def _word_ok(token: str, *, lower: bool) -> bool:
    """Whether a word can be part of an address's parts: capitalised, a number, or a small word of
    addresses; in an address typed in lower case, any word that does not lead up to one."""
    if token in ("-", "–", "/"):
        return True
    if "_" in token:
        return False  # an identifier ("ERRCODE_WARNING"), not a word of a place
    bare = token.strip(".,;:\"'()")
    if not bare:
        return False
    if _NUMBER_TOKEN.match(token) or _MARKER_TOKEN.match(token):
        return True
    if token.lower() in _SMALL_WORDS or bare.lower() in _SMALL_WORDS or bare.lower() + "." in _SMALL_WORDS:
        return True
    if bare.isupper() and len(bare) <= 3:
        return True  # a state's or a province's code ("ON", "NSW", "MS")
    if bare[0].isupper():
        return bare.lower() not in _LEAD_WORDS or bare.lower() in _NAME_WORDS_TOO
    return lower and bare[0].isalpha() and bare.lower() not in _LEAD_WORDS


def _qualifying_tail(text: str, start: int, end: int, *, lower: bool) -> tuple[int, bool]:
    """Where the run of address words that ends at `end` starts (at most six words back), and whether it
    is the whole of text[start:end] (nothing but address words in that part)."""
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text[start:end])]
    first = end
    kept = 0
    for offset, token in reversed(tokens):
        if kept == 6 or not _word_ok(token, lower=lower):
            break
        first, kept = start + offset, kept + 1
    whole = kept == len(tokens)
    # A particle or a leading separator does not open an address ("de", "-").
    while first < end and (m := re.match(r"(?:(?:de|da|do|la|le|of|the|and|-|–)\s+)", text[first:end])):
        first += m.end()
    return first, whole


def _parts_before(text: str, pos: int, limit: int = 220) -> list[tuple[int, int]]:
    """The parts of the text before `pos`, nearest first, as (start, end) with blanks stripped; a part
    ends at a comma, a line break, a semicolon, an opening bracket or a colon."""
    floor = max(0, pos - limit)
    parts: list[tuple[int, int]] = [] if pos > floor else [(pos, pos)]
    end = pos
    while end > floor and len(parts) < 8:
        cut = end
        while cut > floor and not _PART_BREAK.match(text[cut - 1]):
            cut -= 1
        s, e = cut, end
        while s < e and text[s] in " \t":
            s += 1
        while e > s and text[e - 1] in " \t":
            e -= 1
        parts.append((s, e))
        if cut == floor or text[cut - 1] in ';(:"|\t' or (text[cut - 1] == "\n" and cut >= 2 and text[cut - 2] == "\n"):
            break  # a semicolon, a bracket or a label opens what follows; a blank line ends a block
        end = cut - 1
    return parts


def _has_number(part: str) -> bool:
    return any(_NUMBER_TOKEN.match(t) for t in part.split())


def _number_only(part: str) -> bool:
    """A part that is a house number and its markers only ("79", "d. 42 str. 9", "bud. 7")."""
    tokens = part.split()
    return bool(tokens) and all(_NUMBER_TOKEN.match(t) or _MARKER_TOKEN.match(t) for t in tokens)


def _town_after(text: str, pos: int, *, lower: bool) -> int:
    """The end of a town's name of one to four words right after `pos` ("Germersheim", "Lysá nad Labem",
    "g. Oymyakon", "Şişli/İstanbul"), or `pos` when there is none."""
    m = re.match(r"[ \t]+((?:[^\W\d_][\w'’.\-/]*|-)(?:[ \t]+(?:[^\W\d_][\w'’.\-/]*|-)){0,3})", text[pos : pos + 80])
    if not m or _NOT_A_TOWN.match(m.group(1)):
        return pos
    end = pos
    for word in re.finditer(r"\S+", m.group(1)):
        token = word.group().rstrip(".,")
        if token in ("-", "–") or not _word_ok(token, lower=lower) or token.lower() in ("no",):
            break
        end = pos + m.start(1) + word.start() + len(token)
    return end


def _street_word_in(words: str) -> bool:

    return any(w.casefold().rstrip(".") in STREET_WORDS for w in words.split())


def _unusual(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the words of the spans hold one that is no everyday English word (a street's or a town's
    name, not "Version" or "Release")."""
    common = common_words()
    for s, e in spans:
        for word in re.findall(r"[^\W\d_]{3,}", text[s:e]):
            if word.casefold() not in common:
                return True
    return False


def _around_postcode(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    code = m.group()
    letters = m.group("letters")
    if re.search(r"\d[ \t]+$", text[max(0, m.start() - 3) : m.start()]):
        return None  # one group of a longer number (a card's, an IBAN's, a phone's)
    if letters is not None:
        alpha = [c for c in code if c.isalpha()]
        if not (all(c.isupper() for c in alpha) or all(c.islower() for c in alpha)):
            return None
        lower = all(c.islower() for c in alpha)
        if lower and re.fullmatch(r"\d{4}[ ]?[a-z]{2}", code):
            return None  # "6467 at", "1200 in": a number and a small word, not a Dutch postcode typed small
    else:
        if re.fullmatch(r"(?:19|20)\d\d", code):
            return None  # a year
        if re.match(r"[ \t]+\d", text[m.end() :]):
            return None  # one group of a longer number (a card's, an IBAN's, a phone's)
        lower = False
    start, end = m.span()
    # Typed in lower case: nothing capitalised in the words just before the postcode.
    lower = lower or not any(c.isupper() for c in text[max(0, start - 60) : start])
    town_end = _town_after(text, end, lower=lower)
    if letters is None and _street_word_in(text[end:town_end]):
        return None  # "2300 Main Street": a house number, and the street after it, not a postcode and a town
    parts = _parts_before(text, start)
    head_start, head_end = parts[0]
    walked: list[tuple[int, int]] = []
    if head_end > head_start:
        first, whole = _qualifying_tail(text, head_start, head_end, lower=lower)
        if first == head_end:
            if letters is None:
                return None  # "order 12345 shipped": words that are no town's before a number
            parts = [(head_end, head_end)]
        else:
            walked.append((first, head_end))
            if not whole:
                parts = [(first, first)]  # words that lead up to it end the address here
    have_number = any(_has_number(text[s:e]) for s, e in walked)
    after_number = False
    for s, e in parts[1:]:
        if e <= s:
            break
        part = text[s:e]
        if re.search(r"\d\.$", part) and text[e : e + 1] == "\n":
            break  # a sentence that ends with a number ("… for Postgres 16.") is no street line
        first, whole = _qualifying_tail(text, s, e, lower=lower)
        if first == e:
            break
        if after_number and not _has_number(text[first:e]):
            walked.append((first, e))  # the street's name before a number standing alone ("Largo Aragão, 219")
            break
        if have_number and not _UNIT_PART.match(text[first:e]):
            break
        walked.append((first, e))
        if _has_number(text[first:e]) and not _UNIT_PART.match(text[first:e]):
            have_number = True
            after_number = _number_only(text[first:e])
            if not after_number:
                if not whole:
                    break
                continue
        if not whole or len(walked) >= 5:
            break
        del part
    if not have_number:
        return None
    if letters is None and town_end == end and (not walked or _has_number(text[walked[0][0] : walked[0][1]])):
        return None  # a bare number with no town's name beside it
    streetish = [(s, e) for s, e in walked if not _number_only(text[s:e])]
    if not streetish:
        return None
    if (lower or letters is None) and not _unusual(text, [*walked, (end, town_end)]):
        return None
    return min(s for s, _ in walked), max(town_end, end)


def _postcode_addresses(text: str) -> list[Finding]:
    found = []
    for m in _CODE.finditer(text):
        span = _around_postcode(text, m)
        if span is not None:
            found.append(Finding("address", span[0], span[1], 0.65, "address_postcode"))
    return found


# A house-number marker and its number, with the unit markers that may follow ("d. 42 str. 9", "No: 94 D: 24").
_MARKED_NUMBER = re.compile(
    r"(?<![\w.])(?P<marker>d\.|д\.|bud\.|буд\.|H\.\s?No\.?|No[.:]|Nr\.|nº|№)[ \t]?\d{1,5}(?:[/\-]\w{1,4})?\b"
    r"(?:,?[ \t]+(?:kv\.|кв\.|str\.|стр\.|k\.|к\.|korp\.|корп\.|D:|lit\.)[ \t]?\d{1,5}(?:[/\-]\w{1,4})?\b)*"
)


def _marked_house_numbers(text: str) -> list[Finding]:
    """A marked house number beside a street's name: after it on the same part ("Gazi Sokak No: 94"), in the
    part before ("ul. Koltsova, d. 42"), or, for "H.No.", in the part after ("H.No. 645, Goswami Ganj")."""
    if not re.search(r"\d", text):
        return []
    found = []
    for m in _MARKED_NUMBER.finditer(text):
        parts = _parts_before(text, m.start(), limit=120)
        head_start, head_end = parts[0]
        street: tuple[int, int] | None = None
        if head_end > head_start:
            first, _ = _qualifying_tail(text, head_start, head_end, lower=False)
            if first < head_end:
                street = (first, head_end)
        elif len(parts) > 1 and m.group("marker")[0] in "dдbбNn" and text[parts[1][1] : m.start()].startswith(","):
            s, e = parts[1]
            first, _ = _qualifying_tail(text, s, e, lower=False)
            if first < e:
                street = (first, e)
        end = m.end()
        if m.group("marker").startswith("H"):
            after = re.match(r",[ \t]+([^\W\d_][\w'’\-]*(?:[ \t]+[^\W\d_][\w'’\-]*){0,3})", text[end : end + 80])
            if after and all(w[0].isupper() for w in after.group(1).split()):
                street = street or (end + after.start(1), end + after.end(1))
                end = max(end, end + after.end(1))
        if street is None or not _unusual(text, [street]):
            continue  # "Symphony No. 5", "Form No. 12": no street's name beside the number
        found.append(Finding("address", min(street[0], m.start()), max(end, street[1]), 0.65, "address_marker"))
    return found


# A flat, floor, door or ward after a street line that starts or ends with its number: "Rambla de Conrado
# Cortes 32 Puerta 3", "44 Trần Hưng Đạo, Phường 13", "12 Rose Court, Apt 4", "Via Roma 7, Scala B Int. 3".
_UNIT_WORDS = (
    r"Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.|Piso|Puerta|Planta|Esc\.|Escalera|Piano|Int\.|Interno|Scala"
    r"|Etage|Étage|Stock|Whg\.|Wohnung|Lgh\.?|Phường|Quận|Ward|kv\.|кв\.|Dept\.|Bloco|Apto\.?|Sala|Andar"
)
_STREET_LINE_THEN_UNIT = re.compile(
    r"(?P<street>(?<![\w.,])\d{1,5}[A-Za-z]?,?(?:[ \t]+[^\W\d_][\w'’.\-]*){1,5}"
    r"|(?<![\w'’.\-])(?:[^\W\d_][\w'’.\-]{0,40}[ \t]+){1,5}\d{1,5}[A-Za-z]?)"
    rf"(?:,[ \t]*|[ \t]+)(?:{_UNIT_WORDS})[ \t]*#?\w{{1,4}}\b"
)


def _streets_with_units(text: str) -> list[Finding]:
    found = []
    for m in _STREET_LINE_THEN_UNIT.finditer(text):
        first, _ = _qualifying_tail(text, m.start("street"), m.end("street"), lower=False)
        street = text[first : m.end("street")]
        if not re.search(r"[^\W\d_]{2,}", street) or not _has_number(street) or not _unusual(text, [(first, m.end())]):
            continue
        found.append(Finding("address", first, m.end(), 0.6, "address_unit"))
    return found


# A Japanese block address, chōme-banchi-gō before the district's name ("9-7-12 Umeda", "4-21-10 Tenjin");
# an Indian house number and a comma before a locality ("35/50, Jhaveri Nagar", "46, Din Nagar").
_BLOCK_NUMBER = re.compile(r"(?<![\w\-/.])\d{1,2}-\d{1,2}-\d{1,3}[ \t]+[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?\b")
_HOUSE_THEN_LOCALITY = re.compile(
    r"(?<![\w\-/.,])\d{1,4}(?:/\d{1,4})?,[ \t]+(?:[A-Z][\w'’\-]*[ \t]+){1,3}"
    r"(?:Nagar|Ganj|Marg|Chowk|Colony|Vihar|Enclave|Puram|Layout|Bagh|Road|Street|Circle|Path|Lane)\b"
)


def _blocks_and_localities(text: str) -> list[Finding]:
    return [
        Finding("address", m.start(), m.end(), 0.6, "address_pattern")
        for pattern in (_BLOCK_NUMBER, _HOUSE_THEN_LOCALITY)
        for m in pattern.finditer(text)
    ]


def find_structured_addresses(text: str) -> list[Finding]:
    """Addresses read from their structure: a postcode with its town and the parts before it, or a marked
    house number beside a street's name."""
    if not any(c.isdigit() for c in text):
        return []
    return [
        *_postcode_addresses(text),
        *_marked_house_numbers(text),
        *_streets_with_units(text),
        *_blocks_and_localities(text),
    ]
