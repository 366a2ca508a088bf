"""Addresses read from their structure (postcode shapes, house-number markers, units) and names and
addresses labelled by a field or a column; benign look-alikes of each stay unflagged."""

from __future__ import annotations

import random

import pytest

from inspection import inspect_question, inspect_text
from inspection.pii_texts import assemble
from inspection.pii_texts.draw import Draw
from inspection.pii_texts.shapes import TEMPLATES


def _found(text: str, kind: str, *, question: bool = True) -> list[str]:
    findings = inspect_question(text) if question else inspect_text(text, names=False)
    return [text[f.start : f.end] for f in findings if f.kind == kind]


@pytest.mark.parametrize(
    "text, address",
    [
        ("Taxi from 80/579, Grewal Ganj, Hazaribagh 130575 to the airport", "80/579, Grewal Ganj, Hazaribagh 130575"),
        ("Ship it to 4-21-10 Tenjin\nChuo-ku, Nagoya 662-2181. Thanks", "4-21-10 Tenjin\nChuo-ku, Nagoya 662-2181"),
        (
            "Send it to Rua Xavier, 79, Centro, Campinas - SP, 13015-904 please",
            "Rua Xavier, 79, Centro, Campinas - SP, 13015-904",
        ),
        ("Deliver to 12 Kingsway, Flat 3, Brighton BN1 4GH today", "12 Kingsway, Flat 3, Brighton BN1 4GH"),
        ("my new place is 17 atkinson park, new juneport m9c 3gh", "17 atkinson park, new juneport m9c 3gh"),
        ("Post it to 88 Queen Street, Toronto, ON M5H 2N2.", "88 Queen Street, Toronto, ON M5H 2N2"),
        ("Mail goes to 9 Smith Street, Fitzroy VIC 3065 now", "9 Smith Street, Fitzroy VIC 3065"),
        ("Parcel left at Esmeebaan 7, 6873HZ Tzum yesterday", "Esmeebaan 7, 6873HZ Tzum"),
        (
            "a loaner to ul. Koltsova, d. 42 str. 9, 744929 g. Oymyakon.",
            "ul. Koltsova, d. 42 str. 9, 744929 g. Oymyakon",
        ),
        ("Is provulok Izyumska, bud. 99 kv. 81 right?", "provulok Izyumska, bud. 99 kv. 81"),
        ("Courier to Gazi Sokak No: 94 D: 24 tomorrow", "Gazi Sokak No: 94 D: 24"),
        ("outside H.No. 645, Goswami Ganj. Please", "H.No. 645, Goswami Ganj"),
        ("Is Rambla de Conrado Cortes 32 Puerta 3 correct?", "Rambla de Conrado Cortes 32 Puerta 3"),
        ("parked outside 44 Trần Hưng Đạo, Phường 13. Please", "44 Trần Hưng Đạo, Phường 13"),
        ("Largo Aragão, 219 – is this in the zone?", "Largo Aragão, 219"),
        ("Courier pickup at 35/50, Jhaveri Nagar, loading dock 3", "35/50, Jhaveri Nagar"),
        ("Is 9-7-12 Umeda still right?", "9-7-12 Umeda"),
        ("parked outside Marinusbaan 09. Please", "Marinusbaan 09"),
    ],
)
def test_addresses_in_other_countries_shapes_are_found_whole(text, address):
    assert address in _found(text, "address")


@pytest.mark.parametrize(
    "text",
    [
        "Order 48213 shipped on Friday, order 48214 is still waiting for stock.",
        "Build 10423 Release passed; version 2.3, build 10424 Nightly is next.",
        "Symphony No. 5 plays at the summer party; Form No. 12 goes to Finance.",
        "Keep 16 GB, 8 cores, 12800 requests per second as the baseline for Postgres 16.",
        "The first 7, 30 and 90 days of a new starter, and ticket SD 10234 for the laptop.",
        "Upgrade to Postgres 16.\nOrder 48213 arrives on Monday.",
        "Windows 11, Office 365 and Python 3.12 are on the image; release 2024 AD was a joke.",
        "Attn: Finance - 2SE\n2300 Main Street Kansas City, MO 64108",
        # a card's last group and a small word are no Dutch postcode typed small; nor is any number before one
        "Card 4539 1488 0343 6467 at Acme Corp",
        "We saw 1200 at peak and 3000 in the morning at Heron Ridge.",
        "Pay NL91 ABNA 0417 1643 00 at Heron Bank",
    ],
)
def test_numbers_that_look_like_postcodes_are_no_addresses(text):
    found = _found(text, "address")

    if "Main Street" in text:  # a real address: found, but not the line before it
        assert found == ["2300 Main Street Kansas City, MO 64108"]
    else:
        assert found == []


def test_names_and_addresses_labelled_by_a_field_or_a_column():
    csv = 'employee_id,name,team,address\n29750,"Deol, Vansha",HR,"Flat 2, 10 Mill Lane, Leeds LS1 4AB"\n'
    table = "| candidate | stage |\n|---|---|\n| Aziz | onsite |\n| Service Desk | offer |\n"
    record = '{"requester": "Ana Lima", "shipping_address": "Gazi Sokak No: 94", "hostname": "Db Prod"}'
    log = 'ts=17 user="Lidia Prażmo" action=login'

    assert _found(csv, "person") == ["Deol, Vansha"]
    assert _found(csv, "address") == ["Flat 2, 10 Mill Lane, Leeds LS1 4AB"]
    assert _found(table, "person") == ["Aziz"]
    assert "Ana Lima" in _found(record, "person")
    assert _found(record, "address") == ["Gazi Sokak No: 94"]
    assert _found(log, "person", question=False) == ["Lidia Prażmo"]


@pytest.mark.parametrize(
    "text",
    [
        "team_name,owner,queue\nPlatform,Service Desk,4\nIdentity,Workplace IT,17",
        '{"hostname": "Db Prod 3", "service_name": "Billing", "region": "EU West"}',
        "| step | owner |\n|---|---|\n| review | Agency PoC |\n| sign | GSA Finance |",
        "address: the building closes at 6 pm on Fridays",
    ],
)
def test_fields_that_hold_no_person_or_address_stay_unflagged(text):
    findings = inspect_text(text, names=False)

    assert [text[f.start : f.end] for f in findings if f.kind in ("person", "address")] == []


@pytest.mark.parametrize("seed", [5, 6])
def test_generated_postcode_shapes_are_found(seed):
    """The tuning pool's new shapes (UK, CA, AU, NL, JP, DE, FR postcodes, PO boxes, units, lines, lower
    case, CSV, JSON): nine in ten addresses are found, each overlapping an address finding."""
    draw = Draw(random.Random(seed))
    support = found = 0
    shapes = ("in_a_sentence", "block", "lower")
    for template_id in (*(f"shape_postcode_address_{s}" for s in shapes), "shape_csv_export", "shape_json_record"):
        for _ in range(12):
            text = assemble(TEMPLATES[template_id](draw), template_id)
            findings = inspect_text(text.text, question=True, names=False)
            for span in text.spans:
                if span.label == "STREET_ADDRESS":
                    support += 1
                    found += any(f.kind == "address" and f.start < span.end and span.start < f.end for f in findings)
    assert support >= 60
    assert found / support >= 0.9
