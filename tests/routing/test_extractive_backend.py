from __future__ import annotations

import pytest

from retrieval.embedders import get_embedder
from retrieval.parsing import parse_document
from retrieval.terms import content_terms
from routing.backends import get_backend
from routing.backends.base import Bundle, ContextPassage
from routing.backends.extractive import (
    ANSWER_THRESHOLD,
    HEDGE_THRESHOLD,
    MAX_ANSWER_CHARS,
    MAX_SENTENCES,
    MAY_NOT_ANSWER,
    NEIGHBOURS,
    NO_DETAIL_FOUND,
    NO_TERM_FOUND,
    NOT_NAMED_FOUND,
    NOTHING_FOUND,
    Evidence,
    Verdict,
    answers_question,
    asks_for,
    evidence_score,
    mend_typos,
    passages_answer,
    question_parts,
    verdict,
    weigh_evidence,
)


@pytest.fixture(autouse=True)
def retrieval_model_loaded():
    # In the gate, retrieval has embedded the question before the backend runs.
    get_embedder().embed("warm up")


def passage(n: int, text: str, title: str = "") -> ContextPassage:
    return ContextPassage(n=n, chunk_id=100 + n, document_id=n, title=title or f"Doc {n}", text=text)


def quoted_lines(text: str, n: int) -> list[str]:
    """The answer's lines quoted from passage `n`, without the citation that ends each."""
    return [line.removesuffix(f" [{n}]") for line in text.splitlines() if line.endswith(f"[{n}]")]


def answer(question: str, *passages: ContextPassage) -> str:
    return "".join(get_backend("extractive").generate(Bundle(question=question, passages=passages)))


def test_it_answers_with_the_matching_sentences_and_cites_them():
    text = answer(
        "How do I roll back a bad deploy?",
        passage(1, "Lunch is served at noon in the atrium. Badges are required on every floor."),
        passage(2, "To roll back a bad deploy, press Revert in the deploy dashboard. Then post in #deploys."),
    )

    assert text.startswith("To roll back a bad deploy, press Revert in the deploy dashboard. [2]")
    assert "[1]" not in text and "Lunch" not in text


def test_a_handbook_sentence_is_quoted_as_the_built_page_shows_it():
    # A Jekyll handbook's Markdown, ingested as written: the quote drops the tags a reader of the site never sees.
    text = answer(
        "Who approves deleting a GitHub repository?",
        passage(
            1,
            'If you want to delete a repository, go to {% slack_channel "admins-github" %} and wait for approval '
            'before deleting it. Read [the GitHub guide]({% page "/tools/github/" %}) first.',
        ),
    )

    assert "go to #admins-github and wait for approval before deleting it. [1]" in text
    assert "{%" not in text


def test_a_how_many_question_gets_the_sentence_with_the_number():
    text = answer(
        "How many weeks of parental leave do new parents get?",
        passage(
            1,
            "Parental leave supports new parents in the first year of a child's life. "
            "The company values families and wants parents to rest. "
            "Each new parent receives sixteen weeks of parental leave at full pay. "
            "Managers should plan cover for the team well before the leave starts.",
        ),
    )

    assert "sixteen weeks of parental leave at full pay. [1]" in text


def test_a_casually_worded_question_is_not_rejected():
    # "5xx" is the class of the passage's "HTTP 500"; "what now" and "just got" say nothing of the topic.
    text = answer(
        "Just got paged because loads of requests to the API are coming back 5xx, what now?",
        passage(
            1,
            "# Responding to server errors\n"
            "When the API returns HTTP 500 errors to customers, check the error-rate dashboard first. "
            "If a deploy went out in the last hour, roll it back before debugging.",
            title="On-call runbook",
        ),
        passage(2, "Expense reports are due within thirty days of travel.", title="Travel policy"),
    )

    assert "[1]" in text
    assert not text.startswith(NOTHING_FOUND)


@pytest.mark.parametrize(
    "question, word",
    [("Why is the dashboard slow while the page loads?", "load"), ("When is the new leave policy coming in?", "come")],
)
def test_words_of_ordinary_questions_are_not_stop_words(question, word):
    # The stop list holds words that say nothing about a topic, never ones fitted to a test's wording.
    assert word in content_terms(question)


def test_a_status_code_stands_for_its_class():
    assert "5xx" in content_terms("The API returned HTTP 502 to every client") & content_terms("seeing 5xx errors")
    assert "4xx" in content_terms("Clients see 404 on the old path") and "4xx" not in content_terms("seeing 5xx")


