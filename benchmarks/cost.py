"""The policy-cost baseline (issue 5): the default policy beside a cloud-only policy on a recorded workload.

Both policies answer every request of benchmarks/workload.yaml through the product path: retrieval
for the asker, then the gate (assistant.services.answer_question, the service `manage.py ask` uses),
with the cloud target pointed at the wire-faithful Anthropic fake and the on-prem target at the
OpenAI-compatible fake (fakes), both on 127.0.0.1. Token usage is what the fakes report for
the bytes they received, and cost is what the gate audits (AuditEvent.cost_usd) at the prices set
here (Claude Haiku 4.5 list prices). The on-prem model and the in-process extractive answer cost
nothing in API spend (the hardware is not counted). The response cache is off for the run
(RESPONSE_CACHE_TTL_S=0, and emptied before each policy), so no request is answered for free.

The cloud-only policy (benchmarks/cloud_only_policy.yaml) sends every request it may to the cloud;
what the gate never lets reach the cloud (confidential or restricted passages, a secret, a card
number or an IBAN) gets the in-process extractive answer, since a cloud-only deployment has no
on-prem model: those requests cost nothing under either policy.

Policy violations are counted on the wire, independently of the gate's own decisions: every request
body the fake cloud received is searched for passage text that exists only in documents above the
class the invariants let reach the cloud, and run through the inspector for personal data or
secrets left in the clear (placeholders such as [EMAIL_1] are fine).

Call it inside benchmarks.database.throwaway_database(), after `setup_demo`: it creates its personas
and switches the active policy there, and leaves them behind for the throwaway database to drop.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Sum
from django.test import override_settings

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from accounts.services import upsert_user
from inspection import CustomPattern, inspect_text
from retrieval.models import Chunk
from routing import resilience
from routing.egress import json_strings
from routing.models import AuditEvent, CachedAnswer, PolicyVersion
from routing.policy.decide import Policy, Workload, Zone, widest_zone_for
from routing.policy.loader import load_policy
from routing.policy.versions import (
    activate_policy_version,
    get_active_policy,
    read_default_policy_text,
    save_and_activate_policy,
)
from routing.redaction import PLACEHOLDER, Vault, redact
from routing.services import answer_question

HERE = Path(__file__).resolve().parent
WORKLOAD_PATH = HERE / "workload.yaml"
CLOUD_ONLY_POLICY_PATH = HERE / "cloud_only_policy.yaml"

# The model the default settings configure, at Anthropic's list prices for Claude Haiku 4.5
# (USD per million tokens: $1 input, $5 output). Set here so the figures do not depend on the
# environment. On-prem spend is 0 whatever the prices, so the ratio depends only on the tokens.
CLOUD_MODEL = "claude-haiku-4-5"
PRICE_INPUT_PER_MTOK = 1.00
PRICE_OUTPUT_PER_MTOK = 5.00
LOCAL_MODEL = "qwen2.5-7b-instruct"
FAKE_API_KEY = "sk-ant-bench-fake-key"
PERSONA_PREFIX = "bench-cost-"
# What both fakes answer: a typical short cited RAG answer (~560 characters), streamed in pieces of
# four characters so that the output tokens the fakes report (one per piece) match a tokenizer's count.
ANSWER = (
    "According to the runbook, start by confirming the current and the previous release, then announce "
    "what you are about to do in the team channel and in the incident channel if there is one [1]. Run the "
    "documented command for the environment, wait until traffic has moved, and verify that error rates and "
    "latency return to their baseline on the service dashboard before you close the ticket [2]. If the "
    "problem persists after that, declare an incident and page the owning team's on-call engineer, and "
    "record every step you took in the ticket so that the review can follow it later [3]."
)
# Windows of this many words identify a passage's text on the wire, redacted or not.
NGRAM_WORDS = 10


@dataclass(frozen=True)
class Persona:
    name: str
    role: Role
    clearance: Classification
    groups: tuple[str, ...]


@dataclass(frozen=True)
class WorkloadRequest:
    who: str
    kind: str
    workload: str
    question: str


@dataclass(frozen=True)
class WorkloadSpec:
    """A recorded workload: the personas who ask, and their requests in order."""

    personas: dict[str, Persona]
    requests: tuple[WorkloadRequest, ...]

    def mix(self) -> dict[str, int]:
        return dict(Counter(r.kind for r in self.requests))


def load_workload(path: Path = WORKLOAD_PATH) -> WorkloadSpec:
    """Read a workload file (see benchmarks/workload.yaml). Raises ValueError naming a bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_workload(data)


