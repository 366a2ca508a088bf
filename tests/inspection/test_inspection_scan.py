"""The detectors' shortcuts find exactly what their regexes find: trying a regex only where a match can
start, skipping a detector whose necessary characters are absent, leaving unchecked the phone numbers
a stronger finding covers. Checked on generated texts full of near-misses, and on the evaluation sets
when ../shared/eval is there."""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import pytest

from inspection import _outside_addresses, inspect_text, names, ner, patterns, resolve_overlaps, secrets, tokens
from inspection.fields import find_labelled_fields
from inspection.findings import Finding
from inspection.normalise import normalise
from inspection.repeated_names import repeated_names
from inspection.scan import _FOLD_ODD, Words, finditer_at, folded, line_starts

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
PACKAGE = Path(patterns.__file__).parent

# The patterns as they were written before their look-behinds moved after the first digit.
ORIGINAL_CARD = re.compile(r"(?<![\w+-])\d(?:[ ./_-]?\d){11,18}(?![\w]|[-./]\d)")
ORIGINAL_SSN = re.compile(r"(?<![\w-])(\d{3})([- .]?)(\d{2})\2(\d{4})(?![\w]|-\d)")
ORIGINAL_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
ORIGINAL_HOUSE_NUMBER_FIRST = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?(?:[ \t]+{names._WORD}){{1,4}}?[ \t]+(?:{names._STREET_TYPES})\b\.?"
)
ORIGINAL_NUMBER_THEN_PREFIX = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?[ \t]+(?:{names._STREET_PREFIXES}|rue|avenue|boulevard|chemin|allée|impasse|quai)"
    rf"(?:[ \t]+{names._WORD}){{1,4}}"
)


