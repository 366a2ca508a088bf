"""Labelled support-ticket and runbook texts for the redaction benchmark, generated from a seed.

Each text carries the exact character spans of the structured identifiers written into it: e-mail
addresses, phone numbers (national and international formats of fourteen countries), Luhn-valid payment
cards of seven brands (compact, spaced or dashed), IBANs of twelve countries with valid check digits,
IPv4 and IPv6 addresses, and US social security numbers inside the SSA's ranges. The prose around them is
what tickets carry: names, order and ticket ids, dates, amounts, versions, host names, so that precision
means something too. The formats were chosen for what people write, not for what either detector finds.

Pure: no Django, no I/O. The same seed gives the same texts.
"""

from __future__ import annotations

import ipaddress
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import phonenumbers

STRUCTURED_KINDS: tuple[str, ...] = ("email", "phone", "payment_card", "iban", "ip_address", "ssn")


@dataclass(frozen=True)
class Span:
    """One identifier written into a text: its kind, offsets (end exclusive) and the form it was written in."""

    kind: str
    start: int
    end: int
    form: str


@dataclass(frozen=True)
class LabelledText:
    text: str
    spans: tuple[Span, ...]


# --- the values --------------------------------------------------------------------------------

FIRST_NAMES = (
    "Dana", "Priya", "Tomás", "Ingrid", "Kwame", "Mei", "Lukas", "Sofia", "Arjun", "Chloé",
    "Oren", "Fatima", "Jonas", "Aiko", "Mateo", "Hannah", "Rui", "Elif", "Samuel", "Noor",
)  # fmt: skip
LAST_NAMES = (
    "Cho", "Raman", "Alvarez", "Lindqvist", "Mensah", "Tanaka", "Becker", "Rossi", "Iyer", "Dubois",
    "Levi", "Haddad", "Keller", "Sato", "García", "Novak", "Costa", "Yılmaz", "Okafor", "Brennan",
)  # fmt: skip
# Invented companies on real top-level domains (an address on an unknown TLD is not an address).
DOMAINS = (
    "quillfern.com", "brightwater-logistics.co.uk", "northpeak.io", "halden-energie.de", "lumenbank.fr",
    "corvid-health.org", "tidewell.nl", "mail.orbitretail.com", "eu.saltmarsh.net", "kestrelpay.com.au",
)  # fmt: skip
COMPANIES = ("Halden Energie", "Tidewell Freight", "Orbit Retail", "Saltmarsh Foods", "Kestrel Pay", "Corvid Health")
OFFICES = ("Lisbon", "Leeds", "Berlin", "Lyon", "Rotterdam", "Austin", "Sydney", "Madrid", "Dublin", "Pune")


def _ascii(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.replace("ı", "i"))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum()).lower()


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def make_email(rng: random.Random) -> tuple[str, str]:
    first, last = _ascii(rng.choice(FIRST_NAMES)), _ascii(rng.choice(LAST_NAMES))
    style = rng.choice(("first.last", "flast", "first_last", "first", "tagged", "role"))
    local = {
        "first.last": f"{first}.{last}",
        "flast": f"{first[0]}{last}",
        "first_last": f"{first}_{last}",
        "first": first,
        "tagged": f"{first}.{last}+{rng.choice(('billing', 'tickets', 'eu'))}",
        "role": rng.choice(("billing", "it-support", "payments.ops", "accounts-payable", "noreply")),
    }[style]
    return f"{local}@{rng.choice(DOMAINS)}", f"email {style}"


# (region, form): national forms for the countries with offices, international (E.123) for all of them.
PHONE_FORMS: tuple[tuple[str, str], ...] = (
    *((r, "national") for r in ("US", "GB", "DE", "FR", "NL", "ES", "AU")),
    ("US", "dashed"), ("US", "dotted"),
    *((r, "international")
      for r in ("US", "GB", "DE", "FR", "NL", "ES", "AU", "IE", "CH", "BE", "SG", "IN", "JP", "BR")),
    *((r, "e164") for r in ("US", "GB", "DE", "IN")),
)  # fmt: skip


def _phone_number(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    """A number valid in `region`'s numbering plan: an example number with its last digits redrawn."""
    kind = rng.choice((phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE))
    example = phonenumbers.example_number_for_type(region, kind)
    national = str(example.national_number)
    for _ in range(100):
        tail = "".join(rng.choice("0123456789") for _ in range(min(6, len(national) - 3)))
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(national[: -len(tail)] + tail)
        )
        if phonenumbers.is_valid_number(candidate):
            return candidate
    return example


