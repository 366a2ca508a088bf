"""load_policy(): the default policy loads; broken policies are rejected with the line and the problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accounts.clearance import Classification
from routing.policy.decide import (
    INJECTION_NOTICES,
    Approval,
    InjectionAction,
    InjectionHandling,
    OnFailure,
    Saturation,
    Zone,
)
from routing.policy.loader import PolicyError, PolicyProblem, load_policy

DEFAULT_TEXT = (Path(__file__).resolve().parents[2] / "routing" / "policies" / "default.yaml").read_text()

SMALL = textwrap.dedent(
    """\
    version: "small-1"
    data_classes:
      email: internal
    targets:
      claude:
        zone: cloud
        backend: anthropic
        tier: frontier
      local:
        zone: onprem
        backend: openai_compatible
        tier: small
      extractive:
        zone: onprem
        backend: extractive
        tier: extractive
    rules:
      - name: restricted-onprem
        when: {data_class: restricted}
        targets: [local]
        redact: false
        max_passages: 5
        on_failure: fail_closed
        explain: Restricted stays on-prem.
      - name: internal-cloud
        when: {data_class: {max: internal}}
        targets: [claude, local]
        redact: true
        max_passages: 5
        on_failure: degrade
        explain: Internal goes to cloud redacted.
    """
)


def problems(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    return raised.value.errors


def test_the_default_policy_loads() -> None:
    policy = load_policy(DEFAULT_TEXT)
    assert policy.version == "default-3"
    assert [(t.name, t.zone, t.backend) for t in policy.targets] == [
        ("claude", Zone.CLOUD, "anthropic"),
        ("local", Zone.ONPREM, "openai_compatible"),
        ("extractive", Zone.ONPREM, "extractive"),
    ]
    assert policy.target("claude").price_output_per_mtok == 15.0
    assert policy.class_of_kind("secret") == Classification.RESTRICTED
    assert policy.class_of_kind("custom:customer_id") == Classification.INTERNAL
    assert policy.finding_groups["personal"] == ("email", "phone", "person", "address", "ip_address")
    assert policy.rules[-1].on_failure == OnFailure.DEGRADE


def test_the_small_policy_loads() -> None:
    policy = load_policy(SMALL)
    assert [r.name for r in policy.rules] == ["restricted-onprem", "internal-cloud"]
    # unnamed finding kinds are assumed confidential
    assert policy.class_of_kind("iban") == Classification.CONFIDENTIAL


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "targets: [claude, local]",
            "targets: [claud, local]",
            "line 27: rule 'internal-cloud': unknown target 'claud' (known: claude, local, extractive)",
        ),
        (
            "zone: cloud",
            "zone: outer-space",
            "line 6: target 'claude': zone: unknown value 'outer-space' (known: onprem, private, cloud)",
        ),
        (
            "backend: anthropic",
            "backend: bedrock",
            "line 7: target 'claude': backend: unknown value 'bedrock' "
            "(known: anthropic, openai_compatible, extractive)",
        ),
        (
            "    redact: true\n",
            "    redcat: true\n",
            "line 28: rule 'internal-cloud': unknown key 'redcat' "
            "(known: name, when, targets, redact, max_passages, on_failure, approve, explain)",
        ),
        (
            "{data_class: restricted}",
            "{data_class: secretish}",
            "line 19: rule 'restricted-onprem': when data_class: unknown data class 'secretish' "
            "(known: public, internal, confidential, restricted)",
        ),
        (
            "email: internal",
            "emial: internal",
            "line 3: data_classes: unknown finding kind 'emial' "
            "(known: email, phone, payment_card, iban, ssn, ip_address, person, address, secret)",
        ),
        (
            "on_failure: degrade",
            "on_failure: retry",
            "line 30: rule 'internal-cloud': on_failure: unknown value 'retry' (known: fail_closed, degrade, queue)",
        ),
        (
            "max_passages: 5\n    on_failure: degrade",
            "max_passages: many\n    on_failure: degrade",
            "line 29: rule 'internal-cloud': max_passages must be a whole number",
        ),
        (
            "{data_class: {max: internal}}",
            "{workload: cron}",
            "line 26: rule 'internal-cloud': when workload: unknown value 'cron' (known: interactive, batch, ci)",
        ),
        (
            "  email: internal\n",
            "  email: internal\n  email: confidential\n",
            "line 4: data_classes: key 'email' appears twice",
        ),
        (
            "zone: onprem\n    backend: extractive",
            "zone: cloud\n    backend: extractive",
            "line 14: target 'extractive': the extractive backend runs in-process, so its zone is onprem",
        ),
        (
            "  - name: restricted-onprem\n    when: {data_class: restricted}\n    targets: [local]",
            "  - name: restricted-onprem\n    when: {data_class: restricted}\n    targets: [claude]",
            "line 20: rule 'restricted-onprem': can send restricted data to claude (cloud), but restricted data "
            "never leaves onprem; narrow `when` with a data_class, or put a rule that catches restricted data "
            "before it",
        ),
        (
            "redact: true",
            "redact: false",
            "line 27: rule 'internal-cloud': can send internal data to claude (cloud), but internal data goes to "
            "cloud only redacted; set redact: true",
        ),
        (
            "{data_class: {max: internal}}",
            "{data_class: {min: internal, max: confidential}}",
            "line 27: rule 'internal-cloud': can send confidential data to claude (cloud), but confidential data "
            "never reaches cloud; narrow `when` with a data_class, or put a rule that catches confidential data "
            "before it",
        ),
    ],
)
def test_a_broken_policy_names_the_line_and_the_problem(old: str, new: str, expected: str) -> None:
    assert old in SMALL
    assert [str(p) for p in problems(SMALL.replace(old, new, 1))] == [expected]


CATCH_ALL = """\
  - name: everything-to-cloud
    targets: [claude]
    redact: true
    max_passages: 2
    explain: Everything goes to the cloud.
