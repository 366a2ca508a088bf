"""Read a policy from YAML text, with errors that name the line and the problem.

Pure: text in, routing.policy.decide.Policy out, or PolicyError listing every problem found.
The YAML is walked as PyYAML's node tree (yaml.compose), so each value keeps its line.
The format is explained for admins in docs/policy.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from accounts.clearance import Classification
from accounts.roles import Role
from inspection import compile_custom_pattern
from inspection.findings import CUSTOM_PREFIX, CustomPattern
from inspection.findings import KINDS as BUILTIN_KINDS
from routing.policy.decide import (
    BACKENDS,
    INJECTION_NOTICES,
    WORKLOAD_NAME,
    Approval,
    BudgetHandling,
    ClassRange,
    Conditions,
    InjectionAction,
    InjectionHandling,
    OnFailure,
    Policy,
    Rule,
    Saturation,
    SecretHandling,
    Target,
    Workload,
    Zone,
    kind_matches,
    zone_violation,
)

NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
CUSTOM_NAME_RE = re.compile(r"^[a-z0-9_]+$")

Path = tuple[Any, ...]


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong with a policy, at a 1-based line (0 when the text has no lines)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class PolicyError(Exception):
    """The policy text is invalid; `errors` lists every problem found, in line order."""

    def __init__(self, errors: list[PolicyProblem]) -> None:
        self.errors = sorted(errors, key=lambda p: p.line)
        super().__init__("\n".join(str(p) for p in self.errors))


def _context(path: Path) -> str:
    return f"{path[-1]}: " if path and isinstance(path[-1], str) else ""


class _Tree:
    """Plain Python data from the YAML, plus the line of every value and every mapping key."""

    def __init__(self) -> None:
        self.value_lines: dict[Path, int] = {}
        self.key_lines: dict[Path, int] = {}
        self.raw: dict[Path, str] = {}
        self.problems: list[PolicyProblem] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.value_lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(PolicyProblem(line, "a key must be plain text"))
                    continue
                key = self._scalar(key_node)
                if key in result:
                    self.problems.append(PolicyProblem(line, f"{_context(path)}key {key!r} appears twice"))
                    continue
                self.key_lines[(*path, key)] = line
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        self.raw[path] = node.value
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            self.problems.append(PolicyProblem(node.start_mark.line + 1, f"cannot read this value: {e}"))
            return None

    def line(self, path: Path, *, key: bool = False) -> int:
        """The line of the value at `path` (or of its key), else of the nearest enclosing one."""
        while path:
            if key and path in self.key_lines:
                return self.key_lines[path]
            if path in self.value_lines:
                return self.value_lines[path]
            path = path[:-1]
        return self.value_lines.get((), 1)


def _known(values: Any) -> str:
    return ", ".join(str(v) for v in values)


class _Reader:
    """Validates the plain data against the policy format, collecting problems with their lines."""

    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.problems = tree.problems

    def err(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(PolicyProblem(self.tree.line(path, key=key), message))

    def mapping(
        self, value: Any, path: Path, what: str, known: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict:
        if not isinstance(value, dict):
            self.err(path, f"{what} must be a mapping of keys to values")
            return {}
        for key in value:
            if key not in known:
                self.err((*path, key), f"{what}: unknown key {key!r} (known: {_known(known)})", key=True)
        for key in required:
            if key not in value:
                self.err(path, f"{what}: {key!r} is missing")
        return {k: v for k, v in value.items() if k in known}

    def string(self, value: Any, path: Path, what: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        self.err(path, f"{what} must be text")
        return None

    def boolean(self, value: Any, path: Path, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.err(path, f"{what} must be true or false")
        return None

    def number(self, value: Any, path: Path, what: str, *, positive: bool = False) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (positive and value == 0):
            self.err(path, f"{what} must be a {'positive' if positive else 'non-negative'} number")
            return None
        return float(value)

    def strings(self, value: Any, path: Path, what: str) -> list[tuple[str, Path]]:
        """A string or a list of strings, each with its path."""
        if isinstance(value, str):
            return [(value, path)]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return [(v, (*path, i)) for i, v in enumerate(value)]
        self.err(path, f"{what} must be a name or a non-empty list of names")
        return []

    def choice(self, value: Any, path: Path, what: str, choices: tuple[str, ...]) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        self.err(path, f"{what}: unknown value {value!r} (known: {_known(choices)})")
        return None

    def data_class(self, value: Any, path: Path, what: str) -> Classification | None:
        try:
            return Classification.parse(value) if isinstance(value, str) else Classification.parse(repr(value))
        except ValueError:
            self.err(path, f"{what}: unknown data class {value!r} (known: {_known(c.label for c in Classification)})")
            return None


def load_policy(text: str) -> Policy:
    """Parse and validate a policy. Raises PolicyError naming the line and the problem of every error,
    including a rule that could send data where the invariants forbid (see routing.policy.decide)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise PolicyError([PolicyProblem(line, f"not valid YAML: {e.problem or e.context}")]) from None
    except yaml.YAMLError as e:
        raise PolicyError([PolicyProblem(1, f"not valid YAML: {e}")]) from None
    if root is None:
        raise PolicyError([PolicyProblem(1, "the policy is empty")])
    tree = _Tree()
    data = tree.build(root, ())
    policy = _read_policy(_Reader(tree), data)
    if tree.problems or policy is None:
        raise PolicyError(tree.problems)
    return policy


