"""Running a Decision: its targets in order, each with retries and its circuit breaker, the answer
restored as it streams.

A run is iterated for events: Delta (restored answer text, as it arrives)
and Restart (what was shown so far is withdrawn: the target stopped mid-answer
and the answer is being written again). Once the events are exhausted, the
run's attributes hold the outcome. Fallbacks never widen locality: only the
targets the Decision lists are tried.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pybreaker

from retrieval.errors import EmbedderUnavailable
from routing import metrics, resilience
from routing.backends.base import Bundle, ChatBackend, Generation, Usage, build_prompt
from routing.backends.extractive import passages_answer
from routing.errors import BackendError, EgressBlocked, ErrorKind
from routing.grounding import CitationFilter
from routing.redaction import StreamRestorer, Vault

if TYPE_CHECKING:
    from inspection import CustomPattern
    from routing.policy.decide import Decision, Target

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Restart:
    """The text shown so far is withdrawn; `reason` says why, for the user."""

    reason: str


@dataclass(frozen=True)
class Attempt:
    """One call to one target (a retry is another Attempt), as the audit records it."""

    target: str
    zone: str
    model: str
    outcome: str  # "ok", "cache_hit" or the error kind
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    usage_estimated: bool = False  # the server never reported usage (a broken or abandoned stream)
    citations_removed: int = 0  # [n] the model wrote for passages it was not given (taken out of the text)


@dataclass
class DecisionRun:
    """One Decision being carried out. Iterate it for Delta and Restart events, then read the outcome:

    `answered_by` is the target whose answer `text` is (None when every target
    failed); `cut_off` says why, when the answer stopped mid-way and no other
    target could write it again (the partial `text` is then kept and marked).
    """

    bundle: Bundle
    decision: Decision
    vault: Vault
    custom: Sequence[CustomPattern] = ()
    sleep: Callable[[float], None] | None = None  # tests pass a recorder
    text: str = ""
    model_text: str = ""  # the answer as the model wrote it, placeholders not restored (what the cache keeps)
    answered_by: Target | None = None
    model: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    cut_off: str = ""
    cache_hit: bool = False  # set by the gate when the answer came from the response cache
    # Called before each call to a target, once its circuit lets the call through: the dispatch record of a
    # target outside on-prem is committed there (routing.dispatch.DispatchLog).
    before_call: Callable[[Target], None] | None = None
    # What on-prem targets read instead of `bundle`, when the gate made one: the passages unredacted (nothing
    # leaves), so that the on-prem model and the extractive answer read what the asker may read.
    onprem_bundle: Bundle | None = None
    # What the in-process extractive answer reads, when it differs from `onprem_bundle`: with the passages the
    # policy dropped as injected instructions after the others, flagged (routing.services._extractive_bundle).
    in_process_bundle: Bundle | None = None

    def bundle_for(self, target: Target) -> Bundle:
        if self.in_process_bundle is not None and target.in_process:
            return self.in_process_bundle
        if self.onprem_bundle is not None and target.zone == "onprem":
            return self.onprem_bundle
        return self.bundle

    def __iter__(self) -> Iterator[Delta | Restart]:
        partial: tuple[Target, str, str] | None = None  # (target, text, model) of the last answer cut mid-way
        no_evidence = False
        for target in self.decision.targets:
            if no_evidence and not target.in_process:
                # The passages hold no answer: no other model is asked to write one (a later target may be
                # less local, the cloud after `local`); the in-process extractive answer says so.
                continue
            backend = resilience.backend_for(target, policy_version=self.decision.policy_version, custom=self.custom)
            try:
                for attempt in resilience.retrying(target, sleep=self.sleep):
                    with attempt:
                        shown: list[str] = []
                        try:
                            yield from self._try(target, backend, shown)
                        except BackendError as exc:
                            if shown:
                                partial = (target, "".join(shown), backend.model)
                                metrics.RESTARTS.labels(target=target.name).inc()
                                yield Restart(
                                    f"{target.name} stopped mid-answer ({exc.kind}). The answer is being written again."
                                )
                            raise
            except BackendError as exc:
                logger.warning("Target %s failed: %s", target.name, exc.kind)
                no_evidence = no_evidence or exc.kind == ErrorKind.NO_EVIDENCE
                continue
            return
        if partial is not None:
            target, text, model = partial
            self.cut_off = "the model stopped mid-answer and no allowed target could write it again"
            self.answered_by, self.model = target, model
            self.text = text + "\n\n[The answer was cut off here: the model stopped mid-answer.]"

    def _try(self, target: Target, backend: ChatBackend, shown: list[str]) -> Iterator[Delta]:
        """One call: stream, check citations, restore, record the Attempt. Raises BackendError after
        recording it.

        Citations are checked before anything is shown (routing.grounding.CitationFilter): a [n] of a
        passage that was not sent never reaches the reader, at the cost of holding back a few
        characters that may still turn into one.
        """
        began = time.perf_counter()
        bundle = self.bundle_for(target)
        citations = CitationFilter(len(bundle.passages), check=not backend.writes_its_citations)
        restorer = StreamRestorer(self.vault)
        generation: Generation | None = None
        written: list[str] = []
        checked: list[str] = []
        try:
            # Before the breaker: a bundle the egress guard refuses is this request's fault, not the backend's;
            # so are passages that hold no answer, for a target the policy asks only when they do.
            backend.preflight(bundle)
            if target.requires_evidence and not _passages_answer(bundle):
                raise BackendError(
                    f"{target.name}: not asked, too little evidence that the passages answer",
                    kind=ErrorKind.NO_EVIDENCE,
                )
            with resilience.breaker(target.name).calling():
                if self.before_call is not None:
                    self.before_call(target)
                with backend.stream(bundle) as generation:
                    for delta in generation:
                        written.append(delta)
                        checked.append(citations.feed(delta))
                        text = restorer.feed(checked[-1])
                        if text:
                            shown.append(text)
                            yield Delta(text)
            checked.append(citations.flush())
            tail = restorer.feed(checked[-1]) + restorer.flush()
            if tail:
                shown.append(tail)
                yield Delta(tail)
        except pybreaker.CircuitBreakerError:
            error = BackendError(f"{target.name}: circuit open", kind=ErrorKind.CIRCUIT_OPEN)
            self._record(target, backend, generation, "circuit_open", began, written)
            raise error from None
        except GeneratorExit:
            # The reader left mid-answer: the call happened, so it is recorded with what was shown.
            self._record(target, backend, generation, "abandoned", began, written)
            self.text, self.answered_by, self.model = "".join(shown), target, backend.model
            self.cut_off = "the reader left before the answer was finished"
            raise
        except BackendError as exc:
            if isinstance(exc, EgressBlocked):
                metrics.EGRESS_BLOCKS.labels(target=target.name).inc()
            self._record(target, backend, generation, str(exc.kind), began, written)
            raise
        assert generation is not None
        self._record(target, backend, generation, "ok", began, written, citations_removed=citations.removed)
        self.text, self.answered_by, self.model = "".join(shown), target, generation.model
        self.model_text = "".join(checked)

    def _record(
        self,
        target: Target,
        backend: ChatBackend,
        generation: Generation | None,
        outcome: str,
        began: float,
        written: list[str],
        *,
        citations_removed: int = 0,
    ) -> None:
        """The Attempt, with the usage the server reported; for a stream that broke or was left
        after text came, an estimate (the provider bills what it read and wrote)."""
        usage, estimated = generation.usage if generation else None, False
        if usage is None and written:
            usage, estimated = estimate_usage(self.bundle_for(target), "".join(written)), True
        self.attempts.append(
            attempt_of(target, backend, generation, outcome, began, usage, estimated, citations_removed)
        )


def _passages_answer(bundle: Bundle) -> bool:
    """passages_answer, or True when the check itself cannot run (the embedding service is down): the check
    keeps a small model from inventing an answer, it is no reason to refuse one."""
    try:
        return passages_answer(bundle)
    except EmbedderUnavailable:
        logger.warning("The evidence check could not embed the passages; the target is asked without it")
        return True


def attempt_of(
    target: Target,
    backend: ChatBackend,
    generation: Generation | None,
    outcome: str,
    began: float,
    usage: Usage | None,
    estimated: bool,
    citations_removed: int = 0,
) -> Attempt:
    """One call as the audit records it: the model the server reported, how long since `began`, what it cost."""
    return Attempt(
        target.name,
        str(target.zone),
        generation.model if generation else backend.model,
        outcome,
        round((time.perf_counter() - began) * 1000, 1),
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        cost_usd=backend.cost(usage),
        usage_estimated=estimated,
        citations_removed=citations_removed,
    )


def estimate_usage(bundle: Bundle, written: str) -> Usage:
    """Tokens at about four characters each: for costs the server never reported."""
    prompt = build_prompt(bundle)
    return Usage(
        input_tokens=math.ceil((len(prompt.system) + len(prompt.user)) / 4), output_tokens=math.ceil(len(written) / 4)
    )
