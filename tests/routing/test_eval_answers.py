"""`manage.py eval_answers`: questions asked through the real gate over a corpus in a throwaway collection."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from fakes.common import Script
from retrieval.models import MAIN_COLLECTION, Chunk, Document
from routing.models import AuditEvent

CORPUS = {
    "leave/parental.md": "# Parental leave\n\nEmployees get 12 weeks of paid parental leave after 12 months of "
    "federal service.\n\nParental leave must be used within a year of the birth or placement.\n",
    "travel/per-diem.md": "# Travel per diem\n\nThe per diem for meals while travelling is 59 dollars a day.\n\n"
    "Lodging receipts are uploaded within five days of coming back.\n",
    "tools/laptops.md": "# Laptops\n\nEvery new hire receives a laptop on their first day.\n\n"
    "Laptops are refreshed every four years by the IT desk.\n",
}
QUESTIONS = [
    # Answered from the right file; one of its two key facts is not in the corpus at all.
    {"id": "a1", "question": "How many weeks of paid parental leave do employees get?",
     "files": ["leave/parental.md"], "key_facts": ["12 weeks", "18 weeks"], "answerable": True},
    {"id": "a2", "question": "How often are laptops refreshed?",
     "files": ["tools/laptops.md"], "key_facts": ["Every  four years"], "answerable": True},
    # Answerable, though no content word of it is in the corpus: found by meaning (MiniLM similarity).
    {"id": "a3", "question": "What's the daily food allowance when I go away?",
     "files": ["travel/per-diem.md"], "key_facts": ["59 dollars"], "answerable": True},
    {"id": "u1", "question": "What is the name of the office dog?", "files": [], "key_facts": [],
     "answerable": False},
    # Not in the corpus, but close enough to a passage that the extractive backend quotes it.
    {"id": "u2", "question": "How many weeks of paid sabbatical leave do employees get?", "files": [],
     "key_facts": [], "answerable": False},
]  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    for name, text in CORPUS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_questions(tmp_path: Path, questions: list[dict[str, object]]) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in questions) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("eval_answers", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_scores_answers_through_the_gate_and_leaves_nothing_behind(tmp_path, corpus, ingest):
    ingest("handbook.md", "# Sabbatical\n\nEmployees get 18 weeks of paid sabbatical leave after ten years.\n")
    users = User.objects.count()

    report = json.loads(run(str(write_questions(tmp_path, QUESTIONS)), "--corpus", str(corpus), "--json"))

    assert (report["answerable"], report["unanswerable"]) == (3, 2)
    assert report["cited_right_file"] == 1.0
    assert report["key_fact_rate"] == pytest.approx((0.5 + 1 + 1) / 3, abs=1e-4)
    assert report["false_not_found"] == 0.0
    assert report["unanswerable_handled"] == 0.5
    lines = {line["id"]: line for line in report["per_question"]}
    assert lines["a1"]["cited_files"] == ["leave/parental.md"]
    assert lines["a1"]["key_facts_found"] == ["12 weeks"] and lines["a1"]["failure"] == "fact_missed"
    assert lines["a2"]["key_facts_found"] == ["Every  four years"] and lines["a2"]["failure"] == ""
    assert (lines["a3"]["outcome"], lines["a3"]["cited_files"]) == ("answered", ["travel/per-diem.md"])
    assert lines["u1"]["outcome"] == "not_found" and lines["u1"]["failure"] == ""
    # The main collection's sabbatical document is not searched: the nearest passage is the parental leave one.
    assert lines["u2"]["cited_files"] == ["leave/parental.md"] and lines["u2"]["failure"] == "answered_unanswerable"
    assert report["failures"] == {"fact_missed": 1, "answered_unanswerable": 1}
    # The throwaway collection is gone, the main one untouched, and the asking left no audit row nor user.
    assert list(Document.objects.values_list("collection", "source_name")) == [(MAIN_COLLECTION, "handbook.md")]
    assert not Chunk.objects.exclude(document__collection=MAIN_COLLECTION).exists()
    assert AuditEvent.objects.count() == 0
    assert User.objects.count() == users


@pytest.mark.django_db
def test_without_json_it_prints_a_table(tmp_path, corpus):
    out = run(str(write_questions(tmp_path, QUESTIONS[1:2])), "--corpus", str(corpus))

    assert "a2 " in out and "1/1" in out
    assert "cited right file 1.0, key facts 1.0, false not-found 0.0 (of 1 answerable)" in out


@pytest.mark.django_db
def test_record_writes_the_passages_sent_which_the_replay_script_answers_from_alike(tmp_path, corpus):
    questions = write_questions(tmp_path, QUESTIONS[:2])
    recorded = tmp_path / "sent.jsonl"

    report = json.loads(run(str(questions), "--corpus", str(corpus), "--json", "--record", str(recorded)))

    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a1", "a2"]
    first = lines[0]["passages"][0]
    assert first["file"] == "leave/parental.md" and "12 weeks of paid parental leave" in first["text"]
    assert first["heading_path"].endswith("Parental leave") and first["n"] == 1
    assert lines[0]["injection"] is None  # nothing was flagged, so the screen did nothing
    # The replay answers from exactly those passages and scores as the command did.
    replay = subprocess.run(
        [sys.executable, "scripts/replay_answers.py", str(questions), str(recorded)],
        capture_output=True,
        text=True,
        check=True,
    )
    replayed = json.loads(replay.stdout.strip().splitlines()[-1])
    for figure in ("cited_right_file", "key_fact_rate", "false_not_found"):
        assert replayed[figure] == report[figure]


@pytest.mark.django_db
def test_record_with_a_variant_keeps_the_rewritten_questions_which_the_replay_answers_apart(tmp_path, corpus):
    questions = write_questions(tmp_path, QUESTIONS[:2])
    recorded = tmp_path / "sent.jsonl"

    report = json.loads(
        run(str(questions), "--corpus", str(corpus), "--json", "--variant", "typos", "--record", str(recorded))
    )

    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    as_written = [line for line in lines if "variant" not in line]
    typed = [line for line in lines if line.get("variant") == "typos"]
    assert [line["id"] for line in as_written] == [line["id"] for line in typed] == ["a1", "a2"]
    assert [line["question"] for line in typed] == [q["question"] for q in report["variants"]["typos"]["per_question"]]
    assert [line["question"] for line in typed] != [line["question"] for line in as_written]

    def replayed(*extra: str) -> dict:
        done = subprocess.run(
            [sys.executable, "scripts/replay_answers.py", str(questions), str(recorded), *extra],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    for figure in ("cited_right_file", "key_fact_rate", "false_not_found"):
        assert replayed()[figure] == report[figure]
        assert replayed("--variant", "typos")[figure] == report["variants"]["typos"][figure]


@pytest.mark.django_db
def test_a_question_naming_a_file_not_in_the_corpus_fails_and_drops_the_collection(tmp_path, corpus):
    questions = [{**QUESTIONS[0], "files": ["leave/missing.md"]}]

    with pytest.raises(CommandError, match="leave/missing.md"):
        run(str(write_questions(tmp_path, questions)), "--corpus", str(corpus), "--json")

    assert not Document.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_malformed_question_file_is_named(tmp_path, corpus):
    path = tmp_path / "questions.jsonl"
    path.write_text('{"id": "x"\n', encoding="utf-8")

    with pytest.raises(CommandError, match="questions.jsonl:1: not JSON"):
        run(str(path), "--corpus", str(corpus))


@pytest.mark.django_db
def test_variants_ask_every_question_again_as_people_type_it(tmp_path, corpus):
    questions = write_questions(tmp_path, QUESTIONS[:2])

    report = json.loads(
        run(str(questions), "--corpus", str(corpus), "--json", "--variant", "lower", "--variant", "typos")
    )

    assert set(report["variants"]) == {"lower", "typos"} and report["seed"] == 0
    lower = report["variants"]["lower"]
    assert [line["question"].rstrip("?") for line in lower["per_question"]] == [
        q["question"].lower().rstrip("?") for q in QUESTIONS[:2]
    ]
    for kind in ("lower", "typos"):
        figures = report["variants"][kind]
        assert figures["change"]["cited_right_file"] == pytest.approx(
            figures["cited_right_file"] - report["cited_right_file"], abs=1e-4
        )
    assert not Document.objects.exclude(collection=MAIN_COLLECTION).exists()


@pytest.mark.django_db
def test_an_unknown_variant_is_refused_before_anything_is_ingested(tmp_path, corpus):
    with pytest.raises(CommandError, match="invalid choice: 'shouting'"):
        run(str(write_questions(tmp_path, QUESTIONS[:1])), "--corpus", str(corpus), "--variant", "shouting")

    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_model_is_scored_by_its_citations_what_was_attributed_and_what_it_declined(tmp_path, corpus, onprem):
    # A model answering in turn: without citations, with one of a passage it was not given, and declining twice.
    onprem.enqueue(
        Script(text="Employees get 12 weeks of paid parental leave after 12 months of federal service."),
        Script(text="Laptops are refreshed every four years by the IT desk [1][6]."),
        Script(text="The documents do not say."),
        Script(text="The documents do not say."),
    )
    path = write_questions(tmp_path, [QUESTIONS[0], QUESTIONS[1], QUESTIONS[2], QUESTIONS[3]])

    report = json.loads(run(str(path), "--corpus", str(corpus), "--json"))

    lines = {line["id"]: line for line in report["per_question"]}
    assert lines["a1"]["attributed"] and lines["a1"]["cited_files"] == ["leave/parental.md"]
    assert lines["a2"]["citations_removed"] == 1 and lines["a2"]["cited_files"] == ["tools/laptops.md"]
    assert lines["a3"]["outcome"] == "not_found" and lines["u1"]["outcome"] == "not_found"
    assert (report["attributed_answers"], report["citations_removed"]) == (1, 1)
    assert report["unanswerable_handled"] == 1.0 and report["false_not_found"] == pytest.approx(1 / 3, abs=1e-4)


@pytest.mark.django_db
def test_a_seeded_sample_asks_the_same_few_questions_in_the_files_order(tmp_path, corpus):
    path = str(write_questions(tmp_path, QUESTIONS))

    first = json.loads(run(path, "--corpus", str(corpus), "--json", "--sample", "3", "--seed", "7"))
    again = json.loads(run(path, "--corpus", str(corpus), "--json", "--sample", "3", "--seed", "7"))

    ids = [line["id"] for line in first["per_question"]]
    assert len(ids) == 3 and ids == sorted(ids, key=[q["id"] for q in QUESTIONS].index)
    assert ids == [line["id"] for line in again["per_question"]]


@pytest.mark.django_db
def test_an_answer_set_becomes_a_beir_folder_with_the_lists_the_product_reads(tmp_path, corpus, monkeypatch):
    # scripts/answer_set_lists.py, run in this process so that it sees the test database.
    import importlib

    questions = write_questions(tmp_path, QUESTIONS)
    out = tmp_path / "beir"
    argv = ["answer_set_lists.py", str(questions), "--corpus", str(corpus), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    importlib.import_module("scripts.answer_set_lists").main()

    qrels = (out / "qrels" / "test.tsv").read_text().splitlines()
    assert qrels == [
        "query-id\tcorpus-id\tscore",
        "a1\tleave/parental.md\t1",
        "a2\ttools/laptops.md\t1",
        "a3\ttravel/per-diem.md\t1",
    ]
    rows = {row["query_id"]: row for row in map(json.loads, (out / "lists.jsonl").read_text().splitlines())}
    assert set(rows) == {"a1", "a2", "a3"}  # the unanswerable ones judge no file
    # Each list names the file of each chunk; the parental-leave question's keyword list leads with its file.
    assert rows["a1"]["keyword"][0][0] == "leave/parental.md"
    assert {file for file, _, _ in rows["a1"]["vector"]} == set(CORPUS)
    assert not Document.objects.exists()  # the throwaway collection is dropped


@pytest.mark.django_db
def test_an_answer_that_says_the_passages_may_not_answer_counts_as_answered_and_is_counted(tmp_path):
    folder = tmp_path / "travel"
    folder.mkdir()
    (folder / "travel.md").write_text(
        "# Travel\n\n## Meals on trips\n\nTravel meals are paid at a flat daily rate. Breakfast, lunch and dinner "
        "are covered on travel days at three quarters of the rate. Keep your boarding passes with the report.\n\n"
        "## Booking travel\n\nBook flights through the travel desk at least two weeks ahead. Economy class is the "
        "default for flights under eight hours. Hotels must be within the city's nightly cap.\n\n## Expense "
        "reports\n\nSubmit the expense report within ten business days of your return. Your manager approves it, "
        "and finance pays it into your bank account within a week.\n",
        encoding="utf-8",
    )
    question = {"id": "h1", "question": "when do I get my money back after a trip?", "files": ["travel.md"],
                "key_facts": ["within a week"], "answerable": True}  # fmt: skip

    report = json.loads(run(str(write_questions(tmp_path, [question])), "--corpus", str(folder), "--json"))

    (line,) = report["per_question"]
    assert line["hedged"] and line["outcome"] == "answered" and line["key_facts_found"] == ["within a week"]
    assert report["false_not_found"] == 0.0
    assert report["hedged"] == {"answerable": 1, "unanswerable": 0}


@pytest.mark.slow
def test_stopped_with_sigterm_midway_it_leaves_no_collection_and_no_test_employee(transactional_db, tmp_path, corpus):
    """A real child process on the test database, stopped with a plain `kill` once its collection is in the
    index: it leaves through its clean-up (before, SIGTERM ended it there and the collection stayed)."""
    many = [{**q, "id": f"{q['id']}-{i}"} for i in range(30) for q in QUESTIONS]  # seconds of asking
    child = subprocess.Popen(
        [sys.executable, "manage.py", "eval_answers", str(write_questions(tmp_path, many)), "--corpus", str(corpus),
         "--json"],
        cwd=settings.BASE_DIR, env={**os.environ, "SLUICE_DATABASE_NAME": connection.settings_dict["NAME"]},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not Document.objects.filter(collection__startswith="eval-").exists():
            assert child.poll() is None, child.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the child ingested nothing within 120 s"
            time.sleep(0.05)
        assert User.objects.filter(username__startswith="eval-answers-").exists()
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert child.returncode == 143, err[-2000:]
    assert "stopped by SIGTERM before the end" in err and out == ""
    assert not Document.objects.filter(collection__startswith="eval-").exists()
    assert not Chunk.objects.filter(document__collection__startswith="eval-").exists()
    assert not User.objects.filter(username__startswith="eval-answers-").exists()
