from __future__ import annotations

from routing.services import answer_question


def test_metrics_are_for_admins_auditors_or_the_scraper_token(client, employee, admin, auditor, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 403
    client.force_login(employee)
    assert client.get("/metrics").status_code == 403
    for user in (admin, auditor):
        client.force_login(user)
        assert client.get("/metrics").status_code == 200

    client.logout()
    settings.METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_a_question_is_counted_with_its_attempts(client, ingest, employee, admin, django_capture_on_commit_callbacks):
    ingest("deploys.md", "# Deploys\n\nRoll back a bad deploy from the deploy dashboard.")
    client.force_login(admin)

    def answered(text: str) -> float:
        for line in text.splitlines():
            if line.startswith('sluice_backend_attempts_total{outcome="ok",target="extractive"'):
                return float(line.split()[-1])
        return 0.0

    before = answered(client.get("/metrics").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        answer_question(question="How do I roll back a bad deploy?", acting_user=employee)
    after = answered(client.get("/metrics").content.decode())

    assert after == before + 1
