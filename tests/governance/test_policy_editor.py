"""The editor (/manage/policy/edit/): validate, and save and activate, a draft. A malformed draft is
shown with its problems at their lines, and the active policy stays as it was."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from routing.models import PolicyChange, PolicyVersion
from routing.policy.versions import get_active_policy
from tests.governance.conftest import DEFAULT_TEXT, draft

# The default's internal rule, with its first target misspelt.
TYPO = (
    "targets: [claude, local]\n    redact: true\n    max_passages: 5\n    on_failure: degrade\n    explain: Internal",
    "targets: [claud, local]\n    redact: true\n    max_passages: 5\n    on_failure: degrade\n    explain: Internal",
)


@pytest.fixture
def editor(client: Client, admin: User) -> Client:
    get_active_policy()  # the default, stored as the first version
    client.force_login(admin)
    return client


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


def test_the_editor_starts_with_the_active_text(editor: Client) -> None:
    page = editor.get("/manage/policy/edit/").content.decode()

    assert "version: &quot;default-3&quot;" in page
    assert 'name="text"' in page and "Save and activate" in page
    assert 'formaction="/manage/policy/edit/simulate/"' in page and 'formaction="/manage/policy/edit/replay/"' in page


def test_a_valid_draft_is_validated_and_nothing_is_activated(editor: Client) -> None:
    response = editor.post("/manage/policy/edit/validate/", {"text": draft("2"), "workload": "interactive"})

    assert response.status_code == 200
    assert "The draft is valid: version 2, 3 targets, 7 rules. Nothing was activated." in response.content.decode()
    assert PolicyVersion.objects.get(is_active=True).version == "default-3"
    assert not PolicyVersion.objects.filter(version="2").exists()


@pytest.mark.parametrize("button", ["validate", "save", "simulate", "replay"])
def test_a_malformed_draft_shows_the_line_and_reason_and_the_active_policy_stays(
    editor: Client, admin: User, button: str
) -> None:
    text = draft("2", TYPO)
    bad_line = line_of(text, "targets: [claud, local]")
    form = {"text": text, "comment": "typo", "question": "How?", "user": admin.pk, "limit": 10}

    response = editor.post(f"/manage/policy/edit/{button}/", {**form, "workload": "interactive"})

    assert response.status_code == 422
    page = response.content.decode()
    reason = "rule &#x27;internal-cloud-redacted&#x27;: unknown target &#x27;claud&#x27;"
    # next to the field: the line (linked to the numbered draft) and the reason
    assert re.search(rf'<a href="#line-{bad_line}">line {bad_line}</a>: {reason}', page)
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_text_error"' in page
    # the numbered draft marks that line, with the reason under it, and only that line
    marked = re.findall(r'<li value="\d+" id="line-(\d+)" class="policy-line-error">', page)
    assert marked == [str(bad_line)]
    marked_line = f'id="line-{bad_line}" class="policy-line-error"><code>    targets: [claud, local]</code>'
    assert marked_line in page
    # with the lines around it, not the whole draft
    assert f'id="line-{bad_line - 3}"' in page and f'id="line-{bad_line - 4}"' not in page
    assert PolicyVersion.objects.get(is_active=True).version == "default-3"
    assert not PolicyVersion.objects.filter(version="2").exists()
    assert PolicyChange.objects.count() == 1


def test_broken_yaml_is_shown_at_its_line(editor: Client) -> None:
    text = draft("2").replace("  claude:\n    zone: cloud", "  claude:\n    zone: [cloud", 1)

    response = editor.post("/manage/policy/edit/validate/", {"text": text, "workload": "interactive"})

    assert response.status_code == 422
    assert "not valid YAML" in response.content.decode()
    assert b'class="policy-line-error"' in response.content
    assert get_active_policy().version == "default-3"


def test_save_and_activate_stores_a_version_and_a_change_with_the_admins_name(editor: Client, admin: User) -> None:
    # Browsers send textareas with CRLF line ends; the stored text keeps plain newlines.
    text = draft("2", ("max_passages: 8", "max_passages: 6"))

    response = editor.post(
        "/manage/policy/edit/save/",
        {"text": text.replace("\n", "\r\n"), "comment": "fewer public passages", "workload": "interactive"},
    )

    assert response.status_code == 302 and response["Location"] == "/manage/policy/"
    stored = PolicyVersion.objects.get(is_active=True)
    assert (stored.version, stored.text, stored.created_by, stored.comment) == (
        "2",
        text,
        admin,
        "fewer public passages",
    )
    change = PolicyChange.objects.first()
    assert change is not None
    assert (change.username, change.acting_user, change.from_version, change.to_version, change.comment) == (
        "ada",
        admin,
        "default-3",
        "2",
        "fewer public passages",
    )
    assert get_active_policy().version == "2"
    page = editor.get("/manage/policy/").content.decode()
    assert "Version 2 is saved and is the active policy now." in page


def test_saving_needs_a_comment(editor: Client) -> None:
    response = editor.post("/manage/policy/edit/save/", {"text": draft("2"), "workload": "interactive"})

    assert response.status_code == 422
    assert "This field is required for this button." in response.content.decode()
    assert get_active_policy().version == "default-3"


def test_reusing_a_stored_version_name_with_other_text_is_refused_at_the_version_line(editor: Client) -> None:
    text = DEFAULT_TEXT.replace("max_passages: 8", "max_passages: 6")

    response = editor.post("/manage/policy/edit/save/", {"text": text, "comment": "oops", "workload": "interactive"})

    assert response.status_code == 422
    line = line_of(text, 'version: "default-3"')
    assert f'<a href="#line-{line}">line {line}</a>: version &#x27;default-3&#x27; is already stored' in (
        response.content.decode()
    )
    assert PolicyVersion.objects.count() == 1 and PolicyChange.objects.count() == 1
