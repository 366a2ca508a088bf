"""Identifiers in the many shapes people write them, generated (seeded) with their spans, to measure
inspection's recall per family of formats (`tests/inspection/test_identifier_formats.py`).

Families: phone numbers with extensions and international prefixes, North American and a few national
phone formats, the national and international formats of many countries' numbering plans (spaces, dashes,
dots, slashes, the area code in parentheses, "(0)", extensions), phone numbers wrapped onto a new line,
SSNs said to be SSNs (valid or not by the SSA's rules), payment cards grouped by any one separator, IBANs
compact, grouped, dashed or lower-case, and identifiers hidden with Unicode (zero-width characters,
full-width forms, other digits, non-breaking and thin spaces). `look_alikes` gives numbers shaped like
phone numbers that are something else (air waybills, tracking, order and invoice numbers, ranges, amounts),
to measure false alarms. Pure: no Django.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

ZWSP, NBSP, THIN = "\u200b", "\u00a0", "\u2009"


@dataclass(frozen=True)
class Sample:
    """A text holding one identifier of `kind` at [start, end), written in format family `family`."""

    family: str
    kind: str
    text: str
    start: int
    end: int


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def _nanp(r: random.Random) -> tuple[str, str, str]:
    # Area codes and exchanges as Faker writes them: any 3 digits not starting with 0 or 1, valid or not.
    return str(r.randint(200, 999)), str(r.randint(200, 999)), _digits(r, 4)


def phone_with_extension(r: random.Random) -> str:
    a, b, c = _nanp(r)
    ext = _digits(r, r.randint(2, 5))
    return r.choice(
        [
            f"{a}-{b}-{c}x{ext}",
            f"({a}){b}-{c}x{ext}",
            f"({a}) {b}-{c} x{ext}",
            f"+1-{a}-{b}-{c}x{ext}",
            f"001-{a}-{b}-{c}x{ext}",
            f"{a}.{b}.{c}x{ext}",
            f"{a}-{b}-{c} ext. {ext}",
            f"{a}-{b}-{c} ext {ext}",
            f"({a}) {b}-{c} extension {ext}",
            f"{a} {b} {c} #{ext}",
        ]
    )


def phone_national(r: random.Random) -> str:
    a, b, c = _nanp(r)
    return r.choice(
        [
            f"{a}-{b}-{c}",
            f"({a}){b}-{c}",
            f"{a}.{b}.{c}",
            f"+1-{a}-{b}-{c}",
            f"001-{a}-{b}-{c}",
            f"+44 20 {r.randint(7000, 8999)} {_digits(r, 4)}",
            f"020 {r.randint(7000, 8999)} {_digits(r, 4)}",
            f"+49 30 {_digits(r, 8)}",
            f"+33 1 {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)} {_digits(r, 2)}",
            f"+91 {r.randint(70000, 99999)} {_digits(r, 5)}",
            f"+61 4{_digits(r, 2)} {_digits(r, 3)} {_digits(r, 3)}",
        ]
    )


def _grouped(digits: str, groups: tuple[int, ...], separator: str) -> str:
    parts, i = [], 0
    for g in groups:
        parts.append(digits[i : i + g])
        i += g
    return separator.join(parts)


# National numbers of many countries as people there write them, from their numbering plans: (country
# calling code, national number with its trunk prefix, the ways it is grouped nationally). In the
# international form the trunk prefix is dropped (Italy keeps its leading 0), sometimes written "(0)".
# `n` is any digit, other characters are themselves.
_NATIONAL_PLANS: list[tuple[str, str, str, tuple[tuple[int, ...], ...]]] = [
    # country, calling code, shape of the national number, groupings
    ("IT", "39", "02nnnnnnnn", ((2, 4, 4), (2, 8), (2, 3, 5))),  # Milan
    ("IT", "39", "06nnnnnnn", ((2, 7), (2, 3, 4), (2, 4, 3))),  # Rome
    ("IT", "39", "011nnnnnnn", ((3, 3, 4), (3, 7))),  # Turin
    ("IT", "39", "0471nnnnnn", ((4, 6), (4, 3, 3))),  # Bolzano
    ("IT", "39", "0565nnnnn", ((4, 5),)),  # Piombino: six-digit subscriber numbers remain
    ("IT", "39", "34nnnnnnnn", ((3, 3, 4), (3, 7), (3, 4, 3))),  # mobile
    ("IT", "39", "32nnnnnnnn", ((3, 3, 4), (3, 7))),
    ("IT", "39", "39nnnnnnnn", ((3, 3, 4), (3, 7))),
    ("ES", "34", "6nnnnnnnn", ((3, 3, 3), (3, 2, 2, 2), (9,))),
    ("ES", "34", "91nnnnnnn", ((2, 3, 2, 2), (3, 3, 3))),
    ("FR", "33", "0Mnnnnnnnn", ((2, 2, 2, 2, 2),)),  # M: 1-7 or 9
    ("DE", "49", "030nnnnnnnn", ((3, 8), (3, 4, 4), (3, 3, 2, 3))),
    ("DE", "49", "0221nnnnnnn", ((4, 7), (4, 3, 2, 2))),
    ("DE", "49", "089nnnnnnnn", ((3, 8), (3, 3, 3, 2))),
    ("DE", "49", "0171nnnnnnn", ((4, 7), (4, 3, 4))),
    ("DE", "49", "0151nnnnnnnn", ((4, 8), (4, 4, 4))),
    ("NL", "31", "06nnnnnnnn", ((2, 8), (2, 4, 4), (2, 2, 2, 2, 2))),
    ("NL", "31", "020nnnnnnn", ((3, 7), (3, 3, 4))),
    ("PL", "48", "5nnnnnnnn", ((3, 3, 3),)),  # mobile, no trunk prefix
    ("PL", "48", "22nnnnnnn", ((2, 3, 2, 2),)),
    ("BR", "55", "119nnnnnnnn", ((2, 5, 4),)),  # written (11) 91234-5678
    ("BR", "55", "213nnnnnnn", ((2, 4, 4),)),
    ("IN", "91", "9nnnnnnnnn", ((5, 5), (10,), (3, 3, 4))),
    ("IN", "91", "011nnnnnnnn", ((3, 4, 4), (3, 8))),
    ("JP", "81", "03nnnnnnnn", ((2, 4, 4),)),
    ("JP", "81", "090nnnnnnnn", ((3, 4, 4),)),
    ("JP", "81", "06nnnnnnnn", ((2, 4, 4),)),
    ("GB", "44", "07nnnnnnnnn", ((5, 6), (5, 3, 3), (11,))),
    ("GB", "44", "020nnnnnnnn", ((3, 4, 4),)),
    ("GB", "44", "0161nnnnnnn", ((4, 3, 4),)),
    ("AU", "61", "04nnnnnnnn", ((4, 3, 3),)),
    ("AU", "61", "02nnnnnnnn", ((2, 4, 4),)),
    ("MX", "52", "55nnnnnnnn", ((2, 4, 4),)),
    ("MX", "52", "81nnnnnnnn", ((2, 4, 4), (3, 3, 4))),
    ("NG", "234", "080nnnnnnnn", ((4, 3, 4), (11,))),
    ("NG", "234", "070nnnnnnnn", ((4, 3, 4),)),
    ("TR", "90", "05nnnnnnnnn", ((4, 3, 2, 2), (4, 3, 4))),
    ("TR", "90", "0212nnnnnnn", ((4, 3, 2, 2), (4, 3, 4))),
    ("VN", "84", "09nnnnnnnn", ((4, 3, 3), (3, 3, 2, 2))),
    ("VN", "84", "028nnnnnnnn", ((3, 4, 4),)),
    ("RU", "7", "89nnnnnnnnn", ((1, 3, 3, 2, 2), (1, 3, 3, 4))),  # 8 is the trunk prefix
    ("RU", "7", "8495nnnnnnn", ((1, 3, 3, 2, 2),)),
    ("CN", "86", "13nnnnnnnnn", ((3, 4, 4), (11,))),
    ("CN", "86", "010nnnnnnnn", ((3, 8),)),
    ("KR", "82", "010nnnnnnnn", ((3, 4, 4),)),
    ("SE", "46", "07nnnnnnnn", ((3, 3, 2, 2),)),
    ("SE", "46", "08nnnnnnn", ((2, 3, 2, 2),)),
    ("HU", "36", "0630nnnnnnn", ((2, 2, 3, 4),)),  # 06 is the trunk prefix
    ("CH", "41", "044nnnnnnn", ((3, 3, 2, 2),)),
    ("BE", "32", "047nnnnnnn", ((4, 2, 2, 2),)),
    ("PT", "351", "91nnnnnnn", ((3, 3, 3),)),
    ("ZA", "27", "082nnnnnnn", ((3, 3, 4),)),
    ("GR", "30", "69nnnnnnnn", ((3, 3, 4), (4, 6))),
    ("AR", "54", "011nnnnnnnn", ((3, 4, 4),)),
]
_TRUNK_KEPT = {"IT"}
_SLASHED = {"DE", "CH", "IT", "HU"}
_EXTENSIONS = ["ext. {}", "x{}", "int. {}", "#{}"]


def _plan_number(r: random.Random, shape: str) -> str:
    return "".join(r.choice("0123456789") if c == "n" else r.choice("1234579") if c == "M" else c for c in shape)


def _trunk(country: str, national: str) -> str:
    if country in _TRUNK_KEPT:
        return ""
    if country == "HU":
        return national[:2]
    return national[0] if national[0] in "08" else ""


def phone_national_formats(r: random.Random) -> str:
    """A national number of one of many countries, written as it is there: spaces, dashes, dots, slashes,
    the area code in parentheses, now and then an extension."""
    country, _, shape, groupings = r.choice(_NATIONAL_PLANS)
    national = _plan_number(r, shape)
    groups = r.choice(groupings)
    # The slash after the area code is German, Austrian, Swiss, Italian and Hungarian usage.
    styles = ["space", "space", "dash", "dot", "parentheses"] + ["slash"] * (country in _SLASHED)
    style = r.choice(styles)
    if style == "parentheses" and len(groups) > 1:
        rest = national[groups[0] :]
        written = f"({national[: groups[0]]}) " + _grouped(rest, groups[1:], r.choice([" ", "-"]))
    elif style == "slash" and len(groups) > 1:
        rest = national[groups[0] :]
        written = national[: groups[0]] + r.choice(["/", " / "]) + _grouped(rest, groups[1:], " ")
    else:
        written = _grouped(national, groups, {"dash": "-", "dot": "."}.get(style, " "))
    if r.random() < 0.15:
        written += " " + r.choice(_EXTENSIONS).format(_digits(r, r.randint(2, 4)))
    return written


def phone_international_formats(r: random.Random) -> str:
    """The same numbers with their country code: +CC, 00CC or (+CC), the trunk prefix dropped or "(0)"."""
    country, code, shape, groupings = r.choice(_NATIONAL_PLANS)
    national = _plan_number(r, shape)
    trunk = _trunk(country, national)
    significant = national[len(trunk) :]
    groups = r.choice(groupings)
    groups = (groups[0] - len(trunk), *groups[1:]) if groups[0] > len(trunk) else groups[1:]
    separator = r.choice([" ", " ", "-", "."])
    body = _grouped(significant, groups, separator) if groups else significant
    prefix = r.choice([f"+{code} ", f"+{code} ", f"00{code} ", f"(+{code}) ", f"+{code}-"])
    if trunk == "0" and r.random() < 0.25:
        prefix = f"+{code} (0)"
    written = prefix + body
    if r.random() < 0.1:
        written += " " + r.choice(_EXTENSIONS).format(_digits(r, r.randint(2, 4)))
    return written


def phone_wrapped(r: random.Random) -> str:
    """A number broken onto the next line at one of its separators, as pasted from a narrow column."""
    number = r.choice([phone_national, phone_with_extension, phone_national_formats, phone_international_formats])(r)
    breaks = [i for i, ch in enumerate(number) if ch in " -." and 0 < i < len(number) - 1]
    if not breaks:
        return number
    i = r.choice(breaks)
    keep = "" if number[i] == " " else number[i]
    return number[:i] + keep + "\n" + r.choice(["", "  "]) + number[i + 1 :]


def ssn_said(r: random.Random) -> str:
    # Any area, group and serial of the right shape: issued, never issued, or a published example.
    area, group, serial = _digits(r, 3), _digits(r, 2), _digits(r, 4)
    return r.choice([f"{area}-{group}-{serial}", f"{area} {group} {serial}", f"{area}{group}{serial}"])


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def card_number(r: random.Random) -> str:
    prefix, length, groups = r.choice(
        [("4", 16, (4, 4, 4, 4)), ("5" + r.choice("12345"), 16, (4, 4, 4, 4)), ("6011", 16, (4, 4, 4, 4)),
         ("3" + r.choice("47"), 15, (4, 6, 5))]
    )  # fmt: skip
    digits = _luhn_complete(prefix + _digits(r, length - len(prefix) - 1))
    separator = r.choice(["", " ", "-", ".", "/", "_", NBSP, THIN])
    parts, i = [], 0
    for g in groups:
        parts.append(digits[i : i + g])
        i += g
    return separator.join(parts)


# (country, BBAN as a format: 'n' a digit, 'a' an upper-case letter)
_BBANS = [("DE", "n" * 18), ("GB", "aaaa" + "n" * 14), ("NL", "aaaa" + "n" * 10), ("FR", "n" * 23),
          ("ES", "n" * 20), ("IT", "a" + "n" * 22), ("BE", "n" * 12), ("CH", "n" * 17)]  # fmt: skip


def iban(r: random.Random) -> str:
    country, shape = r.choice(_BBANS)
    bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if c == "a" else r.choice("0123456789") for c in shape)
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    grouped = [compact[i : i + 4] for i in range(0, len(compact), 4)]
    style = r.choice(["compact", "spaced", "dashed", "nbsp", "lower"])
    if style == "compact":
        return compact
    if style == "lower":
        return " ".join(grouped).lower()
    return {"spaced": " ", "dashed": "-", "nbsp": NBSP}[style].join(grouped)


def _hide(r: random.Random, value: str) -> str:
    """The value with a zero-width space slipped in somewhere inside it."""
    i = r.randint(1, len(value) - 1)
    return value[:i] + ZWSP + value[i:]


def _full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def unicode_hidden(r: random.Random) -> tuple[str, str]:
    """(kind, value) of an identifier dodging a plain pattern with Unicode."""
    user = r.choice(["john.doe", "a.kowalski", "mei.lin", "ops-team"])
    domain = r.choice(["example.com", "corp.example.org", "mail.example.net"])
    a, b, c = _nanp(r)
    choices: list[Callable[[], tuple[str, str]]] = [
        lambda: ("email", _hide(r, user) + "@" + domain),
        lambda: ("email", user + "@" + _hide(r, domain)),
        lambda: ("email", user + "\uff20" + domain),
        lambda: ("payment_card", _hide(r, card_number(r))),
        lambda: ("payment_card", _full_width(card_number(r))),
        lambda: ("payment_card", card_number(r).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))),
        lambda: ("phone", _hide(r, f"{a}-{b}-{c}")),
        lambda: ("phone", _full_width(f"({a}) {b}-{c}")),
        lambda: ("ip_address", "\uff0e".join(str(r.randint(11, 223)) for _ in range(4))),
        lambda: ("ssn", _hide(r, f"{_digits(r, 3)}-{_digits(r, 2)}-{_digits(r, 4)}")),
        lambda: ("iban", _hide(r, iban(r).replace(NBSP, " "))),
    ]
    return r.choice(choices)()


# Sentences around an identifier, by kind: {} is where it goes.
_CONTEXTS = {
    "phone": [
        "Call me at {} when the deploy is done.",
        "The vendor's support line is {}, ask for the on-call engineer.",
        "Customer says nobody picked up at {} yesterday.",
        "Phone: {}",
        "Escalate to the duty manager on {} if the queue backs up.",
        "Tel. {}",
        "Per la consegna chiamare il {} prima delle 18.",
        "Consegna: Via Garibaldi 12, 00184 Roma RM\nTel. {}\nOrario 9-13",
        "Contact on site: Marco Bianchi, {}",
        "Referee: Dr Anna Kowalska ({}), who knew her for years.",
        "Kind regards\nPaulo Souza\n{}",
        "Telefon: {} (Durchwahl)",
        "Tél. : {}",
        "Móvil {} — llamar por la tarde",
        "Driver's mobile {}, ring when at the gate.",
        "Lieferadresse: Hauptstr. 5, 10115 Berlin, {}",
    ],
    "ssn": [
        "Employee SSN {} appears in the HR export, what do I do?",
        "The form lists SSN: {} for the contractor.",
        "Her social security number {} was pasted into the ticket.",
        "SSN {} is on the scanned W-4, should we delete it?",
    ],
    "payment_card": [
        "The customer paid with card {} and wants a refund.",
        "Charge failed for {} twice, what next?",
        "Can I store {} in the ticket for the chargeback?",
    ],
    "iban": [
        "Please pay the invoice to {} by Friday.",
        "Supplier changed bank details to IBAN {}, is that allowed?",
        "Refund goes back to {}.",
    ],
    "email": ["Forward the report to {} please.", "The request came from {} this morning."],
    "ip_address": ["Traffic from {} is hitting the login page.", "Block {} at the firewall?"],
}

FAMILIES: dict[str, tuple[str, Callable[[random.Random], str]]] = {
    "phone_with_extension": ("phone", phone_with_extension),
    "phone_national_and_international": ("phone", phone_national),
    "phone_national_formats_of_many_countries": ("phone", phone_national_formats),
    "phone_international_formats_of_many_countries": ("phone", phone_international_formats),
    "phone_wrapped_onto_a_new_line": ("phone", phone_wrapped),
    "ssn_said_to_be_one": ("ssn", ssn_said),
    "card_any_separator": ("payment_card", card_number),
    "iban_any_grouping": ("iban", iban),
}


def samples(seed: int, per_family: int) -> Iterator[Sample]:
    """`per_family` samples of every family (the Unicode one included), the same for the same seed."""
    r = random.Random(seed)
    for family, (kind, make) in FAMILIES.items():
        for _ in range(per_family):
            yield _place(r, family, kind, make(r))
    for _ in range(per_family):
        kind, value = unicode_hidden(r)
        yield _place(r, "unicode_hidden", kind, value)


def _place(r: random.Random, family: str, kind: str, value: str) -> Sample:
    before, after = r.choice(_CONTEXTS[kind]).split("{}")
    return Sample(family, kind, before + value + after, len(before), len(before) + len(value))


# Numbers shaped like phone numbers that are something else, most of them said to be by the word before.
def _look_alike(r: random.Random) -> str:
    airline, serial = r.randint(1, 999), _digits(r, 7)
    awb = f"{airline:03d}-{serial}{int(serial) % 7}"
    year = r.randint(1990, 2030)
    choices: list[Callable[[], str]] = [
        lambda: f"AWB {awb} left Milan this morning.",
        lambda: f"Air waybill: {awb}, 3 pieces, 41 kg",
        # A manifest's row without its header: an airline prefix with a leading 0 would read as a landline.
        lambda: f"| {r.randint(100, 999)}-{serial}{int(serial) % 7} | MXP → JFK | 2 pcs | 18.5 kg |",
        lambda: f"AWB no. {r.randint(100, 999)} {_digits(r, 4)} {_digits(r, 4)}",
        lambda: f"Tracking number {_digits(r, 12)} shows it in customs.",
        lambda: f"tracking: {_digits(r, 4)} {_digits(r, 4)} {_digits(r, 4)}",
        lambda: f"Order #{_digits(r, 3)}-{_digits(r, 7)} has shipped.",
        lambda: f"Order no. {_digits(r, 10)} was cancelled.",
        lambda: f"Invoice {year}/{_digits(r, 6)} is overdue.",
        lambda: f"Invoice no. {_digits(r, 3)} {_digits(r, 3)} {_digits(r, 4)}",
        lambda: f"Ref. {_digits(r, 4)}-{_digits(r, 6)}",
        lambda: f"PO {_digits(r, 2)}-{_digits(r, 8)} approved",
        lambda: f"Shipment {_digits(r, 4)} {_digits(r, 4)} {_digits(r, 2)} is delayed.",
        lambda: f"Parcel {_digits(r, 3)} {_digits(r, 3)} {_digits(r, 4)} was left at the depot.",
        lambda: f"Batch {_digits(r, 6)}-{_digits(r, 2)} failed QA.",
        lambda: f"Serial number {_digits(r, 4)}-{_digits(r, 4)}-{_digits(r, 2)}",
        lambda: f"Booked on {r.randint(1, 28):02d}.{r.randint(1, 12):02d}.{year}, paid {year}-0{r.randint(1, 9)}-28",
        lambda: f"The archive covers {year}-{year + r.randint(1, 9)}.",
        lambda: f"Upgrade to version {r.randint(1, 20)}.{r.randint(0, 30)}.{r.randint(0, 99)} first.",
        lambda: f"IBAN fragment {_digits(r, 4)} {_digits(r, 4)} {_digits(r, 4)} is what I have.",
        lambda: f"Card ending {_digits(r, 4)}, expiry {r.randint(1, 12):02d}/{r.randint(25, 32)}",
        lambda: f"ISBN 978-{r.randint(0, 9)}-{_digits(r, 3)}-{_digits(r, 5)}-{r.randint(0, 9)}",
        lambda: f"Total € {r.randint(1, 999)}.{_digits(r, 3)}.{_digits(r, 3)},{_digits(r, 2)}",
        lambda: f"The budget is {r.randint(1, 9)} {_digits(r, 3)} {_digits(r, 3)} EUR.",
        lambda: f"Odds ratio 3.1 (95% CI, {r.randint(0, 2)}.{_digits(r, 2)}-{r.randint(5, 40)}.{_digits(r, 2)})",
        lambda: f"Doses of {r.randint(100, 900)}-{r.randint(1000, 5000)} mg/d were given.",
        lambda: f"Rooms {r.randint(1000, 4000)}-{r.randint(4001, 4999)} are closed.",
        lambda: f"Employer Identification Number: {_digits(r, 2)}-{_digits(r, 7)}",
        lambda: f"Customer ID {_digits(r, 3)} {_digits(r, 3)} {_digits(r, 3)}",
    ]  # fmt: skip
    return r.choice(choices)()


def look_alikes(seed: int, n: int) -> Iterator[str]:
    """`n` texts holding a phone-shaped number that is not a phone (the same for the same seed)."""
    r = random.Random(seed)
    for _ in range(n):
        yield _look_alike(r)