"""


def test_a_rule_that_could_see_restricted_data_may_not_list_the_cloud() -> None:
    rules_start = SMALL.index("  - name: restricted-onprem")
    ahead = SMALL[:rules_start] + CATCH_ALL + SMALL[rules_start:]
    assert [str(p) for p in problems(ahead)] == [
        "line 19: rule 'everything-to-cloud': can send restricted data to claude (cloud), but restricted data "
        "never leaves onprem; narrow `when` with a data_class, or put a rule that catches restricted data before it"
    ]


def test_a_catch_all_may_list_the_cloud_once_earlier_rules_catch_everything_above_internal() -> None:
    # restricted-onprem catches restricted data and internal-cloud public and internal data, so only
    # confidential data would reach the catch-all: refused until a rule catches confidential too.
    found = problems(SMALL + CATCH_ALL)
    assert [p.message.split(";")[0] for p in found] == [
        "rule 'everything-to-cloud': can send confidential data to claude (cloud), "
        "but confidential data never reaches cloud"
    ]
    confidential_rule = (
        CATCH_ALL.replace("everything-to-cloud", "confidential-local")
        .replace("[claude]", "[local]")
        .replace("    targets", "    when: {data_class: confidential}\n    targets")
    )
    policy = load_policy(SMALL + confidential_rule + CATCH_ALL)
    assert [r.name for r in policy.rules][-1] == "everything-to-cloud"


def test_the_default_policy_rejects_a_secret_rule_that_reaches_the_cloud() -> None:
    old = "    when: {findings_any: [secret]}\n    targets: [local, extractive]"
    assert old in DEFAULT_TEXT
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index(old)].count("\n") + 2
    broken = DEFAULT_TEXT.replace(old, "    when: {findings_any: [secret]}\n    targets: [local, claude]")
    assert [str(p) for p in problems(broken)] == [
        f"line {line}: rule 'secret-stays-onprem': can send a question with a secret to claude (cloud), "
        "but secrets never leave onprem; use on-prem targets only"
    ]


def test_an_invalid_custom_pattern_names_its_line() -> None:
    broken = DEFAULT_TEXT.replace(r"'\bCUST-\d{6}\b'", r"'CUST-(\d{6}'")
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index("CUST-")].count("\n") + 1
    assert [str(p) for p in problems(broken)] == [
        f"line {line}: custom pattern 'customer_id': invalid regular expression: "
        r"missing ): CUST-(\d{6}: patterns run with RE2, so write it without back-references or look-arounds"
    ]


@pytest.mark.parametrize("pattern", [r"(CUST)-\d{6}-\1", r"(?<=ref )CUST-\d{6}"])
def test_a_pattern_that_needs_backtracking_is_refused_at_its_line(pattern: str) -> None:
    broken = DEFAULT_TEXT.replace(r"'\bCUST-\d{6}\b'", f"'{pattern}'")
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index("CUST-")].count("\n") + 1

    [problem] = problems(broken)

    assert problem.line == line and "write it without back-references or look-arounds" in problem.message


def test_an_unknown_finding_kind_in_a_rule_is_named() -> None:
    broken = DEFAULT_TEXT.replace('["custom:*", personal]', '["custom:*", persona]')
    found = problems(broken)
    assert len(found) == 1
    assert found[0].message.startswith(
        "rule 'customer-data-private-first': when findings_any: unknown finding kind 'persona' (known: email,"
    )


def test_the_budget_must_always_skip_cloud() -> None:
    broken = DEFAULT_TEXT.replace("skip_zones: [cloud]", "skip_zones: [private]")
    line = DEFAULT_TEXT[: DEFAULT_TEXT.index("skip_zones")].count("\n") + 1
    assert [str(p) for p in problems(broken)] == [
        f"line {line}: budget: skip_zones must include cloud (a spent budget always skips cloud)"
    ]


def test_degrade_needs_an_extractive_target() -> None:
    without = SMALL.replace("  extractive:\n    zone: onprem\n    backend: extractive\n    tier: extractive\n", "")
    assert [str(p) for p in problems(without)] == [
        "line 26: rule 'internal-cloud': degrade needs a target with backend: extractive"
    ]


def test_every_problem_is_reported_in_line_order() -> None:
    broken = (
        SMALL.replace("zone: cloud", "zone: sky")
        .replace("tier: small", "tier: 3")
        .replace("redact: false", "redact: no way")
    )
    assert [p.line for p in problems(broken)] == [6, 12, 21]


def test_a_yaml_syntax_error_names_its_line() -> None:
    broken = SMALL.replace("targets: [claude, local]", "targets: [claude, local")
    assert problems(broken)[0].line == 28
    assert problems(broken)[0].message.startswith("not valid YAML:")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ["line 1: the policy is empty"]),
        ("- a list\n", ["line 1: the policy must be a mapping of keys to values"]),
        ("version: x\n", ["line 1: the policy: 'targets' is missing", "line 1: the policy: 'rules' is missing"]),
        (
            "version: x\nowner: me\ntargets: {}\nrules: []\n",
            [
                "line 2: the policy: unknown key 'owner' (known: version, workloads, data_classes, finding_groups, "
                "custom_patterns, targets, secrets, budget, injection, rules)",
                "line 3: targets must map each target's name to its zone, backend, tier, prices and timeout",
                "line 4: rules must be a non-empty list; the first rule whose `when` matches decides",
            ],
        ),
    ],
)
def test_an_empty_or_skeletal_policy_is_rejected(text: str, expected: list[str]) -> None:
    assert [str(p) for p in problems(text)] == expected


def test_a_version_keeps_the_text_as_written() -> None:
    assert load_policy(SMALL.replace('"small-1"', "1.10")).version == "1.10"


def test_policy_error_lists_every_problem_in_its_message() -> None:
    broken = SMALL.replace("zone: cloud", "zone: sky").replace("tier: small", "tier: 3")
    with pytest.raises(PolicyError, match=r"^line 6: .*\nline 12: target 'local': tier must be text$"):
        load_policy(broken)


def test_the_injection_section_is_read_with_a_notice_that_fits_its_action() -> None:
    default = load_policy(DEFAULT_TEXT)
    assert default.injection == InjectionHandling()

    marked = load_policy(DEFAULT_TEXT.replace("threshold: 0.7\n  action: drop", "threshold: 0.9\n  action: mark"))
    assert marked.injection.action == InjectionAction.MARK and marked.injection.threshold == 0.9
    assert marked.injection.tell_user == INJECTION_NOTICES[InjectionAction.MARK]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("injection:\n  action: ignore\n", "injection: action: unknown value 'ignore' (known: drop, quarantine, mark)"),
        ("injection:\n  threshold: 0\n", "injection: threshold must be above 0 and at most 1"),
        ("injection:\n  threshold: 1.5\n", "injection: threshold must be above 0 and at most 1"),
        ("injection:\n  threshold: high\n", "injection: threshold must be a non-negative number"),
        ("injection:\n  obey: true\n", "injection: unknown key 'obey'"),
    ],
)
def test_a_bad_injection_section_is_refused_with_its_line(section: str, expected: str) -> None:
    text = DEFAULT_TEXT
    start = text.index("injection:\n")
    end = text.index("\nrules:")
    found = [str(p) for p in problems(text[:start] + section + text[end:])]
    assert len(found) == 1 and expected in found[0], found


TRIAGE_RULE = """  - name: ticket-triage-onprem
    when: {workload: ticket-triage}
    targets: [local]
    redact: true
    max_passages: 0
    on_failure: fail_closed
    explain: Ticket triage runs on-prem.

