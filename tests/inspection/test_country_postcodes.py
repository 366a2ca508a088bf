"""A country followed by a postcode (inspection.names._country_postcodes) is looked for only before numbers of
four to six digits; it finds what the pattern finds over the whole text."""

from __future__ import annotations

import random

from inspection import names
from inspection.gazetteer import country_names


def whole_text(text: str) -> list[tuple[int, int]]:
    """The pattern tried at every position, as before the search was narrowed."""
    return [
        (m.start(), m.end())
        for m in names._country_then_postcode().finditer(text)
        if not (len(m.group("code")) == 4 and m.group("code")[:2] in ("19", "20"))
    ]


def test_the_narrowed_search_finds_what_the_whole_text_pattern_finds():
    rng = random.Random(11)
    countries = [c for c in country_names() if "(" not in c]
    pieces = ["the", "office", "in", "Main St 4", "call", "2024", "12345", "0150", "1234567", "x9999", "3.5"]
    found_any = 0
    for _ in range(400):
        words = []
        for _ in range(rng.randint(3, 30)):
            roll = rng.random()
            if roll < 0.25:
                words.append(rng.choice(countries) if rng.random() < 0.8 else rng.choice(countries).upper())
            elif roll < 0.5:
                words.append(str(rng.randint(0, 9_999_999)).zfill(rng.choice([3, 4, 5, 6, 7])))
            else:
                words.append(rng.choice(pieces))
            words.append(rng.choice([" ", ", ", "  \t", "\n", ". ", " " * rng.randint(1, 70), "-", "/"]))
        text = "".join(words)
        narrowed = sorted((f.start, f.end) for f in names._country_postcodes(text))
        assert narrowed == whole_text(text), text
        found_any += bool(narrowed)
    assert found_any > 40  # the texts hold addresses often enough to mean something


def test_a_country_far_before_its_postcode_after_many_spaces_is_still_found():
    text = "Ship to Oslo, Norway" + " " * 200 + "0150 today."
    assert [text[f.start : f.end].split()[0] for f in names._country_postcodes(text)] == ["Norway"]