def test_headings_give_context_but_are_not_quoted():
    text = answer(
        "What is the password rotation schedule?",
        passage(1, "## Password rotation\nService passwords change every 90 days, on the first Monday of the quarter."),
    )

    assert "every 90 days" in text
    assert "## Password rotation" not in text


def test_the_answer_stays_within_its_length_budget():
    sentences = " ".join(
        f"Backups of database {i} run nightly and are kept for {i} days in cold storage." for i in range(60)
    )
    text = answer("How long are database backups kept?", passage(1, sentences), passage(2, sentences))

    assert text.count("[") <= MAX_SENTENCES + NEIGHBOURS
    assert len(text) <= MAX_ANSWER_CHARS + 5 * (MAX_SENTENCES + NEIGHBOURS)


def test_sentences_of_one_passage_keep_their_reading_order():
    text = answer(
        "parental leave weeks start",
        passage(
            1, "Parental leave is sixteen weeks at full pay. Parental leave may start two weeks before the due date."
        ),
    )

    assert text.index("sixteen") < text.index("may start")


def test_it_abstains_on_an_unrelated_question_and_names_the_closest_documents():
    text = answer(
        "What is the maximum altitude for the company drone fleet?",
        passage(1, "Expenses are filed within thirty days of travel.", title="Travel policy"),
        passage(2, "Laptops are replaced every three years.", title="Device standard"),
    )

    assert text.startswith(NOTHING_FOUND)
    assert "Travel policy" in text and "Device standard" in text
    assert "[1]" not in text and "[2]" not in text


def test_it_says_plainly_when_there_are_no_passages():
    assert answer("What is the wifi password?") == NOTHING_FOUND


def test_without_the_model_it_still_decides_on_word_coverage():
    on_topic = Bundle(
        question="How often are service passwords rotated?",
        passages=(passage(1, "Service passwords are rotated every 90 days by the vault."),),
    )
    off_topic = Bundle(
        question="quantum chromodynamics lecture schedule",
        passages=(passage(1, "Expenses are filed within thirty days of travel."),),
    )

    assert answers_question(weigh_evidence(on_topic), with_embeddings=False)
    assert not answers_question(weigh_evidence(off_topic), with_embeddings=False)


def test_a_question_that_asks_two_things_gets_a_sentence_for_each():
    text = answer(
        "How often do I have to change my VPN password, and where do I go to do it?",
        passage(
            1,
            "Your VPN password protects every internal system you reach from home. "
            "You must change your VPN password every 60 days. "
            "A VPN password must be at least 16 characters long. "
            "Never reuse your VPN password for personal accounts. "
            "Password managers make a long VPN password easy to keep.",
            title="VPN passwords",
        ),
        passage(2, "Changes are made in the self-service portal at reset.example.com with your badge.", title="Reset"),
    )

    assert "every 60 days" in text
    assert "reset.example.com" in text


def test_a_sentence_sent_twice_by_overlapping_passages_is_said_once():
    shared = "Each new parent receives sixteen weeks of parental leave at full pay."
    text = answer(
        "How many weeks of parental leave do new parents get?",
        passage(1, f"Parental leave supports new parents. {shared}"),
        passage(2, f"{shared} Managers should plan cover for the team."),
    )

    assert text.count("sixteen weeks") == 1


@pytest.mark.parametrize(
    ("question", "with_unit", "other_number"),
    [
        ("How many hours of annual leave can I carry over?", "up to 240 hours of annual leave", "revised in 2019"),
        ("How long does a refund take?", "refunds arrive within 10 business days", "form 27B"),
        ("How often must I rotate the keys?", "rotate them every 90 days", "section 4.2"),
        ("What's the max per night, and how much is it for meals?", "$74 a day for meals", "room 12"),
    ],
)
def test_a_number_with_the_unit_asked_for_holds_more_than_another_number(question, with_unit, other_number):
    wanted = asks_for(question)

    assert wanted is not None
    assert wanted.strength(with_unit) == 1.0
    assert wanted.strength(other_number) == 0.5
    assert wanted.strength("no figure here at all") == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "Is there a particular password manager I'm supposed to use?",
        "which password manager do we use",
        "Any specific password manager we should install?",
    ],
)
def test_a_question_for_a_particular_one_asks_for_its_name(question):
    wanted = asks_for(question)

    assert wanted is not None
    assert wanted.strength("We recommend KeePassXC, which runs on every laptop.") == 1.0
    assert wanted.strength("use a password manager to store your passwords.") == 0.0