def parse_workload(data: dict[str, Any]) -> WorkloadSpec:
    """A workload from its plain form: {"personas": {name: {role, clearance, groups}}, "requests": [...]}."""
    personas = {
        name: Persona(
            name=name,
            role=Role(spec["role"]),
            clearance=Classification.parse(spec["clearance"]),
            groups=tuple(spec.get("groups") or ()),
        )
        for name, spec in data["personas"].items()
    }
    requests = []
    for i, entry in enumerate(data["requests"], 1):
        if entry["who"] not in personas:
            raise ValueError(f"request {i}: unknown persona {entry['who']!r}")
        workload = entry.get("workload", Workload.INTERACTIVE.value)
        if workload not in tuple(Workload):
            raise ValueError(f"request {i}: unknown workload {workload!r}")
        requests.append(WorkloadRequest(entry["who"], entry["kind"], workload, entry["q"]))
    return WorkloadSpec(personas=personas, requests=tuple(requests))


# --- violations on the wire --------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One thing the cloud received that the policy must never send it. `detail` never holds the value."""

    request: int  # index of the request body among those the cloud received, from 0
    kind: str  # a finding kind ("email", "secret", ...) or "<class>_passage"
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"request": self.request, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class ProtectedPassages:
    """Word windows that occur only in documents above the class allowed to reach the cloud."""

    windows: dict[tuple[str, ...], tuple[str, str]]  # window -> (document title, class label)

    def leaks(self, text: str) -> list[tuple[str, str]]:
        """The (title, class) of each protected document whose text appears in `text`."""
        found: dict[str, str] = {}
        for window in _windows(text):
            hit = self.windows.get(window)
            if hit is not None:
                found.setdefault(*hit)
        return sorted(found.items())


def cloud_ceiling() -> Classification:
    """The highest data class the invariants let reach the cloud (redacted): no policy may send more."""
    return max(c for c in Classification if widest_zone_for(c) == Zone.CLOUD)


def protected_passages(*, above: Classification) -> ProtectedPassages:
    """The windows of every stored chunk of a document classified above `above`, less those that
    also occur in a document at or below it (boilerplate shared by both is no leak)."""
    protected: dict[tuple[str, ...], tuple[str, str]] = {}
    allowed: set[tuple[str, ...]] = set()
    for text, title, cls in Chunk.objects.values_list("text", "document__title", "document__classification"):
        if cls > above:
            for window in _windows(text):
                protected.setdefault(window, (title, Classification(cls).label))
        else:
            allowed.update(_windows(text))
    return ProtectedPassages({w: hit for w, hit in protected.items() if w not in allowed})


def find_violations(
    bodies: Sequence[bytes], *, protected: ProtectedPassages, custom: Sequence[CustomPattern] = ()
) -> list[Violation]:
    """What the cloud must never have received, in these request bodies (as the fake recorded them):
    passage text of a protected document, and any finding of the inspector that is more than a placeholder."""
    violations = []
    for i, body in enumerate(bodies):
        text = "\n\n".join(_message_texts(body))
        for title, label in protected.leaks(text):
            violations.append(Violation(i, f"{label}_passage", f"text of the {label} document {title!r}"))
        # Without the name model, as the egress guard reads a payload (routing/egress.py): read as one text,
        # with titles and markers around each passage, it takes words for names that it did not take at the
        # source ("Deploy and Roll back"); names are found where each text was inspected, and masked there.
        for finding in inspect_text(text, custom=custom, names=False):
            span = text[finding.start : finding.end]
            if re.search(r"[^\W_]", PLACEHOLDER.sub("", span)):
                violations.append(Violation(i, finding.kind, _redacted_excerpt(text, finding.start, finding.end)))
    return violations


