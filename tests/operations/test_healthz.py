"""GET /healthz: open to load balancers without login, and telling nothing but what is up."""

from __future__ import annotations

from django.conf import settings
from django.test import Client


def test_healthz_answers_without_login_with_exactly_database_and_model(client: Client, db: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"database", "embedding_model"}
    assert body["database"] == "ok"
    assert body["embedding_model"] in ("ok", "not loaded")


def test_healthz_reveals_no_secret_or_connection_detail(client: Client, db: None) -> None:
    text = client.get("/healthz").content.decode()

    database = settings.DATABASES["default"]
    for secret in (settings.SECRET_KEY, database["HOST"], database["NAME"], str(settings.BASE_DIR)):
        assert secret not in text
    assert "password" not in text.lower()


def test_healthz_accepts_only_get(client: Client, db: None) -> None:
    assert client.post("/healthz").status_code == 405