def test_which_of_a_few_does_not_ask_for_a_name_and_how_to_asks_for_the_steps():
    assert asks_for("which of these two laptops is lighter to carry?") is None
    steps = asks_for("How do I set up a specific printer?")
    assert steps is not None and steps.strength("then click add printer in the settings page.") == 1.0


def test_a_mistyped_word_is_mended_to_the_passages_word_and_real_words_are_left_alone():
    passages = (passage(1, "Service accounts rotate their credentials every ninety days. Parental leave is separate."),)
    known = get_embedder().vocabulary()

    assert mend_typos("When do servkce acounts rotate credentails?", passages, known) == (
        "When do service accounts rotate credentials?"
    )
    # A slip in a capitalised word too (the first word of a question), its capital kept.
    assert mend_typos("Credentails of Servkce accounts", passages, known) == "Credentials of Service accounts"
    # A real word near a passage word ("though"/"through"), a topic absent from the passages, an inflection.
    assert mend_typos("Though sabbatical parents", passages, known) == "Though sabbatical parents"


def test_a_question_with_typos_is_still_answered_from_the_passage():
    text = answer(
        "How oftne do servkce acounts rotate their credentails?",
        passage(1, "Lunch is served at noon in the atrium. Badges are required on every floor."),
        passage(2, "Service accounts rotate their credentials every ninety days. The security team checks it."),
    )

    assert "every ninety days. [2]" in text


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("I'm on a flexible schedule. How many hours can I bank, and do they ever expire?", 2),
        ("My wife is due in March. Do I qualify for the leave, and how much is it?", 2),
        ("How often must I rotate keys, and where do I do it?", 2),
        ("I've got about 5 years of service. How many hours of leave do I earn each pay period?", 0),
        ("What does the on-call engineer do and when does the shift start", 2),
        ("Is there a cap on the hours I can donate?", 0),
    ],
)
def test_a_question_is_split_into_the_questions_it_asks_and_statements_are_context(question, parts):
    assert len(question_parts(question)) == parts


def test_a_neighbour_sent_for_context_is_quoted_but_is_not_evidence_that_the_passages_answer():
    question = "How many days do I have to upload travel receipts?"
    unrelated = passage(1, "Visitor parking is in the north garage. Badges are printed at the front desk.")
    receipts = "Upload every travel receipt within five business days of coming back from the trip."
    as_ranked = ContextPassage(n=2, chunk_id=102, document_id=2, title="Travel", text=receipts)
    as_neighbour = ContextPassage(n=2, chunk_id=102, document_id=2, title="Travel", text=receipts, neighbour=True)
    embed = get_embedder().embed_batch

    assert answers_question(weigh_evidence(Bundle(question, (unrelated, as_ranked)), embed), with_embeddings=True)
    assert not answers_question(
        weigh_evidence(Bundle(question, (unrelated, as_neighbour)), embed), with_embeddings=True
    )
    # Next to a ranked passage that answers, the neighbour's sentences may be quoted.
    ranked = passage(1, "Travel receipts: upload them in the expense tool, each within the deadline below.")
    assert "within five business days" in answer(question, ranked, as_neighbour)


def test_list_items_are_quoted_a_line_each_and_passages_a_paragraph_each():
    text = answer(
        "How many hours of annual leave do I earn each pay period?",
        passage(
            1,
            "Annual leave accrues every pay period by years of service:\n\n"
            "- Fewer than 3 years of service: 4 hours of annual leave per pay period\n"
            "- Between 3 and 15 years of service: 6 hours of annual leave per pay period\n"
            "- 15 or more years of service: 8 hours of annual leave per pay period\n",
        ),
        passage(2, "Annual leave hours you earn each pay period show on your leave and earnings statement."),
    )

    lines = text.split("\n")
    assert "Fewer than 3 years of service: 4 hours of annual leave per pay period [1]" in lines
    assert "Between 3 and 15 years of service: 6 hours of annual leave per pay period [1]" in lines
    assert "\n\n" in text and text.count("\n\n") == 1


