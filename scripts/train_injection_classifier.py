"""Train the injection classifier and write its weights to inspection/injection_model.json (docs/inspection.md).

Usage:
  python scripts/train_injection_classifier.py            # writes inspection/injection_model.json
  python scripts/train_injection_classifier.py --check    # train again and compare with the shipped file

The data, named in the file it writes with SHA-256 (inspection/injection_corpus.py): the tuning halves of
deepset's prompt injections, PyRIT's jailbreak templates, the 18F handbook's paragraphs, SciFact's queries and
the typed prompts of inspection/injection_prompts.py, and the texts `injection_texts` generates at the tuning
seeds; beside it the sentence head, on sentences of the same tuning halves and the planted instructions of
inspection/injection_plants.py. PyRIT's wheel is fetched by pip (no dependencies, not installed) into
.data/training/ and checked by its SHA-256. The texts are embedded by the configured embedder
(EMBEDDING_BACKEND), all-MiniLM-L6-v2; the fit is deterministic, so the same vectors give
the same weights.
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

from django.conf import settings  # noqa: E402

from inspection.evaluation import load_labelled_texts  # noqa: E402
from inspection.injection_corpus import (  # noqa: E402
    PYRIT_WHEEL,
    SHARED_EVAL,
    fetch_wheel,
    handbook_files,
    sentence_sources,
    training_sources,
)
from inspection.injection_model import (  # noqa: E402
    WEIGHTS,
    strings_digest,
    texts_digest,
    train_classifier,
    train_sentence_head,
)
from inspection.injection_texts import TUNING_SEEDS  # noqa: E402
from retrieval.embedders import get_embedder  # noqa: E402


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=SHARED_EVAL, help="the shared evaluation data (../shared/eval)")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args()
    deepset = args.eval / "injection" / "deepset-train.jsonl"
    handbook = args.eval / "corpora" / "18f-handbook"
    scifact = args.eval / "beir" / "scifact" / "queries.jsonl"
    for path in (deepset, handbook, scifact):
        if not path.exists():
            parser.error(f"{path} is missing: give the shared evaluation data with --eval")
    wheel = fetch_wheel(Path(settings.DATA_DIR) / "training", PYRIT_WHEEL)

    sources = training_sources(load_labelled_texts(deepset), pyrit_wheel=wheel, handbook=handbook, scifact=scifact)
    texts = [t for part in sources.values() for t in part]
    embedder = get_embedder()
    vectors = embedder.embed_batch([t.text for t in texts])
    weights = train_classifier(
        vectors,
        [t.text for t in texts],
        [t.label for t in texts],
        model_id=embedder.model_id,
        provenance={
            "sources": {
                name: {"n": len(part), "positives": sum(t.label for t in part), "texts_sha256": texts_digest(part)}
                for name, part in sources.items()
            },
            "deepset_sha256": sha256(deepset),
            "pyrit_wheel": PYRIT_WHEEL,
            "pyrit_wheel_sha256": sha256(wheel),
            "handbook_files": len(handbook_files(handbook)),
            "scifact_sha256": sha256(scifact),
            "halves": "tuning (injection_corpus.half_of); the handbook halved by file",
            "generated_seeds": list(TUNING_SEEDS),
            "texts_sha256": texts_digest(texts),
            "embedder": type(embedder).__name__,
            "script": "scripts/train_injection_classifier.py",
        },
    )
    planted, ordinary = sentence_sources(sources)
    weights["sentences"] = train_sentence_head(
        planted,
        ordinary,
        provenance={
            "planted_sha256": strings_digest(planted),
            "ordinary_sha256": strings_digest(ordinary),
            "sources": "inspection.injection_corpus.sentence_sources: the tuning halves above and "
            "inspection/injection_plants.py",
        },
    )
    written = json.dumps(weights, indent=None, separators=(",", ":"), ensure_ascii=False) + "\n"
    if not args.check:
        args.out.write_text(written, encoding="utf-8")
        print(f"wrote {args.out}: {weights['training']['n']} texts, {weights['training']['positives']} injections")
        return 0
    shipped = json.loads(args.out.read_text(encoding="utf-8"))
    old = shipped["coefficients"] + shipped.get("gram_weights", [])
    old += shipped.get("sentences", {}).get("gram_weights", [])
    new = weights["coefficients"] + weights["gram_weights"] + weights["sentences"]["gram_weights"]
    drift = max(abs(a - b) for a, b in zip(old, new, strict=False)) if len(old) == len(new) else float("inf")
    drift = max(drift, abs(shipped["intercept"] - weights["intercept"]))
    same_data = shipped["training"]["texts_sha256"] == weights["training"]["texts_sha256"]
    print(f"same training texts: {same_data}; largest weight difference: {drift:.2e}")
    return 0 if same_data and shipped == weights else 1


if __name__ == "__main__":
    sys.exit(main())
