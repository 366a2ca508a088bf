"""Every policy page, for every role: only admins get data or change anything; anonymous visitors go to
the login page; every POST needs the CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from routing.models import PolicyChange, PolicyVersion
from tests.governance.conftest import draft

# (method, path): every view of governance/urls.py; {id} is the stored version "default-3", not active.
VIEWS = [
    ("get", "/manage/policy/"),
    ("get", "/manage/policy/versions/{id}/"),
    ("post", "/manage/policy/versions/{id}/activate/"),
    ("get", "/manage/policy/edit/"),
    ("post", "/manage/policy/edit/validate/"),
    ("post", "/manage/policy/edit/simulate/"),
    ("post", "/manage/policy/edit/replay/"),
    ("post", "/manage/policy/edit/save/"),
]
# What an admin's successful request answers: a page, or a redirect after a change.
ADMIN_STATUS = {"/manage/policy/versions/{id}/activate/": 302, "/manage/policy/edit/save/": 302}
RULE_NAME = b"secret-stays-onprem"  # in every version's text


def payload(admin: User) -> dict[str, Any]:
    """A complete editor form: any button of it is valid."""
    return {
        "text": draft("3"),
        "comment": "permissions test",
        "question": "How do I roll back a bad deploy?",
        "user": admin.pk,
        "workload": "interactive",
        "health_onprem": "now",
        "health_private": "now",
        "health_cloud": "down",
        "limit": 50,
    }


def call(client: Client, method: str, path: str, version: PolicyVersion, data: dict[str, Any]):
    url = path.format(id=version.id)
    return client.get(url) if method == "get" else client.post(url, data)


@pytest.fixture
def old_version(two_versions: tuple[PolicyVersion, PolicyVersion]) -> PolicyVersion:
    return two_versions[0]


@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_anonymous_visitors_are_sent_to_login(
    client: Client, old_version: PolicyVersion, admin: User, method: str, path: str
) -> None:
    response = call(client, method, path, old_version, payload(admin))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/manage/policy/")
    assert PolicyVersion.objects.get(is_active=True).version == "2"


@pytest.mark.parametrize("persona", ["employee", "auditor"])
@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_only_admins_reach_the_policy_pages(
    client: Client,
    old_version: PolicyVersion,
    admin: User,
    method: str,
    path: str,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    changes = PolicyChange.objects.count()

    response = call(client, method, path, old_version, payload(admin))

    assert response.status_code == 403
    assert RULE_NAME not in response.content
    assert PolicyChange.objects.count() == changes
    assert PolicyVersion.objects.get(is_active=True).version == "2"


@pytest.mark.parametrize(("method", "path"), VIEWS)
def test_admins_reach_every_policy_page(
    client: Client, old_version: PolicyVersion, admin: User, method: str, path: str
) -> None:
    client.force_login(admin)

    response = call(client, method, path, old_version, payload(admin))

    assert response.status_code == ADMIN_STATUS.get(path, 200)


@pytest.mark.parametrize(("method", "path"), [view for view in VIEWS if view[0] == "post"])
def test_every_post_needs_the_csrf_token(old_version: PolicyVersion, admin: User, method: str, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    response = call(client, method, path, old_version, payload(admin))

    assert response.status_code == 403
    assert PolicyVersion.objects.get(is_active=True).version == "2"


def test_the_nav_links_the_policy_for_admins_only(client: Client, admin: User, employee: User, auditor: User) -> None:
    client.force_login(admin)
    assert b'href="/manage/policy/"' in client.get("/").content

    for other in (employee, auditor):
        client.force_login(other)
        assert b'href="/manage/policy/"' not in client.get("/").content


def test_the_pages_refuse_other_methods(client: Client, admin: User) -> None:
    client.force_login(admin)

    assert client.post("/manage/policy/").status_code == 405
    assert client.post("/manage/policy/edit/").status_code == 405
    assert client.get("/manage/policy/edit/save/").status_code == 405