def test_stemming_in_several_threads_at_once_gives_each_word_its_own_stem(monkeypatch):
    # A worker's threads write extractive answers at once (the cloud down, every answer on-prem). One
    # Snowball stemmer shared by them returned other threads' stems and raised IndexError.
    import random
    import sys
    import threading

    import snowballstemmer

    from retrieval import terms

    words = sorted(set(SAMPLE_WORDS.split()))
    expected = {w: snowballstemmer.stemmer("english").stemWord(w) for w in words}
    wrong: list[tuple[str, str]] = []
    failed: list[BaseException] = []

    def stem_many(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(5000):
            word = rng.choice(words)
            try:
                got = terms.stem.__wrapped__(word)  # past the cache: the stemmer itself
            except Exception as exc:  # noqa: BLE001 (what a shared stemmer raised is the finding)
                failed.append(exc)
            else:
                if got != expected[word]:
                    wrong.append((word, got))

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch as often as they can
    try:
        threads = [threading.Thread(target=stem_many, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)

    assert failed == [] and wrong == []


SAMPLE_WORDS = """rotation rotating rotates changes changing deployments rollbacks certificates renewing
failures patterns sentences jailbreaks passwords runbooks escalations engineering generously
organisational happily hopefulness responsibilities connected connection relational conditional"""


def test_a_sentence_that_announces_a_list_brings_the_list():
    # Ingestion writes list items as "- item" (retrieval/parsing.py). The number is in the third item, which
    # shares no word with the question: it comes because the chosen sentence announces the list.
    text = answer(
        "The mortgage company wants to confirm my job and income. Who should they contact?",
        passage(
            1,
            "If a lender needs to verify your income or employment, they can contact the verification service "
            "through the options below:\n- The verification website\n- 800-367-5690 (weekdays, 8 AM to 8 PM)\n"
            "- Employer code 10536\n\nLunch is served at noon in the atrium on the second floor.",
        ),
    )

    assert "options below: [1]" in text
    assert "800-367-5690 (weekdays, 8 AM to 8 PM) [1]" in text and "Employer code 10536 [1]" in text
    assert "Lunch" not in text


def test_a_table_row_is_read_with_its_header():
    # Ingestion writes a table as "cell | cell" lines, the header first.
    text = answer(
        "For the key ceremony, who holds share 3 and where is it stored?",
        passage(
            1,
            "Each secret is split into 5 shares held by custodians.\n\n"
            "Share | Custodian role | Storage location\n1 | Chief Security Officer | Safe A, head office\n"
            "3 | Director of SRE | Bank safe deposit box, Columbus",
        ),
    )

    assert "Share: 3; Custodian role: Director of SRE; Storage location: Bank safe deposit box, Columbus [1]" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_matrix_with_a_blank_corner_is_read_row_by_row_with_its_header(fmt):
    # Row labels down the first column, levels across the header, the corner cell empty: as ingestion parses it.
    source = {
        "md": "# Severity matrix\n\n| | SEV1 | SEV2 |\n| --- | --- | --- |\n"
        "| **Acknowledge within** | 5 minutes | 15 minutes |\n| **Who is paged** | Primary and secondary | Primary |\n",
        "html": "<h1>Severity matrix</h1><table><tr><th></th><th>SEV1</th><th>SEV2</th></tr>"
        "<tr><td>Acknowledge within</td><td>5 minutes</td><td>15 minutes</td></tr>"
        "<tr><td>Who is paged</td><td>Primary and secondary</td><td>Primary</td></tr></table>",
    }[fmt]
    (section,) = parse_document(f"severity.{fmt}", source.encode()).sections

    text = answer("How quickly does a SEV2 page have to be acknowledged?", passage(1, section.text))

    assert "Acknowledge within; SEV1: 5 minutes; SEV2: 15 minutes [1]" in text
    assert "| SEV1" not in text


def test_a_question_that_asks_how_gets_the_procedures_steps_in_order():
    # The step that says what to do ("Promote …") scores below a step's aside that shares the question's words.
    steps = (
        "- Declare an incident in the channel. Loss of the orders database primary is SEV1 because checkout stops.\n"
        "- Confirm the primary is really down, not only its monitoring path.\n"
        "- Fence the old primary so that it cannot accept writes if it comes back.\n"
        "- Promote the replica with the least lag:\n\n"
        "dbctl promote --cluster orders\n\n"
        "- Repoint the connection pooler to the new host."
    )
    text = answer(
        "The orders database primary is dead, how do I make the standby the new primary?",
        passage(1, steps),
        passage(2, "Backups keep running from the new primary's write-ahead log; nothing changes for them."),
    )

    lines = quoted_lines(text, 1)
    assert lines == [
        "Declare an incident in the channel. [1] Loss of the orders database primary is SEV1 because checkout stops.",
        "Confirm the primary is really down, not only its monitoring path.",
        "Fence the old primary so that it cannot accept writes if it comes back.",
        "Promote the replica with the least lag:",
        "dbctl promote --cluster orders",  # the step's one-line code block is part of the step
        "Repoint the connection pooler to the new host.",
    ]


def test_the_steps_are_quoted_when_the_best_sentence_is_the_sections_opening_line():
    text = answer(
        "How do I order business cards for a recruiting booth?",
        passage(
            1,
            "Business cards for a recruiting booth are ordered through the print portal, sparingly.\n\n"
            "To do so,\n\n"
            "- Create an account on the portal with your work e-mail.\n"
            "- Pick the standard template and review the proof.\n"
            "- Ask the operations team to approve and pay; they arrive in ten days.",
        ),
        passage(2, "Recruiting booths are booked through the events team.\n\n- Events\n- Travel\n- Equipment"),
    )

    # The opening line is the best sentence; the steps below it, which share fewer of the question's words,
    # are the answer to "how do I", every one of them, in order.
    lines = quoted_lines(text, 1)
    assert lines == [
        "Business cards for a recruiting booth are ordered through the print portal, sparingly.",
        "Create an account on the portal with your work e-mail.",
        "Pick the standard template and review the proof.",
        "Ask the operations team to approve and pay; they arrive in ten days.",
    ]


def test_the_lines_of_a_code_block_are_quoted_whole_and_short_ones_kept():
    # A block of several lines that are not list items (a code block as ingestion writes it): each line a
    # sentence, kept however short when it holds a command or a figure.
    text = answer(
        "Which kubectl command lists the pods when the web tier is down?",
        passage(
            1,
            "When the web tier is down, first list the pods of the web namespace with kubectl.\n\n"
            "kubectl get pods\nkubectl logs web-1\n\n"
            "A pod in CrashLoopBackOff is restarted by the cluster; do not delete it by hand.",
        ),
    )

    assert "kubectl get pods [1]" in text


def test_a_header_with_a_slash_between_words_is_still_a_header():
    # "US/Eastern", "Black Friday / Cyber Monday": not a path, so the table is read with its header.
    text = answer(
        "When is the peak season freeze this year?",
        passage(
            1,
            "Window | Dates (all times US/Eastern) | Type\nPeak season | Nov 20 18:00 - Dec 2 09:00 | Hard\n"
            "Year end | Dec 22 - Jan 3 | Soft",
        ),
    )

    assert "Window: Peak season; Dates (all times US/Eastern): Nov 20 18:00 - Dec 2 09:00; Type: Hard [1]" in text


def test_a_shell_pipeline_is_not_read_as_a_table():
    # Ingestion drops code fences, so a block of pipelines looks like "cell | cell" rows: its "header" is a
    # command, and the lines are quoted as they are.
    text = answer(
        "How do I find the crash-looping pods and read their logs?",
        passage(
            1,
            "To find crash-looping pods and read their logs, run:\n\n"
            "kubectl get pods -A | grep CrashLoop\nkubectl logs deploy/web --previous | tail -n 50",
        ),
    )

    assert "kubectl get pods -A | grep CrashLoop [1]" in text
    assert "kubectl get pods -A:" not in text


DETAIL_NOT_STATED = NO_DETAIL_FOUND.split("{detail}")[0]

DONATION_PAGE = (
    "Employees can donate annual leave to a coworker through the voluntary leave transfer program. "
    "Submit the donation form in the leave system and name the recipient. "
    "Your supervisor approves each donation of annual leave before it is transferred."
)


@pytest.mark.parametrize(
    ("question", "limit_sentence", "answered"),
    [
        # The passages are about the topic, but none says the amount the question asks for.
        ("Is there a cap on how many hours of annual leave I can donate to a coworker in a year?", "", False),
        ("How much annual leave can I donate to a coworker?", "", False),
        # Once a sentence holds an amount, or says there is none, the same passages answer.
        (
            "Is there a cap on how many hours of annual leave I can donate to a coworker in a year?",
            "You can donate at most 104 hours of annual leave in a leave year.",
            True,
        ),
        (
            "Is there a cap on how many hours of annual leave I can donate to a coworker in a year?",
            "There is no limit on the annual leave you can donate to a coworker.",
            True,
        ),
        # A question that asks for no amount is not held to one.
        ("How do I donate annual leave to a coworker?", "", True),
        # "Which version" asks for a version, which no other figure answers.
        (
            "Which leave system version handles donations to a coworker?",
            "The leave system moves donated leave to a coworker within 12 days.",
            False,
        ),
        (
            "Which leave system version handles donations to a coworker?",
            "Donations of annual leave to a coworker run on version 4.2 of the leave system.",
            True,
        ),
    ],
)
def test_a_question_asking_for_an_amount_is_not_answered_by_passages_that_hold_none(question, limit_sentence, answered):
    text = answer(question, passage(1, " ".join(filter(None, [DONATION_PAGE, limit_sentence])), "Leave donation"))

    # It says what is missing (the topic is there, the number is not) and names the closest document.
    assert text.startswith(DETAIL_NOT_STATED) is not answered
    assert ("The closest documents were: Leave donation." in text) is not answered
    assert ("[1]" in text) is answered


TRAVEL_PAGE = (
    "Driving your own car to a work trip is reimbursed when it is cheaper than a rental car or a taxi. "
    "Local transit under $25 needs only a short comment in the expense report. "
    "Expenses above $75 need a receipt, and the trip approver signs off on 90 days of claims at a time. "
    "Employees can also contribute up to $23,000 a year to the retirement plan through the payroll system."
)


@pytest.mark.parametrize(
    ("question", "limit_sentence", "answered"),
    [
        # A sum of money is asked: other figures ("$25" for transit, "90 days") do not state it.
        ("What's the per-mile rate I get reimbursed for driving my own car?", "", False),
        (
            "How much severance pay would I get if my position is cut?",
            "Severance is paid when a position is cut in a reduction in force after 12 months of service.",
            False,
        ),
        # A share is asked: a sum or a count is not one.
        ("What percentage does the company match on retirement plan contributions?", "", False),
        ("How much does the company match on retirement contributions?", "", False),
        # Once a sentence states the sum (per the unit asked) or the share, the same passages answer.
        (
            "What's the per-mile rate I get reimbursed for driving my own car?",
            "Mileage for your own car is reimbursed at $0.70 per mile.",
            True,
        ),
        (
            "What percentage does the company match on retirement plan contributions?",
            "The company matches retirement plan contributions up to 5% of salary.",
            True,
        ),
        # "Paid" leave and a pay period are not money asked for: a count of days or hours answers them.
        ("How much paid leave do I get for a work trip that takes 90 days?", "", True),
        ("How many days of claims does the trip approver sign off at a time before the pay period ends?", "", True),
    ],
)
def test_a_question_asking_for_a_sum_or_a_share_is_not_answered_by_other_figures(question, limit_sentence, answered):
    text = answer(question, passage(1, " ".join(filter(None, [TRAVEL_PAGE, limit_sentence])), "Travel expenses"))

    assert text.startswith(DETAIL_NOT_STATED) is not answered
    assert ("[1]" in text) is answered


def test_the_best_sentence_is_quoted_with_the_sentences_on_each_side():
    text = answer(
        "How do I fix the smartcard certificate is not trusted error on my laptop?",
        passage(
            1,
            "Badges are printed at the security office on the second floor. "
            "Wipe the gold contact pad of the badge gently with a pencil eraser. "
            "That fixes the smartcard certificate is not trusted error on a laptop in most cases. "
            "If it does not, open a ticket with the help desk. "
            "Replacement badges take two weeks to arrive.",
        ),
        passage(2, "Parking permits are renewed every January at the security office."),
    )

    # The best sentence says "that fixes": what fixes it is the sentence before; what else to do, the one after.
    assert "That fixes the smartcard certificate is not trusted error" in text
    assert "pencil eraser" in text
    assert "open a ticket with the help desk" in text


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        # Contractions of function words, with either apostrophe, say nothing about the topic.
        ("I'm new here and what's the VPN profile I'll need?", {"i'm", "what", "i'll"}),
        ("We’re told it’s slow; don't we rotate keys?", {"we'r", "it'", "don't"}),
        # The adverb of "how often" asks the question; the same word elsewhere is a word of the topic.
        ("How often are keys rotated?", {"often"}),
    ],
)
def test_function_words_and_question_adverbs_are_not_content_terms(question, absent):
    terms = content_terms(question)

    assert not terms & absent
    assert "rotat" in terms or "vpn" in terms or "slow" in terms


