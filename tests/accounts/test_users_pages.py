"""The admins' users-and-groups pages (/manage/users/): list and search, edit, create; an admin
never grants a clearance above their own and never demotes or deactivates themselves."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from tests.conftest import make_user, password_of


def form_data(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "role": user.role,
        "clearance": user.clearance,
        "groups": [g.pk for g in user.groups.all()],
        "team": user.team_id or "",
        "is_active": "on" if user.is_active else "",
    }
    return data | changes


def test_the_list_shows_each_user_and_searches(client: Client, admin: User, employee: User, auditor: User) -> None:
    client.force_login(admin)
    page = client.get("/manage/users/").content.decode()
    assert "erin" in page and "aude" in page and "engineering" in page
    found = client.get("/manage/users/", {"q": "engin"}).content.decode()
    assert "erin" in found and "aude" not in found


def test_the_list_takes_a_fixed_number_of_queries(
    client: Client, admin: User, employee: User, auditor: User, django_assert_max_num_queries: object
) -> None:
    client.force_login(admin)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client.get("/manage/users/").status_code == 200


def test_an_admin_edits_role_clearance_groups_team_and_active(client: Client, admin: User, employee: User) -> None:
    finance = Group.objects.create(name="finance")
    admin.groups.add(finance)  # an admin grants only groups they are in
    client.force_login(admin)
    response = client.post(
        f"/manage/users/{employee.id}/",
        form_data(
            employee,
            role=Role.ADMIN,
            clearance=Classification.CONFIDENTIAL,
            groups=[finance.pk],
            new_groups="legal, hr",
            team=finance.pk,
            is_active="",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/manage/users/"
    employee.refresh_from_db()
    assert employee.role == Role.ADMIN and employee.clearance == Classification.CONFIDENTIAL
    assert sorted(employee.groups.values_list("name", flat=True)) == ["finance", "hr", "legal"]
    assert employee.team == finance and not employee.is_active
    assert User.objects.filter(pk=employee.pk).exists()  # deactivated, not deleted


def test_an_admin_cannot_grant_a_clearance_above_their_own(client: Client, employee: User) -> None:
    limited = make_user("adam", Role.ADMIN, Classification.CONFIDENTIAL)
    client.force_login(limited)
    response = client.post(f"/manage/users/{employee.id}/", form_data(employee, clearance=Classification.RESTRICTED))
    assert response.status_code == 422
    assert "above your own" in response.content.decode()
    employee.refresh_from_db()
    assert employee.clearance == Classification.INTERNAL
    created = client.post("/manage/users/new/", {"username": "rex", "role": "employee", "clearance": 3})
    assert created.status_code == 422 and not User.objects.filter(username="rex").exists()


def test_an_admin_cannot_demote_or_deactivate_themselves(client: Client, admin: User) -> None:
    client.force_login(admin)
    demoted = client.post(f"/manage/users/{admin.id}/", form_data(admin, role=Role.EMPLOYEE))
    assert demoted.status_code == 422 and "your own admin role" in demoted.content.decode()
    deactivated = client.post(f"/manage/users/{admin.id}/", form_data(admin, is_active=""))
    assert deactivated.status_code == 422 and "cannot deactivate yourself" in deactivated.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active


def test_a_new_user_gets_a_one_time_password_shown_once(client: Client, admin: User) -> None:
    client.force_login(admin)
    response = client.post(
        "/manage/users/new/", {"username": "nina", "role": "employee", "clearance": 1, "new_groups": "support"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = re.search(r'class="user-password">([^<]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]
    nina = User.objects.get(username="nina")
    assert nina.check_password(password) and list(nina.groups.values_list("name", flat=True)) == ["support"]
    assert password not in client.get(f"/manage/users/{nina.id}/").content.decode()


@pytest.mark.parametrize(
    "password, reason",
    [("123", "too short"), ("password", "too short"), ("12345678", "too common"), ("password1234", "too common")],
)
def test_a_chosen_password_must_pass_djangos_validators(
    client: Client, admin: User, password: str, reason: str
) -> None:
    client.force_login(admin)
    weak = client.post(
        "/manage/users/new/", {"username": "otto", "role": "employee", "clearance": 1, "password": password}
    )
    assert weak.status_code == 422 and not User.objects.filter(username="otto").exists()
    assert reason in weak.content.decode()
    strong = {"username": "otto", "role": "employee", "clearance": 1, "password": "correct-horse-battery-9"}
    assert client.post("/manage/users/new/", strong).status_code == 200
    assert User.objects.get(username="otto").check_password("correct-horse-battery-9")


def test_a_username_is_taken_only_once(client: Client, admin: User, employee: User) -> None:
    client.force_login(admin)
    response = client.post("/manage/users/new/", {"username": "Erin", "role": "employee", "clearance": 1})
    assert response.status_code == 422 and "already exists" in response.content.decode()


def test_an_unknown_user_is_404(client: Client, admin: User) -> None:
    client.force_login(admin)
    assert client.get("/manage/users/999999/").status_code == 404


def test_only_admins_see_the_users_link(client: Client, admin: User, employee: User) -> None:
    client.force_login(employee)
    assert 'href="/manage/users/"' not in client.get("/").content.decode()
    client.force_login(admin)
    assert 'href="/manage/users/"' in client.get("/").content.decode()


def test_an_admin_grants_only_reader_groups_they_are_in(client: Client, admin: User, employee: User) -> None:
    finance = Group.objects.create(name="finance")
    client.force_login(admin)

    response = client.post(f"/manage/users/{employee.id}/", form_data(employee, groups=[finance.pk]))

    assert response.status_code == 422 and "only grant reader groups you are in" in response.content.decode()
    assert not employee.groups.filter(name="finance").exists()


def test_an_admin_cannot_change_their_own_reader_groups(client: Client, admin: User) -> None:
    engineering = Group.objects.get_or_create(name="engineering")[0]
    client.force_login(admin)

    response = client.post(f"/manage/users/{admin.id}/", form_data(admin, groups=[engineering.pk]))

    assert response.status_code == 422 and "your own reader groups" in response.content.decode()
    assert not admin.groups.exists()


def test_auditor_accounts_are_neither_made_nor_unmade_from_the_page(
    client: Client, admin: User, employee: User, auditor: User
) -> None:
    client.force_login(admin)

    made = client.post(f"/manage/users/{employee.id}/", form_data(employee, role=Role.AUDITOR))
    created = client.post(
        "/manage/users/new/",
        {"username": "sock", "role": Role.AUDITOR, "clearance": 0, "password": "Very-long-pass-phrase-91!"},
    )
    unmade = client.post(f"/manage/users/{auditor.id}/", form_data(auditor, role=Role.EMPLOYEE))

    assert (made.status_code, created.status_code, unmade.status_code) == (422, 422, 422)
    assert "operator" in made.content.decode()
    employee.refresh_from_db()
    auditor.refresh_from_db()
    assert employee.role == Role.EMPLOYEE and auditor.role == Role.AUDITOR
    assert not User.objects.filter(username="sock").exists()


def test_an_admin_cannot_change_someone_cleared_above_them(client: Client, employee: User) -> None:
    low = make_user("lowadm", Role.ADMIN, Classification.INTERNAL)
    boss = make_user("boss", Role.EMPLOYEE, Classification.RESTRICTED)
    client.force_login(low)

    response = client.post(f"/manage/users/{boss.id}/", form_data(boss, clearance=Classification.PUBLIC))

    assert response.status_code == 422
    boss.refresh_from_db()
    assert boss.clearance == Classification.RESTRICTED


def test_a_nul_byte_in_the_search_is_ignored(client: Client, admin: User) -> None:
    client.force_login(admin)

    assert client.get("/manage/users/", {"q": "er\x00in"}).status_code == 200


def test_an_admin_cannot_weaken_an_auditor(client: Client, admin: User, auditor: User) -> None:
    auditor.groups.add(Group.objects.create(name="finance"))
    admin.groups.add(Group.objects.get(name="finance"))
    client.force_login(admin)

    lowered = client.post(f"/manage/users/{auditor.id}/", form_data(auditor, clearance=Classification.PUBLIC))
    deactivated = client.post(f"/manage/users/{auditor.id}/", form_data(auditor, is_active=""))
    ungrouped = client.post(f"/manage/users/{auditor.id}/", form_data(auditor, groups=[]))

    assert (lowered.status_code, deactivated.status_code, ungrouped.status_code) == (422, 422, 422)
    assert "operator" in lowered.content.decode()
    auditor.refresh_from_db()
    assert auditor.clearance == Classification.RESTRICTED and auditor.is_active
    assert list(auditor.groups.values_list("name", flat=True)) == ["finance"]


def test_a_created_user_must_change_the_password_the_admin_set(client: Client, admin: User) -> None:
    client.force_login(admin)
    client.post("/manage/users/new/", {"username": "nina", "role": "employee", "clearance": 1})
    chosen = {"username": "otto", "role": "employee", "clearance": 1, "password": "correct-horse-battery-9"}
    client.post("/manage/users/new/", chosen)

    assert User.objects.get(username="nina").must_change_password
    assert User.objects.get(username="otto").must_change_password


def test_an_admin_resets_a_password_the_user_must_then_change(client: Client, admin: User, employee: User) -> None:
    admin.groups.add(*employee.groups.all())  # an admin resets only people of their own reader groups
    erins = Client()
    erins.force_login(employee)
    client.force_login(admin)

    response = client.post(f"/manage/users/{employee.id}/password/")

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = re.search(r'class="user-password">([^<]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]
    employee.refresh_from_db()
    assert employee.check_password(password) and employee.must_change_password
    assert not employee.check_password(password_of("erin"))
    # erin's open session ended with the old password.
    assert erins.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("whose", ["own", "auditor", "cleared above", "in another group"])
def test_some_passwords_are_not_reset_from_the_page(client: Client, employee: User, auditor: User, whose: str) -> None:
    low = make_user("lowadm", Role.ADMIN, Classification.INTERNAL)
    boss = make_user("boss", Role.EMPLOYEE, Classification.RESTRICTED)
    # erin is in engineering, which lowadm is not in: as erin, lowadm would read engineering's documents.
    target = {"own": low, "auditor": auditor, "cleared above": boss, "in another group": employee}[whose]
    if whose == "auditor":
        low.clearance = Classification.RESTRICTED
        low.save()
    client.force_login(low)

    response = client.post(f"/manage/users/{target.id}/password/")

    assert response.status_code == 422 and 'class="error"' in response.content.decode()
    target.refresh_from_db()
    assert target.check_password(password_of(target.username)) and not target.must_change_password


def test_the_edit_page_offers_a_reset_for_others_only(client: Client, admin: User, employee: User) -> None:
    client.force_login(admin)

    assert (
        f'action="/manage/users/{employee.id}/password/"'
        in client.get(f"/manage/users/{employee.id}/").content.decode()
    )
    assert f"/manage/users/{admin.id}/password/" not in client.get(f"/manage/users/{admin.id}/").content.decode()
