from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retrieval.question_variants import KINDS
from retrieval.stopping import STOPPED_EXIT_CODE, Stopped, stops_cleanly
from routing.evaluation import AnswerEvalError, evaluate_answers, load_questions


class Command(BaseCommand):
    help = (
        "Measure answers through the gate: ingest a corpus folder into a throwaway collection, ask every question "
        "of a JSONL file as a test employee cleared for internal, and score cited files, key facts and "
        "'not in the documents' (docs/answer-quality.md). Nothing is left behind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help='JSONL: {"id", "question", "files", "key_facts", "answerable"} a line')
        parser.add_argument("--corpus", required=True, help="folder of documents the questions' files are relative to")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        parser.add_argument(
            "--variant",
            action="append",
            choices=KINDS,
            default=[],
            help="also ask every question rewritten as people type it (repeat for several): "
            "lower case, typos, shorthand, chat-style; the report gives each one's figures and change",
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=0,
            help="ask only this many questions, drawn at random with --seed (for a slow model); 0: all",
        )
        parser.add_argument(
            "--record",
            metavar="FILE",
            help="also write each question's passages as sent (JSONL; with --variant, the rewritten questions' "
            "too) for scripts/replay_answers.py",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="seed of --sample's draw and of the --variant rewrites (default 0)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file: give a JSONL file of questions")
        try:
            questions = load_questions(path)
            if not questions:
                raise CommandError(f"{path} holds no questions")
            if options["sample"] < 0:
                raise CommandError("--sample must be 0 (all questions) or more")
            if 0 < options["sample"] < len(questions):
                # In the file's order: the report reads like a full run's, with lines missing.
                drawn = set(random.Random(options["seed"]).sample(range(len(questions)), options["sample"]))
                questions = [q for i, q in enumerate(questions) if i in drawn]
            record: list[dict[str, Any]] | None = [] if options["record"] else None
            with stops_cleanly():
                report = evaluate_answers(
                    questions, Path(options["corpus"]), variants=options["variant"], seed=options["seed"], record=record
                )
        except AnswerEvalError as exc:
            raise CommandError(str(exc)) from None
        except Stopped:
            raise CommandError(
                "stopped by SIGTERM before the end: no figures; the throwaway collection and test employee were "
                "removed. Run it again to measure.",
                returncode=STOPPED_EXIT_CODE,
            ) from None
        if record is not None:
            Path(options["record"]).write_text("".join(json.dumps(line) + "\n" for line in record))
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{'id':10} {'outcome':14} {'file':5} {'facts':6} failure")
        for line in report["per_question"]:
            right = {True: "yes", False: "no", None: "-"}[line["cited_right_file"]]
            found = len(line["key_facts_found"])
            facts = f"{found}/{found + len(line['key_facts_missing'])}"
            self.stdout.write(f"{line['id']:10} {line['outcome']:14} {right:5} {facts:6} {line['failure']}")
        self.stdout.write(
            f"cited right file {report['cited_right_file']}, key facts {report['key_fact_rate']}, "
            f"false not-found {report['false_not_found']} (of {report['answerable']} answerable); "
            f"unanswerable handled {report['unanswerable_handled']} (of {report['unanswerable']}); "
            f"answered with the caveat that the passages may not answer: {report['hedged']['answerable']} "
            f"answerable, {report['hedged']['unanswerable']} unanswerable"
        )
        for kind, figures in report.get("variants", {}).items():
            change = ", ".join(f"{name} {delta:+}" for name, delta in figures["change"].items())
            self.stdout.write(f"{kind}: {change}")
