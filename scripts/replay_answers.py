"""The extractive answer replayed on recorded passages (docs/answer-quality.md), in seconds instead of a run.

Usage:
  python manage.py eval_answers QUESTIONS.jsonl --corpus DIR --json --record sent.jsonl
  python scripts/replay_answers.py QUESTIONS.jsonl sent.jsonl [--split tune|held|all] [--show]

`eval_answers --record` writes, for each question, the passages the gate sent to the backend. This
script builds the same Bundle from them, runs the extractive backend of the working tree on it with the
embedding model loaded in-process, and scores the answer with eval_answers' own functions
(routing.evaluation.score_answer and summarise). So a change to the backend is measured on
exactly the passages a real run sent; what retrieval sends is not replayed (run eval_answers for that).

--split: the halves of docs/answer-quality.md, sha256(id) mod 2 (0: tuning, 1: held out).
--show: prints each failing question's answer.
--dump FILE: writes each question's scored line, to compare two trees question by question.
--variant KIND: replays the questions as `eval_answers --variant KIND --record` asked them (typos, lower case, …);
without it, the questions as written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def half(question_id: str) -> str:
    return "tune" if int(hashlib.sha256(question_id.encode()).hexdigest(), 16) % 2 == 0 else "held"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("recorded", type=Path)
    parser.add_argument("--split", choices=["tune", "held", "all"], default="all")
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--dump", type=Path, help="write each question's scored line (JSON lines) to this file")
    parser.add_argument("--variant", help="replay the questions rewritten as this variant (recorded with --variant)")
    args = parser.parse_args()

    import django

    django.setup()
    from retrieval.embedders import get_embedder
    from routing.answer import GatedAnswer, SourcePassage
    from routing.backends.extractive import ExtractiveBackend
    from routing.evaluation import load_questions, recorded_bundle, score_answer, summarise
    from routing.policy.decide import Target, Zone

    # The in-process answer, as the default policy names it (GatedAnswer.hedged reads it).
    extractive = Target(name="extractive", zone=Zone.ONPREM, backend="extractive", tier="onprem")

    get_embedder().embed_batch(["warm up"])  # loads the model, as the first search does
    questions = {q.id: q for q in load_questions(args.questions)}
    backend = ExtractiveBackend()
    asked, lines = [], []
    for line in map(json.loads, args.recorded.read_text().splitlines()):
        if line.get("variant") != args.variant:
            continue
        question = questions[line["id"]]
        if args.split != "all" and half(question.id) != args.split:
            continue
        sent = line["passages"]
        text = "".join(backend.generate(recorded_bundle(line)))
        # Scored by eval_answers' own rules, on an answer shaped as the gate returns it.
        passages = [
            SourcePassage(
                chunk_id=p["chunk_id"], document_id=p["document_id"], title=p["title"], text=p["text"], classification=1
            )
            for p in sent
        ]
        answer = GatedAnswer(text=text, passages=passages, decision=None, answered_by=extractive, model="extractive")
        scored = score_answer(question, answer, {p["document_id"]: p["file"] for p in sent})
        asked.append(question)
        lines.append(scored)
        if args.show and scored["failure"]:
            missing = scored["key_facts_missing"]
            print(f"--- {question.id} {scored['failure']} {missing}\nQ: {question.question}\nA: {text}\n")
    if args.dump:
        args.dump.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = summarise(lines, asked)
    print(json.dumps({"split": args.split} | {k: v for k, v in report.items() if k not in ("attributed_answers",)}))


if __name__ == "__main__":
    main()
