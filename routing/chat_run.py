"""Running a Decision for a gateway conversation: its targets in order, each with retries and its circuit
breaker, the reply restored as it streams (text, and the string values of tool-call arguments).

As routing.runner does for questions, with one difference: a caller of an OpenAI- or Anthropic-compatible
endpoint cannot be told "what you read so far is withdrawn", so once any of the reply was passed on, a
target that fails is not replaced by the next one: the reply ends there, marked cut off.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pybreaker

from routing import metrics, resilience
from routing.backends.base import ChatBackend, Generation, Usage
from routing.chat import Chat, ToolCall, map_argument_strings
from routing.errors import BackendError, EgressBlocked, ErrorKind
from routing.redaction import StreamRestorer, Vault, restore
from routing.runner import Attempt, attempt_of

if TYPE_CHECKING:
    from inspection import CustomPattern
    from routing.policy.decide import Decision, Target

logger = logging.getLogger(__name__)


@dataclass
class ChatRun:
    """One Decision carried out for a conversation. Iterate it for restored text deltas (str) and tool calls
    (ToolCall), then read the outcome: `answered_by` (None when every target failed), `text`, `tool_calls`,
    `stop_reason` as the server said it, `cut_off` (why the reply stopped mid-way), `attempts`."""

    chat: Chat  # redacted as the Decision says
    decision: Decision
    vault: Vault
    custom: Sequence[CustomPattern] = ()
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    stop_reason: str | None = None
    answered_by: Target | None = None
    model: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    cut_off: str = ""
    cache_hit: bool = False  # the gateway keeps no response cache (yet): always False
    # The caller reads the reply as it streams: once some of it was passed on, no other target writes it
    # again. A caller waiting for the whole reply reads nothing before the end, so every target may be tried.
    streaming: bool = True
    # Called before each call to a target, as DecisionRun.before_call (routing.dispatch.DispatchLog).
    before_call: Callable[[Target], None] | None = None

    def __iter__(self) -> Iterator[str | ToolCall]:
        for target in self.decision.targets:
            backend = resilience.backend_for(target, policy_version=self.decision.policy_version, custom=self.custom)
            shown: list[str | ToolCall] = []
            try:
                for attempt in resilience.retrying(target):
                    with attempt:
                        shown.clear()
                        try:
                            yield from self._try(target, backend, shown)
                        except BackendError as exc:
                            if not shown or not self.streaming:
                                raise
                            # Passed on already: the caller cannot take it back, so no other target writes it again.
                            self._keep(target, backend.model, shown)
                            self.cut_off = f"{target.name} stopped mid-reply ({exc.kind})"
                            return
            except BackendError as exc:
                logger.warning("Target %s failed: %s", target.name, exc.kind)
                continue
            return

    def _try(self, target: Target, backend: ChatBackend, shown: list[str | ToolCall]) -> Iterator[str | ToolCall]:
        """One call: stream, restore, record the Attempt. Raises BackendError after recording it."""
        began = time.perf_counter()
        restorer = StreamRestorer(self.vault)
        generation: Generation | None = None
        written: list[str] = []
        try:
            # Before the breaker: a conversation the egress guard refuses is this request's fault, not the backend's.
            backend.preflight_chat(self.chat)
            with resilience.breaker(target.name).calling():
                if self.before_call is not None:
                    self.before_call(target)
                with backend.stream_chat(self.chat) as generation:
                    for item in generation:
                        if isinstance(item, ToolCall):
                            written.append(item.arguments)
                            if tail := restorer.flush():
                                shown.append(tail)
                                yield tail
                            restored = map_argument_strings(item.arguments, lambda s: restore(s, self.vault))
                            call = ToolCall(item.id, item.name, restored)
                            shown.append(call)
                            yield call
                            continue
                        written.append(item)
                        if text := restorer.feed(item):
                            shown.append(text)
                            yield text
            if tail := restorer.flush():
                shown.append(tail)
                yield tail
        except pybreaker.CircuitBreakerError:
            self._record(target, backend, generation, "circuit_open", began, written)
            raise BackendError(f"{target.name}: circuit open", kind=ErrorKind.CIRCUIT_OPEN) from None
        except GeneratorExit:
            # The caller hung up mid-reply: the call happened, so it is recorded with what was passed on.
            self._record(target, backend, generation, "abandoned", began, written)
            self._keep(target, backend.model, shown)
            self.cut_off = "the caller left before the reply was finished"
            raise
        except BackendError as exc:
            if isinstance(exc, EgressBlocked):
                metrics.EGRESS_BLOCKS.labels(target=target.name).inc()
            self._record(target, backend, generation, str(exc.kind), began, written)
            raise
        assert generation is not None
        self._record(target, backend, generation, "ok", began, written)
        self._keep(target, generation.model, shown)
        self.stop_reason = generation.stop_reason

    def _keep(self, target: Target, model: str, shown: list[str | ToolCall]) -> None:
        self.answered_by, self.model = target, model
        self.text = "".join(s for s in shown if isinstance(s, str))
        self.tool_calls = [s for s in shown if isinstance(s, ToolCall)]

    def _record(
        self,
        target: Target,
        backend: ChatBackend,
        generation: Generation | None,
        outcome: str,
        began: float,
        written: list[str],
    ) -> None:
        """The Attempt, with the usage the server reported, or an estimate when a stream broke after text came."""
        usage, estimated = generation.usage if generation else None, False
        if usage is None and written:
            sent = sum(len(t) for t in self.chat.texts())
            usage, estimated = Usage(math.ceil(sent / 4), math.ceil(sum(len(w) for w in written) / 4)), True
        self.attempts.append(attempt_of(target, backend, generation, outcome, began, usage, estimated))
