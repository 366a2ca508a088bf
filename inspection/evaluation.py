"""Measure inspection against labelled data: Presidio-style PII spans and CredSweeper-style secret lines.

The scoring functions are pure (records in, report out); the `load_` functions and `evaluate_secrets_dir`
read files.
"""

from __future__ import annotations

import bisect
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspection import inspect_text
from inspection.findings import Finding

Inspector = Callable[[str], Sequence[Finding]]

# Presidio's labels → our kinds. Places (GPE, LOCATION) and postcodes are parts of an address;
# labels with no kind of ours (ORGANIZATION, DATE_TIME, TITLE, NRP, AGE, DOMAIN_NAME, US_DRIVER_LICENSE …)
# are listed as unmapped with their support and left out of the micro average.
LABEL_TO_KIND: dict[str, str] = {
    "EMAIL_ADDRESS": "email",
    "EMAIL": "email",
    "PHONE_NUMBER": "phone",
    "CREDIT_CARD": "payment_card",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "IP_ADDRESS": "ip_address",
    "PERSON": "person",
    "STREET_ADDRESS": "address",
    "ADDRESS": "address",
    "LOCATION": "address",
    "GPE": "address",
    "ZIP_CODE": "address",
}


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 with the counts behind them."""

    precision: float
    recall: float
    f1: float
    support: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
        }


def _score(tp_found: int, support: int, tp_findings: int, findings: int) -> Score:
    recall = tp_found / support if support else 0.0
    precision = tp_findings / findings if findings else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, support)


def _numbered_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg}); write one JSON object a line") from exc


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read one JSON object per non-empty line. Raises ValueError naming the line that is not JSON."""
    return [record for _, record in _numbered_jsonl(path)]


def load_labelled_texts(path: Path) -> list[dict[str, Any]]:
    """The {text, label} records of a JSONL file (label 1: holds an injected instruction, else 0), for
    `evaluate_injection`. Raises ValueError naming the first bad line, what is wrong with it and how to
    write it."""
    records = []
    for number, record in _numbered_jsonl(path):
        problem = _labelled_text_problem(record)
        if problem:
            raise ValueError(f'{path}:{number}: {problem}; write the line as {{"text": "...", "label": 0 or 1}}')
        records.append(record)
    if not records:
        raise ValueError(f'{path}: no labelled texts; write one {{"text": "...", "label": 0 or 1}} a line')
    return records


def _labelled_text_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [f"'{key}'" for key in ("text", "label") if key not in record]
    if missing:
        return "it has no " + " and no ".join(missing)
    if not isinstance(record["text"], str):
        return "its 'text' is not a string"
    if record["label"] not in (0, 1):
        return f"its 'label' is {json.dumps(record['label'])}, not 0 or 1"
    return None


