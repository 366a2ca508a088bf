"""The ask flow through the gate, against the fake Anthropic server: real SDK, real HTTP on loopback."""

from __future__ import annotations

from fakes.common import Script
from routing.models import AuditEvent, PolicyVersion
from routing.policy.versions import read_default_policy_text, save_and_activate_policy
from routing.services import answer_question

DEPLOYS = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then post in the deploys channel."


def test_an_internal_question_goes_to_the_cloud_redacted_and_comes_back_restored(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.enqueue(Script(text="Write to [EMAIL_1]: roll back from the deploy dashboard [1]."))

    answer = answer_question(
        question="I am dana.cho@quillfern.example: how do I roll back a deploy?", acting_user=employee
    )

    sent = cloud.received()
    assert b"dana.cho@quillfern.example" not in sent and b"[EMAIL_1]" in sent
    assert b"deploy dashboard" in sent
    assert answer.text == "Write to dana.cho@quillfern.example: roll back from the deploy dashboard [1]."
    assert answer.backend == "claude" and answer.route.startswith("Answered in the cloud by claude")
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert event.question == "I am [EMAIL_1]: how do I roll back a deploy?"
    assert event.findings == {"email": 1}
    assert event.redacted == {"email": 1}
    assert event.attempts[0]["target"] == "claude" and event.attempts[0]["outcome"] == "ok"
    assert event.policy_version and event.decision["redact"] is True


def test_a_title_case_title_over_a_dated_passage_is_answered_by_the_cloud_not_blocked(ingest, employee, cloud):
    # The prompt's title line over "Last reviewed 2025-01-27" once read to the egress guard as a name heading
    # a contact block: the call was blocked and the answer written on-prem (4 of the demo's 9 bench questions).
    ingest(
        "onboarding.md",
        "# New Hire Onboarding Checklist\n\nOwner: People Operations. Version 2.0. Last reviewed 2025-01-27.\n\n"
        "In your first week, set up your laptop and meet your onboarding buddy.",
        "internal",
    )
    cloud.enqueue(Script(text="Set up your laptop and meet your onboarding buddy [1]."))

    answer = answer_question(question="What do I do in my first week?", acting_user=employee)

    assert answer.backend == "claude" and not answer.fell_back
    assert b"New Hire Onboarding Checklist" in cloud.received()
    assert [a["outcome"] for a in AuditEvent.objects.get(id=answer.audit_id).attempts] == ["ok"]


def test_confidential_passages_never_reach_the_cloud(ingest, admin, cloud):
    ingest("keys.md", "# Keys\n\nRoll back database credentials from the vault console.", "confidential")

    answer = answer_question(question="How do I roll back database credentials?", acting_user=admin)

    assert cloud.requests == []
    assert answer.backend == "extractive" and answer.route.startswith("Answered on-prem")
    assert "vault console" in answer.text


def test_when_the_cloud_fails_an_internal_question_degrades_on_prem_and_the_audit_says_so(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    cloud.behave(status=500)

    answer = answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    assert answer.backend == "extractive"
    assert "claude failed (server_error ×3)" in answer.route
    event = AuditEvent.objects.get(id=answer.audit_id)
    # 500 is transient: three tries in all (GATE_RETRY_ATTEMPTS), then the fallback.
    assert [a["outcome"] for a in event.attempts] == ["server_error"] * 3 + ["ok"]
    assert event.fallback_used is True


def test_a_secret_in_the_question_never_leaves_and_the_user_is_told(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    token = "ghp_" + "Zq8rT2mW9xK4pL7vB3nY6cH1dF5gJ0sA2eR4"

    answer = answer_question(question=f"my token {token} broke the deploy, how do I roll back?", acting_user=employee)

    assert cloud.requests == []
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert token not in event.question and event.findings.get("secret") == 1
    assert event.decision["rule"] == "secret-stays-onprem"


def test_an_invalid_active_policy_fails_closed_with_a_reason(ingest, employee, cloud):
    ingest("deploys.md", DEPLOYS, "internal")
    PolicyVersion.objects.create(version="broken", text="rules: [", is_active=True)

    answer = answer_question(question="How do I roll back a bad deploy?", acting_user=employee)

    assert answer.refused and "policy is invalid" in answer.text
    assert cloud.requests == []
    assert AuditEvent.objects.get(id=answer.audit_id).outcome == AuditEvent.Outcome.REFUSED


ESCALATION = "# Deploys\n\nRoll back a bad deploy from the deploy dashboard, then write to ops.lead@quillfern.example."


def test_on_prem_targets_read_the_passages_unredacted_while_the_cloud_got_placeholders(ingest, employee, cloud, onprem):
    # internal-cloud-redacted: [claude, local], redact: true. The cloud fails; the on-prem model then reads
    # the passage as the asker may read it: nothing leaves, so nothing needs a placeholder.
    ingest("deploys.md", ESCALATION, "internal")
    cloud.behave(status=500)
    onprem.enqueue(Script(text="Write to ops.lead@quillfern.example [1]."))

    answer = answer_question(question="Who do I tell after rolling back a bad deploy?", acting_user=employee)

    assert answer.backend == "local"
    to_cloud, to_onprem = cloud.received(), onprem.received()
    assert b"ops.lead@quillfern.example" not in to_cloud and b"[EMAIL_1]" in to_cloud
    assert b"write to ops.lead@quillfern.example" in to_onprem and b"write to [EMAIL_1]" not in to_onprem
    assert answer.text == "Write to ops.lead@quillfern.example [1]."


def test_a_secret_of_a_kind_the_policy_adds_never_reaches_an_on_prem_model_either(ingest, employee, onprem):
    # secrets.kinds may name more than `secret`: a company's own token shape, found by a custom pattern. Such a
    # question stays on-prem (secret-stays-onprem: redact false), and the token is removed all the same.
    policy = read_default_policy_text()
    policy = policy.replace(
        "custom_patterns:\n",
        "custom_patterns:\n  - name: db_token\n    pattern: '\\bdbt-[a-z0-9]{12}\\b'\n    class: restricted\n",
    )
    policy = policy.replace("secrets:\n  kinds: [secret]", "secrets:\n  kinds: [secret, 'custom:db_token']")
    # A secret kind may not be routed to the cloud by any rule (the loader refuses it): customer ids only here.
    policy = policy.replace('findings_any: ["custom:*", personal]', 'findings_any: ["custom:customer_id", personal]')
    save_and_activate_policy(text=policy, acting_user=None)
    ingest("deploys.md", DEPLOYS, "internal")
    onprem.enqueue(Script(text="Roll back from the deploy dashboard [1]."))

    answer = answer_question(
        question="Why does dbt-4f8k2m9q7x1z fail when I roll back a bad deploy?", acting_user=employee
    )

    assert answer.backend == "local"
    assert b"dbt-4f8k2m9q7x1z" not in onprem.received()
    assert "dbt-4f8k2m9q7x1z" not in AuditEvent.objects.get(id=answer.audit_id).question
