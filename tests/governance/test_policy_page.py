"""The active policy and its history (/manage/policy/), one stored version, and activating an old one."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from routing.models import PolicyChange, PolicyVersion
from routing.policy.versions import get_active_policy

Versions = tuple[PolicyVersion, PolicyVersion]


@pytest.fixture
def page(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def test_before_the_first_question_the_default_file_is_shown_and_nothing_is_stored(page: Client) -> None:
    html = page.get("/manage/policy/").content.decode()

    assert "default-3" in html and "routing/policies/default.yaml" in html
    assert '<li value="1" id="line-1"><code># Sluice&#x27;s default routing policy' in html
    assert not PolicyVersion.objects.exists()


def test_the_page_shows_the_active_text_who_activated_it_and_the_history(
    page: Client, two_versions: Versions, django_assert_max_num_queries
) -> None:
    old, new = two_versions

    with django_assert_max_num_queries(8):
        html = page.get("/manage/policy/").content.decode()

    assert "<dt>Active version</dt><dd>2</dd>" in html
    assert "<dt>Activated by</dt><dd>ada, " in html
    assert "version: &quot;2&quot;" in html
    # versions: newest first, author, comment, the active one marked, each linked
    assert html.index(f'href="/manage/policy/versions/{new.id}/"') < html.index(
        f'href="/manage/policy/versions/{old.id}/"'
    )
    assert "second version" in html and "<strong>active</strong>" in html
    assert "default policy, stored on first use" in html
    # changes: who, from which to which
    assert "<td>ada</td>\n        <td>default-3</td>\n        <td>2</td>" in html
    assert "Sluice (automatic)" in html


def test_a_stored_version_is_viewable(page: Client, two_versions: Versions) -> None:
    old, _ = two_versions

    html = page.get(f"/manage/policy/versions/{old.id}/").content.decode()

    assert "Policy version default-3" in html and "version: &quot;default-3&quot;" in html
    assert "Activate this version" in html
    assert page.get("/manage/policy/versions/999999/").status_code == 404


def test_the_active_version_has_no_activate_button(page: Client, two_versions: Versions) -> None:
    _, new = two_versions

    assert "Activate this version" not in page.get(f"/manage/policy/versions/{new.id}/").content.decode()


def test_activating_an_old_version_rolls_back_and_records_who(
    page: Client, admin: User, two_versions: Versions
) -> None:
    old, _ = two_versions

    response = page.post(f"/manage/policy/versions/{old.id}/activate/", {"comment": "roll back"})

    assert response.status_code == 302 and response["Location"] == "/manage/policy/"
    assert get_active_policy().version == "default-3"
    change = PolicyChange.objects.first()
    assert change is not None
    assert (change.username, change.from_version, change.to_version, change.comment) == (
        "ada",
        "2",
        "default-3",
        "roll back",
    )
    assert "Version default-3 is the active policy now." in page.get("/manage/policy/").content.decode()


def test_a_stored_version_that_no_longer_validates_is_not_activated(page: Client, two_versions: Versions) -> None:
    broken = PolicyVersion.objects.create(version="broken", text='version: "broken"\nrules: [\n')

    response = page.post(f"/manage/policy/versions/{broken.id}/activate/", {"comment": ""})

    assert response.status_code == 422
    html = response.content.decode()
    assert "no longer validates" in html and "not valid YAML" in html
    assert 'class="policy-line-error"' in html
    assert get_active_policy().version == "2"
