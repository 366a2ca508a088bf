"""More tuning templates: addresses written with their postcodes in the shapes of other countries (UK,
Canada, Australia, the Netherlands, Japan, Germany, France), with a flat, a suite, a floor or a PO box,
split over lines, in CSV exports, JSON records and tables, and typed in lower case; names in "Last, First"
CSV fields and in a table's column. Added to the tuning pool (`tuning.TEMPLATES`), so rules may be written
from them; the held-out pool is untouched, and so are its texts at every seed.
"""

from __future__ import annotations

import json
import weakref

from faker import Faker

from inspection.pii_texts.draw import _PLACES, TEAMS, Draw, Piece, Pii, Templates

TEMPLATES = Templates()

_FAKER_LOCALES = {"en_GB": "en_GB", "en_CA": "en_CA", "en_AU": "en_AU", "nl_NL": "nl_NL", "de_DE": "de_DE"}
_FAKERS: weakref.WeakKeyDictionary[Draw, dict[str, Faker]] = weakref.WeakKeyDictionary()


def _faker(d: Draw, locale: str) -> Faker:
    """One Faker per draw and locale, seeded from the draw's own random numbers when first needed."""
    fakers = _FAKERS.setdefault(d, {})
    if locale not in fakers:
        fake = Faker(_FAKER_LOCALES[locale])
        fake.seed_instance(d.rng.getrandbits(32))
        fakers[locale] = fake
    return fakers[locale]


def _unit(d: Draw) -> str:
    r = d.rng.randint
    return d.pick(("", "", f"Flat {r(1, 40)}, ", f"Apt {r(1, 90)}, ", f"Suite {r(100, 990)}, ", f"Unit {r(1, 30)}, "))


def postal_address(d: Draw) -> tuple[str, list[str]]:
    """An address as (locale, its parts in order): street line first, the postcode in the country's shape."""
    r = d.rng.randint
    locale = d.pick(("en_GB", "en_CA", "en_AU", "nl_NL", "ja_JP", "de_DE", "fr_FR", "po_box"))
    if locale == "ja_JP":
        streets, districts, cities = _PLACES["ja_JP"]
        return locale, [
            f"{r(1, 9)}-{r(1, 30)}-{r(1, 20)} {d.pick(streets)}",
            f"{d.pick(districts)}-ku",
            f"{d.pick(cities)} {r(100, 999)}-{r(0, 9999):04d}",
        ]
    if locale == "po_box":
        fake = _faker(d, "en_CA")
        return locale, [f"PO Box {r(10, 9999)}", f"{fake.city()}, {fake.province_abbr()} {fake.postcode()}"]
    if locale == "fr_FR":
        fake = _faker(d, "de_DE")
        street = d.pick(("rue", "avenue", "boulevard", "allée", "impasse"))
        return locale, [f"{r(1, 120)} {street} {fake.last_name()}", f"{r(10, 95)}{r(0, 999):03d} {fake.city()}"]
    fake = _faker(d, locale)
    if locale == "en_GB":
        return locale, [f"{_unit(d)}{fake.building_number()} {fake.street_name()}", fake.city(), fake.postcode()]
    if locale == "en_CA":
        return locale, [
            f"{_unit(d)}{fake.building_number()} {fake.street_name()}",
            f"{fake.city()}, {fake.province_abbr()} {fake.postcode()}",
        ]
    if locale == "en_AU":
        return locale, [
            f"{_unit(d)}{fake.building_number()} {fake.street_name()}",
            f"{fake.city()} {fake.state_abbr()} {fake.postcode()}",
        ]
    if locale == "nl_NL":
        return locale, [f"{fake.street_name()} {r(1, 300)}", f"{fake.postcode()} {fake.city()}"]
    floor = d.pick(("", "", f", {r(1, 5)}. OG", f", Whg. {r(1, 40)}"))
    return locale, [f"{fake.street_name()} {r(1, 200)}{floor}", f"{fake.postcode()} {fake.city()}"]


