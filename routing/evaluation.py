"""Answer quality on a folder of documents and a file of questions, asked through the real gate.

The folder goes into a throwaway collection (as retrieval.evaluation does), classified internal, and
is dropped afterwards, also on error. A test employee cleared for internal, in no group, asks every
question through routing.services.answer_question with whatever backends are configured (with none,
the extractive backend answers). Each question runs in its own transaction that is rolled back: the
gate's audit row, its counters and anything else it writes vanish, and the audit chain is left as it
was (deleting rows afterwards would break it). The test employee is deleted at the end.

Rules, per question:
- a file is cited when a citation of the answer points at a passage of the document ingested from it;
- a key fact is found when it appears in the answer's text, case and runs of whitespace ignored;
- the answer says "not in the documents" when the gate refused, the model said the passages do not
  answer, or nothing backs the answer: it cites nothing and no passage could be attributed to it (the
  audit's `refused` and `nothing_found` outcomes). Attributed passages count as cited (the page shows
  them as sources), and the report says how many answers were attributed and how many [n] removed.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.db import transaction

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from retrieval.management.commands.ingest import files_to_ingest, walk
from retrieval.models import Document
from retrieval.pipeline import ingest_stream
from retrieval.question_variants import KINDS, vary
from retrieval.services import drop_collection
from routing.answer import GatedAnswer
from routing.audit import outcome_of
from routing.backends.base import Bundle, ContextPassage
from routing.models import AuditEvent
from routing.services import answer_question

logger = logging.getLogger(__name__)

NOT_FOUND = "not_found"  # the answer says it is not in the documents: refused, or cites nothing


class AnswerEvalError(Exception):
    """The question file or the corpus folder is missing or malformed."""


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    files: tuple[str, ...]  # relative to the corpus folder
    key_facts: tuple[str, ...]
    answerable: bool


def load_questions(path: Path) -> list[EvalQuestion]:
    """One question a line: {"id", "question", "files", "key_facts", "answerable"}. Raises AnswerEvalError."""
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnswerEvalError(f"{path}: cannot read it ({exc.strerror})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(row["id"]),
                    question=str(row["question"]),
                    files=tuple(row.get("files") or ()),
                    key_facts=tuple(row.get("key_facts") or ()),
                    answerable=bool(row["answerable"]),
                )
            )
        except json.JSONDecodeError as exc:
            raise AnswerEvalError(f"{path}:{number}: not JSON ({exc.msg})") from None
        except (KeyError, TypeError) as exc:
            raise AnswerEvalError(f"{path}:{number}: needs id, question and answerable ({exc})") from None
    return questions


def ingest_folder(folder: Path, collection: str) -> tuple[dict[int, str], list[dict[str, str]]]:
    """Ingest every file under `folder` (named as `manage.py ingest` names them: relative paths) as
    internal, in no group, into `collection`. Returns document id -> file, and the files that failed."""
    found = walk([str(folder)])
    unreadable: list[tuple[Path, str]] = []
    files = files_to_ingest(
        found,
        classification=Classification.INTERNAL,
        group_names=[],
        unreadable=unreadable,
        collection=collection,
    )
    failed: list[dict[str, str]] = []
    for done, (path, result) in enumerate(ingest_stream(files), start=1):
        if isinstance(result, Exception):
            failed.append({"file": path.relative_to(folder).as_posix(), "error": str(result)})
        if done % 100 == 0:
            logger.info("Ingested %d/%d files", done, len(found))
    failed += [{"file": path.relative_to(folder).as_posix(), "error": error} for path, error in unreadable]
    documents = dict(Document.objects.filter(collection=collection).values_list("id", "source_name"))
    return documents, failed


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def says_not_found(answer: GatedAnswer) -> bool:
    """The answer says it is not in the documents: the gate refused, the model declined, or nothing
    backs the answer."""
    return answer.refused or answer.found_nothing


def score_answer(question: EvalQuestion, answer: GatedAnswer, documents: dict[int, str]) -> dict[str, Any]:
    """One question's line of the report."""
    text = _normalised(answer.text)
    cited = sorted({documents[c.document_id] for c in answer.citations if c.document_id in documents})
    sent = sorted({documents[p.document_id] for p in answer.passages if p.document_id in documents})
    found = [f for f in question.key_facts if _normalised(f) in text]
    not_found = says_not_found(answer)
    right_file = bool(set(cited) & set(question.files))
    if question.answerable:
        # The first failure that applies, in the order the answer is made.
        if not_found:
            failure = "not_found" if set(sent) & set(question.files) else "not_found_not_retrieved"
        elif not right_file:
            failure = "wrong_file"
        elif len(found) < len(question.key_facts):
            failure = "fact_missed"
        else:
            failure = ""
    else:
        failure = "" if not_found else "answered_unanswerable"
    return {
        "id": question.id,
        "question": question.question,
        "answerable": question.answerable,
        "answer": answer.text,
        "outcome": NOT_FOUND if not_found else str(outcome_of(answer)),
        "backend": answer.backend,  # the policy target that answered: a slow model's fallback shows here
        "cited_files": cited,
        "sent_files": sent,
        "expected_files": list(question.files),
        "cited_right_file": right_file if question.answerable else None,
        "key_facts_found": found,
        "key_facts_missing": [f for f in question.key_facts if f not in found],
        "attributed": bool(answer.attributed),  # only an answer that cites nothing is attributed
        "citations_removed": answer.citations_removed,
        # Answered, but saying first that the passages may not answer exactly (the extractive answer's caveat).
        "hedged": not not_found and answer.hedged,
        "failure": failure,
    }


