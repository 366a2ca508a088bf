"""The routing policy as a pure function: decide(facts, policy, health) -> Decision.

No Django, no I/O: facts, policy and health come in as dataclasses, a Decision goes out.
The YAML form of a policy is read by routing.policy.loader; this module holds the types,
the invariants that hold whatever the YAML says, and the decision itself.

Invariants, enforced here at decision time and by the loader at load time:
- restricted data never leaves onprem; confidential data never reaches cloud;
- cloud receives only redacted text unless the data is public;
- a question with a secret stays onprem and the secret is removed for good;
- with the team's budget spent, cloud targets are skipped and the user is told;
- a fallback never widens locality: a Decision lists only targets of its rule that the
  data class allows, plus, for `degrade`, the in-process extractive target (onprem).

Load-aware burst: when a rule's first target is saturated (its server's queue over the target's
`saturated_when`), the first wider target of the same Decision is tried before it. Only the order
changes: the targets are still those the invariants allowed, so data that may not leave never does.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from accounts.choices import LabelledEnumType
from accounts.clearance import Classification
from inspection.findings import CustomPattern


class Zone(StrEnum, metaclass=LabelledEnumType):
    """Where a target runs, from narrowest to widest."""

    ONPREM = "onprem"
    PRIVATE = "private"
    CLOUD = "cloud"

    @property
    def label(self) -> str:
        """As a badge shows it: "On-prem"."""
        return {"onprem": "On-prem", "private": "Private", "cloud": "Cloud"}[self.value]

    @property
    def where(self) -> str:
        """As a sentence says it: "Answered on-prem", "Answered in the cloud"."""
        return {"onprem": "on-prem", "private": "in the private zone", "cloud": "in the cloud"}[self.value]

    @property
    def width(self) -> int:
        return list(Zone).index(self)


class Workload(StrEnum, metaclass=LabelledEnumType):
    """What kind of caller sent the request: a person waiting, a batch job, a CI pipeline."""

    INTERACTIVE = "interactive"
    BATCH = "batch"
    CI = "ci"

    @property
    def label(self) -> str:
        return "CI" if self is Workload.CI else self.value.capitalize()


# A workload a policy names besides the built-in three (`workloads:` in its YAML), as service accounts declare it.
WORKLOAD_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


class OnFailure(StrEnum):
    FAIL_CLOSED = "fail_closed"
    DEGRADE = "degrade"
    QUEUE = "queue"


class Action(StrEnum):
    ANSWER = "answer"
    REFUSE = "refuse"
    HOLD = "hold"  # stored for a person to approve; nothing is sent until then (routing/approvals.py)


BACKENDS = ("anthropic", "openai_compatible", "extractive")
EXTRACTIVE = "extractive"


def widest_zone_for(data_class: Classification) -> Zone:
    """The widest zone data of this class may reach (cloud for internal only when redacted)."""
    if data_class >= Classification.RESTRICTED:
        return Zone.ONPREM
    if data_class >= Classification.CONFIDENTIAL:
        return Zone.PRIVATE
    return Zone.CLOUD


def zone_violation(zone: Zone, data_class: Classification, *, redact: bool, has_secret: bool = False) -> str | None:
    """Why a target in `zone` may not receive this request, or None when it may."""
    if has_secret and zone != Zone.ONPREM:
        return "secrets never leave onprem"
    if zone.width > widest_zone_for(data_class).width:
        if data_class >= Classification.RESTRICTED:
            return "restricted data never leaves onprem"
        return "confidential data never reaches cloud"
    if zone == Zone.CLOUD and data_class > Classification.PUBLIC and not redact:
        return f"{data_class.label} data goes to cloud only redacted"
    return None


@dataclass(frozen=True)
class Load:
    """How busy a target's server is, as it last reported: requests waiting in its queue and requests
    running. None when not known (its metrics could not be read); `unknown` then says why."""

    waiting: int | None = None
    running: int | None = None
    unknown: str = ""

    def __str__(self) -> str:
        if self.waiting is None and self.running is None:
            return f"unknown ({self.unknown or 'not read'})"
        parts = [f"{n} {what}" for n, what in ((self.waiting, "waiting"), (self.running, "running")) if n is not None]
        return ", ".join(parts)


@dataclass(frozen=True)
class Saturation:
    """A target's `saturated_when`: it is saturated when a given count is over its threshold. A count its
    server does not report (or that could not be read) never makes it saturated."""

    waiting_over: int | None = None
    running_over: int | None = None

    def __str__(self) -> str:
        """As the backends page says it: "over 8 waiting or over 32 running"."""
        limits = ((self.waiting_over, "waiting"), (self.running_over, "running"))
        return " or ".join(f"over {limit} {what}" for limit, what in limits if limit is not None)

    def exceeded(self, load: Load) -> str:
        """Why `load` saturates the target ("14 waiting, over 8"), or "" when it does not."""
        for count, limit, what in (
            (load.waiting, self.waiting_over, "waiting"),
            (load.running, self.running_over, "running"),
        ):
            if count is not None and limit is not None and count > limit:
                return f"{count} {what}, over {limit}"
        return ""


@dataclass(frozen=True)
class Target:
    """A named backend the policy may send a request to."""

    name: str
    zone: Zone
    backend: str  # anthropic | openai_compatible | extractive
    tier: str
    price_input_per_mtok: float = 0.0
    price_output_per_mtok: float = 0.0
    timeout_s: float = 60.0
    # Set: when its server reports this much load, a wider target its rule allows is tried first.
    saturated_when: Saturation | None = None
    # Called only when the on-prem evidence check finds that the passages hold an answer (the extractive
    # answer's check): for a small model, which answers from the nearest passage rather than say it cannot.
    requires_evidence: bool = False

    @property
    def in_process(self) -> bool:
        return self.backend == EXTRACTIVE


@dataclass(frozen=True)
class ClassRange:
    """A condition on a data class: within [min, max] and, when `among` is set, one of those."""

    min: Classification = Classification.PUBLIC
    max: Classification = Classification.RESTRICTED
    among: frozenset[Classification] | None = None

    def classes(self) -> frozenset[Classification]:
        inside = {c for c in Classification if self.min <= c <= self.max}
        return frozenset(inside if self.among is None else inside & self.among)

    def __contains__(self, value: object) -> bool:
        return value in self.classes()


@dataclass(frozen=True)
class Conditions:
    """A rule's `when`: every condition that is set must hold; an empty one matches everything."""

    data_class: ClassRange | None = None
    clearance: ClassRange | None = None
    workload: frozenset[str] | None = None
    role: frozenset[str] | None = None
    groups_any: frozenset[str] | None = None
    # Finding kinds, `custom:*`-style globs or group names (finding_groups), expanded by the loader.
    findings_any: tuple[str, ...] | None = None
    budget_exhausted: bool | None = None
    # The question (or a gateway conversation's last user message) reads as a prompt injection: the sentence
    # head of inspection.injection flags it (judge_typed).
    typed_injection: bool | None = None

    @property
    def only_on_data_class(self) -> bool:
        """True when nothing but the data class decides whether this matches."""
        others = (
            self.clearance,
            self.workload,
            self.role,
            self.groups_any,
            self.findings_any,
            self.budget_exhausted,
            self.typed_injection,
        )
        return all(c is None for c in others)


