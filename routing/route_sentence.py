"""What the user reads about where their answer was written and why: the route line under an answer,
and the text of a refusal when every allowed target failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from routing.errors import ErrorKind
from routing.policy.decide import Decision, OnFailure, Target
from routing.runner import Attempt


class Run(Protocol):
    """What a finished run tells the route sentence (routing.runner.DecisionRun, routing.chat_run.ChatRun)."""

    decision: Decision
    answered_by: Target | None
    model: str
    attempts: list[Attempt]
    cache_hit: bool


# What the user reads when every target the Decision allows failed, by the rule's on_failure.
FAILED_TEXT = {
    OnFailure.FAIL_CLOSED: "No allowed model could answer, and the policy says to refuse rather than send it "
    "elsewhere. Try again later.",
    OnFailure.DEGRADE: "No allowed model could answer, and the policy has no on-prem fallback for this question. "
    "Try again later.",
    OnFailure.QUEUE: "No allowed model could answer. The policy queues such questions, but queueing is not "
    "available yet, so it was refused. Try again later.",
}


def answered_route(run: Run, *, cut_off: str) -> str:
    """One sentence for the user: where the answer was written, after what failed, and why there."""
    assert run.answered_by is not None
    target, decision = run.answered_by, run.decision
    sentence = f"Answered {target.zone.where} by {target.name} ({run.model})"
    others = [a for a in run.attempts if a.outcome != "ok" and a.target != target.name]
    if others:
        sentence += " after " + failures(others)
    clauses = []
    retried = [a.outcome for a in run.attempts if a.outcome != "ok" and a.target == target.name]
    if retried and not cut_off:
        clauses.append(f"on try {len(retried) + 1} (after {', '.join(retried)})")
    if run.cache_hit:
        clauses.append("reused from the response cache")
    sentence += "".join(f", {c}" for c in clauses)
    if cut_off:
        return sentence + f", but cut off: {cut_off}."
    if not decision.reasons:
        return sentence + "."
    return sentence + (", " if clauses else " ") + "because " + _sentence_tail(decision.reasons[0])


def failed_route(run: Run) -> str:
    """Why an answer was refused after every target the policy allows failed."""
    return (
        f"Refused: every target the policy allows failed ({failures(run.attempts) or 'none was up'}); "
        f"on failure the policy says {run.decision.on_failure}."
    )


def failures(attempts: Sequence[Attempt]) -> str:
    """'claude failed (server_error ×3), local failed (timeout)': failed tries by target, in order."""
    kinds: dict[str, Counter[str]] = {}
    for a in attempts:
        kinds.setdefault(a.target, Counter())[a.outcome] += 1
    return ", ".join(
        f"{target} not asked (too little evidence that the passages answer)"
        if set(counts) == {ErrorKind.NO_EVIDENCE}
        else f"{target} failed ({', '.join(k if n == 1 else f'{k} ×{n}' for k, n in counts.items())})"
        for target, counts in kinds.items()
    )


def _sentence_tail(reason: str) -> str:
    """A reason written as a sentence, to follow "because"."""
    reason = reason.rstrip(".") + "."
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason
