"""What the extractive answer says when the passages may not answer, do not state the detail asked or never name the
term asked about, through the real `manage.py serve` (as `make run` starts it, no model server): the API's answer
and the audit row the auditor reads."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from routing.backends.extractive import MAY_NOT_ANSWER, NO_DETAIL_FOUND, NO_TERM_FOUND
from tests.serving import ServedSluice

pytestmark = pytest.mark.slow


def _ask(served: ServedSluice, key: str, question: str) -> dict:
    response = httpx.post(
        f"{served.url}/api/v1/ask", json={"question": question}, headers={"Authorization": f"Bearer {key}"}, timeout=120
    )
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _decision(served: ServedSluice, audit_id: int) -> dict:
    printed = served.manage(
        "shell", "-c", f"import json; from routing.models import AuditEvent; "
        f"print(json.dumps(AuditEvent.objects.get(pk={audit_id}).decision))",
    )  # fmt: skip
    return json.loads(printed.strip().splitlines()[-1])


def test_the_served_app_answers_with_the_caveat_or_says_which_detail_no_document_states(served: ServedSluice) -> None:
    issued = served.manage("create_api_key", "--user", "erin", "--name", "caveat test")
    key = re.search(r"\(shown once\): (\S+)", issued).group(1)

    # The deploy runbook speaks of rolling back but not of Fridays: its passage is quoted after the caveat, cited.
    hedged = _ask(served, key, "Is a rollback allowed on Fridays?")
    assert hedged["text"].startswith(MAY_NOT_ANSWER), hedged["text"]
    assert "rollback pipeline" in hedged["text"] and "[1]" in hedged["text"]
    assert [c["title"] for c in hedged["citations"]] == ["Deploy runbook"]
    assert hedged["closest"] == []  # it answered, with the caveat: its sources are its citations
    assert _decision(served, hedged["audit_id"]).get("hedged") is True

    # A sum asked: "five minutes" is a figure, not a sum; nothing is quoted and the document is named.
    missing = _ask(served, key, "How much does a rollback cost?")
    assert missing["text"].startswith(NO_DETAIL_FOUND.format(detail="sum")), missing["text"]
    assert "Deploy runbook" in missing["text"] and "[1]" not in missing["text"]
    assert missing["citations"] == []
    assert "hedged" not in _decision(served, missing["audit_id"])

    # A term the runbook never names, asked in the same lukewarm band: said, nothing quoted, the document named.
    unnamed = _ask(served, key, "Is a rollback allowed for the terraform stack?")
    assert unnamed["text"].startswith(NO_TERM_FOUND.format(term="terraform")), unnamed["text"]
    assert "Deploy runbook" in unnamed["text"] and unnamed["citations"] == []
    # The document it names is linked for the reader to check, not cited.
    assert [c["title"] for c in unnamed["closest"]] == ["Deploy runbook"]
    assert unnamed["closest"][0]["url"].endswith(f"/passages/{unnamed['closest'][0]['chunk_id']}/")
    assert "hedged" not in _decision(served, unnamed["audit_id"])