# Who approves a held request when the rule names nobody, and how long it waits.
DEFAULT_APPROVERS = ("admin",)
DEFAULT_HOLD_S = 24 * 3600


@dataclass(frozen=True)
class Approval:
    """A rule's `approve`: who may approve a held request (role or group names; never its requester,
    which routing.approvals enforces), and how long it waits before it expires and its vault is deleted."""

    by: tuple[str, ...] = DEFAULT_APPROVERS
    expires_after_s: int = DEFAULT_HOLD_S


@dataclass(frozen=True)
class Rule:
    name: str
    when: Conditions
    targets: tuple[str, ...]
    redact: bool
    max_passages: int
    on_failure: OnFailure
    explain: str
    # Set: every request this rule matches is held until a person approves it (`approve:` in the YAML).
    approve: Approval | None = None


@dataclass(frozen=True)
class SecretHandling:
    """Finding kinds treated as secrets, and what the user is told when one is removed."""

    kinds: frozenset[str] = frozenset({"secret"})
    tell_user: str = (
        "Your question contained a secret (a key, token or password). It was removed for good before "
        "any model saw it, and your question stayed on-prem."
    )


@dataclass(frozen=True)
class BudgetHandling:
    """Zones skipped when the team's monthly budget is spent (always including cloud)."""

    skip_zones: frozenset[Zone] = frozenset({Zone.CLOUD})
    tell_user: str = "Your team's monthly budget for cloud models is spent, so cloud models were skipped."


