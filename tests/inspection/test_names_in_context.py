"""Names the detectors missed on generated tuning texts (2026-12-05), each from a rule about how people write
them, and the everyday text each rule must leave alone."""

from __future__ import annotations

import pytest

from inspection import inspect_question, inspect_text
from inspection.normalise import normalise


def people(text: str, *, question: bool = True) -> list[str]:
    found = inspect_question(text) if question else inspect_text(text)
    return [text[f.start : f.end] for f in found if f.kind == "person"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a given name and a surname the model reads as a nationality and a place
        ("I spoke to Ilona Fodor yesterday and she confirmed the change.", ["Ilona Fodor"]),
        # a listed surname opening a clause, before a verb
        ("Sam will lead the migration in July; Losekann covers the Kafka side.", ["Losekann", "Sam"]),
        # a listed given name opening a sentence, before a verb, tagged as a common noun
        ("She is back on Friday. Aleksander covers the service desk phone.", ["Aleksander"]),
        # a possessive typed without its apostrophe, before a kin word
        ("whats leif nguyens manager called? need my expenses signed", ["leif nguyen"]),
        # two given names in lower case joined by "and"
        ("ok so juliette and kalina are both out today?", ["juliette", "kalina"]),
        # a rare given name typed in lower case, a word that is no everyday word, and what follows a name
        ("does anyone know if ottilie brandauer is still admin for okta?", ["ottilie brandauer"]),
        # Latin spellings of Japanese names
        ("hey can u ask tomoya tanaka to approve my access request", ["tomoya tanaka"]),
        # an address that begins after the name is no company
        # an initial and a surname
        ("Status:\n• M. Czulak — VPN certificate renewed", ["M. Czulak"]),
        # the name a message is signed with
        ("The screen in room 4B keeps flickering. Can someone take a look?\n\nHellevi", ["Hellevi"]),
        # names in Cyrillic: their letters drawn like Latin ones are not read as Latin
        ("Handover from Deborah Ojo to Омелян Притула: db-09 disk at 89%.", ["Deborah Ojo", "Омелян Притула"]),
    ],
)
def test_a_name_written_so_is_found(text, names):
    assert sorted(people(text)) == sorted(names)


@pytest.mark.parametrize(
    "text",
    [
        "Jenkins failed the build again. Kafka is lagging.",
        "Okay so logs and metrics are both down today?",
        "Read A Beginner's Guide to Kubernetes first.",
        "The disk keeps filling up. Can someone take a look?\n\nThanks",
        "Background checks are provided by Equifax.",
        "Please ship it to the Lisbon office, Floor 3, before Friday.",
        "Step 3: click Reset MFA.",
    ],
)
def test_everyday_text_holds_no_name(text):
    assert people(text) == []


def test_an_address_that_begins_after_a_name_is_no_company_ending_it():
    text = "Please ship the docking station to Gareth Carr, Flat 10, 0 Peters Mission."
    assert "Gareth Carr" in people(text)


@pytest.mark.parametrize("text", ["hey can u ask the on-call", "hi can you check the vpn", "thx an update is fine"])
def test_an_english_word_that_a_name_list_holds_is_no_name_in_lower_case(text):
    assert people(text) == []


def test_a_latin_word_spelled_with_a_look_alike_letter_is_still_read_in_latin():
    # "admin" with a Cyrillic "а", and a key made only of look-alike capitals and digits
    spoofed = "mail \u0430dmin@example.com now"
    assert normalise(spoofed).text == "mail admin@example.com now"
    assert normalise("\u0410\u041a\u0406\u0410").text == "AKIA"
    # a Cyrillic word is left in its own script
    assert normalise("Омелян").text == "Омелян"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # a full name typed in lower case is someone's in a document too: a transcript, a pasted chat
        ("Voicemail (auto-transcribed): hi this is ottilie lindqvist um calling about my badge", ["ottilie lindqvist"]),
        ("who replaced virgilio monti as the contact for the vendor?", ["virgilio monti"]),
        # a lone given name in lower case is read only in what a user types: in prose these are things
        ("You can request lockers by floor and wing, or by the location label.", []),
    ],
)
def test_a_full_name_in_lower_case_is_found_in_documents(text, names):
    assert people(text, question=False) == names
