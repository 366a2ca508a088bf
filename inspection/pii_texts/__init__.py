"""Seeded texts with labelled names and postal addresses, in Presidio's format, written for Sluice.

Each text is what an internal IT, HR or support assistant is asked or pasted: tickets, chat lines, e-mails
with signatures, forms, handovers, notes, exports. Names and addresses come from many countries (`draw`);
the text is built by concatenation, so every span's offsets are exact. Some templates hold no name or
address but words that look like one (products with versions, rooms, gates, steps, tools named like
people), so that precision is measured too.

The templates are split once, in code, into two pools. `tuning` may be looked at while rules are written;
`held_out` is written in other styles and for other errands (visitor logs, travel, legal holds, exports,
transcripts, other languages) and is only measured. Both were written before the name and address rules
they measure were read. A third pool, `fresh`, was written later by someone who had not read the rules,
after the other two had been looked at while tuning (see `fresh`'s docstring for its errands and seed).

    python -m inspection.pii_texts --pool held_out --seed 3 --n 600 > held-out.jsonl
    PYTHONHASHSEED=0 python -m inspection.pii_texts --pool fresh --seed 41 --n 600 > fresh-41.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from inspection.pii_texts import fresh, held_out, tuning
from inspection.pii_texts.draw import Draw, Piece, Pii, Templates

TUNING = "tuning"
HELD_OUT = "held_out"
FRESH = "fresh"
POOLS: dict[str, Templates] = {TUNING: tuning.TEMPLATES, HELD_OUT: held_out.TEMPLATES, FRESH: fresh.TEMPLATES}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    locale: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label, "locale": self.locale}


@dataclass(frozen=True)
class PiiText:
    text: str
    spans: tuple[Span, ...]
    template_id: str

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "spans": [s.as_dict() for s in self.spans], "template_id": self.template_id}


def assemble(pieces: Sequence[Piece], template_id: str = "") -> PiiText:
    """Join the pieces into one text, recording each `Pii` piece's offsets as a span."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for piece in pieces:
        value = piece.value if isinstance(piece, Pii) else piece
        if isinstance(piece, Pii):
            spans.append(Span(offset, offset + len(value), piece.label, piece.locale))
        parts.append(value)
        offset += len(value)
    return PiiText("".join(parts), tuple(spans), template_id)


def generate(seed: int, n: int, pool: str = TUNING) -> list[PiiText]:
    """n texts from the pool's templates, each used in turn in an order shuffled every round, so that all are
    about equally frequent. The same seed, n and pool give the same texts under the same Faker version (the
    lock pins it). Raises ValueError for an unknown pool."""
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}: use {TUNING!r}, {HELD_OUT!r} or {FRESH!r}")
    templates = POOLS[pool]
    rng = random.Random(seed)
    draw = Draw(rng)
    order: list[str] = []
    texts = []
    for _ in range(n):
        if not order:
            order = sorted(templates)
            rng.shuffle(order)
        template_id = order.pop()
        texts.append(assemble(templates[template_id](draw), template_id))
    return texts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m inspection.pii_texts",
        description="Write labelled texts (one JSON object a line, Presidio's format) for eval_redaction.",
    )
    parser.add_argument("--pool", choices=sorted(POOLS), default=TUNING, help="which templates to draw from")
    parser.add_argument("--seed", type=int, default=1, help="seed of the run (default 1)")
    parser.add_argument("--n", type=int, default=600, help="how many texts (default 600)")
    args = parser.parse_args(argv)
    for text in generate(args.seed, args.n, args.pool):
        sys.stdout.write(json.dumps(text.as_dict(), ensure_ascii=False) + "\n")
