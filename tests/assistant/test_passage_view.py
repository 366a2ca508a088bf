"""The passage page (/passages/<chunk_id>/): the cited passage within its document, only for its readers."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from accounts.models import User
from retrieval.models import Chunk
from retrieval.services import IngestResult

Ingest = Callable[..., IngestResult]

# Two headings, so two passages.
HANDBOOK = """# On-call handbook

## Paging

Pages go to the primary on-call engineer first, then to the secondary after ten minutes.

## Handover

Each Monday the outgoing engineer writes a handover note for the incoming one.
"""
SECRET = "# Layoff plan\n\nThe layoff plan affects the support team in the second quarter.\n"
FINANCE_ONLY = "# Budget forecast\n\nThe budget forecast for next year grows travel spending by ten percent.\n"


def chunks_of(result: IngestResult) -> list[Chunk]:
    return list(result.document.chunks.order_by("ordinal"))


def section_of(html: str, chunk_id: int) -> str:
    match = re.search(rf'<section id="passage-{chunk_id}"[^>]*>', html)
    assert match, f"no section for passage {chunk_id}"
    return match.group(0)


def test_passage_page_shows_the_cited_passage_highlighted_within_its_document(
    client: Client, employee: User, ingest: Ingest
) -> None:
    paging, handover = chunks_of(ingest("on-call.md", HANDBOOK))
    client.force_login(employee)

    response = client.get(f"/passages/{handover.id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>On-call handbook</h1>" in html
    assert "on-call.md" in html
    # The whole document is shown, in order, and only the cited passage is marked.
    assert html.index("primary on-call engineer") < html.index("handover note")
    assert section_of(html, handover.id) == (
        f'<section id="passage-{handover.id}" class="passage cited"\n           aria-current="true">'
    )
    assert "cited" not in section_of(html, paging.id)
    assert "aria-current" not in section_of(html, paging.id)
    assert html.count('aria-current="true"') == 1


def test_employee_guessing_a_confidential_passage_gets_the_same_404_as_a_missing_one(
    client: Client, employee: User, ingest: Ingest
) -> None:
    [secret] = chunks_of(ingest("layoffs.md", SECRET, classification="confidential"))
    missing_id = secret.id + 10_000
    client.force_login(employee)

    guessed = client.get(f"/passages/{secret.id}/")
    missing = client.get(f"/passages/{missing_id}/")

    assert guessed.status_code == 404
    assert missing.status_code == 404
    assert "layoff" not in guessed.content.decode().lower()
    assert guessed.content.decode().replace(str(secret.id), "ID") == missing.content.decode().replace(
        str(missing_id), "ID"
    )


def test_employee_cannot_open_a_passage_of_a_group_they_are_not_in(
    client: Client, employee: User, ingest: Ingest
) -> None:
    [budget] = chunks_of(ingest("budget.md", FINANCE_ONLY, classification="internal", groups=["finance"]))
    client.force_login(employee)

    response = client.get(f"/passages/{budget.id}/")

    assert response.status_code == 404
    assert "travel spending" not in response.content.decode()


def test_employee_opens_a_passage_of_their_own_group(client: Client, employee: User, ingest: Ingest) -> None:
    [budget] = chunks_of(ingest("budget.md", FINANCE_ONLY, classification="internal", groups=["engineering"]))
    client.force_login(employee)

    response = client.get(f"/passages/{budget.id}/")

    assert response.status_code == 200
    assert "travel spending" in response.content.decode()


def test_contractor_cannot_open_an_internal_passage_but_can_open_a_public_one(
    client: Client, contractor: User, ingest: Ingest
) -> None:
    [internal] = chunks_of(ingest("on-call.md", HANDBOOK.split("## Handover")[0], classification="internal"))
    [public] = chunks_of(ingest("welcome.md", "# Welcome\n\nThe office opens at eight every weekday.\n", "public"))
    client.force_login(contractor)

    assert client.get(f"/passages/{internal.id}/").status_code == 404
    assert client.get(f"/passages/{public.id}/").status_code == 200


def test_anonymous_visitor_is_sent_to_login_from_a_passage(client: Client, ingest: Ingest) -> None:
    [public] = chunks_of(ingest("welcome.md", "# Welcome\n\nThe office opens at eight every weekday.\n", "public"))

    response = client.get(f"/passages/{public.id}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_handbooks_template_tags_are_not_shown_to_the_reader(client: Client, employee: User, ingest: Ingest) -> None:
    (travel,) = chunks_of(
        ingest(
            "travel.md",
            '# Travel\n\nHave a good trip, [get reimbursement]({% page "/travel/reimbursement/" %}) within five days. '
            'Ask in {% slack_channel "travel-help" %}.\n',
        )
    )
    client.force_login(employee)

    html = client.get(f"/passages/{travel.id}/").content.decode()

    assert "Have a good trip, get reimbursement within five days. Ask in #travel-help." in html
    assert "{%" not in html and "page &quot;" not in html
