"""The record of one gated answer: what every entry point (the ask page, `manage.py ask`, later the API)
gets back from the gate, and what the audit row, the history and the metrics are written from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from accounts.clearance import Classification
from inspection.findings import Finding
from inspection.injection import InjectionVerdict, inspect_injection
from inspection.stored import StoredFindings, inspector_version
from retrieval.injection import inspect_passages
from routing.backends.extractive import MAY_NOT_ANSWER, closest_passages
from routing.errors import ErrorKind
from routing.policy.decide import Decision, Target, Zone
from routing.runner import Attempt, Delta, Restart

if TYPE_CHECKING:
    from accounts.models import ApiKey, User
    from retrieval.follow_up import PreviousTurn
    from retrieval.selectors import Passage


# Outcomes of an attempt at a target that sent it nothing: answered from the cache, or not called (its circuit
# open, the egress guard refusing the payload, the call not put on record first, the passages holding no answer
# for a target that requires evidence).
NOT_SENT = frozenset({"cache_hit", "circuit_open", "egress_blocked", "not_recorded", "no_evidence"})


@dataclass(frozen=True)
class SourcePassage:
    """A passage the user may read, as retrieval found it.

    `stored_findings` are its findings from ingestion, if any: the gate redacts with them instead of
    inspecting the passage again while they are current (see inspection.stored).
    """

    chunk_id: int
    document_id: int
    title: str
    text: str
    classification: int
    stored_findings: StoredFindings | None = None
    heading_path: str = ""
    neighbour: bool = False  # next to a ranked passage in its document, not ranked itself
    # The injection detector's verdict on `text` (from ingestion, or live), and whether an admin cleared
    # the passage as a false alarm; `flagged` when the policy's `mark` sends it on marked (routing.screening).
    injection: InjectionVerdict = InjectionVerdict(0.0, ())
    injection_cleared: bool = False
    flagged: bool = False

    @classmethod
    def of(cls, passage: Passage, injection: InjectionVerdict | None = None) -> SourcePassage:
        """The gate's view of a passage retrieval found. Its injection score is the stored one while its
        findings are current, else `injection` (`of_all` scores stale passages with their vectors), else
        the cues' score now (about a millisecond), as its findings are inspected again."""
        stored = StoredFindings.from_json(passage.findings_version, passage.findings)
        if not _stale(passage, stored):
            injection = InjectionVerdict(passage.injection_score or 0.0, passage.injection_cues)
        elif injection is None:
            injection = inspect_injection(passage.text)
        return cls(
            chunk_id=passage.chunk_id,
            document_id=passage.document_id,
            title=passage.title,
            text=passage.text,
            classification=passage.classification,
            stored_findings=stored,
            heading_path=passage.heading_path,
            neighbour=passage.neighbour,
            injection=injection,
            injection_cleared=passage.injection_cleared,
        )

    @classmethod
    def of_all(cls, passages: Sequence[Passage]) -> list[SourcePassage]:
        """`of` for each passage, those with a stale injection score scored again from their chunks'
        stored vectors, in one query (retrieval.injection)."""
        stale = [p for p in passages if _stale(p, StoredFindings.from_json(p.findings_version, p.findings))]
        live = inspect_passages(stale)
        return [cls.of(p, live.get(p.chunk_id)) for p in passages]

    @property
    def classification_label(self) -> str:
        return Classification(self.classification).label


def _stale(passage: Passage, stored: StoredFindings | None) -> bool:
    return passage.injection_score is None or stored is None or stored.version != inspector_version()