TOP_KEYS = (
    "version",
    "workloads",
    "data_classes",
    "finding_groups",
    "custom_patterns",
    "targets",
    "secrets",
    "budget",
    "injection",
    "rules",
)


def _read_policy(r: _Reader, data: Any) -> Policy | None:
    top = r.mapping(data, (), "the policy", TOP_KEYS, required=("version", "targets", "rules"))
    version = _read_version(r, top)
    custom = _read_custom_patterns(r, top.get("custom_patterns", []))
    kinds = (*BUILTIN_KINDS, *(p.kind for p in custom))
    data_classes = _read_data_classes(r, top.get("data_classes", {}))
    groups = _read_groups(r, top.get("finding_groups", {}), kinds)
    raw_targets = top.get("targets")
    targets = _read_targets(r, raw_targets) if "targets" in top else {}
    # Targets declared but invalid were reported once already; rules naming them are not told again.
    declared = tuple(raw_targets) if isinstance(raw_targets, dict) else ()
    has_extractive = isinstance(raw_targets, dict) and any(
        isinstance(spec, dict) and spec.get("backend") == "extractive" for spec in raw_targets.values()
    )
    secrets = _read_secrets(r, top["secrets"], kinds) if "secrets" in top else SecretHandling()
    budget = _read_budget(r, top["budget"]) if "budget" in top else BudgetHandling()
    injection = _read_injection(r, top["injection"]) if "injection" in top else InjectionHandling()
    workloads = _read_workloads(r, top.get("workloads", []))
    known = _Known(kinds, groups, (*Workload, *workloads))
    rules = (
        _read_rules(r, top["rules"], _Targets(targets, declared, has_extractive), known, secrets)
        if "rules" in top
        else []
    )
    if version is None or r.problems:
        return None
    return Policy(
        version=version,
        data_classes=data_classes,
        targets=tuple(targets.values()),
        rules=tuple(rules),
        custom_patterns=tuple(custom),
        finding_groups=groups,
        secrets=secrets,
        budget=budget,
        injection=injection,
        workloads=tuple(workloads),
    )


def _read_workloads(r: _Reader, value: Any) -> list[str]:
    """The policy's own workload names (`ticket-triage`), besides interactive, batch and ci."""
    path: Path = ("workloads",)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        r.err(path, "workloads must be a list of names, like [ticket-triage, meeting-summary]")
        return []
    names: list[str] = []
    for i, name in enumerate(value):
        if not WORKLOAD_NAME.fullmatch(name):
            r.err((*path, i), f"workload {name!r}: use lower-case letters, digits and '-', at most 32, a letter first")
        elif name in Workload.values or name in names:
            r.err((*path, i), f"workload {name!r} is named twice (interactive, batch and ci are built in)")
        else:
            names.append(name)
    return names


@dataclass(frozen=True)
class _Known:
    """What a rule's `when` may name: finding kinds, finding groups, workloads."""

    kinds: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]]
    workloads: tuple[str, ...]


