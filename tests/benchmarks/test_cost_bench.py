"""The policy-cost baseline: default vs cloud-only on a workload, and the on-the-wire violation checker."""

from __future__ import annotations

import json

import pytest
from django.db.models import Sum

from accounts.clearance import Classification
from benchmarks.cost import (
    CLOUD_ONLY_POLICY_PATH,
    PRICE_INPUT_PER_MTOK,
    PRICE_OUTPUT_PER_MTOK,
    ProtectedPassages,
    cloud_ceiling,
    find_violations,
    load_workload,
    parse_workload,
    policy_cost_comparison,
    protected_passages,
)
from inspection import CustomPattern, inspect_text
from retrieval.models import Chunk
from routing.models import AuditEvent
from routing.policy.decide import Health, RequestFacts, Zone, decide
from routing.policy.loader import load_policy
from routing.policy.versions import get_active_policy

SHARED = "All examples use placeholders in angle brackets and never real values from production systems."
RUNBOOK = (
    "# Deploy runbook\n\nTo roll back a bad deploy, run gantry rollback for the service and the environment, "
    "then check that the dashboards return to their baseline. Announce the rollback in the deploys channel "
    f"before you start. {SHARED}\n\n"
    "# Parental leave\n\nEmployees get eighteen weeks of fully paid parental leave after ninety days of "
    "employment, taken within twelve months of the birth or adoption, in up to three blocks."
)
CEREMONY = (
    "# Key ceremony\n\nThe disaster recovery key is split into five shares with a threshold of three. Each "
    "custodian keeps a share in a separate safe, and the custodians meet every January to re-key the vault "
    f"recovery shares in front of two witnesses. {SHARED}"
)
SMALL_WORKLOAD = {
    "personas": {
        "engineer": {"role": "employee", "clearance": "internal", "groups": ["engineering"]},
        "custodian": {"role": "employee", "clearance": "restricted", "groups": []},
    },
    "requests": [
        {"who": "engineer", "kind": "howto", "q": "How do I roll back a bad deploy?"},
        {
            "who": "engineer",
            "kind": "personal",
            "q": "Ms Priya Raman (priya.raman@quillfern.example) asks how many weeks of parental leave she gets.",
        },
        {"who": "engineer", "kind": "ci", "workload": "ci", "q": "Which channel announces a rollback?"},
        {"who": "custodian", "kind": "restricted", "q": "How many shares reconstruct the disaster recovery key?"},
    ],
}
CUSTOM = [CustomPattern(name="customer_id", pattern=r"\bCUST-\d{6}\b")]


def messages_body(user: str) -> bytes:
    """A request body as the Anthropic SDK sends it, as the fake records it."""
    return json.dumps(
        {
            "model": "claude-haiku-4-5",
            "max_tokens": 1024,
            "system": "You answer employees' questions using only the numbered passages.",
            "messages": [{"role": "user", "content": user}],
            "stream": True,
        }
    ).encode()


@pytest.fixture
def small_corpus(ingest):
    ingest("deploy-runbook.md", RUNBOOK, classification="internal")
    ingest("key-ceremony.md", CEREMONY, classification="restricted")


@pytest.mark.slow  # two policy runs through retrieval, the gate and both fake servers: ~15 s here
def test_default_policy_keeps_sensitive_requests_onprem_and_costs_less_than_cloud_only(small_corpus):
    result = policy_cost_comparison(workload=parse_workload(SMALL_WORKLOAD))

    default, cloud_only = result["policies"]["default"], result["policies"]["cloud_only"]
    assert result["workload"] == {"requests": 4, "mix": {"howto": 1, "personal": 1, "ci": 1, "restricted": 1}}
    assert default["zones"] == {"cloud": 0.25, "onprem": 0.75}
    assert default["by_kind"]["howto"]["zones"] == {"cloud": 1}
    assert cloud_only["zones"] == {"cloud": 0.75, "extractive": 0.25}
    assert cloud_only["by_kind"]["restricted"]["zones"] == {"extractive": 1}
    assert 0 < default["cost_per_1k_usd"] < cloud_only["cost_per_1k_usd"]
    assert result["ratio"] == pytest.approx(default["cost_usd"] / cloud_only["cost_usd"], abs=1e-4)
    assert default["violations"] == cloud_only["violations"] == 0
    assert default["cloud_calls"] == 1 and cloud_only["cloud_calls"] == 3 and cloud_only["onprem_model_calls"] == 0
    # The cost is what the gate audited, at the prices the benchmark sets, not the environment's.
    for policy in (default, cloud_only):
        audited = AuditEvent.objects.filter(policy_version=policy["policy_version"])
        total = audited.aggregate(total=Sum("cost_usd"))["total"]
        assert audited.count() == 4
        assert policy["cost_per_1k_usd"] == pytest.approx(total / 4 * 1000, abs=1e-4)
        tokens = policy["cloud_tokens"]
        assert total == pytest.approx(
            (tokens["input"] * PRICE_INPUT_PER_MTOK + tokens["output"] * PRICE_OUTPUT_PER_MTOK) / 1e6
        )
    assert get_active_policy().version == "default-3"  # the active policy is put back


