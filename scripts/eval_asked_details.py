"""How the rule of routing/backends/asked_details.py does on question/sentence pairs, without a corpus or a run.

Usage: python scripts/eval_asked_details.py PAIRS.jsonl [--show]

Each line is {"id", "question", "sentence", "answers"}: `answers` says whether the sentence states what the
question asks. A pair that answers and is refused (`missing_detail` names a detail) is a false refusal; a pair
that does not answer and is refused is caught. Prints the counts as JSON; --show prints each false refusal and
each pair not caught.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()

    from routing.backends.asked_details import missing_detail

    answering = refused = not_answering = caught = 0
    for line in args.pairs.read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        missing = missing_detail(pair["question"], [pair["sentence"]])
        if pair["answers"]:
            answering += 1
            refused += bool(missing)
        else:
            not_answering += 1
            caught += bool(missing)
        if args.show and bool(missing) == pair["answers"]:
            label = f"refused ({missing})" if missing else "not caught"
            print(f"{pair['id']} {label}: {pair['question']} / {pair['sentence']}")
    print(json.dumps({
        "answering": answering, "falsely_refused": refused,
        "not_answering": not_answering, "caught": caught,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