def make_phone(rng: random.Random) -> tuple[str, str]:
    region, form = rng.choice(PHONE_FORMS)
    number = _phone_number(rng, region)
    digits = str(number.national_number)
    if form == "dashed":
        text = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    elif form == "dotted":
        text = f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    else:
        style = {
            "national": phonenumbers.PhoneNumberFormat.NATIONAL,
            "international": phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            "e164": phonenumbers.PhoneNumberFormat.E164,
        }[form]
        text = phonenumbers.format_number(number, style)
    return text, f"phone {region} {form}"


# brand → (issuer prefixes, length, how it is printed in groups)
CARD_BRANDS: dict[str, tuple[tuple[str, ...], int, tuple[int, ...]]] = {
    "visa": (("4",), 16, (4, 4, 4, 4)),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2720"), 16, (4, 4, 4, 4)),
    "amex": (("34", "37"), 15, (4, 6, 5)),
    "discover": (("6011", "65"), 16, (4, 4, 4, 4)),
    "jcb": (("3528", "3530", "3589"), 16, (4, 4, 4, 4)),
    "diners": (("36",), 14, (4, 6, 4)),
    "unionpay": (("62",), 16, (4, 4, 4, 4)),
}


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        n = int(ch)
        if i % 2 == 0:  # doubled: these sit at odd positions from the right once the check digit is appended
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return str((10 - total % 10) % 10)


def make_card(rng: random.Random) -> tuple[str, str]:
    brand = rng.choice(tuple(CARD_BRANDS))
    prefixes, length, groups = CARD_BRANDS[brand]
    body = rng.choice(prefixes)
    body += "".join(rng.choice("0123456789") for _ in range(length - 1 - len(body)))
    digits = body + luhn_check_digit(body)
    form = rng.choice(("compact", "spaced", "dashed"))
    if form == "compact":
        return digits, f"card {brand} {form}"
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return (" " if form == "spaced" else "-").join(parts), f"card {brand} {form}"