def evaluate_pii(
    records: Iterable[dict[str, Any]],
    *,
    inspector: Inspector = inspect_text,
    label_to_kind: dict[str, str] = LABEL_TO_KIND,
) -> dict[str, Any]:
    """Score `inspector` on records `{"text", "spans": [{"start", "end", "label"}]}`.

    A labelled span is found when a finding of its mapped kind overlaps it. A finding is a true positive
    when it overlaps a span whose label maps to the finding's kind; a label's precision is that of its
    kind. Findings of kinds no label maps to (e.g. `secret` on this data) are counted but not scored.
    """
    found: Counter[str] = Counter()
    support: Counter[str] = Counter()
    kind_tp: Counter[str] = Counter()
    kind_total: Counter[str] = Counter()
    unscored: Counter[str] = Counter()
    scored_kinds = set(label_to_kind.values())
    texts = 0
    elapsed = 0.0
    for record in records:
        text = record["text"]
        spans = record.get("spans", [])
        started = time.perf_counter()
        findings = inspector(text)
        elapsed += time.perf_counter() - started
        texts += 1
        for span in spans:
            label = span["label"]
            support[label] += 1
            kind = label_to_kind.get(label)
            if kind and any(f.kind == kind and f.start < span["end"] and span["start"] < f.end for f in findings):
                found[label] += 1
        for f in findings:
            if f.kind not in scored_kinds:
                unscored[f.kind] += 1
                continue
            kind_total[f.kind] += 1
            if any(
                label_to_kind.get(s["label"]) == f.kind and f.start < s["end"] and s["start"] < f.end for s in spans
            ):
                kind_tp[f.kind] += 1

    per_label = {}
    unmapped = {}
    for label in sorted(support):
        kind = label_to_kind.get(label)
        if kind is None:
            unmapped[label] = support[label]
            continue
        per_label[label] = _score(found[label], support[label], kind_tp[kind], kind_total[kind]).as_dict()
    mapped_support = sum(n for label, n in support.items() if label in label_to_kind)
    mapped_found = sum(n for label, n in found.items() if label in label_to_kind)
    micro = _score(mapped_found, mapped_support, sum(kind_tp.values()), sum(kind_total.values()))
    per_kind = {kind: {"findings": kind_total[kind], "true_positives": kind_tp[kind]} for kind in sorted(kind_total)}
    return {
        "per_label": per_label,
        "micro": micro.as_dict(),
        "texts": texts,
        "texts_per_s": round(texts / elapsed, 1) if elapsed else 0.0,
        "mapping": {label: label_to_kind[label] for label in sorted(support) if label in label_to_kind},
        "unmapped": unmapped,
        "per_kind": per_kind,
        "unscored_findings": dict(unscored),
    }


def detected_lines(text: str, findings: Iterable[Finding], *, kind: str = "secret") -> set[int]:
    """1-based numbers of the lines (split on "\\n") that a finding of `kind` touches; an empty line counts
    when a finding spans across it (a blank line inside a private-key block)."""
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    lines: set[int] = set()
    for f in findings:
        if f.kind != kind or f.end <= f.start:
            continue
        first = bisect.bisect_right(starts, f.start)
        last = bisect.bisect_right(starts, f.end - 1)
        lines.update(range(first, last + 1))
    return lines


def evaluate_secret_files(
    files: dict[str, str],
    labelled: set[tuple[str, int]],
    *,
    inspector: Inspector = inspect_text,
    details: bool = False,
) -> dict[str, Any]:
    """Line-level recall and precision of `secret` findings over `files` (name → text) against `labelled`
    (name, 1-based line) pairs. A line counts as detected when a secret finding overlaps it."""
    detected: set[tuple[str, int]] = set()
    lines = 0
    elapsed = 0.0
    for name, text in files.items():
        started = time.perf_counter()
        findings = inspector(text)
        elapsed += time.perf_counter() - started
        lines += text.count("\n") + 1
        detected |= {(name, n) for n in detected_lines(text, findings)}
    labelled = {pair for pair in labelled if pair[0] in files}
    hits = detected & labelled
    score = _score(len(hits), len(labelled), len(hits), len(detected))
    report: dict[str, Any] = {
        "recall": round(score.recall, 4),
        "precision": round(score.precision, 4),
        "f1": round(score.f1, 4),
        "labelled_lines": len(labelled),
        "detected_lines": len(detected),
        "true_positive_lines": len(hits),
        "files": len(files),
        "lines": lines,
        "texts_per_s": round(len(files) / elapsed, 1) if elapsed else 0.0,
        "lines_per_s": round(lines / elapsed, 1) if elapsed else 0.0,
    }
    if details:
        report["false_negatives"] = [f"{name}:{n}" for name, n in sorted(labelled - detected)]
        report["false_positives"] = [f"{name}:{n}" for name, n in sorted(detected - labelled)]
    return report


