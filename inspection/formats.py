"""Identifiers in the many shapes people write them, generated (seeded) with their spans, to measure
inspection's recall per family of formats: `manage.py eval_formats` and the tests.

Families: phone numbers with extensions and international prefixes, national phone formats, phone numbers
wrapped onto a new line, SSNs said
to be SSNs (valid or not by the SSA's rules), payment cards grouped by any one separator, IBANs compact,
grouped, dashed or lower-case, and identifiers hidden with Unicode (zero-width characters, full-width
forms, other digits, non-breaking and thin spaces). Pure: no Django.
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


def phone_wrapped(r: random.Random) -> str:
    """A number broken onto the next line at one of its separators, as pasted from a narrow column."""
    number = r.choice([phone_national, phone_with_extension])(r)
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