def _read_version(r: _Reader, top: dict) -> str | None:
    if "version" not in top:
        return None
    value = top["version"]
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        r.err(("version",), 'version must be text, e.g. version: "2025-06-1"')
        return None
    # The text as written: `version: 1.10` stays "1.10", not the float 1.1.
    return r.tree.raw.get(("version",), str(value)).strip() or None


def _read_custom_patterns(r: _Reader, value: Any) -> list[CustomPattern]:
    path: Path = ("custom_patterns",)
    if not isinstance(value, list):
        r.err(path, "custom_patterns must be a list of {name, pattern, class}")
        return []
    result: list[CustomPattern] = []
    for i, item in enumerate(value):
        p = (*path, i)
        entry = r.mapping(
            item, p, f"custom pattern #{i + 1}", ("name", "pattern", "class"), ("name", "pattern", "class")
        )
        name = entry.get("name")
        if "name" in entry and not (isinstance(name, str) and CUSTOM_NAME_RE.match(name)):
            r.err((*p, "name"), f"custom pattern name {name!r} must be lower-case letters, digits and _")
            name = None
        elif name in {c.name for c in result}:
            r.err((*p, "name"), f"custom pattern {name!r} is declared twice")
            name = None
        pattern = entry.get("pattern")
        if "pattern" in entry:
            if not isinstance(pattern, str) or not pattern:
                r.err((*p, "pattern"), f"custom pattern {name!r}: pattern must be a regular expression in quotes")
                pattern = None
            else:
                try:
                    compile_custom_pattern(pattern)
                except re.error as e:
                    r.err((*p, "pattern"), f"custom pattern {name!r}: invalid regular expression: {e}")
                    pattern = None
        cls = r.data_class(entry["class"], (*p, "class"), f"custom pattern {name!r}") if "class" in entry else None
        if name and pattern and cls is not None:
            result.append(CustomPattern(name=name, pattern=pattern, data_class=cls))
    return result


def _read_data_classes(r: _Reader, value: Any) -> dict[str, Classification]:
    path: Path = ("data_classes",)
    if not isinstance(value, dict):
        r.err(path, "data_classes must map finding kinds to data classes, e.g. email: internal")
        return {}
    result: dict[str, Classification] = {}
    for kind, label in value.items():
        if isinstance(kind, str) and kind.startswith(CUSTOM_PREFIX):
            r.err(
                (*path, kind), f"data_classes: {kind!r}: give custom kinds their class under custom_patterns", key=True
            )
        elif kind not in BUILTIN_KINDS:
            r.err(
                (*path, kind), f"data_classes: unknown finding kind {kind!r} (known: {_known(BUILTIN_KINDS)})", key=True
            )
        elif (cls := r.data_class(label, (*path, kind), f"data_classes: {kind}")) is not None:
            result[kind] = cls
    return result


def _check_selector(r: _Reader, selector: str, path: Path, what: str, kinds: tuple[str, ...], groups: Mapping) -> bool:
    if selector in kinds or selector in groups or "*" in selector or "?" in selector:
        return True
    names = _known((*kinds, *groups))
    r.err(path, f"{what}: unknown finding kind {selector!r} (known: {names}, or a pattern such as custom:*)")
    return False


