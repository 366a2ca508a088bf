"""What the security review and the held-out checks found reaching the fake cloud, through the whole ask
flow (real SDK, real HTTP on loopback): each now stays inside or leaves only redacted."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from fakes.common import Script
from routing.egress import outbound_text
from routing.models import AuditEvent
from routing.services import answer_question

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
ZWSP = "\u200b"


def sent_text(cloud) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(outbound_text(request.body) for request in cloud.requests)


@pytest.mark.parametrize(
    "number",
    ["345-899-3560x4587", "(898)666-3621x0135", "+1-604-696-5272x565", "259.735.7502x459", "415-555-0134 ext. 12"],
)
def test_a_business_number_with_an_extension_leaves_only_redacted(ingest, employee, cloud, number):
    ingest("deploys.md", DEPLOYS)
    cloud.enqueue(Script(text="Call [PHONE_1] after you roll back from the deploy dashboard [1]."))

    answer = answer_question(question=f"The vendor at {number} asked how we roll back a deploy", acting_user=employee)

    sent = sent_text(cloud)
    assert cloud.requests and "[PHONE_1]" in sent
    digits = "".join(ch for ch in number if ch.isdigit())
    assert number not in sent and digits[-7:] not in "".join(ch for ch in sent if ch.isdigit())
    assert number in answer.text  # restored on the way back, on-prem
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert number not in event.question and event.findings == {"phone": 1}


def test_an_ssn_said_to_be_one_is_confidential_and_never_reaches_the_cloud(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS)

    answer = answer_question(
        question="Employee SSN 078-05-1120 appears in the HR export, what do I do?", acting_user=employee
    )

    assert cloud.requests == []
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.findings == {"ssn": 1} and "078-05-1120" not in event.question


def test_a_documentation_example_key_in_a_question_is_a_secret(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS)
    question = "Why does AWS reject AKIAIOSFODNN7EXAMPLE with secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY?"

    answer = answer_question(question=question, acting_user=employee)

    assert cloud.requests == []
    assert any("secret" in notice for notice in answer.notices)
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.findings == {"secret": 2}
    assert "AKIAIOSFODNN7EXAMPLE" not in event.question and "EXAMPLEKEY" not in event.question


def test_a_card_hidden_with_a_zero_width_space_is_not_sent_nor_audited_in_the_clear(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS)
    card = f"4111 1111{ZWSP} 1111 1111"

    answer = answer_question(question=f"My card {card} was charged twice for the deploy", acting_user=employee)

    assert cloud.requests == []  # a card is confidential
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.findings == {"payment_card": 1}
    assert "1111" not in event.question


def test_an_empty_question_is_refused_by_the_gate_and_audited(employee, cloud):
    answer = answer_question(question=" \n\t ", acting_user=employee)

    assert answer.refused and cloud.requests == []
    assert "empty" in answer.text
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.REFUSED


def test_route_explain_refuses_an_empty_question(db, tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"question": "   "}) + "\n" + json.dumps({"question": "how do I roll back?"}) + "\n")
    out = StringIO()

    call_command("route_explain", str(requests), "--json", stdout=out, stderr=StringIO())

    empty, real = (json.loads(line) for line in out.getvalue().splitlines())
    assert empty["action"] == "refuse" and empty["targets"] == [] and "empty" in empty["reasons"][-1]
    assert real["action"] == "answer"


def test_a_name_in_a_documents_title_leaves_redacted_like_its_text(ingest, employee, cloud):
    # Titles travel with their passages; a title is inspected as the question is (what leaves is judged
    # conservatively), and redacted with the same placeholders when the Decision redacts.
    ingest("handover.md", "# Handover notes from Dana Whitfield\n\n" + DEPLOYS.split("\n\n", 1)[1])
    cloud.enqueue(Script(text="Roll back from the deploy dashboard [1]."))

    answer = answer_question(question="How do we roll back a bad deploy?", acting_user=employee)

    sent = sent_text(cloud)
    assert answer.backend == "claude" and cloud.requests
    assert "Whitfield" not in sent and "[PERSON_1]" in sent
    assert answer.passages[0].title == "Handover notes from Dana Whitfield"  # the reader sees it as written
