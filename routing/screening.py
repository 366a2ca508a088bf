"""What the policy does with passages flagged as holding instructions for a model, before anything is decided.

Every passage carries the injection detector's score (inspection.injection; stored at ingestion, or scored
live when its findings are stale). A passage is flagged when its score reaches the policy's
`injection.threshold` and no admin cleared it as a false alarm in the library. Then, as
`injection.action` says:

- drop: the passage is left out; the rest of its document is used;
- quarantine: every passage of its document is left out, and so is any passage of a document holding a
  flagged passage elsewhere (`quarantined`, read by the caller), until an admin clears the flags;
- mark: the passage is sent, `flagged`: the prompt tells the model so, and the extractive answer never
  quotes its sentences that carry an injection cue.

Whatever is kept is then decided on as usual: the data class comes from the passages kept. The result
says what was withheld or marked, for the reader's notice and for the audit row (scores and cue names
only, never the passage text). Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from routing.answer import SourcePassage
from routing.policy.decide import InjectionAction, InjectionHandling


@dataclass(frozen=True)
class Screened:
    """The passages the gate may use, in their order, and what the policy did to the flagged ones."""

    passages: list[SourcePassage]
    action: InjectionAction
    threshold: float
    withheld: tuple[SourcePassage, ...] = ()  # left out (drop, quarantine)
    marked: tuple[SourcePassage, ...] = ()  # sent flagged (mark)
    tell_user: str = ""

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader is told: the policy's sentence, when a passage was withheld or marked."""
        return (self.tell_user,) if self.withheld or self.marked else ()

    def audit_json(self) -> dict[str, Any] | None:
        """What the audit row keeps of it (None when nothing was flagged): the action and, for each
        passage handled, its chunk, document, score and cue names."""
        if not self.withheld and not self.marked:
            return None

        def row(passage: SourcePassage) -> dict[str, Any]:
            return {
                "chunk_id": passage.chunk_id,
                "document_id": passage.document_id,
                "score": passage.injection.score,
                "cues": list(passage.injection.cues),
                # Under quarantine, a passage may be held back for another passage of its document.
                "flagged": is_flagged(passage, self.threshold),
            }

        return {
            "action": str(self.action),
            "threshold": self.threshold,
            "withheld": [row(p) for p in self.withheld],
            "marked": [row(p) for p in self.marked],
        }


def is_flagged(passage: SourcePassage, threshold: float) -> bool:
    """Whether the passage counts as holding injected instructions: scored at or above `threshold`, not cleared."""
    return not passage.injection_cleared and passage.injection.score >= threshold


def screen_passages(
    passages: Sequence[SourcePassage], handling: InjectionHandling, *, quarantined: Collection[int] = ()
) -> Screened:
    """The passages the gate may use under `handling`. `quarantined`: ids of documents holding a flagged
    passage that is not among `passages` (only read under quarantine)."""
    flagged = [is_flagged(p, handling.threshold) for p in passages]
    common = {"action": handling.action, "threshold": handling.threshold, "tell_user": handling.tell_user}
    if not any(flagged) and not (handling.action == InjectionAction.QUARANTINE and quarantined):
        return Screened(passages=list(passages), **common)
    if handling.action == InjectionAction.MARK:
        kept = [replace(p, flagged=True) if f else p for p, f in zip(passages, flagged, strict=True)]
        return Screened(passages=kept, marked=tuple(p for p in kept if p.flagged), **common)
    if handling.action == InjectionAction.QUARANTINE:
        held = set(quarantined) | {p.document_id for p, f in zip(passages, flagged, strict=True) if f}
        out = [p.document_id in held for p in passages]
    else:
        out = flagged
    return Screened(
        passages=[p for p, o in zip(passages, out, strict=True) if not o],
        withheld=tuple(p for p, o in zip(passages, out, strict=True) if o),
        **common,
    )