def _read_groups(r: _Reader, value: Any, kinds: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    path: Path = ("finding_groups",)
    if not isinstance(value, dict):
        r.err(path, "finding_groups must map a group name to a list of finding kinds")
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for name, members in value.items():
        p = (*path, name)
        if not isinstance(name, str) or name in kinds or not NAME_RE.match(name):
            r.err(p, f"finding_groups: {name!r} cannot be a group name (it must be a new name)", key=True)
            continue
        listed = r.strings(members, p, f"finding group {name!r}")
        ok = [s for s, sp in listed if _check_selector(r, s, sp, f"finding group {name!r}", kinds, {})]
        result[name] = tuple(ok)
    return result


TARGET_KEYS = (
    "zone",
    "backend",
    "tier",
    "price_per_million_tokens",
    "timeout_s",
    "saturated_when",
    "requires_evidence",
)
SATURATION_KEYS = ("waiting_over", "running_over")
# The backends whose servers report their load (routing/load.py reads it).
REPORTS_LOAD = ("openai_compatible",)


def _read_targets(r: _Reader, value: Any) -> dict[str, Target]:
    path: Path = ("targets",)
    if not isinstance(value, dict) or not value:
        r.err(path, "targets must map each target's name to its zone, backend, tier, prices and timeout")
        return {}
    result: dict[str, Target] = {}
    for name, spec in value.items():
        p = (*path, name)
        if not isinstance(name, str) or not NAME_RE.match(name):
            r.err(p, f"target name {name!r} must be letters, digits, '_', '-' or '.'", key=True)
            continue
        what = f"target {name!r}"
        entry = r.mapping(spec, p, what, TARGET_KEYS, required=("zone", "backend", "tier"))
        zone = r.choice(entry["zone"], (*p, "zone"), f"{what}: zone", tuple(Zone)) if "zone" in entry else None
        backend = (
            r.choice(entry["backend"], (*p, "backend"), f"{what}: backend", BACKENDS) if "backend" in entry else None
        )
        tier = r.string(entry["tier"], (*p, "tier"), f"{what}: tier") if "tier" in entry else None
        prices = {"input": 0.0, "output": 0.0}
        if "price_per_million_tokens" in entry:
            pp = (*p, "price_per_million_tokens")
            given = r.mapping(
                entry["price_per_million_tokens"], pp, f"{what}: price_per_million_tokens", ("input", "output")
            )
            for k, v in given.items():
                prices[k] = r.number(v, (*pp, k), f"{what}: price for {k}") or 0.0
        timeout = 60.0
        if "timeout_s" in entry:
            timeout = r.number(entry["timeout_s"], (*p, "timeout_s"), f"{what}: timeout_s", positive=True) or 60.0
        if backend == "extractive" and zone is not None and zone != Zone.ONPREM:
            r.err((*p, "zone"), f"{what}: the extractive backend runs in-process, so its zone is onprem")
            continue
        requires_evidence = False
        if "requires_evidence" in entry:
            label = f"{what}: requires_evidence"
            requires_evidence = bool(r.boolean(entry["requires_evidence"], (*p, "requires_evidence"), label))
        saturation = None
        if "saturated_when" in entry:
            saturation = _read_saturation(r, entry["saturated_when"], (*p, "saturated_when"), what, backend)
            if saturation is None:
                continue
        if zone and backend and tier:
            result[name] = Target(
                name=name,
                zone=Zone(zone),
                backend=backend,
                tier=tier,
                price_input_per_mtok=prices["input"],
                price_output_per_mtok=prices["output"],
                timeout_s=timeout,
                saturated_when=saturation,
                requires_evidence=requires_evidence,
            )
    return result


def _read_saturation(r: _Reader, value: Any, path: Path, what: str, backend: str | None) -> Saturation | None:
    """`saturated_when: {waiting_over: 8, running_over: 32}`: counts its server reports, at least one given."""
    label = f"{what}: saturated_when"
    if backend is not None and backend not in REPORTS_LOAD:
        r.err(path, f"{label}: only {_known(REPORTS_LOAD)} targets report their load (this one is {backend})")
        return None
    if not isinstance(value, dict) or not value:
        r.err(path, f"{label} must give waiting_over or running_over, e.g. {{waiting_over: 8}}")
        return None
    entry = r.mapping(value, path, label, SATURATION_KEYS)
    before = len(r.problems)
    limits: dict[str, int] = {}
    for key, limit in entry.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            r.err((*path, key), f"{label}: {key} must be a whole number, 0 or more")
        else:
            limits[key] = limit
    if len(r.problems) > before or not limits:
        return None
    return Saturation(**limits)


def _read_secrets(r: _Reader, value: Any, kinds: tuple[str, ...]) -> SecretHandling:
    path: Path = ("secrets",)
    entry = r.mapping(value, path, "secrets", ("kinds", "tell_user"))
    result = SecretHandling()
    listed = r.strings(entry["kinds"], (*path, "kinds"), "secrets: kinds") if "kinds" in entry else []
    chosen = {s for s, sp in listed if _check_selector(r, s, sp, "secrets: kinds", kinds, {})}
    told = r.string(entry["tell_user"], (*path, "tell_user"), "secrets: tell_user") if "tell_user" in entry else None
    # `secret` is always one: a policy can add kinds to treat as secrets, never remove it.
    return SecretHandling(kinds=frozenset(chosen | {"secret"}), tell_user=told or result.tell_user)


def _read_budget(r: _Reader, value: Any) -> BudgetHandling:
    path: Path = ("budget",)
    entry = r.mapping(value, path, "budget", ("skip_zones", "tell_user"))
    result = BudgetHandling()
    zones = set(result.skip_zones)
    if "skip_zones" in entry:
        listed = r.strings(entry["skip_zones"], (*path, "skip_zones"), "budget: skip_zones")
        zones = {Zone(z) for z, zp in listed if r.choice(z, zp, "budget: skip_zones", tuple(Zone))}
        if listed and Zone.CLOUD not in zones:
            r.err((*path, "skip_zones"), "budget: skip_zones must include cloud (a spent budget always skips cloud)")
    told = r.string(entry["tell_user"], (*path, "tell_user"), "budget: tell_user") if "tell_user" in entry else None
    return BudgetHandling(skip_zones=frozenset(zones), tell_user=told or result.tell_user)


def _read_injection(r: _Reader, value: Any) -> InjectionHandling:
    path: Path = ("injection",)
    entry = r.mapping(value, path, "injection", ("threshold", "action", "tell_user"))
    result = InjectionHandling()
    threshold = result.threshold
    if "threshold" in entry:
        read = r.number(entry["threshold"], (*path, "threshold"), "injection: threshold")
        if read is not None and not 0 < read <= 1:
            r.err((*path, "threshold"), "injection: threshold must be above 0 and at most 1 (scores run from 0 to 1)")
        elif read is not None:
            threshold = float(read)
    action = result.action
    if "action" in entry:
        chosen = r.choice(entry["action"], (*path, "action"), "injection: action", tuple(InjectionAction))
        action = InjectionAction(chosen) if chosen else action
    told = r.string(entry["tell_user"], (*path, "tell_user"), "injection: tell_user") if "tell_user" in entry else None
    return InjectionHandling(threshold=threshold, action=action, tell_user=told or INJECTION_NOTICES[action])


@dataclass(frozen=True)
class _Targets:
    valid: dict[str, Target]
    declared: tuple[str, ...]
    has_extractive: bool


RULE_KEYS = ("name", "when", "targets", "redact", "max_passages", "on_failure", "approve", "explain")
WHEN_KEYS = (
    "data_class",
    "clearance",
    "workload",
    "role",
    "groups_any",
    "findings_any",
    "budget_exhausted",
    "typed_injection",
)


def _read_rules(
    r: _Reader,
    value: Any,
    targets: _Targets,
    known: _Known,
    secrets: SecretHandling,
) -> list[Rule]:
    path: Path = ("rules",)
    if not isinstance(value, list) or not value:
        r.err(path, "rules must be a non-empty list; the first rule whose `when` matches decides")
        return []
    rules: list[Rule] = []
    seen: set[str] = set()
    # Data classes already caught by an earlier rule that looks only at the data class:
    # no later rule can see a request of those classes.
    caught: set[Classification] = set()
    for i, item in enumerate(value):
        p = (*path, i)
        given = item.get("name") if isinstance(item, dict) else None
        label = f"rule {given!r}" if isinstance(given, str) else f"rule #{i + 1}"
        entry = r.mapping(item, p, label, RULE_KEYS, required=("name", "targets", "max_passages", "explain"))
        name = entry.get("name")
        if "name" in entry and not (isinstance(name, str) and NAME_RE.match(name)):
            r.err((*p, "name"), f"rule #{i + 1}: name {name!r} must be letters, digits, '_', '-' or '.'")
            name = None
        elif name in seen:
            r.err((*p, "name"), f"rule {name!r} appears twice")
        seen.add(name or "")
        when = _read_when(r, entry.get("when", {}), (*p, "when"), label, known)
        target_names = _read_rule_targets(r, entry.get("targets"), (*p, "targets"), label, targets)
        redact = r.boolean(entry["redact"], (*p, "redact"), f"{label}: redact") if "redact" in entry else True
        max_passages = entry.get("max_passages")
        if "max_passages" in entry and (isinstance(max_passages, bool) or not isinstance(max_passages, int)):
            r.err((*p, "max_passages"), f"{label}: max_passages must be a whole number")
            max_passages = None
        elif isinstance(max_passages, int) and max_passages < 0:
            r.err((*p, "max_passages"), f"{label}: max_passages cannot be negative")
            max_passages = None
        on_failure = OnFailure.FAIL_CLOSED
        if "on_failure" in entry:
            chosen = r.choice(entry["on_failure"], (*p, "on_failure"), f"{label}: on_failure", tuple(OnFailure))
            on_failure = OnFailure(chosen) if chosen else on_failure
            if on_failure == OnFailure.DEGRADE and targets.declared and not targets.has_extractive:
                r.err((*p, "on_failure"), f"{label}: degrade needs a target with backend: extractive")
        explain = r.string(entry["explain"], (*p, "explain"), f"{label}: explain") if "explain" in entry else None
        approve = _read_approve(r, entry["approve"], (*p, "approve"), label) if "approve" in entry else None
        if when is None:
            continue
        reachable = when.data_class.classes() if when.data_class else frozenset(Classification)
        if redact is not None:
            valid = [n for n in target_names or () if n in targets.valid]
            _check_invariants(
                r, p, label, when, reachable - caught, valid, targets.valid, redact, known.groups, secrets
            )
        if when.only_on_data_class:
            caught |= reachable
        if target_names is None or redact is None or max_passages is None or explain is None:
            continue
        rules.append(
            Rule(
                name=name or "",
                when=when,
                targets=tuple(target_names),
                redact=redact,
                max_passages=max_passages,
                on_failure=on_failure,
                explain=explain,
                approve=approve,
            )
        )
    return rules


DURATION_RE = re.compile(r"^\s*([1-9][0-9]*)\s*([mhd])\s*$")
DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400}
# A held request keeps its placeholder vault (encrypted) until it expires: not for months.
LONGEST_HOLD_S = 30 * 86400