@dataclass(frozen=True)
class Citation:
    """A passage the answer cites as [n]; its facts under the names the history's stored citations use,
    so one template shows both. `attributed`: the model cited nothing, and the gate matched the
    answer's sentences to this passage (routing.grounding.attribute)."""

    n: int
    passage: SourcePassage
    attributed: bool = False

    @property
    def chunk_id(self) -> int:
        return self.passage.chunk_id

    @property
    def document_id(self) -> int:
        return self.passage.document_id

    @property
    def title(self) -> str:
        return self.passage.title

    @property
    def heading_path(self) -> str:
        return self.passage.heading_path

    @property
    def classification(self) -> int:
        return self.passage.classification

    @property
    def classification_label(self) -> str:
        return self.passage.classification_label

    def as_json(self) -> dict[str, object]:
        """What the history keeps of it: what the user saw, and the ids to open it again."""
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "title": self.title,
            "heading_path": self.heading_path,
            "classification": self.classification,
            "classification_label": self.classification_label,
            "attributed": self.attributed,
        }


@dataclass(frozen=True)
class ConversationContext:
    """The conversation a question continues (the ask page's, kept by assistant): what its earlier turns
    carry over to this one. `data_class`: the highest class its turns were decided at (None before the
    first answer); `held_secret`: a turn held a secret; `previous`: the turn a follow-up may refer to."""

    id: int
    turn: int  # this question's number in the conversation, from 1
    previous: PreviousTurn | None = None
    data_class: int | None = None
    held_secret: bool = False

    def audit_json(self, *, follow_up: bool) -> dict[str, Any]:
        """What the audit row says of it (the decision's `conversation`): ids and classes, never text."""
        carried = None if self.data_class is None else Classification(self.data_class).label
        return {
            "id": self.id,
            "turn": self.turn,
            "carried_class": carried,
            "held_secret": self.held_secret,
            "follow_up": follow_up,
        }


@dataclass(frozen=True)
class GateRequest:
    """The request as the gate received it: what the audit row records besides the answer."""

    question: str
    findings: list[Finding]
    acting_user: User
    workload: str
    team: str
    started: float  # time.perf_counter() when the gate took it
    # What the policy did with passages flagged as injected instructions (routing.screening), as audited.
    injection: dict[str, Any] | None = None
    # The question itself when it reads as a prompt injection (typed content): {"score", "cues"}.
    question_injection: dict[str, Any] | None = None
    api_key: ApiKey | None = None  # the key that made the request, when a program did
    # A gateway conversation: its transcript, already redacted (the audit keeps it instead of `question`
    # redacted with `findings`, whose offsets are each text's own), and what the audit row says of the call.
    redacted_question: str | None = None
    gateway: dict[str, Any] | None = None
    conversation: dict[str, Any] | None = None  # ConversationContext.audit_json(), for the ask page's turns
    # A request held for approval and sent once approved: {"id", "approved_by"}, as its answer's audit row says.
    held: dict[str, Any] | None = None
    # Names the request's dispatch record (routing/dispatch.py), which its audit row replaces.
    request_id: UUID = field(default_factory=uuid4)


