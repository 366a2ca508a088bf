"""Fixtures of the gate tests: the policy's targets pointed at the loopback fakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from routing.policy_services import read_default_policy_text, save_and_activate_policy
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, FAKE_LOCAL_MODEL
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def cloud(settings: Any, fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    """The policy's cloud target (claude) answers from the Anthropic fake; no on-prem model is configured."""
    settings.ANTHROPIC_API_KEY = FAKE_ANTHROPIC_KEY
    settings.ANTHROPIC_BASE_URL = fake_anthropic.url
    settings.ANTHROPIC_MODEL = FAKE_ANTHROPIC_MODEL
    settings.LOCAL_LLM_BASE_URL = ""
    return fake_anthropic


@pytest.fixture
def onprem(settings: Any, fake_openai: FakeOpenAI) -> FakeOpenAI:
    """The policy's on-prem target (local) answers from the OpenAI-compatible fake."""
    settings.LOCAL_LLM_BASE_URL = fake_openai.base_url
    settings.LOCAL_LLM_MODEL = FAKE_LOCAL_MODEL
    settings.LOCAL_LLM_TIMEOUT_FIRST_TOKEN = 2.0
    return fake_openai


@pytest.fixture
def edit_policy(db: None) -> Callable[[str, str], None]:
    """Activate the default policy with one passage of its text replaced (which must be there)."""

    def _edit(old: str, new: str) -> None:
        default = read_default_policy_text()
        assert old in default, f"not in the default policy: {old!r}"
        save_and_activate_policy(text=default.replace(old, new), acting_user=None)

    return _edit
