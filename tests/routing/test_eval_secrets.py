"""`manage.py eval_secrets`: line-level recall and precision on a CredSweeper-style folder, and the targets."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
# Line 2 holds a labelled secret we find; line 3 a labelled one we miss (a bare UUID); line 4 an unlabelled
# one we report; the binary file is outside the text labels and skipped.
CONFIG = "\n".join(
    [
        "# service settings",
        'db_password = "Tr0ub4dor&3x"',
        "bace4d19-fa7e-beef-cafe-9129474bcd81",
        "api_token: Qm9vdHN0cmFwU2VjcmV0MXk",
        "timeout = 30",
    ]
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("eval_secrets", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "settings.cfg").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "samples" / "archive.tar").write_bytes(b"./key\x00\x00" + b'password = "Tr0ub4dor&3x"')
    labels = [
        {"file": "settings.cfg", "line_num": 2, "rule": "Password"},
        {"file": "settings.cfg", "line_num": 3, "rule": "UUID"},
        {"file": "elsewhere.txt", "line_num": 1, "rule": "Token"},  # a file not in samples/ is ignored
    ]
    (tmp_path / "labels_text_files.jsonl").write_text("\n".join(json.dumps(x) for x in labels), encoding="utf-8")
    return tmp_path


def test_it_reports_line_recall_and_precision_as_json(sample_dir):
    report = json.loads(run(str(sample_dir), "--json", "--details"))

    assert (report["recall"], report["precision"]) == (0.5, 0.5)
    assert (report["labelled_lines"], report["detected_lines"], report["true_positive_lines"]) == (2, 2, 1)
    assert report["false_negatives"] == ["settings.cfg:3"]
    assert report["false_positives"] == ["settings.cfg:4"]
    assert report["per_rule_recall"] == {"Password": "1/1", "UUID": "0/1"}
    assert report["skipped_binary_files"] == ["archive.tar"]
    assert report["files"] == 1 and report["lines"] == 5 and report["texts_per_s"] > 0


def test_it_prints_a_summary_without_json(sample_dir):
    assert "line recall 0.500  precision 0.500" in run(str(sample_dir))


def test_a_folder_without_labels_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="labels_text_files.jsonl"):
        run(str(tmp_path))


@pytest.mark.slow
def test_the_credsweeper_samples_meet_the_targets():
    folder = EVAL_DIR / "secrets" / "credsweeper"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the shared evaluation data is not on this machine)")

    report = json.loads(run(str(folder), "--json"))

    assert report["recall"] >= 0.80
    assert report["precision"] >= 0.90