# country → BBAN layout as (count, "n" digits | "a" capital letters)
IBAN_LAYOUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "GB": ((4, "a"), (14, "n")),
    "IE": ((4, "a"), (14, "n")),
    "NL": ((4, "a"), (10, "n")),
    "DE": ((18, "n"),),
    "FR": ((23, "n"),),
    "ES": ((20, "n"),),
    "IT": ((1, "a"), (22, "n")),
    "BE": ((12, "n"),),
    "CH": ((17, "n"),),
    "PL": ((24, "n"),),
    "AT": ((16, "n"),),
    "PT": ((21, "n"),),
}


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 minus (BBAN + country + "00", letters as 10..35) mod 97."""
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def make_iban(rng: random.Random) -> tuple[str, str]:
    country = rng.choice(tuple(IBAN_LAYOUTS))
    bban = "".join(
        "".join(rng.choice("0123456789" if kind == "n" else "ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(count))
        for count, kind in IBAN_LAYOUTS[country]
    )
    compact = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.3:
        return compact, f"iban {country} electronic"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4)), f"iban {country} print"


def make_ipv4(rng: random.Random) -> tuple[str, str]:
    form = rng.choice(("private", "public", "documentation"))
    if form == "private":
        first = rng.choice(("10", "172", "192"))
        second = {"10": rng.randint(0, 255), "172": rng.randint(16, 31), "192": 168}[first]
        text = f"{first}.{second}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    elif form == "public":
        first = rng.choice([n for n in range(1, 224) if n not in (10, 127, 169, 172, 192)])
        text = f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    else:
        text = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
    return text, f"ipv4 {form}"


def make_ipv6(rng: random.Random) -> tuple[str, str]:
    prefix = rng.choice(("2001:db8", "2a01:4f8", "2a02:1810", "2600:1f18", "fd12:3456"))
    groups = [rng.randint(0, 0xFFFF) if rng.random() < 0.6 else 0 for _ in range(6)]
    address = ipaddress.IPv6Address(prefix + ":" + ":".join(f"{g:x}" for g in groups))
    if rng.random() < 0.2:
        return address.exploded, "ipv6 full"
    return str(address), "ipv6 compressed"


def make_ssn(rng: random.Random) -> tuple[str, str]:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    form = rng.choices(("dashed", "spaced", "bare"), weights=(70, 15, 15))[0]
    sep = {"dashed": "-", "spaced": " ", "bare": ""}[form]
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}", f"ssn {form}"


# --- the filler's numbers, none of them an identifier of ours --------------------------------


def _ticket(rng: random.Random) -> str:
    return rng.choice((f"INC-{rng.randint(10000, 999999)}", f"CASE-{rng.randint(100000, 999999)}",
                       f"SR{rng.randint(10**7, 10**8 - 1)}"))  # fmt: skip


def _order(rng: random.Random) -> str:
    return rng.choice((f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7 - 1)}", str(rng.randint(10**7, 10**10 - 1))))


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")  # fmt: skip
    iso, european = f"{year}-{month:02d}-{day:02d}", f"{day:02d}/{month:02d}/{year}"
    return rng.choice((iso, european, f"{months[month - 1]} {day}, {year}"))


def _amount(rng: random.Random) -> str:
    whole = rng.randint(12, 4800)
    return rng.choice((f"€{whole:,}.{rng.randint(0, 99):02d}", f"${whole:,}.{rng.randint(0, 99):02d}",
                       f"£{whole:,}.00", f"EUR {whole:,}"))  # fmt: skip


VALUE_MAKERS: dict[str, tuple[str, Callable[[random.Random], tuple[str, str]]]] = {
    "email": ("email", make_email),
    "phone": ("phone", make_phone),
    "card": ("payment_card", make_card),
    "iban": ("iban", make_iban),
    "ipv4": ("ip_address", make_ipv4),
    "ipv6": ("ip_address", make_ipv6),
    "ssn": ("ssn", make_ssn),
}
FILLER_MAKERS: dict[str, Callable[[random.Random], str]] = {
    "name": _name,
    "company": lambda rng: rng.choice(COMPANIES),
    "office": lambda rng: rng.choice(OFFICES),
    "domain": lambda rng: rng.choice(DOMAINS),
    "ticket": _ticket,
    "order": _order,
    "date": _date,
    "time": lambda rng: f"{rng.randint(0, 23):02d}:{rng.choice((0, 5, 15, 30, 45)):02d} {rng.choice(('UTC', 'CET'))}",
    "amount": _amount,
    "version": lambda rng: f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
    "build": lambda rng: f"{rng.randint(20230101, 20261228)}.{rng.randint(1, 9)}",
    "host": lambda rng: f"{rng.choice(('billing-api', 'ledger', 'auth', 'sftp'))}-{rng.randint(1, 12):02d}.internal",
    "port": lambda rng: str(rng.choice((443, 8080, 8443, 5432, 22))),
}

# --- the sentences --------------------------------------------------------------------------

OPENINGS = (
    "Hi, this is {name} ({email}, {phone}) from the {office} office.",
    "Hello team, {name} here from {company}; you can reach me on {phone}.",
    "Ticket {ticket} from {name} <{email}>:",
    "Escalated by {name} ({email}) on {date}.",
)
SENTENCES = (
    "Customer {name} says their card {card} was charged twice on {date}.",
    "Please send the refund to IBAN {iban} rather than to the card.",
    "Their last login came from {ipv4} at {time}, which our fraud rules flagged.",
    "The VPN gateway logged the session from {ipv6} just before the password reset.",
    "Can someone call them back on {phone}? They are available after {time}.",
    "For the payroll correction we need to confirm the employee's SSN {ssn} against the HR record.",
    "Billing contact changed from {email} to {email} last month.",
    "The card they quoted on the phone, {card}, is not the one on file.",
    "{company} asked us to change their bank details to {iban}; verify by phone on {phone} before changing anything.",
    "Firewall rule FW-{port} allows {ipv4} through to the billing API on port {port}.",
    "Social security number on the W-2 is {ssn}, but the tax form shows a different one.",
    "Mobile: {phone}",
    "Mail {email} if the ledger still shows the duplicate after {date}.",
    "The payment of {amount} came from card {card} and was refunded to {iban}.",
    "Monitoring saw repeated failed logins from {ipv4} and {ipv6} within five minutes.",
    "Reach the on-call payments engineer at {phone} or {email}.",
    "The statement is attached: the IBAN {iban} and the card {card} both belong to the customer.",
    "Onboarding for {name}: SSN {ssn}, start date {date}, laptop to ship once IT confirms.",
    "The health check on {host} ({ipv4}) failed three times after the {version} upgrade.",
    "Wrong number on the account: it says {phone} but the customer's is {phone}.",
    "Please allow {ipv6} for the partner's SFTP upload.",
    "Refund approved by {name}; card {card}, amount {amount}, reference {ticket}.",
    "Her new e-mail is {email} and her desk phone {phone}.",
    "The chargeback form lists the SSN as {ssn} and the card as {card}.",
)
FILLERS = (
    "What is the runbook for a duplicated charge, who approves the refund, and what do we tell the customer "
    "while the payments team checks the ledger?",
    "Ticket {ticket} was opened on {date} and has been waiting in the payments queue since {time}.",
    "Order {order} shipped on {date}; the invoice total was {amount} including VAT.",
    "We upgraded the billing service to {version} last week and the retry job now runs every 15 minutes.",
    "The status page at https://status.{domain}/incidents says the incident was resolved at {time}.",
    "Per the runbook, refunds above {amount} need a second approver from finance.",
    "Steps to reproduce: open the customer record, choose Payments, then Refund, and pick the original transaction.",
    "The nightly reconciliation job processed 48,213 transactions in 17 minutes, which is within its usual range.",
    "Logs are kept for 30 days; after that only the aggregated metrics on the dashboard remain.",
    "Please keep the customer informed every 48 hours until the case is closed.",
    "The ledger export uses ISO 8601 timestamps and amounts in minor units.",
    "Build {build} passed all 1,284 integration tests before it went to production.",
    "The customer has been with us since 2017 and holds 3 active subscriptions.",
    "Priority was raised from P3 to P2 because the customer cannot invoice their own clients.",
    "{name} from finance will review the case on {date}.",
)
CLOSINGS = ("Thanks, {name}", "Best regards,\n{name}\n{company}", "Cheers, {name} ({office})")

_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, rng: random.Random, offset: int) -> tuple[str, list[Span]]:
    """Fill `template`'s slots; the spans of identifiers are offset by where the sentence will start."""
    parts: list[str] = []
    spans: list[Span] = []
    cursor, length = 0, 0
    for m in _SLOT.finditer(template):
        literal = template[cursor : m.start()]
        parts.append(literal)
        length += len(literal)
        slot = m.group(1)
        if slot in VALUE_MAKERS:
            kind, make = VALUE_MAKERS[slot]
            value, form = make(rng)
            spans.append(Span(kind, offset + length, offset + length + len(value), form))
        else:
            value = FILLER_MAKERS[slot](rng)
        parts.append(value)
        length += len(value)
        cursor = m.end()
    parts.append(template[cursor:])
    return "".join(parts), spans