@dataclass
class GatedAnswer:
    """One answer as the gate wrote, restored and audited it (or refused it, with the reason in `route`)."""

    text: str
    passages: list[SourcePassage]  # those sent, numbered from 1 as the answer cites them
    decision: Decision | None
    answered_by: Target | None
    model: str
    question: str = ""
    attempts: list[Attempt] = field(default_factory=list)
    redacted: dict[str, int] = field(default_factory=dict)  # counts by kind of what was replaced before it left
    route: str = ""  # one sentence for the user: where and why
    notices: tuple[str, ...] = ()  # what the user must be told (a secret removed, a budget spent)
    refused: bool = False
    cache_hit: bool = False
    cut_off: bool = False  # stopped mid-answer (marked in the text)
    citations_removed: int = 0  # [n] of passages that were not sent, taken out of the text
    declined: bool = False  # the model said the passages do not answer the question
    attributed: tuple[int, ...] = ()  # the model cited nothing: passages its sentences were matched to
    # Why the answer was withheld (routing.answer_check: it quoted an identifier from nowhere), naming the
    # kind, never the value; `text` is then the notice the reader was shown instead.
    withheld: str = ""
    audit_id: int = 0
    latency_ms: float = 0.0  # as the asker waited for it, retrieval included where the gate's caller retrieved
    # Held to passages it must cite (a question to the documents); False for a gateway conversation, which
    # has none, so it is never "nothing found".
    grounded: bool = True
    # The class an earlier turn of its conversation carried over when that is confidential or above (the
    # route badge says it was treated so because of it); "" otherwise.
    carried_class: str = ""
    # Held for a person's approval (routing/approvals.py): nothing was sent; `held_id` is the HeldRequest.
    held: bool = False
    held_id: int | None = None

    @property
    def cited(self) -> frozenset[int]:
        """The numbers of the passages the text cites as [n]."""
        return frozenset(n for n in range(1, len(self.passages) + 1) if f"[{n}]" in self.text)

    @property
    def hedged(self) -> bool:
        """Answered by the in-process extractive answer from passages that only may answer: it quoted them after
        saying so (routing.backends.extractive.Verdict.MAY_ANSWER)."""
        return (
            self.answered_by is not None
            and self.answered_by.in_process
            and bool(self.cited)
            and self.text.startswith(MAY_NOT_ANSWER)
        )

    @property
    def citations(self) -> list[Citation]:
        """The passages the text cites; when it cites none, those the gate attributed it to (marked)."""
        cited = self.cited
        if cited:
            return [Citation(n, p) for n, p in enumerate(self.passages, 1) if n in cited]
        return [Citation(n, p, attributed=True) for n, p in enumerate(self.passages, 1) if n in self.attributed]

    @property
    def closest(self) -> list[Citation]:
        """When the answer says the documents do not hold it: the first passage of each of the documents that came
        closest (those sent, best first; the ones the extractive answer names), for the reader to check. None of
        them is cited: they may not answer. Empty otherwise, and for a refusal or a withheld or held answer, which
        were sent nothing or show nothing."""
        if not self.found_nothing or self.refused or self.withheld or self.held:
            return []
        number = {id(p): n for n, p in enumerate(self.passages, 1)}
        return [Citation(number[id(p)], p) for p in closest_passages(self.passages)]

    @property
    def found_nothing(self) -> bool:
        """The answer says the documents do not hold it: the model said so, or nothing backs it
        (it cites no passage and none could be attributed)."""
        return self.grounded and (self.declined or not self.citations)

    @property
    def fell_back(self) -> bool:
        """Answered by a later target than the first one tried (a retry of the same one is no fallback; nor is
        a target not asked because the passages hold no answer)."""
        return self.answered_by is not None and any(
            a.target != self.answered_by.name and a.outcome != ErrorKind.NO_EVIDENCE for a in self.attempts
        )

    @property
    def redacted_before_leaving(self) -> dict[str, int]:
        """What was replaced in the bundle, when the bundle went to a target outside on-prem; nothing when it
        stayed in the building (then nothing was redacted *for* anyone, and the page must not say so)."""
        left = any(a.zone != "onprem" and a.outcome not in NOT_SENT for a in self.attempts)
        return self.redacted if left else {}

    @property
    def backend(self) -> str:
        """The policy target that answered; empty when refused."""
        return self.answered_by.name if self.answered_by else ""

    @property
    def zone(self) -> str:
        return str(self.answered_by.zone) if self.answered_by else ""

    @property
    def zone_label(self) -> str:
        return self.answered_by.zone.label if self.answered_by else ""


@dataclass(frozen=True)
class Final:
    """The last event of a gated answer: the whole answer, audited."""

    answer: GatedAnswer


Event = Delta | Restart | Final
# What the caller writes with an answer's audit row, in its transaction (the asker's history entry): called with
# the answer once audited; both are committed, or neither (a process killed between them leaves neither).
KeepWithAudit = Callable[[GatedAnswer], object]


def zone_label(zone: str) -> str:
    """A stored zone as a badge shows it ("On-prem"); a zone no longer known as it was stored."""
    return Zone(zone).label if zone in Zone.values else zone