class InjectionAction(StrEnum):
    """What a passage flagged as holding instructions for a model does (docs/policy.md)."""

    DROP = "drop"  # never sent to a model (the extractive answer reads it, marked); the rest of its document is used
    QUARANTINE = "quarantine"  # its whole document is left out of answers until an admin clears the flag
    MARK = "mark"  # sent, marked as flagged; the reader is told


# What the reader is told when a flagged passage was handled, unless the policy says otherwise.
# Told instead of the `drop` notice when the extractive answer (which no model writes) read the dropped passage.
DROPPED_READ_BY_EXTRACTIVE = (
    "A passage that reads like instructions aimed at AI models was kept from every model; this answer, "
    "written without a model, quotes only its sentences that hold no instruction. An admin can review it in "
    "the library."
)
INJECTION_NOTICES = {
    InjectionAction.DROP: (
        "A passage that reads like instructions aimed at AI models was left out of this answer; "
        "an admin can review it in the library."
    ),
    InjectionAction.QUARANTINE: (
        "A document holding a passage that reads like instructions aimed at AI models is held back until "
        "an admin reviews it in the library; this answer was written without it."
    ),
    InjectionAction.MARK: (
        "A passage used for this answer reads like instructions aimed at AI models; it was passed on as "
        "quoted text only. Check the answer against the cited documents."
    ),
}


@dataclass(frozen=True)
class InjectionHandling:
    """Passages whose injection score (inspection.injection, stored at ingestion) is at least `threshold`
    and that no admin cleared are handled by `action`; the user is told with `tell_user`."""

    # Higher than the detector's own 0.5 (for typed prompts): in documents one moderate cue alone ("act as
    # a reviewer", "from now on, you must …") is ordinary runbook prose; planted instructions combine cues.
    threshold: float = 0.7
    action: InjectionAction = InjectionAction.DROP
    tell_user: str = INJECTION_NOTICES[InjectionAction.DROP]


@dataclass(frozen=True)
class Policy:
    version: str
    data_classes: Mapping[str, Classification]
    targets: tuple[Target, ...]
    rules: tuple[Rule, ...]
    custom_patterns: tuple[CustomPattern, ...] = ()
    finding_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    secrets: SecretHandling = SecretHandling()
    budget: BudgetHandling = BudgetHandling()
    injection: InjectionHandling = InjectionHandling()
    workloads: tuple[str, ...] = ()  # the policy's own workload names, besides interactive, batch and ci

    @property
    def all_workloads(self) -> tuple[str, ...]:
        return (*Workload.values, *self.workloads)

    def target(self, name: str) -> Target:
        for target in self.targets:
            if target.name == name:
                return target
        raise KeyError(name)

    @property
    def extractive_target(self) -> Target | None:
        return next((t for t in self.targets if t.in_process), None)

    def class_of_kind(self, kind: str) -> Classification:
        """The data class a question carrying a finding of `kind` has; unknown kinds count as confidential."""
        for pattern in self.custom_patterns:
            if pattern.kind == kind:
                return Classification(pattern.data_class)
        # A kind the policy does not name is a detector newer than the policy: assume it sensitive.
        return self.data_classes.get(kind, Classification.CONFIDENTIAL)


