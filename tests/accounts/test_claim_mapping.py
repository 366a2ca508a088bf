"""The claim mapping (accounts/claim_mapping.py): which claims give which role, clearance and reader groups,
and the errors that name the bad rule. Pure: no database."""

from __future__ import annotations

import pytest

from accounts.claim_mapping import ClaimMappingError, MappedAccess, map_claims, parse_claim_mapping
from accounts.clearance import Classification
from accounts.roles import Role

MAPPING = parse_claim_mapping(
    """
rules:
  - {claim: groups, value: sluice-admins, role: admin, clearance: restricted}
  - {claim: realm_access.roles, value: auditor, role: auditor, clearance: restricted}
  - {claim: groups, value: staff, role: employee}
  - {claim: groups, value: cleared-confidential, clearance: confidential}
default_clearance: internal
reader_groups: {claim: groups, prefix: readers-}
"""
)


@pytest.mark.parametrize(
    "claims, expected",
    [
        ({"groups": ["staff"]}, MappedAccess(Role.EMPLOYEE, Classification.INTERNAL, ())),
        (
            {"groups": ["staff", "cleared-confidential", "readers-finance", "readers-"]},
            MappedAccess(Role.EMPLOYEE, Classification.CONFIDENTIAL, ("finance",)),
        ),
        # The first rule that gives a role wins, and the first that gives a clearance.
        (
            {"groups": ["staff", "sluice-admins", "cleared-confidential"]},
            MappedAccess(Role.ADMIN, Classification.RESTRICTED, ()),
        ),
        # A dotted claim reads inside an object (Keycloak's realm roles); one string is one value.
        ({"realm_access": {"roles": ["auditor"]}}, MappedAccess(Role.AUDITOR, Classification.RESTRICTED, ())),
        ({"groups": "staff"}, MappedAccess(Role.EMPLOYEE, Classification.INTERNAL, ())),
        # No rule gives a role: refused, whatever else the claims give.
        ({"groups": ["cleared-confidential", "readers-finance"]}, None),
        ({}, None),
        ({"groups": [{"name": "staff"}]}, None),
    ],
)
def test_claims_give_a_role_clearance_and_groups(claims, expected) -> None:  # type: ignore[no-untyped-def]
    assert map_claims(claims, MAPPING) == expected


def test_without_reader_groups_the_mapping_leaves_them_alone_and_the_default_clearance_is_public() -> None:
    mapping = parse_claim_mapping("rules: [{claim: roles, value: user, role: employee}]")

    assert map_claims({"roles": ["user"]}, mapping) == MappedAccess(Role.EMPLOYEE, Classification.PUBLIC, None)


@pytest.mark.parametrize(
    "text, message",
    [
        ("rules: [", "not valid YAML"),
        ("- a", "must be a mapping with `rules:`"),
        ("rules: []", "`rules:` must be a non-empty list"),
        ("rule: []", "unknown key 'rule'"),
        ("rules: [{claim: groups, value: staff, role: boss}]", "rule 1 (groups: staff): unknown role 'boss'"),
        (
            "rules: [{claim: groups, value: a, role: employee}, {claim: groups, value: b, clearance: secret}]",
            "rule 2 (groups: b): unknown classification 'secret'",
        ),
        ("rules: [{claim: groups, value: staff}]", "rule 1 (groups: staff): gives neither a role nor a clearance"),
        ("rules: [{claim: groups, role: employee}]", "rule 1 (groups: None): `value` must be a non-empty string"),
        ("rules: [{claim: groups, value: 7, role: employee}]", "`value` must be a non-empty string"),
        ("rules: [{claim: groups, value: a, role: employee, team: x}]", "rule 1 (groups: a): unknown key 'team'"),
        ("rules: [{claim: groups, value: a, clearance: internal}]", "no rule gives a role"),
        ("rules: [{claim: g, value: a, role: admin}]\ndefault_clearance: top", "default_clearance: unknown"),
        ("rules: [{claim: g, value: a, role: admin}]\nreader_groups: groups", "reader_groups: must be {claim"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_rule(text: str, message: str) -> None:
    with pytest.raises(ClaimMappingError) as refused:
        parse_claim_mapping(text)

    assert message in str(refused.value)
