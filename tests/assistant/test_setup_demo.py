"""`setup_demo --skip-corpus`: the demo accounts get passwords that pass the validators, generated
or taken from DEMO_*_PASSWORD; a weak one from the environment stops the set-up with its setting's name."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User


def test_generated_demo_passwords_pass_the_validators(db: None, settings: Any) -> None:
    settings.DEMO_EMPLOYEE_PASSWORD = settings.DEMO_ADMIN_PASSWORD = settings.DEMO_AUDITOR_PASSWORD = ""
    out = StringIO()

    call_command("setup_demo", "--skip-corpus", stdout=out)

    printed = dict(re.findall(r"^  (\w+) +(\S+) +\(", out.getvalue(), flags=re.MULTILINE))
    assert sorted(printed) == ["admin", "auditor", "employee"]
    for username, password in printed.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        validate_password(password, user)


def test_a_weak_demo_password_from_the_environment_is_refused(db: None, settings: Any) -> None:
    settings.DEMO_EMPLOYEE_PASSWORD = "demo-employee-pass"
    settings.DEMO_ADMIN_PASSWORD = "short-one"

    with pytest.raises(CommandError, match="DEMO_ADMIN_PASSWORD: This password is too short"):
        call_command("setup_demo", "--skip-corpus", stdout=StringIO())

    assert not User.objects.filter(username="admin").exists()
