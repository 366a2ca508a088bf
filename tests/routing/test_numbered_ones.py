"""A numbered thing the question names ("Line 2") that the passages do not name, though they name others."""

from __future__ import annotations

import pytest

from routing.backends.numbered_ones import numbered_missing

LINES = (
    "Line 3 fills and seals chilled trays. The Line 3 sealer runs at 185 C.",
    "Lines 4-6 make pastry. Plant 1 runs the blowdown at 06:30 every day.",
)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What is the seal temperature on Line 2?", "Line 2"),
        ("seal temp line 2", "line 2"),
        ("What time is the blowdown at Plant 2?", "Plant 2"),
        # Told, not asked, it still says which one: the passages are about another plant.
        ("I work at Plant 2, when is the blowdown?", "Plant 2"),
    ],
)
def test_a_numbered_thing_the_passages_name_only_others_of_is_missing(question, missing):
    assert numbered_missing(question, LINES) == missing


@pytest.mark.parametrize(
    "question",
    [
        "What is the seal temperature on Line 3?",
        # Inside a range the passages give: Lines 4-6 name Line 5.
        "what does line 5 make?",
        # Named by no number in the passages: a rule for all of them may answer.
        "What is the seal temperature on Conveyor 2?",
        # Quantities are not names, nor are years, codes that go by class, ports or versions.
        "Do I need to check the sealer within 3 days of a repair?",
        "what was the Line 3 seal temperature in 2024?",
        "getting HTTP 503 from the line 3 dashboard",
        "is port 8443 open for Line 3?",
        "which version 2 sealer does line 3 use?",
    ],
)
def test_a_named_one_a_range_a_quantity_or_a_code_is_not_missing(question):
    assert numbered_missing(question, LINES) is None


def test_quantities_in_the_passages_are_not_names():
    # "within 3 days" and "every 2 hours" in the passages name no "within" or "every" to compare with.
    passages = ("Report a fault within 3 days. Check the sealer every 2 hours.",)

    assert numbered_missing("what do I do within 5 days of a fault?", passages) is None
    assert numbered_missing("check the sealer every 4 hours?", passages) is None


def test_letters_and_digits_run_together_are_a_numbered_thing():
    assert numbered_missing("how many SEV1 incidents did we have?", ("SEV2 incidents are reviewed weekly.",)) == "SEV1"
    assert numbered_missing("how many SEV1 incidents did we have?", ("SEV1 and SEV2 are reviewed.",)) is None
    assert numbered_missing("Gate B12 power unit fault", ("Gates B10 to B11 use unit 2. Gate A3 is closed.",)) == (
        "Gate B12"
    )


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("gate B12 stand allocation", "Gates B10 to B14 are served by the east apron."),
        ("SEV2 response time?", "SEV1–SEV3 incidents must be acknowledged in 15 min. SEV4 next day."),
        ("what is the max speed of conveyor 3", "Conveyors #1–#4 run at 2 m/s. Conveyor 5 runs at 1 m/s."),
        ("does the app run on android 14", "The app needs Android 12 or later. Android 9 is not supported."),
        ("what's the wait time at terminal 1", "T1 and T2 wait times are shown on the app. Terminal 3 has its own."),
        ("how do I get to Building 3", "Bldg 3 is next to Building 2."),
        ("what's the pressure on line 2", "Line Two runs at 4 bar; Line 1 at 5 bar."),
        ("tier 2 escalation contacts", "Tier II escalations go to the team lead; Tier III to the duty manager."),
        # Counting, not naming: "Take 1-2 tablets" and "Allow 5 working days" name no "take" or "allow".
        ("can i take 4 tablets of ibuprofen a day", "Take 1-2 tablets every 6 hours."),
        ("should I allow 10 days for visa processing", "Allow 5 working days for the letter."),
    ],
)
def test_ranges_lower_bounds_short_forms_spelled_numbers_and_counts_are_not_missing(question, passage):
    assert numbered_missing(question, (passage,)) is None