def test_checker_flags_a_restricted_passage_on_the_wire_and_names_only_its_document(small_corpus):
    protected = protected_passages(above=cloud_ceiling())
    restricted = Chunk.objects.get(document__title="Key ceremony").text
    internal = Chunk.objects.filter(document__classification=Classification.INTERNAL).first().text

    leaked = find_violations(
        [messages_body(f"Passages:\n\n[1] Key ceremony\n{restricted}\n\nQuestion: how?")], protected=protected
    )
    allowed = find_violations(
        [messages_body(f"Passages:\n\n[1] Runbook\n{internal}\n\nQuestion: how?")], protected=protected
    )
    shared = find_violations([messages_body(SHARED)], protected=protected)

    assert [(v.kind, v.request) for v in leaked] == [("restricted_passage", 0)]
    assert "Key ceremony" in leaked[0].detail and "threshold" not in leaked[0].detail
    assert allowed == [] and shared == []  # boilerplate found in an internal document too is no leak


@pytest.mark.parametrize(
    "planted, kind",
    [
        ("Reply to jordan.ellis@gmail.com about leave.", "email"),
        ("Our job logged password=Qx7!vR2p#Lm9wT4z in plain text.", "secret"),
        ("Customer CUST-204518 cannot book slots.", "custom:customer_id"),
        ("Refund card 4111 1111 1111 1111 please.", "payment_card"),
    ],
)
def test_checker_flags_data_in_the_clear_without_repeating_it(planted, kind):
    bodies = [messages_body("Question: how do I roll back?"), messages_body(f"Question: {planted}")]

    violations = find_violations(bodies, protected=ProtectedPassages({}), custom=CUSTOM)

    assert [(v.request, v.kind) for v in violations] == [(1, kind)]
    finding = inspect_text(planted, custom=CUSTOM)[0]
    assert planted[finding.start : finding.end] not in json.dumps([v.as_json() for v in violations])


def test_checker_accepts_placeholders():
    body = messages_body("Question: reply to [EMAIL_1] and [PERSON_1] about [CUSTOM_CUSTOMER_ID_1]; key [SECRET_1].")

    assert find_violations([body], protected=ProtectedPassages({}), custom=CUSTOM) == []


def test_cloud_only_policy_loads_and_still_keeps_confidential_data_off_the_cloud():
    policy = load_policy(CLOUD_ONLY_POLICY_PATH.read_text())
    up = Health.all_up(policy.targets)

    internal = decide(RequestFacts(role="employee", clearance=1, workload="ci", passage_classes=(1,)), policy, up)
    confidential = decide(RequestFacts(role="employee", clearance=2, passage_classes=(1, 2)), policy, up)
    secret = decide(RequestFacts(role="employee", clearance=1, findings={"secret": 1}), policy, up)

    assert [t.zone for t in internal.targets] == [Zone.CLOUD] and internal.redact
    assert [t.name for t in confidential.targets] == ["extractive"]
    assert [t.name for t in secret.targets] == ["extractive"] and secret.remove_secrets


def test_the_recorded_workload_is_mixed_and_its_kinds_match_what_the_inspector_finds():
    workload = load_workload()
    custom = [
        CustomPattern(name=p.name, pattern=p.pattern)
        for p in load_policy(CLOUD_ONLY_POLICY_PATH.read_text()).custom_patterns
    ]

    assert 100 <= len(workload.requests) <= 200
    assert {r.workload for r in workload.requests} == {"interactive", "ci", "batch"}
    carry = {"personal", "customer", "secret", "financial"}
    for request in workload.requests:
        kinds = {f.kind for f in inspect_text(request.question, custom=custom)}
        assert bool(kinds) == (request.kind in carry), request.question
        if request.kind == "secret":
            assert "secret" in kinds, request.question
        if request.kind == "financial":
            assert kinds & {"payment_card", "iban"}, request.question
