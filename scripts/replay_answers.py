"""The extractive answer replayed on recorded passages (docs/answer-quality.md), in seconds instead of a run.

Usage:
  python manage.py eval_answers QUESTIONS.jsonl --corpus DIR --json --record sent.jsonl
  python scripts/replay_answers.py QUESTIONS.jsonl sent.jsonl [--split tune|held|all] [--show]

`eval_answers --record` writes, for each question, the passages the gate sent to the backend. This
script builds the same Bundle from them, runs the extractive backend of the working tree on it with the
embedding model loaded in-process, and scores the answer by eval_answers' rules (a key fact counts when
its text is in the answer, ignoring case and runs of whitespace; a file when a [n] cites a passage of
it; "not in the documents" when the answer cites nothing). So a change to the backend is measured on
exactly the passages a real run sent; what retrieval sends is not replayed (run eval_answers for that).

--split: the halves of docs/answer-quality.md, sha256(id) mod 2 (0: tuning, 1: held out).
--show: prints each failing question's answer.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def half(question_id: str) -> str:
    return "tune" if int(hashlib.sha256(question_id.encode()).hexdigest(), 16) % 2 == 0 else "held"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("recorded", type=Path)
    parser.add_argument("--split", choices=["tune", "held", "all"], default="all")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from retrieval.embedders import get_embedder
    from routing.backends.base import Bundle, ContextPassage
    from routing.backends.extractive import ExtractiveBackend

    get_embedder().embed_batch(["warm up"])  # loads the model, as the first search does
    questions = {q["id"]: q for q in map(json.loads, args.questions.read_text().splitlines()) if q}
    backend = ExtractiveBackend()
    answerable = unanswerable = cited_right = handled = false_not_found = 0
    fact_shares: list[float] = []
    failures: dict[str, int] = {}
    for line in map(json.loads, args.recorded.read_text().splitlines()):
        q = questions[line["id"]]
        if args.split != "all" and half(q["id"]) != args.split:
            continue
        passages = tuple(
            ContextPassage(
                n=p["n"],
                chunk_id=p["chunk_id"],
                document_id=p["document_id"],
                title=p["title"],
                text=p["text"],
                neighbour=p["neighbour"],
                flagged=p["flagged"],
                heading=p["heading_path"],
            )
            for p in line["passages"]
        )
        files = {p["n"]: p["file"] for p in line["passages"]}
        text = "".join(backend.generate(Bundle(question=line["question"], passages=passages)))
        cited = {files[n] for n in files if f"[{n}]" in text}
        not_found = not cited
        failure = ""
        if q["answerable"]:
            answerable += 1
            found = [f for f in q["key_facts"] if _normalised(f) in _normalised(text)]
            if q["key_facts"]:
                fact_shares.append(len(found) / len(q["key_facts"]))
            right = bool(cited & set(q["files"]))
            cited_right += right
            false_not_found += not_found
            if not_found:
                failure = "not_found" if set(files.values()) & set(q["files"]) else "not_found_not_retrieved"
            elif not right:
                failure = "wrong_file"
            elif len(found) < len(q["key_facts"]):
                failure = "fact_missed: " + "; ".join(f for f in q["key_facts"] if f not in found)
        else:
            unanswerable += 1
            handled += not_found
            failure = "" if not_found else "answered_unanswerable"
        if failure:
            failures[failure.split(":")[0]] = failures.get(failure.split(":")[0], 0) + 1
            if args.show:
                print(f"--- {q['id']} {failure}\nQ: {q['question']}\nA: {text}\n")
    report = {
        "split": args.split,
        "cited_right_file": round(cited_right / answerable, 4) if answerable else None,
        "key_fact_rate": round(sum(fact_shares) / len(fact_shares), 4) if fact_shares else None,
        "unanswerable_handled": round(handled / unanswerable, 4) if unanswerable else None,
        "false_not_found": round(false_not_found / answerable, 4) if answerable else None,
        "answerable": answerable,
        "unanswerable": unanswerable,
        "failures": failures,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
