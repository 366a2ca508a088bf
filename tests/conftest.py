"""Personas and helpers shared by the suite. Tests run against real PostgreSQL + pgvector
and the real MiniLM model (loaded once per test session, on first use)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from accounts.claim_mapping import parse_claim_mapping
from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from accounts.services import create_user, upsert_user
from fakes.anthropic_server import FakeAnthropic
from fakes.openai_server import FakeOpenAI
from retrieval.services import IngestResult, ingest_file
from tests.oidc_provider import CLIENT_ID as OIDC_CLIENT_ID
from tests.oidc_provider import CLIENT_SECRET as OIDC_CLIENT_SECRET
from tests.oidc_provider import OidcProvider
from tests.serving import ServedSluice


@pytest.fixture(scope="session", autouse=True)
def _side_connections_closed_before_the_test_database_is_dropped(django_db_setup: None) -> Iterator[None]:
    """Searches outside a transaction (the live server's) read the vector list on pool threads' own
    connections, kept open; the test database cannot be dropped while they are."""
    yield
    from retrieval.selectors import close_side_connections

    close_side_connections()


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count per minute of the wall clock: a test that counts requests in one window pins the
    limiter's clock mid-minute, or a request made after the minute turns would start a new window."""
    import time
    from types import SimpleNamespace

    from routing import rate_limits

    mid_minute = time.time() // 60 * 60 + 30
    monkeypatch.setattr(rate_limits, "time", SimpleNamespace(time=lambda: mid_minute))


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Each test starts with closed circuits, new backends, no load reading, and retries that wait milliseconds.
    Passwords are hashed cheaply: PBKDF2's full work factor costs about a second per persona.
    Pages name static files by their plain names, found in static/ as the live server serves them:
    the hashed names exist only after collectstatic, which tests/assistant/test_serve_command.py runs for real.
    The audit chain's heads go to a file of the test's own, never the developer's (which names their rows)."""
    from routing import load, resilience

    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit_head.jsonl")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.GATE_RETRY_BASE_S = 0.01
    settings.GATE_RETRY_MAX_WAIT_S = 0.2
    settings.ASK_RATE_LIMIT_PER_MINUTE = 0  # tests ask as one persona far more often; test_rate_limits sets it
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 0
    resilience.reset()
    load.reset()
    yield
    resilience.reset()


def password_of(username: str) -> str:
    """A persona's password: different for each, and strong enough for the validators (settings.py)."""
    return f"pw-{username}-sluice-persona"


def make_user(username: str, role: Role, clearance: Classification, groups: Sequence[str] = ()) -> User:
    user, _ = upsert_user(
        username=username, role=role, clearance=clearance, groups=groups, password=password_of(username)
    )
    return user


def created_with_one_time_password(admin: User, username: str = "nina") -> tuple[User, str]:
    """An employee made as the users page makes one, with the one-time password it shows once."""
    user, one_time = create_user(
        acting_user=admin,
        username=username,
        role=Role.EMPLOYEE,
        clearance=Classification.INTERNAL,
        groups=[],
        team=None,
        password=None,
    )
    assert one_time is not None
    return user, one_time


@pytest.fixture
def employee(db: None) -> User:
    """Cleared for internal, in group engineering: reads public and internal documents
    that have no groups or the engineering group; never confidential ones."""
    return make_user("erin", Role.EMPLOYEE, Classification.INTERNAL, ["engineering"])


@pytest.fixture
def contractor(db: None) -> User:
    """Cleared for public only, in no group."""
    return make_user("carl", Role.EMPLOYEE, Classification.PUBLIC)


@pytest.fixture
def admin(db: None) -> User:
    """Runs the knowledge base; cleared for everything."""
    return make_user("ada", Role.ADMIN, Classification.RESTRICTED)


@pytest.fixture
def auditor(db: None) -> User:
    """Reviews the audit log; cleared for everything."""
    return make_user("aude", Role.AUDITOR, Classification.RESTRICTED)


Ingest = Callable[..., IngestResult]


@pytest.fixture
def ingest(db: None) -> Ingest:
    """Ingest text (or bytes) as a file: ingest(name, content, classification='internal', groups=())."""

    def _ingest(
        name: str, content: str | bytes, classification: str = "internal", groups: Sequence[str] = ()
    ) -> IngestResult:
        data = content.encode() if isinstance(content, str) else content
        return ingest_file(
            filename=name,
            content=data,
            classification=Classification.parse(classification),
            group_names=list(groups),
        )

    return _ingest


# Fake model servers (fakes): real HTTP on loopback, told per test how to misbehave.
FAKE_ANTHROPIC_KEY = "sk-ant-fake-key-for-tests"
FAKE_ANTHROPIC_MODEL = "claude-haiku-4-5"
FAKE_LOCAL_MODEL = "qwen2.5-1.5b-instruct"


@contextlib.contextmanager
def paced_cloud(*, answer_seconds: float, text: str) -> Iterator[FakeAnthropic]:
    """The Anthropic fake (FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL) answering `text`, each answer streamed over
    `answer_seconds` as a slow model writes it; stopped on the way out."""
    server = FakeAnthropic(api_key=FAKE_ANTHROPIC_KEY, models=(FAKE_ANTHROPIC_MODEL,), answer_seconds=answer_seconds)
    server.behave(text=text)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_anthropic() -> Iterator[FakeAnthropic]:
    """Anthropic's Messages API on 127.0.0.1 (accepts FAKE_ANTHROPIC_KEY, serves FAKE_ANTHROPIC_MODEL)."""
    server = FakeAnthropic(api_key=FAKE_ANTHROPIC_KEY, models=(FAKE_ANTHROPIC_MODEL,)).start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible chat server on 127.0.0.1 (no key, serves FAKE_LOCAL_MODEL)."""
    server = FakeOpenAI(models=(FAKE_LOCAL_MODEL,)).start()
    yield server
    server.stop()


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


SERVED_RUNBOOK = """# Deploy runbook

## Rolling back

To roll back a bad deploy, run the rollback pipeline for the previous release tag.
The rollback pipeline restores the previous container image within five minutes.
"""


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSluice]:
    """The real `manage.py serve` as `make run` starts it (tests/serving.py), in a throwaway data folder
    with a PostgreSQL of its own, holding employee erin and admin ada (as the personas above, password
    password_of(name)) and the deploy runbook (internal, no groups). Started once, for the slow tests that
    use it; stopped, database included, after the last."""
    data_dir: Path = tmp_path_factory.mktemp("served")
    server = ServedSluice(data_dir).start()
    try:
        server.manage("add_user", "erin", "--role", "employee", "--clearance", "internal",
                      "--groups", "engineering", "--password", password_of("erin"))  # fmt: skip
        server.manage(
            "add_user", "ada", "--role", "admin", "--clearance", "restricted", "--password", password_of("ada")
        )
        runbook = data_dir / "deploy-runbook.md"
        runbook.write_text(SERVED_RUNBOOK)
        server.manage("ingest", str(runbook), "--classification", "internal")
        yield server
    finally:
        server.stop()


# The claim mapping of the company-sign-in tests (docs/sign-in.md): groups give the role and clearance, and
# groups named readers-… give reader groups.
TEST_CLAIM_MAPPING = """
rules:
  - {claim: groups, value: sluice-admins, role: admin, clearance: restricted}
  - {claim: groups, value: sluice-auditors, role: auditor, clearance: restricted}
  - {claim: groups, value: staff, role: employee}
  - {claim: groups, value: cleared-confidential, clearance: confidential}
default_clearance: internal
reader_groups: {claim: groups, prefix: readers-}
"""


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """A real OpenID Connect provider in a process of its own on loopback (tests/oidc_provider/)."""
    provider = OidcProvider(tmp_path_factory.mktemp("oidc-provider"))
    yield provider
    provider.stop()


@pytest.fixture
def company_sign_in(settings: Any, oidc_provider: OidcProvider) -> OidcProvider:
    """Sluice configured, as its environment would configure it, to sign in with the test provider under
    TEST_CLAIM_MAPPING; local passwords stay on."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = OIDC_CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = OIDC_CLIENT_SECRET
    settings.OIDC_CLAIM_MAPPING = parse_claim_mapping(TEST_CLAIM_MAPPING)
    return oidc_provider