def _fraction(count: float, total: int) -> float | None:
    return round(count / total, 4) if total else None


def summarise(lines: list[dict[str, Any]], questions: list[EvalQuestion]) -> dict[str, Any]:
    """The report's figures: fractions of the answerable questions, except unanswerable_handled (of the
    unanswerable ones). key_fact_rate is the mean, over answerable questions with key facts, of the
    share of their facts found."""
    answerable = [(q, line) for q, line in zip(questions, lines, strict=True) if q.answerable]
    unanswerable = [line for q, line in zip(questions, lines, strict=True) if not q.answerable]
    with_facts = [(q, line) for q, line in answerable if q.key_facts]
    handled = sum(line["outcome"] == NOT_FOUND for line in unanswerable)
    return {
        "cited_right_file": _fraction(sum(line["cited_right_file"] for _, line in answerable), len(answerable)),
        "key_fact_rate": _fraction(
            sum(len(line["key_facts_found"]) / len(q.key_facts) for q, line in with_facts), len(with_facts)
        ),
        "unanswerable_handled": _fraction(handled, len(unanswerable)),
        "false_not_found": _fraction(sum(line["outcome"] == NOT_FOUND for _, line in answerable), len(answerable)),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "attributed_answers": sum(line["attributed"] for line in lines),
        "citations_removed": sum(line["citations_removed"] for line in lines),
        # Of the answers counted as answered above, those that said the passages may not answer exactly.
        "hedged": {
            "answerable": sum(line["hedged"] for _, line in answerable),
            "unanswerable": sum(line["hedged"] for line in unanswerable),
        },
        "failures": dict(Counter(line["failure"] for line in lines if line["failure"])),
    }


def _ask_all(
    questions: list[EvalQuestion],
    asker: User,
    collection: str,
    documents: dict[int, str],
    record: list[dict[str, Any]] | None = None,
    variant: str | None = None,
) -> tuple[list[dict[str, Any]], set[str]]:
    """Every question through the gate, each in a transaction rolled back once its answer is scored.
    With `record`, each question's passages as sent are appended to it (`recorded_passages`), with the
    `variant` the questions were rewritten as, if any."""
    lines = []
    policy_versions = set()
    for question in questions:
        with transaction.atomic():
            answer = answer_question(question=question.question, acting_user=asker, collection=collection)
            # What the gate's screen did to passages flagged as injected instructions, from the audit row
            # before it is rolled back.
            screened = (
                AuditEvent.objects.get(id=answer.audit_id).decision.get("injection") if record is not None else None
            )
            transaction.set_rollback(True)
        if answer.decision is not None:
            policy_versions.add(answer.decision.policy_version)
        lines.append(score_answer(question, answer, documents))
        if record is not None:
            record.append(
                {"id": question.id, "question": question.question, "injection": screened}
                | ({"variant": variant} if variant else {})
                | recorded_passages(answer, documents)
            )
    return lines, policy_versions


