"""Names and addresses that a text's own structure labels: the value of a field called "name" or
"address" in JSON, YAML, a log line (`user="Lidia Prażmo"`), and the cells of a column so headed in a CSV
export or a Markdown table (`29750,"Deol, Vansha",…`).

A label says what a value is when the value alone cannot ("Deol, Vansha" in a CSV field, a lone
"Pelageya" in a recruiter's table); the value must still read as one: a name is one to four capitalised
words (or "Last, First"), an address holds a number and a word. A field whose name says it is something
else (`hostname`, `filename`, `username`, `team_name`) is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from inspection.findings import Finding
from inspection.gazetteer import common_words, name_lists, name_shaped

# Words of a field's name (split at "_", "-", blanks and case changes) that mark a person's or an address's.
_PERSON_KEYS = frozenset(
    """
    name fullname employee contact candidate customer requester requestor reporter assignee owner manager
    approver approved visitor guest host_name attendee recipient sender author signatory traveller traveler
    passenger interviewer recruiter patient tenant resident driver emergency person people who user
    """.split()  # noqa: SIM905
)
_ADDRESS_KEYS = frozenset(
    ["address", "addr", "street", "address1", "address2", "addressline", "street_address", "residence"]
)
# Words that make a "…name" field something other than a person's.
_NOT_PERSON_KEYS = frozenset(
    """
    host file username login service app application team project company org organisation organization
    product db database table column schema bucket domain server queue model role group repo branch package
    image container pod node cluster region zone key field event metric tag type display_type device machine
    site location building room city country state street brand vendor account job task class module function
    """.split()  # noqa: SIM905
)
_KEY_VALUE = re.compile(
    r"""(?P<q>["']?)(?P<key>[A-Za-z][\w\- ]{0,30}?)(?P=q)[ \t]*[:=][ \t]*"""
    r"""(?:"(?P<dq>[^"\n]{1,160})"|'(?P<sq>[^'\n]{1,160})'"""
    # A bare value ends where the next `key=` of a log line starts, or at a comma, a bracket, the line's end.
    r"""|(?P<bare>[^,;{}\[\]"'\n=]{1,160}?)(?=[ \t]+[\w\-]+=|[ \t]*(?:[,;}\]\n]|$)))"""
)
_NAME_VALUE = re.compile(
    r"^[^\W\d_][\w'’.\-]*(?:,?[ ]+[^\W\d_][\w'’.\-]*){0,3}$"  # "Ana Lima", "Deol, Vansha", "Ito Naoko"
)


def _key_words(key: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", key)
    return {w for w in re.split(r"[_\-\s]+", spaced.lower()) if w}


def _field_kind(key: str) -> str | None:
    """ "person", "address" or None for a field or column name."""
    words = _key_words(key)
    not_postal = {"email", "e-mail", "mail", "ip", "mac", "web", "url", "host", "bind", "listen", "server", "memory"}
    if words & _ADDRESS_KEYS and len(words) <= 3 and not words & not_postal:
        return "address"
    if words & _PERSON_KEYS and not words & _NOT_PERSON_KEYS and not words & _ADDRESS_KEYS:
        return "person"
    return None


# Small words of surnames written in lower case: "da Mota", "das Neves, Isaac", "Zoë van den Velden".
_PARTICLES = frozenset(
    "da das de del della der den di do dos du la le van von ter ten bin ibn al el y".split()  # noqa: SIM905
)


def _is_name(value: str) -> bool:
    """One to four capitalised words (particles aside), not all acronyms; a word alone must be a listed name,
    several must hold a listed name, or be words shaped as names none of which is an everyday word ("Service
    Desk" is no one; "Domna Pappa" is someone)."""
    words = value.replace(",", " ").split()
    capitalised = [w for w in words if w not in _PARTICLES]
    if not (
        _NAME_VALUE.match(value)
        and capitalised
        and all(w[0].isupper() for w in capitalised)
        and not all(w.isupper() and len(w) > 1 for w in capitalised)
    ):
        return False
    names = name_lists()
    if any(names.is_name(w) for w in capitalised):
        return True
    # Unlisted: every word shaped as a name (no acronym, no digit) and none an everyday word ("Agency PoC",
    # "GSA Finance" are not).
    common = common_words()
    return len(capitalised) > 1 and all(name_shaped(w) and w.casefold() not in common for w in capitalised)


def _is_address(value: str) -> bool:
    """A number and a word, mostly capitalised words and numbers (not a sentence that mentions a time)."""
    tokens = value.split()
    marked = [t for t in tokens if t[0].isupper() or t[0].isdigit()]
    return (
        bool(re.search(r"\d", value))
        and bool(re.search(r"[^\W\d_]{3,}", value))
        and "@" not in value
        and len(marked) * 2 >= len(tokens)
    )


def _value_finding(kind: str, text: str, start: int, end: int) -> Finding | None:
    while start < end and text[start] in " \t":
        start += 1
    while end > start and text[end - 1] in " \t.":
        end -= 1
    value = text[start:end]
    if kind == "person" and _is_name(value):
        return Finding("person", start, end, 0.7, "labelled_field")
    if kind == "address" and _is_address(value):
        return Finding("address", start, end, 0.7, "labelled_field")
    return None


def _key_values(text: str) -> list[Finding]:
    found = []
    for m in _KEY_VALUE.finditer(text):
        kind = _field_kind(m.group("key"))
        if kind is None:
            continue
        group = "dq" if m.group("dq") is not None else "sq" if m.group("sq") is not None else "bare"
        finding = _value_finding(kind, text, m.start(group), m.end(group))
        if finding is not None:
            found.append(finding)
    return found


def _cells(line: str, offset: int, delimiter: str) -> list[tuple[int, int]]:
    """The (start, end) of each cell of a delimited line, quotes left out, in the text's offsets."""
    cells = []
    i, n = 0, len(line)
    while i <= n:
        start = i
        if i < n and line[i] == '"':
            close = line.find('"', i + 1)
            while close != -1 and close + 1 < n and line[close + 1] == '"':
                close = line.find('"', close + 2)
            if close != -1:
                cells.append((offset + i + 1, offset + close))
                nxt = line.find(delimiter, close)
                i = n + 1 if nxt == -1 else nxt + 1
                continue
        nxt = line.find(delimiter, i)
        end = n if nxt == -1 else nxt
        cells.append((offset + start, offset + end))
        i = end + 1
    return cells


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def _table_columns(text: str) -> list[Finding]:
    """Cells of the columns headed like a name or an address, in CSV (`,`, `;`, tab) or pipe tables."""
    found: list[Finding] = []
    header: dict[int, str] = {}
    delimiter = ""
    width = 0
    for offset, line in _lines(text):
        stripped = line.strip()
        if header and (not stripped or delimiter not in line):
            header = {}
        if not stripped:
            continue
        if header:
            if re.fullmatch(r"[|:\-\s+]+", stripped):
                continue  # a Markdown table's rule
            cells = _cells(line, offset, delimiter)
            if abs(len(cells) - width) > 1:
                header = {}
                continue
            for index, kind in header.items():
                if index < len(cells):
                    finding = _value_finding(kind, text, *cells[index])
                    if finding is not None:
                        found.append(finding)
            continue
        for candidate in ("|", "\t", ";", ","):
            if line.count(candidate) < 1:
                continue
            cells = _cells(line, offset, candidate)
            names = [text[s:e].strip().strip('"') for s, e in cells]
            if len([c for c in names if c]) < 2 or any(len(c) > 40 or re.search(r"\d{3}|@", c) for c in names):
                continue
            kinds = {i: k for i, c in enumerate(names) if c and (k := _field_kind(c)) is not None}
            if kinds:
                header, delimiter, width = kinds, candidate, len(cells)
            break
    return found


def find_labelled_fields(text: str) -> list[Finding]:
    """People and addresses that a field's or a column's name labels (see the module's docstring)."""
    found = _key_values(text) if (":" in text or "=" in text) else []
    if "\n" in text:
        found += _table_columns(text)
    return found
