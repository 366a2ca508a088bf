"""The gate redacts passages with the findings stored at ingestion while they come from the running
inspector, inspects them live otherwise, and always runs the policy's custom patterns live."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from fakes.common import Script
from inspection import CustomPattern, inspect_text, ner
from inspection import stored as stored_module
from inspection.stored import (
    StoredFindings,
    findings_to_json,
    fingerprint,
    inspect_passage,
    inspector_version,
)
from retrieval.models import Chunk
from routing.services import answer_question
from tests.conftest import Ingest

DASHBOARD = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."
ON_CALL = "# On call\n\nRoll back a bad deploy, then page Dana on +1 415 555 0134 from the deploy dashboard."


def fresh(text: str) -> StoredFindings:
    stored = StoredFindings.from_json(inspector_version(), findings_to_json(inspect_text(text)))
    assert stored is not None
    return stored


def mark_dashboard_as_email(text: str) -> list[list[Any]]:
    """Findings no inspector would produce: the word "dashboard" as an e-mail address."""
    start = text.index("dashboard")
    return [["email", start, start + len("dashboard"), 0.95, "email"]]


# --- which findings the gate uses ----------------------------------------------------------------


def test_fresh_stored_findings_are_used_instead_of_inspecting_the_passage(ingest: Ingest, employee, cloud):
    document = ingest("deploys.md", DASHBOARD, "internal").document
    chunk = document.chunks.get()
    Chunk.objects.filter(id=chunk.id).update(
        findings=mark_dashboard_as_email(chunk.text), findings_version=inspector_version()
    )
    cloud.enqueue(Script(text="Use the deploy [EMAIL_1] [1]."))

    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    sent = cloud.received()
    assert b"deploy [EMAIL_1]" in sent and b"dashboard" not in sent


def test_stale_stored_findings_are_ignored_and_the_passage_inspected_live(ingest: Ingest, employee, cloud):
    document = ingest("oncall.md", ON_CALL, "internal").document
    chunk = document.chunks.get()
    Chunk.objects.filter(id=chunk.id).update(
        findings=mark_dashboard_as_email(chunk.text), findings_version="an older inspector"
    )
    cloud.enqueue(Script(text="Page the on-call engineer [1]."))

    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    sent = cloud.received()
    assert b"deploy dashboard" in sent and b"deploy [EMAIL_1]" not in sent
    assert b"415 555 0134" not in sent and b"[PHONE_1]" in sent


def test_chunks_never_inspected_are_inspected_live(ingest: Ingest, employee, cloud):
    ingest("oncall.md", ON_CALL, "internal")
    Chunk.objects.update(findings=[], findings_version="")
    cloud.enqueue(Script(text="Page the on-call engineer [1]."))

    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    sent = cloud.received()
    assert b"415 555 0134" not in sent and b"[PHONE_1]" in sent


def test_ingested_findings_redact_the_passage_on_the_way_out(ingest: Ingest, employee, cloud):
    ingest("oncall.md", ON_CALL, "internal")
    assert Chunk.objects.get().findings_version == inspector_version()
    cloud.enqueue(Script(text="Page the on-call engineer [1]."))

    answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    sent = cloud.received()
    assert b"415 555 0134" not in sent and b"[PHONE_1]" in sent


def test_custom_patterns_still_redact_passages_whose_findings_are_stored(ingest: Ingest, employee, cloud):
    ingest("refunds.md", "# Refunds\n\nCustomer CUST-204518 was refunded twice; roll back the second refund.")
    chunk = Chunk.objects.get()
    assert chunk.findings_version == inspector_version()
    assert not any(f[0].startswith("custom:") for f in chunk.findings)
    cloud.enqueue(Script(text="Roll back the second refund [1]."))

    answer_question(question="How do I roll back a refund?", acting_user=employee)

    sent = cloud.received()
    assert b"CUST-204518" not in sent and b"[CUSTOM_CUSTOMER_ID_1]" in sent


# --- inspect_passage: the same findings as live inspection ---------------------------------------

TEXTS = [
    "Call Dana Cho on +1 415 555 0134 or write to dana.cho@quillfern.example about CUST-204518.",
    "Refund card 4111 1111 1111 1111 to IBAN GB82 WEST 1234 5698 7654 32 for customer CUST-991234.",
    "Ship it to 1600 Amphitheatre Parkway, Mountain View; ticket 415-555-0134 is the customer's line.",
    "password = 'Zq8!rT2mW9xK' and the host 203.0.113.24, order 1234567890123",
    "Nothing personal at all: roll back the deploy from the dashboard.",
]
CUSTOM = [
    [],
    [CustomPattern("customer_id", r"\bCUST-\d{6}\b")],
    # Overlapping built-in findings: digits of a phone number, a card, an IP; a whole e-mail address.
    [CustomPattern("ticket", r"\d{3}-\d{3}-\d{4}"), CustomPattern("digits", r"\d{4} \d{4}")],
    [CustomPattern("host", r"203\.0\.\d+"), CustomPattern("mail", r"[\w.]+@[\w.]+")],
    [CustomPattern("word", r"Mountain|dashboard|Dana")],
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("custom", CUSTOM, ids=lambda c: ",".join(p.name for p in c) or "none")
def test_stored_findings_and_live_custom_patterns_give_what_live_inspection_gives(text, custom):
    assert inspect_passage(text, stored=fresh(text), custom=custom) == inspect_text(text, custom=custom)


def test_a_custom_match_over_a_stored_finding_means_live_inspection():
    # Stored: the whole address (the name "Ana" inside it lost to it). The custom match wins over the
    # address, so live inspection keeps the name; merging the stored findings would have lost it.
    text = "Hello, my name is Ana.Lima@quillfern.example and I need help"
    custom = [CustomPattern("mailbox", r"Lima@\w+")]
    assert [f.kind for f in inspect_text(text)] == ["email"]

    found = inspect_passage(text, stored=fresh(text), custom=custom)

    assert [(f.kind, text[f.start : f.end]) for f in found] == [("person", "Ana"), ("custom:mailbox", "Lima@quillfern")]
    assert found == inspect_text(text, custom=custom)


def test_without_custom_patterns_the_stored_findings_are_returned_as_they_are():
    text = TEXTS[0]
    marked = StoredFindings.from_json(inspector_version(), mark_dashboard_as_email("the dashboard is down"))

    assert inspect_passage("the dashboard is down", stored=marked) == list(marked.findings)
    assert inspect_passage(text, stored=None) == inspect_text(text)


@pytest.mark.parametrize(
    "rows",
    [
        [["email", 4, 2, 0.9, "email"]],  # ends before it starts
        [["email", 0, 500, 0.9, "email"]],  # past the end of the text
        [["email", "0", 4, 0.9, "email"]],
        [["email", 0, 4]],
        {"email": [0, 4]},
    ],
)
def test_malformed_or_misfitting_stored_findings_mean_live_inspection(rows):
    text = TEXTS[0]
    stored = StoredFindings.from_json(inspector_version(), rows)

    assert inspect_passage(text, stored=stored) == inspect_text(text)


def test_findings_without_a_version_are_not_stored_findings():
    assert StoredFindings.from_json("", [["email", 0, 4, 0.9, "email"]]) is None


# --- the inspector's version ---------------------------------------------------------------------

PACKAGE = Path(stored_module.__file__).parent


def test_the_version_changes_when_any_inspection_source_or_data_file_changes(tmp_path):
    copy = tmp_path / "inspection"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert fingerprint(copy) == fingerprint(PACKAGE)
    assert inspector_version().startswith(fingerprint(PACKAGE) + "+")

    for path in sorted(copy.glob("*.py")) + sorted(copy.glob("*.json")):
        before = fingerprint(copy)
        path.write_text(path.read_text() + "\n# changed\n")
        assert fingerprint(copy) != before, path.name


def test_the_version_says_whether_a_ner_model_was_used(monkeypatch):
    assert inspector_version().endswith("+ner:" + ner.model_id())
    without = inspector_version()
    monkeypatch.setattr(ner, "model_id", lambda: "en_core_web_sm-3.8.0@spacy-3.8.7")

    assert inspector_version() != without
    assert inspector_version().endswith("+ner:en_core_web_sm-3.8.0@spacy-3.8.7")


def test_ner_switched_off_is_part_of_the_version():
    ner.set_enabled(False)
    try:
        assert inspector_version().endswith("+ner:off")
    finally:
        ner.set_enabled(None)


def test_findings_stored_by_another_version_are_not_used():
    text = "the dashboard is down"
    rows = mark_dashboard_as_email(text)
    stale = StoredFindings.from_json(inspector_version() + "-old", rows)

    assert inspect_passage(text, stored=stale) == inspect_text(text) == []