def _luhn_completed(digits: str) -> str:
    for last in "0123456789":
        number = digits + last
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 else d for i, d in enumerate(int(c) for c in reversed(number))
        )
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def generated_texts(count: int, seed: int) -> list[str]:
    """Texts made of the detectors' own words, identifiers that almost match, and awkward characters."""
    rng = random.Random(seed)
    source = "".join(p.read_text() for p in sorted(PACKAGE.glob("*.py")))
    words = sorted(set(re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ.'’\-_]{0,14}", source)))
    hints = [hint for rule in tokens.TOKEN_RULES for hint in rule.hints]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    odd = [*"ſKİıßÆæøØ’'\"`-_.:;,=+/@#%&*()[]{}<>|\\$€£☎\t\n", "\x1b[1m", "&quot;", "://", "Straße", "名前"]
    structured = [
        lambda: rng.choice(["ana", "j.doe", "x+y"]) + "@" + rng.choice(["ex.com", "mail.example.org", "10.0.0.1"]),
        lambda: " ".join(
            re.findall(".{1,4}", _luhn_completed(rng.choice("4563") + "".join(rng.choices("0123456789", k=14))))
        ),
        lambda: rng.choice(["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "fr1420041010050500013m02606"]),
        lambda: rng.choice(["123-45-6789", "536-22-1234", "536221234", "SSN 536 22 1234"]),
        lambda: ".".join(str(rng.randint(0, 300)) for _ in range(4)),
        lambda: rng.choice(["2001:db8::1", "fe80::1%eth0", "1:2:3:4:5:6:7:8", "12:30:45"]),
        lambda: rng.choice(
            ["postgres://admin:S3cr3tPw@db.host/x", "curl -u admin:hunter2X ", "Authorization: Bearer a1b2c3d4e5f6"]
        ),
        lambda: (
            rng.choice(["password", "db_password", "apiKey", "SECRET_KEY", "token", "pwd", "PASS"])
            + rng.choice(["=", " = ", ": ", ":=", " is ", '": "', "='"])
            + rng.choice(["hunter2X9", "'abc123XYZ'", '"k3yV4lue_9"', "changeme", "${VAR}", "AbCdEfGh12345678"])
        ),
        lambda: rng.choice(["+1 (415) 555-0134", "020 7946 0958", "0049 30 123456", "(555) 123-4567", "555.123.4567"]),
        lambda: rng.choice(["1600 Amphitheatre Parkway", "Hauptstraße 5", "Rua do Arenque 1634", "12 rue de la Paix"]),
        lambda: rng.choice(["PSC 0413, Box 8144", "APO AE 09012", "Apt. 595", "P.O. Box 12", "corner of Main and Elm"]),
        lambda: rng.choice(
            ["Dr. Ana Lima", "my name is Jean-Luc Picard", "I'm Ada Lovelace", "John Smith lives in Bonn"]
        ),
        lambda: rng.choice(hints) + "".join(rng.choices(alphabet + "_-", k=rng.randint(4, 70))),
        lambda: "".join(rng.choices(alphabet, k=rng.randint(16, 90))),
    ]

    def fragment() -> str:
        roll = rng.random()
        if roll < 0.25:
            return rng.choice(structured)()
        if roll < 0.55:
            word = rng.choice(words)
            return rng.choice([word, word.lower(), word.upper(), word.title()])
        if roll < 0.70:
            return "".join(rng.choices("0123456789", k=rng.randint(1, 6)))
        if roll < 0.80:
            return "".join(rng.choices("0123456789 -.()+", k=rng.randint(5, 20)))
        return rng.choice(odd)

    texts = []
    for _ in range(count):
        parts = [fragment() for _ in range(rng.randint(1, 40))]
        texts.append("".join(p + rng.choice([" ", " ", "", "\n", "=", ": ", "\t", ", "]) for p in parts))
    return texts


def eval_texts() -> list[str]:
    texts: list[str] = []
    pii = EVAL / "pii" / "presidio-synth-dev.jsonl"
    if pii.is_file():
        texts += [json.loads(line)["text"] for line in pii.read_text().splitlines() if line.strip()]
    samples = EVAL / "secrets" / "credsweeper" / "samples"
    if samples.is_dir():
        for path in sorted(samples.iterdir()):
            data = path.read_bytes()
            if b"\x00" not in data:
                texts.append(data.decode("utf-8", errors="replace"))
    return texts


TEXTS = generated_texts(500, seed=5)
# Matches that start inside a word or a run of name characters, next to the positions the shortcuts try.
TRICKY = [
    "d'Hauptstraße 5 and O’Neil-Östbygatan 14, x_Tawastintie 72, Kungsgatan. 3, hauptstr. 12",
    "Mrs.Ana Lima, xMr Bob, Dr.\tEve, MrsSmith; ANA lives at home; Jean-Luc de la Cruz was born in Lyon",
    "ana.lima lives in Bonn. Mary-Ann O'Neil lived at 3 Elm Street; 12 x lives on",
    "my name isAna, MY NAME IS Bo Li, regards,\nÉva Kiss\nsigned,Bo; I'M Ada King, this is Al Green",
    "PO Box12, P. O.Box 7, apt.595, Apartment#12, SUITE 9, Ste. 4, xApt 3, APO ae 12345, fpo AP 54321",
    "at 12 Main 5, to 3247 Rua Igreja 25, is 20789 Allika 46\n  >12 Elm 4\nat12 Oak 3",
    "xpassword=hunter2X9 apiKey2Value=AbCdEfGh12345678 client-secret: Zq8!xx99 PASSWD='k3yV4lue_9'",
    "+1 415 555 0134 (415) 555-0134 x+1 415 555 0134 /0044 20 7946 0958 =020 7946 0958 a.555.123.4567",
    "GB82WEST12345698765432 xGB82 WEST 1234 5698 7654 32 1GB82WEST12345698765432 de89370400440532013000",
    "x@y.co ab@@cd.com " + "a" * 70 + "@example.com",
]


def spans(matches) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


def check_all(texts: list[str]) -> None:
    for text in texts:
        assert spans(secrets._keywords(text)) == spans(secrets._KEYWORD.finditer(text)), text
        for pattern, _, starts in names._ADDRESS_PATTERNS:
            assert spans(names._matches(pattern, text, starts)) == spans(pattern.finditer(text)), (pattern, text)
        for pattern, _, _, starts in names._PEOPLE_PATTERNS:
            assert spans(names._matches(pattern, text, starts)) == spans(pattern.finditer(text)), (pattern, text)
        assert spans(finditer_at(names._NAME_LINE, text, line_starts(text))) == spans(names._NAME_LINE.finditer(text))
        hinted = tokens.hinted_rules(text)
        assert hinted == [r for r in tokens.TOKEN_RULES if any(hint in text for hint in r.hints)]
        for rule in hinted:
            found = finditer_at(rule.pattern, text, tokens._starts(rule.body, text))
            assert spans(found) == spans(rule.pattern.finditer(text)), (rule.detector, text)
        starts = (m.start() for m in patterns._PHONE_START.finditer(text))
        assert spans(finditer_at(patterns._PHONE, text, starts)) == spans(patterns._PHONE.finditer(text)), text
        iban_starts = (m.start() - 2 for m in patterns._IBAN_CHECK_DIGITS.finditer(text))
        assert spans(finditer_at(patterns._IBAN, text, iban_starts)) == spans(patterns._IBAN.finditer(text)), text
        assert [(f.start, f.end) for f in patterns.find_emails(text)] == [
            m.span() for m in patterns._EMAIL.finditer(text)
        ], text
        assert spans(patterns._CARD.finditer(text)) == spans(ORIGINAL_CARD.finditer(text))
        assert spans(patterns._SSN.finditer(text)) == spans(ORIGINAL_SSN.finditer(text))
        assert spans(patterns._IPV4.finditer(text)) == spans(ORIGINAL_IPV4.finditer(text))
        assert spans(names._ADDRESS_PATTERNS[0][0].finditer(text)) == spans(ORIGINAL_HOUSE_NUMBER_FIRST.finditer(text))
        assert spans(names._ADDRESS_PATTERNS[3][0].finditer(text)) == spans(ORIGINAL_NUMBER_THEN_PREFIX.finditer(text))
        runs = text.translate(secrets._RUN_MASK)
        if "a" * 40 not in runs:
            assert not list(secrets._B64_CANDIDATE.finditer(text))
        if "a" * 44 not in runs:
            assert not list(secrets._ATLASSIAN_PAT.finditer(text))
        if "a" * 20 not in runs:
            assert not list(secrets._ENTROPY_CANDIDATE.finditer(text))
        assert inspect_text(text) == every_phone_checked(text), text


@pytest.fixture(autouse=True)
def patterns_only():
    """What is compared here is the patterns' shortcuts; the name model (inspection.ner) is left out."""
    ner.set_enabled(False)
    yield
    ner.set_enabled(None)


def every_phone_checked(original: str):
    """inspect_text as it was written before phone candidates under a stronger finding were skipped: on the
    text normalised as inspect_text reads it ("ſ" is "s"), spans mapped back to what was written."""
    normalised = normalise(original)
    text = normalised.text
    findings = secrets.find_secrets(text)
    findings += patterns.find_emails(text)
    findings += patterns.find_payment_cards(text)
    findings += patterns.find_ibans(text)
    findings += patterns.find_ssns(text)
    findings += patterns.find_ip_addresses(text)
    addresses = names.find_addresses(text)
    findings += _outside_addresses(patterns.find_phones(text), addresses)
    findings += names.find_people(text)
    findings += find_labelled_fields(text)
    findings += addresses
    findings = resolve_overlaps(findings)
    findings = resolve_overlaps(findings + repeated_names(text, findings))
    if normalised.origin is None:
        return findings
    return resolve_overlaps(
        [Finding(f.kind, *normalised.original_span(f.start, f.end), f.confidence, f.detector) for f in findings]
    )


@pytest.mark.parametrize("part", range(5))
def test_the_shortcuts_find_what_the_regexes_find_in_generated_texts(part):
    check_all(TEXTS[part * 100 : (part + 1) * 100])


def test_the_shortcuts_find_what_the_regexes_find_next_to_where_they_look():
    check_all(TRICKY + [text[i:] for text in TRICKY for i in range(1, 12)])


@pytest.mark.slow
def test_the_shortcuts_find_what_the_regexes_find_in_the_evaluation_sets():
    texts = eval_texts()
    if not texts:
        pytest.skip(f"no evaluation data at {EVAL}")
    check_all(texts + [line for text in texts for line in text.splitlines()])


def test_phones_under_a_stronger_finding_are_not_checked_and_the_result_is_the_same():
    text = "card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, host 203.0.113.24, call +1 415 555 0134"
    calls = []
    original = patterns._phone_confidence

    def counting(raw, before, after):
        calls.append(raw)
        return original(raw, before, after)

    patterns._phone_confidence = counting
    try:
        found = inspect_text(text)
    finally:
        patterns._phone_confidence = original

    assert calls == ["+1 415 555 0134"]
    assert found == every_phone_checked(text)
    assert [f.kind for f in found] == ["payment_card", "iban", "ip_address", "phone"]


def test_case_folding_is_exact_or_refused():
    # Every character that IGNORECASE matches to an ASCII letter lower-cases to that letter, except the
    # few `folded` refuses to handle.
    letters = {c: re.compile(c, re.IGNORECASE) for c in "abcdefghijklmnopqrstuvwxyz"}
    any_letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or not any_letter.fullmatch(char):
            continue
        for letter, pattern in letters.items():
            if pattern.fullmatch(char):
                assert char.lower() == letter or char in _FOLD_ODD, hex(code)
    assert folded("Straße ſ") is None and folded("İstanbul") is None
    assert folded("ÖSTBYGATAN 14") == "östbygatan 14" and folded("PASSWORD") == "password"


@pytest.mark.parametrize(
    ("words", "ignore_case"),
    [
        (("AAB", "Ab", "Ba", "BaB"), False),  # rare first letters: one regex
        (("aa", "aab", "ba"), False),  # common first letters: one word at a time
        (("aa", "aab", "ba"), True),
    ],
)
def test_words_are_found_at_every_position_overlaps_included(words, ignore_case):
    text = "AABaBAb BaBa AAAB aaab baab aab"
    haystack = text.lower() if ignore_case else text

    found = Words(*words, ignore_case=ignore_case).positions(text)

    assert found == sorted({i for w in words for i in range(len(text)) if haystack.startswith(w, i)})
    assert len(found) > 3


def test_words_refuse_texts_whose_case_folding_is_not_exact():
    assert Words("secret", ignore_case=True).positions("ſecret") is None
    assert Words("secret", ignore_case=True).occur_in("ſecret")


def test_finditer_at_goes_on_after_each_match_like_finditer():
    pattern = re.compile(r"ab+|b")
    text = "abbb b ab"

    assert spans(finditer_at(pattern, text, range(len(text)))) == spans(pattern.finditer(text))
    assert spans(finditer_at(pattern, text, [0, 1, 2, 5])) == [(0, 4, ()), (5, 6, ())]
