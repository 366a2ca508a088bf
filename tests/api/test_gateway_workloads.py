"""Workloads a policy names (`workloads: [ticket-triage]`): a service account declares one, its gateway
requests match the rules that name it, and the audit, the keys page and the command line know it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from fakes.common import Script
from routing.models import AuditEvent
from routing.policy.versions import read_default_policy_text, save_and_activate_policy
from tests.api.gateway_clients import in_process, openai_client

pytestmark = pytest.mark.django_db

TRIAGE_POLICY = (
    read_default_policy_text()
    .replace('version: "default-3"', 'version: "triage-1"')
    .replace("rules:\n", "workloads: [ticket-triage]\n\nrules:\n", 1)
    .replace(
        "  - name: secret-stays-onprem",
        """  - name: ticket-triage-onprem
    when: {workload: ticket-triage}
    targets: [local]
    redact: true
    max_passages: 0
    on_failure: fail_closed
    explain: Ticket triage runs on-prem only.

  - name: secret-stays-onprem""",
        1,
    )
)


@pytest.fixture
def triage_policy() -> None:
    save_and_activate_policy(text=TRIAGE_POLICY, acting_user=None)


def create_key(*args: str) -> dict:
    out = StringIO()
    call_command("create_api_key", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_service_account_with_the_policys_workload_is_routed_by_its_rule(triage_policy, cloud, onprem) -> None:
    key = create_key("--service", "triage-bot", "--team", "support", "--workload", "ticket-triage",
                     "--clearance", "internal", "--name", "triage")["key"]  # fmt: skip
    onprem.enqueue(Script(text="Queue: data-platform."))
    with in_process() as http:
        reply = openai_client(key, http).chat.completions.create(
            model="sluice-auto", messages=[{"role": "user", "content": "Which queue takes a failed export ticket?"}]
        )
    assert reply.choices[0].message.content == "Queue: data-platform."
    assert not cloud.requests  # without the rule, internal data with nothing personal goes to the cloud first
    event = AuditEvent.objects.get()
    assert (event.workload, event.decision["rule"]) == ("ticket-triage", "ticket-triage-onprem")


def test_a_workload_the_policy_does_not_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(CommandError, match="use one of interactive, batch, ci"):
        create_key("--service", "triage-bot", "--team", "support", "--workload", "ticket-triage",
                   "--clearance", "internal")  # fmt: skip
    assert not User.objects.filter(username="triage-bot").exists()


def test_the_keys_page_and_the_audit_filter_offer_the_policys_workloads(triage_policy, client, admin, auditor) -> None:
    client.force_login(admin)
    assert 'value="ticket-triage"' in client.get("/manage/keys/").content.decode()
    client.force_login(auditor)
    assert 'value="ticket-triage"' in client.get("/audit/").content.decode()
