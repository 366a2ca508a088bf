"""`manage.py eval_redaction`: per-label scores on Presidio-style labelled spans, and the targets on the dev set."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
RECORDS = [
    {"text": "Mail ada@example.com or call +44 20 7946 0958", "spans": [
        {"start": 5, "end": 20, "label": "EMAIL_ADDRESS"}, {"start": 29, "end": 45, "label": "PHONE_NUMBER"}]},
    {"text": "Card 4539 1488 0343 6467 at Acme Corp", "spans": [
        {"start": 5, "end": 24, "label": "CREDIT_CARD"}, {"start": 28, "end": 37, "label": "ORGANIZATION"}]},
    # a missed e-mail label (nothing there to find) and an unlabelled finding (an IP nobody marked)
    {"text": "write to me, host 10.0.0.7", "spans": [{"start": 0, "end": 5, "label": "EMAIL_ADDRESS"}]},
    {"text": "What are my options?", "spans": []},
]  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command("eval_redaction", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def labelled_file(tmp_path: Path) -> Path:
    path = tmp_path / "pii.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


def test_it_reports_per_label_and_micro_scores_as_json(labelled_file):
    report = json.loads(run(str(labelled_file), "--json", "--ner", "off"))

    assert report["per_label"]["EMAIL_ADDRESS"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["per_label"]["PHONE_NUMBER"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report["per_label"]["CREDIT_CARD"]["recall"] == 1.0
    assert report["unmapped"] == {"ORGANIZATION": 1}
    assert report["micro"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75, "support": 4}
    assert report["per_kind"]["ip_address"] == {"findings": 1, "true_positives": 0}
    assert report["texts"] == 4 and report["texts_per_s"] > 0


def test_it_prints_a_table_without_json(labelled_file):
    output = run(str(labelled_file), "--ner", "off")

    assert "EMAIL_ADDRESS" in output and "micro" in output and "unmapped labels: ORGANIZATION (1)" in output


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        run(str(tmp_path / "nope.jsonl"))


def test_a_line_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "spans": []}\nnot json\n', encoding="utf-8")

    with pytest.raises(CommandError, match=r"bad.jsonl:2"):
        run(str(path))


@pytest.mark.slow
def test_the_dev_set_meets_the_recall_targets():
    path = EVAL_DIR / "pii" / "presidio-synth-dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared evaluation data is not on this machine)")

    report = json.loads(run(str(path), "--json", "--ner", "off"))

    for label in ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"):
        assert report["per_label"][label]["recall"] >= 0.98, label
        assert report["per_label"][label]["precision"] >= 0.95, label


def test_texts_are_read_as_questions_unless_told_to_read_them_as_documents(tmp_path):
    # A name that is an everyday word to the vocabulary: a name in a question, not without more in a document.
    path = tmp_path / "names.jsonl"
    path.write_text(json.dumps({"text": "Why is Rebecca so impulsive?", "spans": [
        {"start": 7, "end": 14, "label": "PERSON"}]}) + "\n", encoding="utf-8")  # fmt: skip

    as_question = json.loads(run(str(path), "--json"))
    as_document = json.loads(run(str(path), "--json", "--as", "document"))

    assert as_question["read_as"] == "question" and as_question["per_label"]["PERSON"]["recall"] == 1.0
    assert as_document["read_as"] == "document" and as_document["per_label"]["PERSON"]["recall"] == 0.0
