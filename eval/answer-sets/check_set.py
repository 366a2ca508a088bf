"""Check an answer set against its corpus: `python3 eval/answer-sets/check_set.py FOLDER [FOLDER ...]`.

FOLDER holds questions.jsonl (eval_answers' format) and corpus/. Each line must be valid JSON with a unique id;
an answerable question lists files that exist under corpus/ and key facts each found (ignoring case) in one of
them; an unanswerable one lists neither. Prints OK or the problems, and exits non-zero on any problem.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def problems(folder: Path) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    lines = (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            question = json.loads(line)
        except json.JSONDecodeError as error:
            found.append(f"line {number}: not JSON ({error})")
            continue
        name = question.get("id", f"line {number}")
        if name in seen:
            found.append(f"{name}: id used twice")
        seen.add(name)
        files, facts = question.get("files", []), question.get("key_facts", [])
        if not question.get("answerable"):
            if files or facts:
                found.append(f"{name}: unanswerable but lists files or key facts")
            continue
        if not files or not facts:
            found.append(f"{name}: answerable but lists no files or no key facts")
        texts = []
        for file in files:
            path = folder / "corpus" / file
            if path.is_file():
                texts.append(path.read_text(encoding="utf-8").lower())
            else:
                found.append(f"{name}: no file corpus/{file}")
        found += [
            f"{name}: key fact {fact!r} in none of its files"
            for fact in facts
            if not any(fact.lower() in t for t in texts)
        ]
    return found


def main() -> int:
    failed = False
    for folder in map(Path, sys.argv[1:]):
        found = problems(folder)
        print(f"{folder}: " + ("OK" if not found else "\n  " + "\n  ".join(found)))
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
