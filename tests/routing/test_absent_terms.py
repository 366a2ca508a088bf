"""A term the question asks about that no passage sent names, read with the embedding model's own word list."""

from __future__ import annotations

import pytest

from inspection.gazetteer import name_lists
from routing.backends.absent_terms import absent_term

LEAVE = (
    "Annual leave accrues at 4 hours per pay period for the first three years of service.",
    "Paid parental leave gives 12 weeks of paid time off after a birth or adoption.",
    "Leave without pay can be approved by your supervisor for up to a year.",
)


def term(question: str, *texts: str) -> str | None:
    return absent_term(question, texts or LEAVE, is_name=name_lists().is_name)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Does the company use kubernetes for the leave system?", "kubernetes"),
        ("I'm fully remote. Will they pay for a coworking space membership?", "coworking"),
        ("which yubikey models work as the second factor for logins", "yubikey"),
        ("Is there a Datasite room for leave records?", "Datasite"),
        # A given name that is a function word too does not make the next word a surname.
        ("Will Datasite hold the leave records?", "Datasite"),
        # Used less than once in a million words (Zipf 2.95): rarer than the common English line.
        ("Does TTS offer any kind of sabbatical once you've been here five years?", "sabbatical"),
    ],
)
def test_a_term_outside_common_english_that_no_passage_names_is_found(question, named):
    assert term(question) == named


@pytest.mark.parametrize(
    "question",
    [
        # Common English, though no passage holds it: the asker's own words, not a term the documents lack.
        "My wife is due in March. How much leave do new parents get after surgery?",
        "Can my coworker donate leave to me, or reimburse the days?",
        # A slip of an English word is a typo, not a term ("recieve" is "receive").
        "how much leave do I recieve each pay period?",
        # Shorthand and acronyms: spelt out in documents as often as not ("Scada" would be a term, "SCADA" is not).
        "how much leave per oncall shift?",
        # A slip of shorthand is a typo too ("prrod" is "prod").
        "how much leave after a prrod deploy?",
        "Does SCADA count leave requests?",
        # A person's name: a rule may answer a question about someone's team ("okafor" would be a term).
        "How much leave can Thandiwe Okafor's team take?",
        # The word after a given name is a surname, listed or not.
        "Can Dana Whitfield take her leave in one block?",
        # Only the clauses that ask are read: "a crypto miner" is told, the question asks for leave.
        "looks like a crypto miner ran on my account. how much leave can I take to sort it out?",
        # Words of four letters and fewer are not read at all: "tehy" may be a slip of "they".
        "ugh, how much leave do tehy get?",
    ],
)
def test_english_slips_shorthand_names_and_words_only_told_are_not_terms(question):
    assert term(question) is None


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("Are yubikeys accepted?", "A YubiKey is accepted as the second factor."),
        ("Will they pay for a coworking desk?", "Co-working desks are paid from the remote work budget."),
        ("who handles crypto mining reports?", "Report cryptocurrency mining on the cluster to the security team."),
        ("what is the inode limit?", "Each user may hold up to 1 million inodes in scratch."),
    ],
)
def test_a_term_held_by_a_passage_in_any_form_is_not_absent(question, passage):
    assert term(question, passage) is None


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        # British spelling against American, and the other way round.
        ("what is the organisation's anonymisation standard", "All data must be anonymized per the standard."),
        ("what's the fasting rule before oesophageal endoscopy", "Fast 6 hours before an esophageal endoscopy."),
        # A word the passage writes as two.
        ("whats the dresscode for the cleanroom", "Cleanroom dress code: gown, hood, booties and gloves."),
        ("how do i share a powerbi dashboard", "Power BI dashboards are shared through workspaces."),
        # Another form of a passage word, and a slip of a long one.
        ("how does pto accrual work", "Full-time staff accrue PTO at 1.5 days a month."),
        ("what's the policy for postdocs on vacation", "Postdoctoral researchers get 20 vacation days."),
        ("how do I restart a kuberentes pod", "To restart a pod in Kubernetes, run kubectl rollout restart."),
    ],
)
def test_spellings_compounds_forms_and_slips_of_a_passage_word_are_held(question, passage):
    assert term(question, passage) is None


def test_the_same_words_are_terms_without_the_reasons_that_excuse_them():
    # The words the cases above excuse (shorthand, capitals only, a name) are terms once the reason is gone.
    assert term("Does Scada count leave requests?") == "Scada"
    assert term("How much leave can the okafor team take?") == "okafor"


def test_the_term_is_said_as_the_question_wrote_it():
    assert term("how do I raise a ticket in ZenDesk?") == "ZenDesk"
