"""Train the injection classifier and write its weights to inspection/injection_model.json (docs/inspection.md).

Usage:
  python scripts/train_injection_classifier.py [--deepset ../shared/eval/injection/deepset-train.jsonl]
  python scripts/train_injection_classifier.py --check     # train again and compare with the shipped file

The data, named in the file it writes with SHA-256: the tuning half of deepset's prompt injections (halved by
`injection_texts.deepset_split`; the held-out half is never read into the fit) and the texts
`injection_texts` generates at the tuning seeds 1 and 2 (benign trigger-word texts, planted instructions and
their clean twins). The texts are embedded by the configured embedder (EMBEDDING_BACKEND), all-MiniLM-L6-v2;
the fit is deterministic, so the same vectors give the same weights.
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

import django  # noqa: E402

django.setup()

from inspection.evaluation import load_labelled_texts  # noqa: E402
from inspection.injection_model import WEIGHTS, texts_digest, train_classifier, training_texts  # noqa: E402
from inspection.injection_texts import TUNING_SEEDS  # noqa: E402
from retrieval.embedders import get_embedder  # noqa: E402

DEEPSET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "injection" / "deepset-train.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deepset", type=Path, default=DEEPSET, help="deepset's prompt injections, JSONL")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args()
    if not args.deepset.is_file():
        parser.error(f"{args.deepset} is not a file: give deepset's prompt injections with --deepset")

    texts = training_texts(load_labelled_texts(args.deepset))
    embedder = get_embedder()
    vectors = embedder.embed_batch([t.text for t in texts])
    weights = train_classifier(
        vectors,
        [t.label for t in texts],
        model_id=embedder.model_id,
        provenance={
            "deepset": args.deepset.name,
            "deepset_sha256": hashlib.sha256(args.deepset.read_bytes()).hexdigest(),
            "deepset_half": "tuning (injection_texts.deepset_split)",
            "generated_seeds": list(TUNING_SEEDS),
            "texts_sha256": texts_digest(texts),
            "embedder": type(embedder).__name__,
            "script": "scripts/train_injection_classifier.py",
        },
    )
    written = json.dumps(weights, indent=1, ensure_ascii=False) + "\n"
    if not args.check:
        args.out.write_text(written, encoding="utf-8")
        print(f"wrote {args.out}: {weights['training']['n']} texts, {weights['training']['positives']} injections")
        return 0
    shipped = json.loads(args.out.read_text(encoding="utf-8"))
    drift = max(abs(a - b) for a, b in zip(shipped["coefficients"], weights["coefficients"], strict=True))
    drift = max(drift, abs(shipped["intercept"] - weights["intercept"]))
    same_data = shipped["training"]["texts_sha256"] == weights["training"]["texts_sha256"]
    print(f"same training texts: {same_data}; largest weight difference: {drift:.2e}")
    return 0 if same_data and shipped == weights else 1


if __name__ == "__main__":
    sys.exit(main())