def _read_approve(r: _Reader, value: Any, path: Path, label: str) -> Approval | None:
    """`approve: true` (admins approve, within 24h), `false`, or `{by: [roles or groups], expires_after: 24h}`."""
    if isinstance(value, bool):
        return Approval() if value else None
    if not isinstance(value, dict):
        r.err(path, f"{label}: approve must be true, false or {{by: [roles or groups], expires_after: 24h}}")
        return None
    entry = r.mapping(value, path, f"{label}: approve", ("by", "expires_after"))
    approval = Approval()
    if "by" in entry:
        listed = r.strings(entry["by"], (*path, "by"), f"{label}: approve by")
        for name, name_path in listed:
            if not name.strip():
                r.err(name_path, f"{label}: approve by: a role or group name cannot be empty")
        if not listed or not all(name.strip() for name, _ in listed):
            return None
        approval = Approval(by=tuple(dict.fromkeys(s.strip() for s, _ in listed)))
    if "expires_after" in entry:
        seconds = _read_duration(r, entry["expires_after"], (*path, "expires_after"), f"{label}: approve expires_after")
        if seconds is None:
            return None
        approval = Approval(by=approval.by, expires_after_s=seconds)
    return approval


def _read_duration(r: _Reader, value: Any, path: Path, what: str) -> int | None:
    match = DURATION_RE.match(value) if isinstance(value, str) else None
    if match is None:
        r.err(path, f"{what} must be a duration such as 30m, 24h or 7d")
        return None
    seconds = int(match.group(1)) * DURATION_UNITS[match.group(2)]
    if seconds > LONGEST_HOLD_S:
        r.err(path, f"{what}: at most 30d (a held request's vault is kept until it expires)")
        return None
    return seconds