def load_secret_labels(path: Path) -> tuple[set[tuple[str, int]], dict[tuple[str, int], set[str]]]:
    """Labelled (file, line) pairs from a CredSweeper `labels_text_files.jsonl`, and the rules per line."""
    labelled: set[tuple[str, int]] = set()
    rules: dict[tuple[str, int], set[str]] = defaultdict(set)
    for record in load_jsonl(path):
        pair = (str(record["file"]), int(record["line_num"]))
        labelled.add(pair)
        rules[pair].add(str(record.get("rule", "")))
    return labelled, dict(rules)


def evaluate_secrets_dir(
    directory: Path, *, inspector: Inspector = inspect_text, details: bool = False
) -> dict[str, Any]:
    """Evaluate on a CredSweeper-style folder: `samples/` plus `labels_text_files.jsonl`.

    Files are read as UTF-8 with undecodable bytes replaced, as a question pasted in the UI would be.
    Raises FileNotFoundError when the folder lacks either part.
    """
    samples = directory / "samples"
    labels_path = directory / "labels_text_files.jsonl"
    if not samples.is_dir() or not labels_path.is_file():
        raise FileNotFoundError(f"{directory} needs samples/ and labels_text_files.jsonl")
    labelled, rules = load_secret_labels(labels_path)
    files = {}
    skipped = []
    for path in sorted(samples.iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\x00" in data:
            # The labels cover text files only (labels_text_files.jsonl); archives and other binaries are out.
            skipped.append(path.name)
            continue
        files[path.name] = data.decode("utf-8", errors="replace")
    report = evaluate_secret_files(files, labelled, inspector=inspector, details=details)
    report["skipped_binary_files"] = skipped
    if details:
        per_rule_total: Counter[str] = Counter()
        per_rule_hit: Counter[str] = Counter()
        missed = set(report["false_negatives"])
        for pair, names in rules.items():
            if pair[0] not in files:
                continue
            for rule in names:
                per_rule_total[rule] += 1
                if f"{pair[0]}:{pair[1]}" not in missed:
                    per_rule_hit[rule] += 1
        report["per_rule_recall"] = {
            rule: f"{per_rule_hit[rule]}/{total}" for rule, total in per_rule_total.most_common()
        }
    return report


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random negative, ties
    counting half (the Mann-Whitney statistic). 0.5 when one class is missing."""
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return 0.5
    # Rank all scores once, giving tied scores their average rank.
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    positive_rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def binary_report(scores: Sequence[float], labels: Sequence[int], *, threshold: float) -> dict[str, Any]:
    """Precision, recall, F1, false-positive rate (flagged ≥ threshold) and AUC of scores against 0/1 labels."""
    flagged = [s >= threshold for s in scores]
    tp = sum(1 for f, y in zip(flagged, labels, strict=True) if f and y)
    fp = sum(1 for f, y in zip(flagged, labels, strict=True) if f and not y)
    positives = sum(1 for y in labels if y)
    negatives = len(labels) - positives
    score = _score(tp, positives, tp, tp + fp).as_dict()
    return {
        "n": len(labels),
        "precision": score["precision"],
        "recall": score["recall"],
        "f1": score["f1"],
        "fpr": round(fp / negatives, 4) if negatives else 0.0,
        "auc": round(roc_auc(scores, labels), 4),
        "threshold": threshold,
    }


def evaluate_injection(
    records: Sequence[dict[str, Any]], *, score: Callable[[str], float], threshold: float
) -> dict[str, Any]:
    """Score each {text, label} record (label 1: holds an injected instruction) and report `binary_report`'s
    figures with the throughput."""
    texts = [str(r["text"]) for r in records]
    labels = [1 if r["label"] else 0 for r in records]
    started = time.perf_counter()
    scores = [score(text) for text in texts]
    elapsed = time.perf_counter() - started
    report = binary_report(scores, labels, threshold=threshold)
    report["texts_per_s"] = round(len(texts) / elapsed, 1) if elapsed else 0.0
    return report
