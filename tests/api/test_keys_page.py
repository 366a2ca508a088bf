"""The admins' API keys page: a service account made in the pages, its key copied once, and revoked."""

from __future__ import annotations

from django.contrib.auth.models import Group

from accounts.clearance import Classification
from accounts.models import ApiKey, User
from accounts.roles import Role
from tests.api.conftest import make_key
from tests.conftest import make_user


def form(**changes) -> dict:
    data = {
        "service": "ticket-triage",
        "key_name": "triage worker",
        "workload": "batch",
        "clearance": str(int(Classification.INTERNAL)),
        "endpoints": ["ask"],
        "expires_days": "30",
    }
    return data | changes


def test_an_admin_makes_a_service_account_and_sees_its_key_once(client, admin):
    client.force_login(admin)
    team = Group.objects.create(name="support")

    page = client.post("/manage/keys/", form(team=str(team.id)))

    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    key = page.context["issued"].key
    assert key in page.content.decode()
    service = User.objects.get(username="ticket-triage")
    assert service.is_service and service.service_workload == "batch" and service.team == team
    stored = ApiKey.objects.get(user=service)
    assert (stored.name, stored.endpoints, stored.created_by) == ("triage worker", ["ask"], admin)
    assert (
        client.post("/api/v1/ask", {"question": ""}, content_type="application/json", HTTP_X_API_KEY=key).json()["code"]
        == "invalid_request"
    )  # the key authenticates: only the empty question is refused
    again = client.get("/manage/keys/").content.decode()
    assert key not in again and "triage worker" in again and stored.prefix in again


def test_an_admin_cannot_give_a_service_more_than_they_may_read(client, db):
    adam = make_user("adam", Role.ADMIN, Classification.INTERNAL, ["engineering"])
    Group.objects.create(name="finance")
    client.force_login(adam)

    above = client.post("/manage/keys/", form(clearance=str(int(Classification.RESTRICTED))))
    other_group = client.post("/manage/keys/", form(groups=[str(Group.objects.get(name="finance").id)]))
    a_person = client.post("/manage/keys/", form(service="adam"))

    assert above.status_code == other_group.status_code == a_person.status_code == 422
    assert "above your own" in above.content.decode() and "finance" in other_group.content.decode()
    assert "person" in a_person.content.decode()
    assert not ApiKey.objects.exists() and not User.objects.filter(is_service=True).exists()


def test_revoking_from_the_page_stops_the_key(client, admin, employee):
    erin_key = make_key(employee)
    client.force_login(admin)

    response = client.post(f"/manage/keys/{erin_key.api_key.id}/revoke/")

    assert response.status_code == 302
    assert client.get("/api/v1/search", {"q": "x"}, **erin_key.bearer).json()["code"] == "key_revoked"
    assert client.post("/manage/keys/999999/revoke/").status_code == 404


def test_a_service_account_is_not_on_the_users_pages(client, admin, service):
    client.force_login(admin)

    assert "ci-bot" not in client.get("/manage/users/").content.decode()
    assert client.get(f"/manage/users/{service.id}/").status_code == 404
    assert client.post(f"/manage/users/{service.id}/password/").status_code == 404
    service.refresh_from_db()
    assert not service.has_usable_password()