def _read_rule_targets(r: _Reader, value: Any, path: Path, label: str, targets: _Targets) -> list[str] | None:
    listed = r.strings(value, path, f"{label}: targets") if value is not None else []
    names: list[str] = []
    for name, tp in listed:
        if name in names:
            r.err(tp, f"{label}: target {name!r} is listed twice")
        elif name not in targets.declared:
            r.err(tp, f"{label}: unknown target {name!r} (known: {_known(targets.declared)})")
        else:
            names.append(name)
    return names if listed and len(names) == len(listed) and all(n in targets.valid for n in names) else None


def _read_when(r: _Reader, value: Any, path: Path, label: str, known: _Known) -> Conditions | None:
    kinds, groups = known.kinds, known.groups
    entry = r.mapping(value, path, f"{label}: when", WHEN_KEYS)
    before = len(r.problems)
    ranges = {
        k: _read_range(r, entry[k], (*path, k), f"{label}: when {k}") for k in ("data_class", "clearance") if k in entry
    }

    def names(key: str, check: Callable[[str, Path], bool]) -> frozenset[str] | None:
        if key not in entry:
            return None
        listed = r.strings(entry[key], (*path, key), f"{label}: when {key}")
        return frozenset(s for s, sp in listed if check(s, sp))

    workloads = tuple(known.workloads)
    workload = names("workload", lambda s, sp: r.choice(s, sp, f"{label}: when workload", workloads) is not None)
    role = names("role", lambda s, sp: r.choice(s, sp, f"{label}: when role", tuple(Role)) is not None)
    groups_any = names("groups_any", lambda s, sp: True)
    findings = None
    if "findings_any" in entry:
        listed = r.strings(entry["findings_any"], (*path, "findings_any"), f"{label}: when findings_any")
        what = f"{label}: when findings_any"
        findings = tuple(s for s, sp in listed if _check_selector(r, s, sp, what, kinds, groups))
    budget = None
    if "budget_exhausted" in entry:
        budget = r.boolean(entry["budget_exhausted"], (*path, "budget_exhausted"), f"{label}: when budget_exhausted")
    typed = None
    if "typed_injection" in entry:
        typed = r.boolean(entry["typed_injection"], (*path, "typed_injection"), f"{label}: when typed_injection")
    if len(r.problems) > before:
        return None
    return Conditions(
        data_class=ranges.get("data_class"),
        clearance=ranges.get("clearance"),
        workload=workload,
        role=role,
        groups_any=groups_any,
        findings_any=findings,
        budget_exhausted=budget,
        typed_injection=typed,
    )