def recorded_passages(answer: GatedAnswer, documents: dict[int, str]) -> dict[str, Any]:
    """The passages the gate sent for one answer, as `scripts/replay_answers.py` replays them: their text
    as retrieval gave it (the extractive backend is on-prem, so nothing was redacted for it)."""
    return {
        "passages": [
            {
                "n": n,
                "chunk_id": p.chunk_id,
                "document_id": p.document_id,
                "file": documents.get(p.document_id, ""),
                "title": p.title,
                "heading_path": p.heading_path,
                "text": p.text,
                "neighbour": p.neighbour,
                "flagged": p.flagged,
            }
            for n, p in enumerate(answer.passages, 1)
        ]
    }


def recorded_bundle(line: dict[str, Any]) -> Bundle:
    """The bundle the extractive backend was given, from one line `recorded_passages` wrote (with its question):
    what scripts/replay_answers.py and scripts/train_reader.py read a recording with."""
    return Bundle(
        question=line["question"],
        passages=tuple(
            ContextPassage(
                n=p["n"], chunk_id=p["chunk_id"], document_id=p["document_id"], title=p["title"], text=p["text"],
                neighbour=p["neighbour"], flagged=p["flagged"], heading=p["heading_path"],
            )
            for p in line["passages"]
        ),
    )  # fmt: skip


FIGURES = ("cited_right_file", "key_fact_rate", "unanswerable_handled", "false_not_found")


def evaluate_answers(
    questions: list[EvalQuestion],
    corpus: Path,
    *,
    variants: Sequence[str] = (),
    seed: int = 0,
    record: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Ingest `corpus` into a throwaway collection, ask every question as a throwaway employee, and
    measure. Each of `variants` (retrieval.question_variants.KINDS) asks every question again as people
    type it (lower case, typos, shorthand, chat), seeded with `seed`; the report gives its figures and
    their change from the questions as written. Nothing is left behind: the collection is dropped, the
    employee deleted, and each question's writes (its audit row among them) rolled back."""
    if not corpus.is_dir():
        raise AnswerEvalError(f"{corpus} is not a folder: give the corpus the questions' files are relative to")
    for kind in variants:
        if kind not in KINDS:
            raise AnswerEvalError(f"unknown variant {kind!r}: use one or more of {', '.join(KINDS)}")
    collection = f"eval-{uuid.uuid4().hex[:12]}"
    asker = User.objects.create(
        username=f"eval-answers-{uuid.uuid4().hex[:8]}", role=Role.EMPLOYEE, clearance=Classification.INTERNAL
    )
    try:
        started = time.perf_counter()
        documents, failed = ingest_folder(corpus, collection)
        ingest_seconds = time.perf_counter() - started
        missing = sorted({f for q in questions for f in q.files} - set(documents.values()))
        if missing:
            raise AnswerEvalError(f"files named by questions but not ingested from {corpus}: {', '.join(missing)}")
        started = time.perf_counter()
        lines, policy_versions = _ask_all(questions, asker, collection, documents, record)
        ask_seconds = time.perf_counter() - started
        report = summarise(lines, questions)
        varied: dict[str, Any] = {}
        for kind in variants:
            rewritten = [replace(q, question=vary(q.question, kind, seed=seed, key=q.id)) for q in questions]
            kind_lines, versions = _ask_all(rewritten, asker, collection, documents, record, variant=kind)
            policy_versions |= versions
            figures = summarise(kind_lines, rewritten)
            change = {
                name: round(figures[name] - report[name], 4)
                for name in FIGURES
                if figures[name] is not None and report[name] is not None
            }
            varied[kind] = figures | {"change": change, "per_question": kind_lines}
    finally:
        drop_collection(collection)
        asker.delete()
    extra: dict[str, Any] = {"variants": varied, "seed": seed} if variants else {}
    return (
        report
        | {
            "documents": len(documents),
            "failed_files": failed,
            "policy_versions": sorted(policy_versions),
            "ingest_s": round(ingest_seconds, 1),
            "ask_s_per_question": round(ask_seconds / len(questions), 3) if questions else None,
            "per_question": lines,
        }
        | extra
    )
