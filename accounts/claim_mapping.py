"""How the company's identity provider's claims give a Sluice role, clearance and reader groups (docs/sign-in.md).

Pure: YAML text in, ClaimMapping out (ClaimMappingError naming the bad rule otherwise); claims in,
MappedAccess out (None when no rule gives a role). No Django: settings.py validates the mapping at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from accounts.clearance import Classification
from accounts.roles import Role

# Django's auth Group.name holds at most this many characters: longer names from the provider are left out.
GROUP_NAME_MAX = 150
RULE_KEYS = frozenset({"claim", "value", "role", "clearance"})
TOP_KEYS = frozenset({"rules", "default_clearance", "reader_groups"})
READER_GROUP_KEYS = frozenset({"claim", "prefix"})


class ClaimMappingError(ValueError):
    """A claim mapping that cannot be used; the message names the rule and what is wrong with it."""


@dataclass(frozen=True)
class ClaimRule:
    """When `claim` holds `value` (or is a list holding it), the user gets `role` and/or `clearance`."""

    claim: str
    value: str
    role: Role | None
    clearance: Classification | None

    def matches(self, claims: Mapping[str, Any]) -> bool:
        return self.value in claim_values(claims, self.claim)


@dataclass(frozen=True)
class ReaderGroups:
    """Reader groups from a claim: each of its values that starts with `prefix`, named without it."""

    claim: str
    prefix: str


@dataclass(frozen=True)
class ClaimMapping:
    """Rules (for each of role and clearance, the first matching rule that gives one wins), the clearance
    when no rule gives one, and where reader groups come from (None: they are kept as admins set them)."""

    rules: tuple[ClaimRule, ...]
    default_clearance: Classification
    reader_groups: ReaderGroups | None


@dataclass(frozen=True)
class MappedAccess:
    """What one sign-in's claims give; `groups` None: leave the user's reader groups as they are."""

    role: Role
    clearance: Classification
    groups: tuple[str, ...] | None


def claim_values(claims: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The string values of a claim: one string, or each string of a list. A dotted path reads inside
    objects (Keycloak's `realm_access.roles`). A missing claim has none."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return ()
        value = value.get(part)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def map_claims(claims: Mapping[str, Any], mapping: ClaimMapping) -> MappedAccess | None:
    """The role, clearance and reader groups `claims` give under `mapping`; None when no rule gives a role."""
    role = next((r.role for r in mapping.rules if r.role is not None and r.matches(claims)), None)
    if role is None:
        return None
    clearance = next(
        (r.clearance for r in mapping.rules if r.clearance is not None and r.matches(claims)),
        mapping.default_clearance,
    )
    groups = None
    if (source := mapping.reader_groups) is not None:
        names = {
            v[len(source.prefix) :].strip() for v in claim_values(claims, source.claim) if v.startswith(source.prefix)
        }
        groups = tuple(sorted(n for n in names if n and len(n) <= GROUP_NAME_MAX))
    return MappedAccess(role=role, clearance=clearance, groups=groups)


def parse_claim_mapping(text: str) -> ClaimMapping:
    """Read a mapping from YAML text; raises ClaimMappingError with the first problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ClaimMappingError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ClaimMappingError("must be a mapping with `rules:` (a list of {claim, value, role, clearance})")
    if unknown := sorted(set(data) - TOP_KEYS):
        raise ClaimMappingError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(TOP_KEYS))})")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ClaimMappingError("`rules:` must be a non-empty list of {claim, value, role, clearance}")
    parsed = tuple(_parse_rule(n, rule) for n, rule in enumerate(rules, start=1))
    if all(rule.role is None for rule in parsed):
        raise ClaimMappingError("no rule gives a role, so nobody could sign in: give `role:` in at least one rule")
    return ClaimMapping(
        rules=parsed,
        default_clearance=_clearance(data.get("default_clearance", "public"), "default_clearance"),
        reader_groups=_parse_reader_groups(data.get("reader_groups")),
    )


def _parse_rule(number: int, rule: Any) -> ClaimRule:
    if not isinstance(rule, dict):
        raise ClaimMappingError(
            f"rule {number}: must be a mapping like {{claim: groups, value: staff, role: employee}}"
        )
    name = f"rule {number} ({rule.get('claim')}: {rule.get('value')})"
    if unknown := sorted(set(rule) - RULE_KEYS):
        raise ClaimMappingError(f"{name}: unknown key {unknown[0]!r} (known: claim, value, role, clearance)")
    for key in ("claim", "value"):
        if not isinstance(rule.get(key), str) or not rule[key].strip():
            raise ClaimMappingError(f"{name}: `{key}` must be a non-empty string")
    if "role" not in rule and "clearance" not in rule:
        raise ClaimMappingError(f"{name}: gives neither a role nor a clearance")
    role = None
    if "role" in rule:
        try:
            role = Role(str(rule["role"]).strip().lower())
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ClaimMappingError(f"{name}: unknown role {rule['role']!r} (known: {known})") from None
    clearance = _clearance(rule["clearance"], name) if "clearance" in rule else None
    return ClaimRule(claim=rule["claim"].strip(), value=rule["value"], role=role, clearance=clearance)


def _clearance(value: Any, where: str) -> Classification:
    try:
        return Classification.parse(str(value))
    except ValueError as exc:
        raise ClaimMappingError(f"{where}: {exc}") from None


def _parse_reader_groups(value: Any) -> ReaderGroups | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("claim"), str) or not value["claim"].strip():
        raise ClaimMappingError("reader_groups: must be {claim: groups, prefix: sluice-} (prefix optional)")
    if unknown := sorted(set(value) - READER_GROUP_KEYS):
        raise ClaimMappingError(f"reader_groups: unknown key {unknown[0]!r} (known: claim, prefix)")
    prefix = value.get("prefix", "")
    if not isinstance(prefix, str):
        raise ClaimMappingError("reader_groups: `prefix` must be a string")
    return ReaderGroups(claim=value["claim"].strip(), prefix=prefix)