def _read_range(r: _Reader, value: Any, path: Path, what: str) -> ClassRange | None:
    """`restricted` (exactly), `[public, internal]` (one of), or `{min: .., max: .., in: [..]}`."""
    if isinstance(value, str):
        cls = r.data_class(value, path, what)
        return ClassRange(min=cls, max=cls) if cls is not None else None
    if isinstance(value, list):
        among = [r.data_class(v, (*path, i), what) for i, v in enumerate(value)]
        return ClassRange(among=frozenset(c for c in among if c is not None)) if None not in among else None
    entry = r.mapping(value, path, what, ("min", "max", "in"))
    if not entry:
        r.err(path, f"{what}: give min, max or in")
        return None
    low = r.data_class(entry["min"], (*path, "min"), what) if "min" in entry else Classification.PUBLIC
    high = r.data_class(entry["max"], (*path, "max"), what) if "max" in entry else Classification.RESTRICTED
    among = None
    if "in" in entry:
        listed = r.strings(entry["in"], (*path, "in"), what)
        classes = [r.data_class(s, sp, what) for s, sp in listed]
        among = frozenset(c for c in classes if c is not None) if None not in classes else None
    if low is None or high is None:
        return None
    if low > high:
        r.err(path, f"{what}: min ({low.label}) is above max ({high.label})")
        return None
    return ClassRange(min=low, max=high, among=among)


def _check_invariants(
    r: _Reader,
    path: Path,
    label: str,
    when: Conditions,
    reachable: frozenset[Classification],
    target_names: list[str],
    targets: dict[str, Target],
    redact: bool,
    groups: Mapping[str, tuple[str, ...]],
    secrets: SecretHandling,
) -> None:
    """Reject a rule that could send a request where the invariants forbid; the worst class it can see decides."""
    for_secrets = when.findings_any is not None and any(
        kind_matches(kind, s, groups) for kind in secrets.kinds for s in when.findings_any
    )
    for i, name in enumerate(target_names):
        zone = targets[name].zone
        for cls in sorted(reachable, reverse=True):
            violation = zone_violation(zone, cls, redact=redact, has_secret=for_secrets)
            if violation:
                what = "a question with a secret" if for_secrets else f"{cls.label} data"
                if for_secrets:
                    hint = "use on-prem targets only"
                elif "redacted" in violation:
                    hint = "set redact: true"
                else:
                    hint = f"narrow `when` with a data_class, or put a rule that catches {cls.label} data before it"
                r.err(
                    (*path, "targets", i),
                    f"{label}: can send {what} to {name} ({zone}), but {violation}; {hint}",
                )
                break
