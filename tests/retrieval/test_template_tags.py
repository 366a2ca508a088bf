"""Template tags of Jekyll and Hugo read as the built page shows them (retrieval.template_tags.readable)."""

from __future__ import annotations

import pytest

from retrieval.template_tags import readable


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (
            'Have a good trip, [get reimbursement]({% page "/travel/reimbursement/" %})-- filling out a voucher.',
            "Have a good trip, get reimbursement-- filling out a voucher.",
        ),
        (
            'Go to {% slack_channel "admins-github" %} and explain what you would like to do.',
            "Go to #admins-github and explain what you would like to do.",
        ),
        ('See [the guide]({{< ref "ops/guide.md" >}}) first.', "See the guide first."),
        ('{% alert "warning" %} Receipts over $75 are required. {% endalert %}', "Receipts over $75 are required."),
        ('Here is the map {{< figure src="map.png" >}} of the site.', "Here is the map of the site."),
    ],
)
def test_tags_of_prose_are_read_as_the_built_page_shows_them(written, shown):
    assert readable(written) == shown


@pytest.mark.parametrize(
    "written",
    [
        # A command's own template, in backticks.
        "Run `helm get values {{ .Release.Name }}` before the upgrade.",
        # A Liquid variable in prose may be what the page explains.
        "Write {{ first_name }} where the recipient's name goes.",
        # No tag at all.
        "Receipts over $75 are required [1].",
    ],
)
def test_code_variables_and_plain_text_are_left_as_written(written):
    assert readable(written) == written


def test_a_tag_in_backticks_is_kept_while_one_in_prose_is_dropped():
    assert readable('Write `{% raw %}` in {% slack_channel "docs" %} only.') == "Write `{% raw %}` in #docs only."
