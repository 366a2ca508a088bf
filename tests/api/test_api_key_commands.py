"""`create_api_key` and `revoke_api_key`, as an operator or a script runs them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiKey, User


def run(*args: str) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_personal_key_is_printed_once_and_works(client, employee):
    made = run("create_api_key", "--user", "erin", "--expires", "30d", "--endpoints", "ask,search")

    assert set(made) == {"id", "key", "expires"} and made["expires"]
    stored = ApiKey.objects.get(id=made["id"])
    assert stored.user == employee and stored.endpoints == ["ask", "search"] and made["key"] != stored.key_hash
    response = client.get("/api/v1/search", {"q": "anything"}, HTTP_AUTHORIZATION=f"Bearer {made['key']}")
    assert response.status_code == 200


def test_a_service_account_is_made_with_its_team_workload_ceiling_and_groups(db):
    made = run(
        "create_api_key", "--service", "ticket-triage", "--team", "support", "--workload", "batch",
        "--clearance", "confidential", "--groups", "support,eu",
    )  # fmt: skip

    service = User.objects.get(username="ticket-triage")
    assert service.is_service and not service.has_usable_password() and service.service_workload == "batch"
    assert service.clearance == 2 and service.team.name == "support"
    assert sorted(service.groups.values_list("name", flat=True)) == ["eu", "support"]
    assert made["expires"] is None and ApiKey.objects.get(id=made["id"]).user == service


def test_revoking_is_immediate_and_safe_to_repeat(client, employee):
    made = run("create_api_key", "--user", "erin")

    first = run("revoke_api_key", str(made["id"]))
    again = run("revoke_api_key", str(made["id"]))

    assert first == again and first["id"] == made["id"]
    response = client.get("/api/v1/search", {"q": "x"}, HTTP_X_API_KEY=made["key"])
    assert response.status_code == 401 and response.json()["code"] == "key_revoked"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No user named 'nobody'"),
        (["--user", "erin", "--workload", "ci"], "--workload is for --service"),
        (["--user", "erin", "--expires", "soon"], "days or hours, e.g. 90d or 12h"),
        (["--user", "erin", "--expires", "0d"], "in the past"),
        (["--user", "erin", "--endpoints", "ask,delete"], "unknown endpoint delete"),
        (["--service", "bot", "--team", "t"], "--service needs --workload, --clearance"),
        (["--service", "bot", "--team", "t", "--workload", "ci", "--clearance", "secret"], "unknown classification"),
        (["--service", "erin", "--team", "t", "--workload", "ci", "--clearance", "public"], "a person's account"),
    ],
)
def test_bad_arguments_say_what_to_do_and_make_nothing(employee, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", *args)
    assert not ApiKey.objects.exists() and not User.objects.filter(is_service=True).exists()


def test_revoking_an_unknown_key_says_so(db):
    with pytest.raises(CommandError, match="No API key 42"):
        call_command("revoke_api_key", "42")
