"""No raw identifier from the PII dev set reaches the cloud, through the whole ask flow."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings

from routing.egress import outbound_text
from routing.services import answer_question
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL

PII_SET = django_settings.BASE_DIR.parent / "shared" / "eval" / "pii" / "presidio-synth-dev.jsonl"
STRUCTURED = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"}
SAMPLE_EVERY = 8  # about 125 texts: the whole flow costs ~0.2 s a question on two cores


@pytest.mark.slow
@pytest.mark.skipif(not PII_SET.exists(), reason=f"{PII_SET} is absent (it lives beside the project, not in it)")
def test_no_structured_identifier_reaches_the_cloud(ingest, employee, settings, fake_anthropic):
    settings.ANTHROPIC_API_KEY = FAKE_ANTHROPIC_KEY
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_MODEL
    settings.LOCAL_LLM_BASE_URL = ""
    ingest("support.md", "# Support\n\nCustomer questions go to the support queue, answered within a day.")
    lines = [json.loads(line) for line in PII_SET.read_text().splitlines()[::SAMPLE_EVERY]]
    values = set()

    for line in lines:
        answer_question(question=line["text"], acting_user=employee)
        values |= {line["text"][s["start"] : s["end"]] for s in line["spans"] if s["label"] in STRUCTURED}

    sent = "\n".join(outbound_text(request.body) for request in fake_anthropic.requests)
    assert len(fake_anthropic.requests) > len(lines) / 2  # most questions did go to the cloud
    assert len(values) > 20
    leaked = sorted(v for v in values if v in sent)
    assert leaked == []
