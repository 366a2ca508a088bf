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


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        # Words of money in other senses: a count of things answers these.
        ("How many fields must match for two records to be flagged as duplicates?", "Three fields must match."),
        ("What's the maximum number of expense lines on one report?", "One report holds up to 50 expense lines."),
        ("How many hours a week can I spend on outside work?", "You may spend up to 8 hours a week on it."),
        ("How many GPU hours are in our group's budget this quarter?", "Each group has 50,000 GPU hours a quarter."),
        ("How many GPU hours can I charge to my allocation?", "Each project may charge up to 20,000 GPU hours."),
        ("How many weeks of severance do I get?", "Severance is two weeks for every year of service."),
        ("How much unused leave do I get paid out when I leave?", "Up to 5 days of unused leave are paid out."),
        ("How many signatures do we need to charge off a loan?", "A charge-off needs two signatures."),
        # A sum said as a share, a multiple or in words.
        ("How much does the company contribute to my pension?", "The company contributes 5% of base salary."),
        ("How much does the employer pay toward health insurance?", "The employer pays 80% of the premium."),
        ("How much do I get paid for on-call?", "On-call weeks are paid at time and a half."),
        ("How much does a replacement badge cost?", "A lost badge is replaced for a fee of ten dollars."),
        ("How much does a replacement badge cost?", "Replacement badges cost 25 euros."),
        ("How much does a locker cost?", "Lockers are included at no extra cost."),
        ("How much does it cost in CPU to turn on audit logging?", "Audit logging adds about 5% CPU overhead."),
        # A sum per unit, written without "per".
        ("What's the GPU cost per hour?", "A100 time is billed at $2.10 hourly."),
        ("How much is the phone allowance per month?", "The mobile allowance is $50 monthly."),
        ("What's the hotel limit per night in London?", "London hotels: up to GBP 250 nightly."),
        ("How much is the print charge per copy?", "Colour prints cost $0.10 per copy."),
        ("How many days can I carry over as per policy?", "You can carry over up to 5 days."),
        ("How many vacation days do I get per year?", "Full-time employees get 25 days of paid annual leave."),
        # A share in words.
        ("What percentage of the premium does the employer pay?", "The employer pays the full premium."),
        ("What percentage of the premium does the employer cover?", "The employer covers three quarters of it."),
        ("What percentage of tuition is reimbursed?", "Tuition is fully reimbursed."),
        # Numbers to call in other formats; words that are no number to call.
        ("What number do I call in an emergency on site?", "In an emergency, dial 999."),
        ("What's the number to call for the IT helpdesk?", "Call 1-800-HELP-NOW."),
        ("What's the extension for security?", "Security is on extension 22."),
        ("What's the phone number of the wire desk?", "The wire desk is at +44 20 7946 0958."),
        ("What number of vacation days do new hires get?", "New hires get 15 days of vacation."),
        ("Can I get an extension on my expense report deadline?", "Managers can approve extensions of up to 14 days."),
        ("What file extension do exported reports have?", "Reports export as .xlsx files."),
        ("I called the hotline and they said to reset my PIN, how do I do that?", "Open the app, then Reset PIN."),
        # E-mail policies are no address.
        ("What is the email retention period?", "Email is kept for seven years."),
        # Times of day in other formats, a day by which, and time off.
        ("What time does the office open?", "The office opens at 8."),
        ("What time does the office open?", "The office opens at 0800."),
        ("What time does the branch close?", "The branch closes at 5 o'clock."),
        ("What time is the change freeze?", "Changes stop at end of business on Friday."),
        ("What's the cutoff for submitting timesheets?", "Timesheets are due by Friday each week."),
        ("What time off do I get for a bereavement?", "You get up to five days of bereavement leave."),
        # Forms by their number or by a word that names one; "a form of ID" is no form.
        ("What tax form do I need for withholding?", "Give payroll a W-4."),
        ("What tax form do contractors get?", "Contractors receive a 1099 in January."),
        ("Which form do I fill in for business travel?", "Submit a Travel Request in Workday before booking."),
        ("What form of ID do I need at the front desk?", "Bring a passport or a driving licence."),
        # Versions of a named product, frequencies said as a day of the month, a cap said to be none.
        ("Which Java version do builds use?", "Builds use Java 21 (Temurin)."),
        ("How often do I get paid?", "Payday is the last working day of the month."),
        ("Is there a cap on overtime?", "Overtime is not capped."),
        # From a second set of pairs written without sight of the rules (eval/detail-pairs): any currency sign, a
        # version after a colon, a form's record by its code, a frequency on a weekday or none at all.
        ("how much is the on-call stipend per week", "An on-call allowance of ₹6,000 for each week on the pager."),
        ("what version of office should i have", "Software: Microsoft 365 Apps; Supported version: 2408 or later"),
        ("Which change form do I need for an emergency change?", "Raise it on the Emergency Change Record (CHG-E)."),
        ("How often do I have to change my password?", "Passwords for standard accounts do not expire."),
        ("How often do we patch the Linux fleet?", "Linux servers are patched every other Tuesday."),
        # Asked about, not asked for: no detail of a kind.
        ("how much detail do I need to put in the incident ticket", "Tickets must record impact and the owner."),
        ("what form does the annual review take", "The annual review is a conversation with your manager."),
        ("Which extension leads are we allowed to use under desks?", "Only power strips from Facilities may be used."),
        ("how do customers change their registered phone number", "Customers update it in branch with photo ID."),
    ],
)
def test_a_sentence_that_answers_in_other_words_is_not_refused(question, sentence):
    assert missing_detail(question, [sentence]) is None