"""


def with_workloads(declared: str, rule: str = TRIAGE_RULE) -> str:
    text = DEFAULT_TEXT.replace("rules:\n", f"workloads: {declared}\n\nrules:\n", 1)
    return text.replace("  - name: secret-stays-onprem", rule + "  - name: secret-stays-onprem", 1)


def test_a_policy_may_name_its_own_workloads_and_rules_may_use_them() -> None:
    policy = load_policy(with_workloads("[ticket-triage, meeting-summary]"))
    assert policy.workloads == ("ticket-triage", "meeting-summary")
    assert policy.all_workloads == ("interactive", "batch", "ci", "ticket-triage", "meeting-summary")
    assert policy.rules[0].when.workload == frozenset({"ticket-triage"})


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            "[meeting-summary]",
            "when workload: unknown value 'ticket-triage' (known: interactive, batch, ci, meeting-summary)",
        ),
        ("[Ticket_Triage]", "workload 'Ticket_Triage': use lower-case letters, digits and '-'"),
        ("[ci]", "workload 'ci' is named twice"),
        ("ticket-triage", "workloads must be a list of names"),
    ],
)
def test_workload_names_are_checked(declared: str, expected: str) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(with_workloads(declared))
    assert expected in str(raised.value), str(raised.value)


APPROVE_AT = "    on_failure: degrade\n    explain: Public data"


@pytest.mark.parametrize(
    "approve, expected",
    [
        ("approve: true", Approval(by=("admin",), expires_after_s=24 * 3600)),
        ("approve: false", None),
        ("approve: {by: finance}", Approval(by=("finance",), expires_after_s=24 * 3600)),
        (
            "approve: {by: [admin, finance, admin], expires_after: 90m}",
            Approval(by=("admin", "finance"), expires_after_s=5400),
        ),
        ("approve: {expires_after: 7d}", Approval(by=("admin",), expires_after_s=7 * 86400)),
    ],
)
def test_a_rule_may_hold_its_requests_for_approval(approve: str, expected: Approval | None) -> None:
    policy = load_policy(
        DEFAULT_TEXT.replace(APPROVE_AT, APPROVE_AT.replace("    explain", f"    {approve}\n    explain"))
    )
    assert policy.rules[-1].approve == expected
    assert all(rule.approve is None for rule in policy.rules[:-1])


@pytest.mark.parametrize(
    "approve, expected",
    [
        ("approve: {by: []}", "approve by must be a name or a non-empty list of names"),
        ("approve: {by: ['  ']}", "approve by: a role or group name cannot be empty"),
        (
            "approve: {by: [admin], expires_after: 40d}",
            "approve expires_after: at most 30d (a held request's vault is kept until it expires)",
        ),
        ("approve: {expires_after: soon}", "approve expires_after must be a duration such as 30m, 24h or 7d"),
        ("approve: {expires_after: 0h}", "approve expires_after must be a duration such as 30m, 24h or 7d"),
        ("approve: yes please", "approve must be true, false or {by: [roles or groups], expires_after: 24h}"),
        ("approve: {who: ada}", "approve: unknown key 'who' (known: by, expires_after)"),
    ],
)
def test_a_bad_approve_is_refused_with_its_line(approve: str, expected: str) -> None:
    text = DEFAULT_TEXT.replace(APPROVE_AT, APPROVE_AT.replace("    explain", f"    {approve}\n    explain"))
    line = text.splitlines().index(f"    {approve}") + 1
    assert problems(text) == [PolicyProblem(line, f"rule 'public-prefers-cloud': {expected}")]


def test_a_target_may_say_when_it_is_saturated() -> None:
    text = SMALL.replace(
        "    tier: small\n", "    tier: small\n    saturated_when: {waiting_over: 8, running_over: 32}\n"
    )
    policy = load_policy(text)
    assert policy.target("local").saturated_when == Saturation(waiting_over=8, running_over=32)
    assert policy.target("claude").saturated_when is None


@pytest.mark.parametrize(
    "saturated_when, expected",
    [
        (
            "{waiting_over: -1}",
            "line 13: target 'local': saturated_when: waiting_over must be a whole number, 0 or more",
        ),
        (
            "{waiting_over: 8.5}",
            "line 13: target 'local': saturated_when: waiting_over must be a whole number, 0 or more",
        ),
        (
            "{waiting_over: many}",
            "line 13: target 'local': saturated_when: waiting_over must be a whole number, 0 or more",
        ),
        (
            "{}",
            "line 13: target 'local': saturated_when must give waiting_over or running_over, e.g. {waiting_over: 8}",
        ),
        ("8", "line 13: target 'local': saturated_when must give waiting_over or running_over, e.g. {waiting_over: 8}"),
        (
            "{queue_over: 8}",
            "line 13: target 'local': saturated_when: unknown key 'queue_over' (known: waiting_over, running_over)",
        ),
    ],
)
def test_a_bad_saturated_when_is_refused_with_its_line(saturated_when: str, expected: str) -> None:
    text = SMALL.replace("    tier: small\n", f"    tier: small\n    saturated_when: {saturated_when}\n")
    assert [str(p) for p in problems(text)] == [expected]


def test_only_targets_whose_servers_report_their_load_may_saturate() -> None:
    text = SMALL.replace("    tier: frontier\n", "    tier: frontier\n    saturated_when: {waiting_over: 8}\n")
    assert [str(p) for p in problems(text)] == [
        "line 9: target 'claude': saturated_when: only openai_compatible targets report their load (this one is "
        "anthropic)"
    ]


TYPED_RULE = """\
  - name: typed-injection-onprem
    when: {typed_injection: true}
    targets: [local]
    redact: false
    max_passages: 3
    on_failure: fail_closed
    explain: Reads as a prompt injection, so it stays on-prem.
"""


def test_a_rule_may_ask_whether_the_question_reads_as_a_prompt_injection() -> None:
    policy = load_policy(SMALL.replace("rules:\n", "rules:\n" + TYPED_RULE, 1))

    assert policy.rules[0].when.typed_injection is True
    assert policy.rules[1].when.typed_injection is None  # a rule that does not say matches either way


def test_typed_injection_must_be_true_or_false() -> None:
    broken = SMALL.replace("rules:\n", "rules:\n" + TYPED_RULE.replace("true}", "sometimes}"), 1)

    assert [str(p) for p in problems(broken)] == [
        "line 19: rule 'typed-injection-onprem': when typed_injection must be true or false"
    ]