def test_a_word_that_is_a_question_adverb_elsewhere_is_still_a_content_term():
    assert "long" in content_terms("Which tests run in the long suite?")


def test_a_how_often_question_is_not_answered_by_passages_that_give_no_frequency():
    laptops = passage(
        1,
        "Laptops are issued by IT on your first day. Your supervisor decides which laptop model you get. "
        "Report a broken laptop to the IT service desk.",
        "Laptops",
    )
    refreshed = passage(
        1,
        laptops.text + " IT replaces every laptop once every four years.",
        "Laptops",
    )

    assert answer("How often does IT replace laptops?", laptops).startswith(NO_DETAIL_FOUND.format(detail="frequency"))
    assert "once every four years" in answer("How often does IT replace laptops?", refreshed)


def test_a_sentence_between_two_quoted_ones_of_a_passage_is_quoted_too():
    text = answer(
        "How do I renew the garage parking permit?",
        passage(
            1,
            "The garage parking permit is renewed online every January. "
            "Renewal costs forty dollars. "
            "Bring your badge to the security office first. "
            "The renewed garage permit sticker goes on the rear window of the car. "
            "Lunch is served in the canteen on the ground floor.",
        ),
        passage(2, "Bicycle racks stand by the north entrance."),
    )

    # The permit's sentences are quoted (the best with the one after it, and the sticker); the step that sits
    # between two quoted sentences is quoted with them, in its place; the lunch, between no two, is not.
    assert "renewed online every January" in text and "rear window" in text
    assert "forty dollars. [1] Bring your badge to the security office first. [1] The renewed" in text
    assert "canteen" not in text