def _windows(text: str) -> Iterator[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    for i in range(len(words) - NGRAM_WORDS + 1):
        yield tuple(words[i : i + NGRAM_WORDS])


def _message_texts(body: bytes) -> list[str]:
    """The system prompt and the messages' content of a Messages API body (its text blocks, or the whole
    body when it is not a JSON object): what a model reads."""
    raw = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(raw)
    except ValueError:
        return [raw]
    if not isinstance(document, dict):
        return [raw]
    messages = document.get("messages") or []
    contents = [m.get("content") if isinstance(m, dict) else m for m in messages]
    return list(json_strings([document.get("system"), contents]))


def _redacted_excerpt(text: str, start: int, end: int, *, context: int = 40) -> str:
    """The words around a finding, the finding and anything else sensitive nearby replaced by placeholders.
    Cut at whitespace, so no half of a value is left at either end for the inspector to miss."""
    left = text[max(0, start - context) : start]
    right = text[end : end + context]
    left = left.split(None, 1)[1] if start > context and len(left.split(None, 1)) > 1 else left
    right = right.rsplit(None, 1)[0] if end + context < len(text) and len(right.rsplit(None, 1)) > 1 else right
    excerpt = f"{left}\x00{right}"
    masked = redact(excerpt, inspect_text(excerpt), Vault()).text
    return " ".join(masked.replace("\x00", "[FOUND]").split())


# --- running a policy --------------------------------------------------------------------------------


@dataclass
class PolicyRun:
    """One policy's pass over the workload: per request its kind, zone and audited cost; what reached the wire."""

    name: str
    version: str
    seconds: float = 0.0
    kinds: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    audit_ids: list[int] = field(default_factory=list)
    cloud_bodies: list[bytes] = field(default_factory=list)
    onprem_calls: int = 0
    violations: list[Violation] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        n = len(self.audit_ids)
        events = AuditEvent.objects.filter(id__in=self.audit_ids)
        cost_by_id = dict(events.values_list("id", "cost_usd"))
        total = events.aggregate(total=Sum("cost_usd"))["total"] or 0.0
        tokens = Counter()
        for attempts in events.values_list("attempts", flat=True):
            for a in attempts:
                if a.get("zone") == Zone.CLOUD:
                    tokens["input"] += a.get("input_tokens", 0)
                    tokens["output"] += a.get("output_tokens", 0)
        by_kind: dict[str, dict[str, Any]] = {}
        for kind, zone, audit_id in zip(self.kinds, self.zones, self.audit_ids, strict=True):
            entry = by_kind.setdefault(kind, {"requests": 0, "cost_usd": 0.0, "zones": Counter()})
            entry["requests"] += 1
            entry["cost_usd"] += cost_by_id[audit_id]
            entry["zones"][zone] += 1
        return {
            "policy_version": self.version,
            "requests": n,
            "cost_usd": round(total, 6),
            "cost_per_1k_usd": round(total / n * 1000, 4) if n else 0.0,
            "zones": {zone: round(count / n, 4) for zone, count in sorted(Counter(self.zones).items())},
            "zone_counts": dict(sorted(Counter(self.zones).items())),
            "cloud_tokens": {"input": tokens["input"], "output": tokens["output"]},
            "cloud_calls": len(self.cloud_bodies),
            "onprem_model_calls": self.onprem_calls,
            "violations": len(self.violations),
            "violation_examples": [v.as_json() for v in self.violations[:3]],
            "by_kind": {
                kind: {
                    "requests": e["requests"],
                    "cost_usd": round(e["cost_usd"], 6),
                    "zones": dict(sorted(e["zones"].items())),
                }
                for kind, e in sorted(by_kind.items())
            },
            "seconds": round(self.seconds, 1),
        }


def create_personas(workload: WorkloadSpec) -> dict[str, User]:
    """The workload's personas as users (username bench-cost-<name>), in no team, so no team budget
    can skip the cloud half-way through a run."""
    users = {}
    for persona in workload.personas.values():
        user, _ = upsert_user(
            username=PERSONA_PREFIX + persona.name.replace("_", "-"),
            role=persona.role,
            clearance=persona.clearance,
            groups=persona.groups,
            password=None,
            team="",
        )
        users[persona.name] = user
    return users


@contextmanager
def fake_models() -> Iterator[tuple[Any, Any]]:
    """Both fake model servers on 127.0.0.1, answering at once, with settings pointing the policy's
    targets at them and the response cache off, so that repeated questions and the second policy pay
    in full. Both servers are closed on the way out, whatever happened."""
    # Imported here: the fakes live with the tests, and a deployment need not ship them.
    from fakes.anthropic_server import FakeAnthropic
    from fakes.openai_server import FakeOpenAI

    pieces = tuple(ANSWER[i : i + 4] for i in range(0, len(ANSWER), 4))
    with ExitStack() as stack:
        cloud = FakeAnthropic(api_key=FAKE_API_KEY, models=(CLOUD_MODEL,))
        onprem = FakeOpenAI(models=(LOCAL_MODEL,))
        for server in (cloud, onprem):
            server.behave(text=ANSWER, chunks=pieces)
            server.start()
            stack.callback(server.stop)
        stack.enter_context(
            override_settings(
                ANTHROPIC_API_KEY=FAKE_API_KEY,
                ANTHROPIC_BASE_URL=cloud.url,
                ANTHROPIC_MODEL=CLOUD_MODEL,
                ANTHROPIC_PRICE_INPUT_PER_MTOK=PRICE_INPUT_PER_MTOK,
                ANTHROPIC_PRICE_OUTPUT_PER_MTOK=PRICE_OUTPUT_PER_MTOK,
                LOCAL_LLM_BASE_URL=onprem.base_url,
                LOCAL_LLM_MODEL=LOCAL_MODEL,
                LOCAL_LLM_API_KEY="",
                RESPONSE_CACHE_TTL_S=0,
            )
        )
        # New backends for the new settings and closed circuits, before and after.
        resilience.reset()
        stack.callback(resilience.reset)
        yield cloud, onprem


def run_policy(
    *, name: str, policy_text: str, workload: WorkloadSpec, users: dict[str, User], protected: ProtectedPassages
) -> PolicyRun:
    """Activate `policy_text` through the policy service and ask every request of `workload` as its persona."""
    stored = save_and_activate_policy(text=policy_text, acting_user=None, comment=f"cost benchmark: {name}")
    policy = get_active_policy()
    CachedAnswer.objects.all().delete()
    run = PolicyRun(name=name, version=stored.version)
    started = time.perf_counter()
    with fake_models() as (cloud, onprem):
        for request in workload.requests:
            answer = answer_question(
                question=request.question, acting_user=users[request.who], workload=request.workload
            )
            run.kinds.append(request.kind)
            run.zones.append(_zone(answer.refused, answer.backend, policy))
            run.audit_ids.append(answer.audit_id)
        run.cloud_bodies = [r.body for r in cloud.requests if r.method == "POST"]
        run.onprem_calls = sum(1 for r in onprem.requests if r.method == "POST")
    run.seconds = time.perf_counter() - started
    custom = policy.custom_patterns
    run.violations = find_violations(run.cloud_bodies, protected=protected, custom=custom)
    return run


def _zone(refused: bool, backend: str, policy: Policy) -> str:
    """Where a request ended: cloud, onprem (a model), extractive (on-prem, in-process) or refused."""
    if refused or not backend:
        return "refused"
    target = policy.target(backend)
    return "extractive" if target.in_process else str(target.zone)


def policy_cost_comparison(*, workload: WorkloadSpec | None = None) -> dict[str, Any]:
    """The default policy and the cloud-only policy on the same workload, in the current database.

    Returns {"workload": {"requests", "mix"}, "prices": {...}, "policies": {"default": ..., "cloud_only":
    ...}, "ratio"}: per policy its cost per 1,000 requests (USD, audited), the share of requests answered
    in each zone, cloud tokens, on-the-wire violations (count and up to 3 redacted examples) and the
    same by kind of request; `ratio` is default's cost over cloud-only's. The policy that was active
    before is active again afterwards.
    """
    workload = workload or load_workload()
    users = create_personas(workload)
    protected = protected_passages(above=cloud_ceiling())
    before = PolicyVersion.objects.filter(is_active=True).values_list("version", flat=True).first()
    cloud_only_text = CLOUD_ONLY_POLICY_PATH.read_text(encoding="utf-8")
    texts = {"default": read_default_policy_text(), "cloud_only": cloud_only_text}
    load_policy(cloud_only_text)  # raises PolicyError, with lines, before anything runs
    runs: dict[str, PolicyRun] = {}
    try:
        for name, text in texts.items():
            runs[name] = run_policy(name=name, policy_text=text, workload=workload, users=users, protected=protected)
    finally:
        # Leave the policy that was active before (or, with none stored, the default) active again.
        restore = before or load_policy(texts["default"]).version
        if PolicyVersion.objects.filter(version=restore).exists():
            activate_policy_version(version=restore, acting_user=None, comment="cost benchmark done")
    policies = {name: run.summary() for name, run in runs.items()}
    default_cost, cloud_only_cost = (policies[name]["cost_usd"] for name in ("default", "cloud_only"))
    return {
        "workload": {"requests": len(workload.requests), "mix": workload.mix()},
        "prices": {
            "cloud_model": CLOUD_MODEL,
            "input_per_mtok_usd": PRICE_INPUT_PER_MTOK,
            "output_per_mtok_usd": PRICE_OUTPUT_PER_MTOK,
            "onprem_usd": 0.0,
        },
        "policies": policies,
        # The same requests under both, so the ratio of totals is the ratio of costs per 1,000 requests.
        "ratio": round(default_cost / cloud_only_cost, 4) if cloud_only_cost else None,
    }