def _compose(rng: random.Random, target_chars: int, pii_share: float) -> LabelledText:
    text = ""
    spans: list[Span] = []
    decks: dict[tuple[str, ...], list[str]] = {}

    def draw(templates: tuple[str, ...]) -> str:
        # Each template once before any repeats, as a ticket does not say the same thing twice.
        if not decks.get(templates):
            decks[templates] = rng.sample(templates, len(templates))
        return decks[templates].pop()

    def add(template: str, sep: str) -> None:
        nonlocal text
        if text:
            text += sep
        sentence, found = _fill(template, rng, len(text))
        text += sentence
        spans.extend(found)

    add(rng.choice(OPENINGS) if rng.random() < 0.6 else draw(SENTENCES), "")
    while len(text) < target_chars:
        sep = "\n" if rng.random() < 0.15 else " "
        add(draw(SENTENCES) if rng.random() < pii_share else draw(FILLERS), sep)
    if target_chars > 300:
        add(rng.choice(CLOSINGS), "\n")
    return LabelledText(text, tuple(spans))


def generate_texts(*, count: int = 240, seed: int = 5) -> list[LabelledText]:
    """`count` labelled texts: a third short (one sentence or two, under ~250 characters), a third medium
    (450–900) and a third about 2 KB (1,900–2,100, like the gate benchmark's question), shuffled."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        size = i % 3
        if size == 0:
            texts.append(_compose(rng, rng.randint(60, 160), pii_share=0.7))
        elif size == 1:
            texts.append(_compose(rng, rng.randint(450, 800), pii_share=0.45))
        else:
            texts.append(_compose(rng, rng.randint(1800, 1950), pii_share=0.35))
    rng.shuffle(texts)
    return texts


def as_records(texts: list[LabelledText]) -> list[dict[str, Any]]:
    """The texts as `evaluate_pii` records, each span's label being its kind."""
    return [
        {"text": t.text, "spans": [{"start": s.start, "end": s.end, "label": s.kind} for s in t.spans]} for t in texts
    ]