def address(d: Draw, form: str = "line") -> Pii:
    """`postal_address` written on one line (commas), over lines, or in lower case."""
    locale, parts = postal_address(d)
    value = "\n".join(parts) if form == "lines" else ", ".join(parts)
    return Pii("STREET_ADDRESS", value.lower() if form == "lower" else value, locale)


@TEMPLATES.add
def _shape_postcode_address_in_a_sentence(d: Draw) -> list[Piece]:
    p = d.person()
    return d.pick(
        (
            ["Please send the new badge for ", d.name(p), " to ", address(d), " by courier."],
            ["Can the loaner laptop go to ", address(d), "? I'm working from there until Friday."],
            ["Updated home address on file: ", address(d), " (effective next month)."],
        )
    )


@TEMPLATES.add
def _shape_postcode_address_block(d: Draw) -> list[Piece]:
    p = d.person()
    return [
        d.pick(("Return label\n", "Ship to:\n", "Mailing address\n")),
        d.name(p),
        "\n",
        address(d, "lines"),
        f"\nRef: RMA-{d.num(10000, 99999)}",
    ]


@TEMPLATES.add
def _shape_postcode_address_lower(d: Draw) -> list[Piece]:
    return d.pick(
        (
            ["pls ship the headset to ", address(d, "lower"), " thx"],
            ["my address changed, its ", address(d, "lower"), " now"],
        )
    )


@TEMPLATES.add
def _shape_csv_export(d: Draw) -> list[Piece]:
    header, sep = d.rng.choice((("employee_id,name,team,address\n", ","), ("id;full_name;team;home_address\n", ";")))
    pieces: list[Piece] = [header]
    for _ in range(d.rng.randint(2, 3)):
        p = d.person()
        name = d.name(p, d.pick(("last_first", "full")))
        street = address(d)
        pieces += [d.num(10000, 99999), sep, '"', name, '"', sep, d.pick(TEAMS), sep, '"', street, '"\n']
    return pieces


@TEMPLATES.add
def _shape_json_record(d: Draw) -> list[Piece]:
    p = d.person()
    key = d.pick(('"employee"', '"contact_name"', '"requester"'))
    return [
        f'{{"ticket": {d.num(1000, 9999)}, {key}: "',
        d.name(p),
        '", "shipping_address": "',
        address(d),
        f'", "team": {json.dumps(d.pick(TEAMS))}}}',
    ]


@TEMPLATES.add
def _shape_pipe_table(d: Draw) -> list[Piece]:
    pieces: list[Piece] = ["| candidate | stage | location |\n|---|---|---|\n"]
    for _ in range(d.rng.randint(2, 4)):
        p = d.person()
        stage = d.pick(("phone screen", "onsite", "offer", "reference check"))
        pieces += ["| ", d.name(p, d.pick(("first", "full", "last"))), f" | {stage} | {d.pick(('remote', 'HQ'))} |\n"]
    return pieces


# Texts with no person and no address, whose numbers and labels look like a postcode's or a field's.
_LOOKALIKES = (
    "Build 10423 Release passed; version 2.3, build 10424 Nightly is next.",
    "Order 48213 shipped on {weekday}, order 48214 is still waiting for stock.",
    "team_name,owner,queue\nPlatform,Service Desk,{n}\nIdentity,Workplace IT,{nn}",
    '{{"hostname": "Db Prod {n}", "service_name": "Billing", "region": "EU West"}}',
    "Symphony No. {n} plays at the summer party; Form No. {nn} goes to Finance.",
    "The first 7, 30 and 90 days of a new starter, and ticket SD 10234 for the laptop.",
    "Keep 16 GB, 8 cores, 12800 requests per second as the baseline for {product}.",
)


@TEMPLATES.add
def _shape_no_pii_numbers_and_fields(d: Draw) -> list[Piece]:
    return lookalikes_here(d)


def lookalikes_here(d: Draw) -> list[Piece]:
    fill = {"n": d.num(1, 9), "nn": d.num(10, 59), "weekday": d.pick(("Monday", "Friday")), "product": "Postgres 16"}
    return ["\n".join(s.format(**fill) for s in d.rng.sample(list(_LOOKALIKES), d.rng.randint(2, 3)))]