@dataclass(frozen=True)
class Health:
    """Which targets are up, by name. A target missing from `up` (unconfigured) is down;
    the in-process extractive target is never down."""

    up: Mapping[str, bool]
    why_down: Mapping[str, str] = field(default_factory=dict)  # target name -> why, for the reasons
    # Target name -> its server's last load reading, for the targets with `saturated_when`.
    load: Mapping[str, Load] = field(default_factory=dict)

    def is_up(self, target: Target) -> bool:
        return target.in_process or bool(self.up.get(target.name, False))

    @classmethod
    def from_zones(cls, targets: Iterable[Target], zones: Mapping[str, bool]) -> Health:
        """Every target in a zone marked False is down; zones not named are up."""
        return cls(up={t.name: bool(zones.get(str(t.zone), True)) for t in targets})

    @classmethod
    def all_up(cls, targets: Iterable[Target]) -> Health:
        return cls(up={t.name: True for t in targets})


@dataclass(frozen=True)
class RequestFacts:
    """What the gate knows about one request before deciding where it may go."""

    role: str
    clearance: int
    groups: tuple[str, ...] = ()
    workload: str = Workload.INTERACTIVE
    passage_classes: tuple[int, ...] = ()
    findings: Mapping[str, int] = field(default_factory=dict)  # kind -> count, e.g. {"email": 1}
    team: str | None = None
    budget_exhausted: bool = False
    question_empty: bool = False  # nothing but white space was asked
    typed_injection: bool = False  # the question reads as a prompt injection (inspection.injection.judge_typed)
    # The least class of content the caller sent through the gateway (the gateway's default, or higher as
    # the caller declared it); None for questions asked of the documents.
    content_class: int | None = None
    # The highest data class an earlier turn of the ask page's conversation was decided at (None for a
    # first question): a conversation's class never goes down. `conversation_secret`: an earlier turn held a
    # secret, which keeps the rest of the conversation on-prem (treated as restricted; docs/conversations.md).
    conversation_class: int | None = None
    conversation_secret: bool = False


@dataclass(frozen=True)
class Decision:
    """Where a request may be answered. `targets` are tried in order; every one is up and allowed.
    `remove_secrets`: the secret findings must be replaced irreversibly before any model sees the
    question, even when `redact` is False. `notices` are the reasons the user must be shown
    (they end `reasons` too, so the audit has them). HOLD: nothing is sent until a person named in
    `approval` approves; `targets` are then tried as for ANSWER."""

    action: Action
    targets: tuple[Target, ...]
    redact: bool
    max_passages: int
    on_failure: OnFailure
    data_class: Classification
    reasons: tuple[str, ...]
    policy_version: str
    rule_name: str | None
    remove_secrets: bool = False
    notices: tuple[str, ...] = ()
    # HOLD only: who may approve, and for how long the request waits.
    approval: Approval | None = None


