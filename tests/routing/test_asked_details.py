"""The kind of detail a question asks for, read from the clause that asks, and whether sentences state one."""

from __future__ import annotations

import pytest

from routing.backends.asked_details import asked_detail, missing_detail, year_missing


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("How many hours of annual leave can I carry over?", "number"),
        ("Is there a cap on the size of a scratch directory?", "number"),
        ("What's the per-mile rate I get reimbursed for driving my own car?", "sum"),
        ("how much extra do on-call engineers get paid for a week?", "sum"),
        ("What is the hourly chargeback rate for a GPU?", "sum"),
        ("What percentage does the company match on 401k contributions?", "percentage"),
        ("how much does the credit union match on retirement savings?", "percentage"),
        ("Which Postgres version do the production clusters run?", "version"),
        ("How often are laptops replaced?", "frequency"),
        ("What's the phone number of the wire desk?", "phone number"),
        ("which extension do I dial for the card hotline", "phone number"),
        ("What is the e-mail address for payroll questions?", "e-mail address"),
        ("What time does the branch vault close on Saturdays?", "time"),
        ("member wants a same-day wire, what's the cut-off?", "time"),
        ("Which form do I file for outside employment?", "form"),
        # A detail told, not asked: "I put in 5%" is no percentage asked; the clause that asks is about a number.
        ("I put in 5% of my salary, how many days until it shows on my pay stub?", "number"),
        # Words that look like a detail asked and are not one.
        ("How do I set up MFA on a new phone? I lost my old one.", None),
        ("Within what time frame must a critical vulnerability be patched?", None),
        ("How much paid parental leave do I get?", "number"),
        ("How many hours of leave do I earn each pay period?", "number"),
        ("Who do I call when the cooling alarm goes off?", None),
        ("How do I request a parking permit?", None),
    ],
)
def test_the_detail_asked_is_read_from_the_wording(question, detail):
    found = asked_detail(question)

    assert (found.name if found else None) == detail


@pytest.mark.parametrize(
    ("question", "sentences", "missing"),
    [
        # A sum asked, other figures stated: missing; once a sum per the unit asked is stated, not.
        (
            "What's the per-mile rate I get reimbursed for my own car?",
            ["Transit under $25 needs a comment.", "Claims cover 90 days."],
            "sum",
        ),
        (
            "What's the per-mile rate I get reimbursed for my own car?",
            ["Transit under $25 needs a comment.", "Your own car is reimbursed at $0.70 per mile."],
            None,
        ),
        # A sum that is not per the unit asked does not state a per-mile rate.
        ("What's the per-mile rate I get reimbursed for my own car?", ["A rental car costs up to $80 a day."], "sum"),
        ("What's the per-mile rate I get reimbursed for my own car?", ["Mileage is paid at 70 cents a mile."], None),
        ("What's the wire desk phone number?", ["The wire desk is on the second floor."], "phone number"),
        ("What's the wire desk phone number?", ["Call the wire desk at ext. 4417."], None),
        ("What's the wire desk phone number?", ["Call the wire desk on (555) 201-4417."], None),
        ("What is the e-mail address for payroll?", ["Payroll answers within a day."], "e-mail address"),
        ("What is the e-mail address for payroll?", ["Write to payroll@example.org."], None),
        ("What's the cut-off for same-day wires?", ["Wires need two signatures."], "time"),
        ("What's the cut-off for same-day wires?", ["Same-day wires must be entered by 3:00 p.m. ET."], None),
        ("What's the cut-off for same-day wires?", ["Same-day wires close at noon."], None),
        ("Which form do I file?", ["Ask your manager first."], "form"),
        ("Which form do I file?", ["File form OGE-450 with ethics."], None),
        # Nothing to check against: no sentence, or no detail asked.
        ("How many days do I get?", [], None),
        ("Why do we rotate keys?", ["Keys are rotated to limit exposure."], None),
    ],
)
def test_a_detail_is_missing_when_no_best_sentence_states_one(question, sentences, missing):
    assert missing_detail(question, sentences) == missing


def test_a_year_asked_about_is_missing_only_when_the_passages_name_other_years():
    asked = "When are the 2027 planned downtime dates?"

    assert year_missing(asked, ["Planned downtime in 2026: 3 March, 6 October."]) == "2027"
    assert year_missing(asked, ["Planned downtime 2027: 2 March."]) is None
    # A standing rule names no year: it may answer any.
    assert year_missing(asked, ["Planned downtime is the first Tuesday of each quarter."]) is None
    # A year told in a clause that does not ask is not asked about.
    assert year_missing("I joined in 2018, how many days do I get?", ["In 2026 staff get 20 days."]) is None