TRAVEL = (
    passage(
        1,
        "Travel meals are paid at a flat daily rate. Breakfast, lunch and dinner are covered on travel days at three "
        "quarters of the rate. Keep your boarding passes with the report.",
        "Meals on trips",
    ),
    passage(
        2,
        "Book flights through the travel desk at least two weeks ahead. Economy class is the default for flights under "
        "eight hours. Hotels must be within the city's nightly cap.",
        "Booking travel",
    ),
    passage(
        3,
        "Submit the expense report within ten business days of your return. Your manager approves it, and finance pays "
        "it into your bank account within a week.",
        "Expense reports",
    ),
)
# One sentence to stand for the passages in evidence built by hand.
CANDIDATE = weigh_evidence(
    Bundle("Which sentence is long?", (passage(1, "This sentence is long enough to quote."),))
).candidates[0]


def test_evidence_between_the_two_thresholds_says_the_passages_may_answer():
    weighed = {
        score: Evidence(coverage=0.0, best_similarity=score, similarity_gap=0.0, candidates=(CANDIDATE,))
        for score in (ANSWER_THRESHOLD, HEDGE_THRESHOLD, HEDGE_THRESHOLD - 0.01)
    }

    assert verdict(weighed[ANSWER_THRESHOLD], with_embeddings=True) is Verdict.ANSWERS
    assert verdict(weighed[HEDGE_THRESHOLD], with_embeddings=True) is Verdict.MAY_ANSWER
    assert verdict(weighed[HEDGE_THRESHOLD - 0.01], with_embeddings=True) is Verdict.NOTHING
    assert not answers_question(weighed[HEDGE_THRESHOLD], with_embeddings=True)