def test_a_year_asked_about_is_missing_only_when_the_passages_name_other_years():
    asked = "When are the 2027 planned downtime dates?"

    assert year_missing(asked, ["Planned downtime in 2026: 3 March, 6 October."]) == "2027"
    assert year_missing(asked, ["Planned downtime 2027: 2 March."]) is None
    # A standing rule names no year: it may answer any.
    assert year_missing(asked, ["Planned downtime is the first Tuesday of each quarter."]) is None
    # A year written inside a fiscal year or a quarter is named: "fiscal year 2026" is answered by "FY2026".
    assert (
        year_missing(
            "What rate was charged during fiscal year 2026?", ["FY2026 rate: $0.014", "Rates for 2027 follow."]
        )
        is None
    )
    assert year_missing("When is the Q3 2027 freeze?", ["Freeze: Q3-2026, Q4-2026"]) == "2027"
    # A year told in a clause that does not ask is not asked about.
    assert year_missing("I joined in 2018, how many days do I get?", ["In 2026 staff get 20 days."]) is None


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("when is the next maintenance window?", "Maintenance windows are the first Tuesday of each month."),
        ("when's the next fire drill", "The next fire drill is on the 14th."),
        ("when is the next intake", "The next intake is in Jan 2026."),
        ("when is the next pay rise", "Pay rises take effect every April."),
        ("when is the next town hall", "Town halls are held after each quarter closes."),
        ("when is the next release", "The next release is v4.2, scheduled for the end of the sprint."),
        ("when was the last pen test", "The last pen test was six months ago."),
        ("when is the next hardware refresh", "Laptops are refreshed every four years; yours is not yet scheduled."),
        ("what date is the change freeze", "The change freeze runs from 15/12 to 05/01."),
    ],
)
def test_a_date_asked_is_stated_by_a_date_a_rule_or_a_season(question, sentence):
    assert asked_detail(question).name == "date"
    assert missing_detail(question, [sentence]) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Fire drills may be called at any time by the warden.",
        "The pen test covered 24/7 public endpoints.",
        "Take 1-2 tablets with water.",
        "Separate rules apply to the marketing team; managers decide.",
    ],
)
def test_may_marketing_24_7_and_ranges_are_no_dates(sentence):
    assert missing_detail("when is the next fire drill?", [sentence]) == "date"


@pytest.mark.parametrize(
    "question",
    [
        "when do I get paid?",
        "when is the next step after the offer letter?",
        "what date format should I use on invoices?",
        "which day care centres do we partner with?",
        "when is the next available appointment?",
        "which days off do I get at Christmas?",
    ],
)
def test_when_in_general_a_next_step_a_format_or_day_care_ask_no_date(question):
    found = asked_detail(question)
    assert found is None or found.name != "date"


def test_a_word_that_only_starts_like_a_month_states_no_time():
    # "Marketing 3" and "octane 95" once read as "Mar 3" and "Oct 95".
    assert missing_detail("What time does the office open?", ["Marketing 3 is on the second floor."]) == "time"
    assert missing_detail("What time does the pump close?", ["Use octane 95 in the fleet vans."]) == "time"
    assert missing_detail("What time does the office open?", ["The office opens on March 3 after the works."]) is None
