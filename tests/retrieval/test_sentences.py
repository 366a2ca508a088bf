"""A line is cut into sentences at their ends, not at the full stop of an abbreviation (retrieval.sentences)."""

from __future__ import annotations

import pytest

from retrieval.sentences import split_sentences


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Report a lost badge to Security at ext. 5000 immediately. Security deactivates it.",
            ("Report a lost badge to Security at ext. 5000 immediately.", "Security deactivates it."),
        ),
        (
            "Check in at 7:45 a.m. at the Education Center. Parking is free on day one.",
            ("Check in at 7:45 a.m. at the Education Center.", "Parking is free on day one."),
        ),
        (
            "Use a password manager, e.g. KeePassXC. Dr. Osei approves exceptions.",
            ("Use a password manager, e.g. KeePassXC.", "Dr. Osei approves exceptions."),
        ),
        (
            "Run `kubectl get pods -n prod`. Then read /var/log/app.log. Version 1.2.3 is current!",
            ("Run `kubectl get pods -n prod`.", "Then read /var/log/app.log.", "Version 1.2.3 is current!"),
        ),
        (
            "Sign in at https://portal.example.com/login?next=/home first! Then open Settings.",
            ("Sign in at https://portal.example.com/login?next=/home first!", "Then open Settings."),
        ),
        ("No full stop in this line at all", ("No full stop in this line at all",)),
        ("   ", ()),
    ],
)
def test_sentences_end_at_their_ends_not_at_abbreviations(line, expected):
    assert split_sentences(line) == expected
