"""The company sign-in's settings (docs/sign-in.md), validated at start: a deployment with a bad one does not
start, and the error says what to fix. Each case is a fresh process, as a deployment starts."""

from __future__ import annotations

import pytest

from tests.config.test_settings import load_settings

COMPANY = {
    "OIDC_ISSUER": "https://id.example.com/realms/staff",
    "OIDC_CLIENT_ID": "sluice",
    "OIDC_CLIENT_SECRET": "s" * 30,
    "OIDC_CLAIM_MAPPING": "rules: [{claim: groups, value: staff, role: employee}]",
}


def test_a_complete_configuration_starts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("rules:\n  - {claim: groups, value: sluice-admins, role: admin, clearance: restricted}\n")
    without_inline = {k: v for k, v in COMPANY.items() if k != "OIDC_CLAIM_MAPPING"}

    assert load_settings(**COMPANY).returncode == 0
    assert (
        load_settings(**without_inline, OIDC_CLAIM_MAPPING_FILE=str(mapping), LOCAL_PASSWORDS="false").returncode == 0
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"OIDC_ISSUER": "http://id.example.com"}, "OIDC_ISSUER must be an https:// URL"),
        ({"OIDC_CLIENT_SECRET": ""}, "set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"),
        ({"OIDC_CLAIM_MAPPING": ""}, "set OIDC_CLAIM_MAPPING (or OIDC_CLAIM_MAPPING_FILE)"),
        (
            {"OIDC_CLAIM_MAPPING": "rules: [{claim: groups, value: staff, role: employee, clearance: top}]"},
            "OIDC_CLAIM_MAPPING: rule 1 (groups: staff): unknown classification 'top'",
        ),
        ({"OIDC_SIGN_ALGO": "HS256"}, "OIDC_SIGN_ALGO must be RS256"),
        ({"OIDC_CLAIM_MAPPING_FILE": "/nonexistent/mapping.yaml"}, "OIDC_CLAIM_MAPPING_FILE=/nonexistent"),
        ({"OIDC_ISSUER": "", "LOCAL_PASSWORDS": "false"}, "LOCAL_PASSWORDS=false leaves no way to sign in"),
    ],
)
def test_a_bad_configuration_stops_the_start_saying_what_to_fix(env: dict[str, str], message: str) -> None:
    done = load_settings(**(COMPANY | env))

    assert done.returncode != 0 and message in done.stderr, done.stderr[-500:]