def test_passages_that_may_answer_are_quoted_after_saying_so_and_ask_no_model():
    # Worded unlike the document ("money back" for "finance pays it into your bank account"): the evidence is
    # lukewarm. Refusing would hide the answer; the passages are quoted, and the reader told they may not answer.
    question = "when do I get my money back after a trip?"
    bundle = Bundle(question=question, passages=TRAVEL)

    text = answer(question, *TRAVEL)

    assert HEDGE_THRESHOLD <= evidence_score(weigh_evidence(bundle, get_embedder().embed_batch)) < ANSWER_THRESHOLD
    assert text.startswith(MAY_NOT_ANSWER + "\n\n")
    assert "finance pays it into your bank account within a week. [3]" in text
    assert not passages_answer(bundle)  # a model that requires evidence is not asked


def test_passages_that_may_answer_but_never_name_the_term_asked_about_are_not_quoted():
    # The same lukewarm passages, asked about a term none of them names: they are about trips, not about it.
    question = "when do I get my money back for a coworking pass after a trip?"
    bundle = Bundle(question=question, passages=TRAVEL)

    text = answer(question, *TRAVEL)

    assert HEDGE_THRESHOLD <= evidence_score(weigh_evidence(bundle, get_embedder().embed_batch)) < ANSWER_THRESHOLD
    assert text.startswith(NO_TERM_FOUND.format(term="coworking")) and "[" not in text
    assert "The closest documents were: " in text


def test_a_term_no_passage_names_turns_only_a_may_answer_into_nothing():
    weighed = {
        score: Evidence(
            coverage=0.0, best_similarity=score, similarity_gap=0.0, candidates=(CANDIDATE,), absent_term="yubikey"
        )
        for score in (ANSWER_THRESHOLD, HEDGE_THRESHOLD)
    }

    assert verdict(weighed[ANSWER_THRESHOLD], with_embeddings=True) is Verdict.ANSWERS
    assert verdict(weighed[HEDGE_THRESHOLD], with_embeddings=True) is Verdict.NOTHING