def kind_matches(kind: str, selector: str, groups: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether finding `kind` is named by `selector`: a kind, a glob like `custom:*`, or a group name."""
    if selector in groups:
        return any(kind_matches(kind, member, {}) for member in groups[selector])
    return fnmatch.fnmatchcase(kind, selector)


def data_class_of(facts: RequestFacts, policy: Policy) -> tuple[Classification, str]:
    """The request's data class (the highest of its passages and its findings) and a sentence saying why."""
    found = {kind: policy.class_of_kind(kind) for kind, count in sorted(facts.findings.items()) if count > 0}
    passage_max = max((Classification(c) for c in facts.passage_classes), default=Classification.PUBLIC)
    content = Classification(facts.content_class) if facts.content_class is not None else Classification.PUBLIC
    earlier = conversation_floor(facts)
    result = max([passage_max, content, earlier, *found.values()])
    causes = []
    if facts.passage_classes and passage_max == result:
        causes.append(f"a passage is {result.label}")
    if facts.content_class is not None and content == result:
        causes.append(f"the conversation is treated as {result.label} at least")
    if earlier > Classification.PUBLIC and earlier == result:
        held = "held a secret" if facts.conversation_secret else f"was {result.label}"
        causes.append(f"an earlier turn of this conversation {held}")
    top_kinds = [kind for kind, cls in found.items() if cls == result]
    if top_kinds:
        causes.append(f"the question contains {', '.join(top_kinds)} ({result.label})")
    if not causes:
        return result, f"The request is {result.label}: no passage or finding is above that."
    return result, f"The request is {result.label}: {'; '.join(causes)}."


def conversation_floor(facts: RequestFacts) -> Classification:
    """The least class a turn of its conversation is treated as: the highest class of its earlier turns,
    restricted after a secret (a secret pasted in pieces over several turns is not found in any one piece)."""
    if facts.conversation_secret:
        return Classification.RESTRICTED
    if facts.conversation_class is None:
        return Classification.PUBLIC
    return Classification(facts.conversation_class)


def _matches(when: Conditions, facts: RequestFacts, data_class: Classification, policy: Policy) -> bool:
    if when.data_class is not None and data_class not in when.data_class:
        return False
    if when.clearance is not None and Classification(facts.clearance) not in when.clearance:
        return False
    if when.workload is not None and str(facts.workload) not in when.workload:
        return False
    if when.role is not None and facts.role not in when.role:
        return False
    if when.groups_any is not None and not when.groups_any & set(facts.groups):
        return False
    if when.findings_any is not None:
        kinds = [k for k, n in facts.findings.items() if n > 0]
        if not any(kind_matches(k, s, policy.finding_groups) for k in kinds for s in when.findings_any):
            return False
    if when.typed_injection is not None and when.typed_injection != facts.typed_injection:
        return False
    return when.budget_exhausted is None or when.budget_exhausted == facts.budget_exhausted


EMPTY_QUESTION = "The question is empty: type what you want to know."


def _refused(
    data_class: Classification, reasons: tuple[str, ...], notices: tuple[str, ...], policy: Policy, secrets: bool
) -> Decision:
    return Decision(
        action=Action.REFUSE,
        targets=(),
        redact=True,
        max_passages=0,
        on_failure=OnFailure.FAIL_CLOSED,
        data_class=data_class,
        reasons=reasons,
        policy_version=policy.version,
        rule_name=None,
        remove_secrets=secrets,
        notices=notices,
    )


def decide(facts: RequestFacts, policy: Policy, health: Health) -> Decision:
    """Decide where this request may be answered: the first rule whose `when` matches, narrowed by
    the invariants, the budget and the health of its targets. Never raises for a valid policy."""
    data_class, class_reason = data_class_of(facts, policy)
    reasons = [class_reason]
    notices: list[str] = []
    secrets = sorted(k for k, n in facts.findings.items() if n > 0 and k in policy.secrets.kinds | {"secret"})
    if secrets:
        notices.append(policy.secrets.tell_user)

    if facts.question_empty:
        # Whatever the rules say: there is nothing to answer, and nothing should be sent anywhere.
        notices.append(EMPTY_QUESTION)
        return _refused(data_class, (*reasons, *notices), tuple(notices), policy, bool(secrets))
    rule = next((r for r in policy.rules if _matches(r.when, facts, data_class, policy)), None)
    if rule is None:
        reasons.append("No rule of the policy matches this request, so it is refused (fail closed).")
        return _refused(data_class, (*reasons, *notices), tuple(notices), policy, bool(secrets))

    reasons.append(rule.explain)
    chosen: list[Target] = []
    allowed: list[Target] = []  # allowed by the invariants and the budget, up or not (for `queue`)
    budget_skipped = False
    for name in rule.targets:
        target = policy.target(name)
        violation = zone_violation(target.zone, data_class, redact=rule.redact, has_secret=bool(secrets))
        if violation:
            reasons.append(f"{target.name} ({target.zone}) is not used: {violation}.")
        elif facts.budget_exhausted and target.zone in policy.budget.skip_zones | {Zone.CLOUD}:
            budget_skipped = True
            team = f"team {facts.team}'s" if facts.team else "the team's"
            reasons.append(f"{target.name} ({target.zone}) is skipped: {team} monthly budget is spent.")
        elif not health.is_up(target):
            allowed.append(target)
            why = health.why_down.get(target.name)
            reasons.append(f"{target.name} ({target.zone}) is down{': ' + why if why else ''}.")
        else:
            allowed.append(target)
            chosen.append(target)
    if budget_skipped:
        notices.append(policy.budget.tell_user)
    if chosen:
        chosen, burst = _burst(chosen, health)
        reasons.extend(burst)

    extractive = policy.extractive_target
    if rule.on_failure == OnFailure.DEGRADE and extractive is not None and extractive not in chosen:
        # The last rung of `degrade`: onprem, in-process, so it never widens locality.
        if not chosen:
            reasons.append(f"No target of this rule is up, so the answer degrades to {extractive.name} (on-prem).")
        chosen.append(extractive)

    action, approval = Action.ANSWER, None
    if chosen and rule.approve is not None:
        action, approval = Action.HOLD, rule.approve
        reasons.append(_held_reason(rule.approve, "this rule needs a person's approval before anything is sent"))
    elif not chosen and rule.on_failure == OnFailure.QUEUE and allowed:
        # Held until approved, then tried on the targets the rule allows (down now, maybe up by then).
        action, approval, chosen = Action.HOLD, rule.approve or Approval(), allowed
        reasons.append(_held_reason(approval, "no allowed target is up, and this rule queues such requests"))
    elif not chosen and rule.on_failure == OnFailure.QUEUE:
        action = Action.REFUSE
        reasons.append("No target of this rule may take this request, so it cannot be queued: it is refused.")
    elif not chosen:
        action = Action.REFUSE
        reasons.append("No allowed target is up, and this rule fails closed: the request is refused.")
    return Decision(
        action=action,
        targets=tuple(chosen),
        redact=rule.redact,
        max_passages=rule.max_passages,
        on_failure=rule.on_failure,
        data_class=data_class,
        reasons=(*reasons, *notices),
        policy_version=policy.version,
        rule_name=rule.name,
        remove_secrets=bool(secrets),
        notices=tuple(notices),
        approval=approval,
    )


def _burst(chosen: list[Target], health: Health) -> tuple[list[Target], list[str]]:
    """`chosen` with its first wider target moved first when its first target is saturated, and the
    reasons. Only allowed targets are reordered, none added: the invariants hold as they did."""
    first = chosen[0]
    if first.saturated_when is None:
        return chosen, []
    load = health.load.get(first.name, Load(unknown="not read"))
    wider = next((t for t in chosen[1:] if t.zone.width > first.zone.width), None)
    over = first.saturated_when.exceeded(load)
    where = f"{first.name} ({first.zone})"
    if not over:
        if wider is not None and load.waiting is None and load.running is None:
            # Unknown is never saturated: a metrics endpoint that fails must not send data wider.
            return chosen, [f"{where}'s load is unknown ({load.unknown or 'not read'}), so it is tried first."]
        return chosen, []
    said = f"{'On-prem' if first.zone == Zone.ONPREM else first.zone.label} saturated: {first.name} has {over}"
    if wider is None:
        return chosen, [f"{said}, but no wider target of this rule may take this request, so it is still tried first."]
    reordered = [wider, *(t for t in chosen if t is not wider)]
    return reordered, [f"{said}, so {wider.name} ({wider.zone}) is tried first."]


def _held_reason(approval: Approval, why: str) -> str:
    return (
        f"The request is held for approval ({why}): {', '.join(approval.by)} may approve it within "
        f"{format_duration(approval.expires_after_s)}; nothing is sent until then."
    )


def format_duration(seconds: int) -> str:
    """A hold's length as the policy writes it: 90m, 24h, 7d."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