def test_passages_far_from_the_question_are_not_quoted_at_all():
    text = answer("can I bring my partner on a work trip?", *TRAVEL)

    assert text.startswith(NOTHING_FOUND) and "[" not in text


def test_a_sentence_is_quoted_whole_past_an_abbreviation():
    # Cut at every full stop before a digit, the answer was "call the Service Desk at ext. [1]", without the number.
    text = answer(
        "the projector in room 3 died mid meeting, who do i call?",
        passage(
            1,
            "Standard rooms have a projector and a speakerphone. For problems with room technology during a meeting, "
            "call the Service Desk at ext. 4357. Book rooms in the calendar.",
            "Conference rooms",
        ),
    )

    assert "call the Service Desk at ext. 4357. [1]" in text


DOWNTIME = passage(
    1,
    "Planned CareChart downtimes are held on the third Sunday of each quarter, from 1:00 a.m. to 5:00 a.m. The "
    "dates for 2026 are January 18, April 19, July 19 and October 18. Units print census reports the evening before.",
    "EHR planned downtime",
)


def test_a_date_asked_for_a_year_no_passage_names_is_not_found_and_the_year_is_said():
    text = answer("what are the exact dates for the 2027 planned carechart downtimes?", DOWNTIME)

    assert text.startswith(NOT_NAMED_FOUND.format(name="2027")) and "[1]" not in text


def test_the_year_asked_for_is_quoted_and_a_year_only_told_is_no_question():
    assert "January 18, April 19, July 19 and October 18. [1]" in answer(
        "when are the 2026 planned carechart downtimes?", DOWNTIME
    )
    told = answer(
        "my badge is from 2017 and will not open the doors, when can I get a new one printed?",
        passage(1, "Replacement badges are printed at the Security office from 2020 on, weekdays 7 a.m. to 7 p.m."),
    )
    assert "printed at the Security office" in told


def test_a_year_asked_about_a_standing_rule_or_far_from_the_passages_is_no_reason_to_name_it():
    standing = answer(
        "How many unused PTO days can I carry over into 2026?",
        passage(1, "You may carry up to 5 unused PTO days into the next calendar year. They expire on 31 March."),
    )
    assert "carry up to 5 unused PTO days" in standing
    far = answer(
        "When is the 2027 company retreat?",
        passage(1, "Lunch is served at noon in the atrium. Badges are required on every floor since 2024."),
    )
    assert far.startswith(NOTHING_FOUND)


def test_a_year_not_named_turns_only_an_answer_into_other_years_with_or_without_the_model():
    def evidence(coverage: float, similarity: float) -> Evidence:
        return Evidence(coverage, similarity, 0.0, (CANDIDATE,), not_named="2027")

    assert verdict(evidence(0.1, 0.1), with_embeddings=False) is Verdict.NOTHING
    assert verdict(evidence(0.5, 0.1), with_embeddings=False) is Verdict.NOT_NAMED
    assert verdict(evidence(0.0, 0.1), with_embeddings=True) is Verdict.NOTHING
    assert verdict(evidence(0.0, HEDGE_THRESHOLD), with_embeddings=True) is Verdict.NOT_NAMED


def test_a_numbered_thing_the_passages_do_not_name_is_said_and_nothing_quoted():
    # The page gives Line 3's temperature: quoted for Line 2, it would be another line's figure.
    sealing = passage(
        1,
        "Line 3 fills and seals chilled ready-meal trays. The Line 3 tray sealer runs at 185 C with a dwell of 1.2 "
        "seconds.",
        "Line 3 tray sealer",
    )

    asked = answer("What is the seal temperature on Line 2?", sealing)
    named = answer("What is the seal temperature on Line 3?", sealing)

    assert asked.startswith(NOT_NAMED_FOUND.format(name="Line 2")) and "[1]" not in asked
    assert "runs at 185 C" in named


def test_a_mistyped_word_is_read_as_english_for_the_detail_asked():
    # "time frxme" is a time frame, not a time of day: the patching rule answers it.
    patching = passage(1, "Critical vulnerabilities on exposed hosts must be patched within 7 days.", "Patching")

    text = answer("Within what time frxme must a critical vulnerability on an exposed host be patched?", patching)

    assert "patched within 7 days. [1]" in text
