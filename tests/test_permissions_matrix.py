"""Every URL of the project, for every persona: who may open it is checked on the server (issue 4,
"Everyone"). The URLs are enumerated from the resolver, so a new view without a row in ACCESS fails
here until someone decides who may use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from accounts.models import User
from assistant.services import answer_question
from audit.charts import CHARTS
from routing.models import PolicyVersion
from routing.policy.versions import get_active_policy

# Personas of tests/conftest.py, by username. The sample objects (history entry, answer) are erin's.
ANYONE = frozenset({"erin", "carl", "ada", "aude"})
ADMIN = frozenset({"ada"})
AUDITOR = frozenset({"aude"})
ADMIN_OR_AUDITOR = ADMIN | AUDITOR
OWNER = frozenset({"erin"})
PERSONAS = ("anonymous", "erin", "carl", "ada", "aude")

# A word in the sample question and document: no response to a wrong persona may contain it.
MARKER = "zanzibar"


@dataclass(frozen=True)
class Access:
    allowed: frozenset[str]
    method: str = "GET"
    anonymous: str = "login"  # "login": sent to the login page; "public": served; "forbidden": 403
    data: dict[str, str] = field(default_factory=dict)  # a valid POST body, so a 4xx means "refused"


ACCESS: dict[str, Access] = {
    # Signing in and out, the health probe: everyone.
    "login": Access(ANYONE, anonymous="public"),
    "logout": Access(ANYONE, method="POST", anonymous="public"),
    "healthz": Access(ANYONE, anonymous="public"),
    # Changing one's own password: any signed-in user.
    "password_change": Access(ANYONE),
    "password_change_done": Access(ANYONE),
    # A scraper with METRICS_TOKEN, or a signed-in admin or auditor; anonymous visitors get 403, not a login page.
    "metrics": Access(ADMIN_OR_AUDITOR, anonymous="forbidden"),
    # Employees' pages: any signed-in user; history entries and feedback only for their owner.
    "home": Access(ANYONE),
    "ask": Access(ANYONE, method="POST", data={"question": "Where is the " + MARKER + " runbook?"}),
    "ask-stream": Access(ANYONE, method="POST", data={"question": "Where is the " + MARKER + " runbook?"}),
    "passage": Access(ANYONE),
    "history": Access(ANYONE),
    "history-delete": Access(ANYONE, method="POST"),
    "history-entry": Access(OWNER),
    "history-entry-delete": Access(OWNER, method="POST"),
    "feedback": Access(OWNER, method="POST", data={"vote": "up"}),
    # Admins: documents, library, policy, backends, users.
    "documents": Access(ADMIN),
    "ingestion-jobs": Access(ADMIN),
    "library": Access(ADMIN),
    "library-document": Access(ADMIN),
    "library-delete": Access(ADMIN),
    "library-reingest": Access(ADMIN, method="POST"),
    "library-flagged": Access(ADMIN),
    "library-flag-clear": Access(ADMIN, method="POST"),
    "library-flag-restore": Access(ADMIN, method="POST"),
    "policy": Access(ADMIN),
    "policy-version": Access(ADMIN),
    "policy-activate": Access(ADMIN, method="POST"),
    "policy-edit": Access(ADMIN),
    "policy-validate": Access(ADMIN, method="POST"),
    "policy-simulate": Access(ADMIN, method="POST"),
    "policy-replay": Access(ADMIN, method="POST"),
    "policy-save": Access(ADMIN, method="POST"),
    "backends": Access(ADMIN),
    "set-budget": Access(ADMIN, method="POST"),
    "users": Access(ADMIN),
    "user-new": Access(ADMIN),
    "user-edit": Access(ADMIN),
    "user-password-reset": Access(ADMIN, method="POST"),  # ada resets erin's
    # Auditors only: admins run the system whose traffic the log records.
    "audit-log": Access(AUDITOR),
    "audit-detail": Access(AUDITOR),
    "audit-export-csv": Access(AUDITOR),
    "audit-export-jsonl": Access(AUDITOR),
    "audit-verify": Access(AUDITOR, method="POST"),
    "audit-dashboard": Access(AUDITOR),
    "audit-chart": Access(AUDITOR),
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    converters: dict[str, Any]


def walk(patterns: list[Any], prefix: str = "", converters: dict[str, Any] | None = None) -> Iterator[Route]:
    for pattern in patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), found)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield Route(pattern.name or route, route, found)


ROUTES = sorted(walk(get_resolver().url_patterns), key=lambda r: r.route)


def test_every_url_has_a_row_in_the_table() -> None:
    missing = sorted(r.name for r in ROUTES if r.name not in ACCESS)
    assert not missing, f"add these URL names to ACCESS in {__file__} (who may use them?): {missing}"


def test_the_enumeration_finds_the_known_pages() -> None:
    names = {r.name for r in ROUTES}
    assert {"home", "users", "user-edit", "audit-detail", "policy-version", "metrics"} <= names


Sample = Callable[[dict[str, User]], int | str]


def _answer(users: dict[str, User]) -> Any:
    return answer_question(question=f"Where is the {MARKER} runbook?", acting_user=users["erin"])


def _document(ingest: Callable[..., Any]) -> Any:
    text = f"# The {MARKER} runbook\n\nRestart the {MARKER} service with the restart pipeline.\n"
    return ingest(f"{MARKER}.md", text, classification="public").document


@pytest.fixture
def users(employee: User, contractor: User, admin: User, auditor: User) -> dict[str, User]:
    return {u.username: u for u in (employee, contractor, admin, auditor)}


@pytest.fixture
def sample(users: dict[str, User], ingest: Callable[..., Any]) -> Callable[[Route], tuple[dict[str, Any], bool]]:
    """Fill a route's parameters with real objects (created only when a route needs them). Returns the
    kwargs and whether they all name existing objects (else the allowed personas may get 404 too)."""
    makers: dict[str, Callable[[], int | str]] = {
        "chunk_id": lambda: _document(ingest).chunks.order_by("id").first().id,
        "document_id": lambda: _document(ingest).id,
        "entry_id": lambda: _answer(users).history_id,
        "audit_id": lambda: _answer(users).answer.audit_id,
        "event_id": lambda: _answer(users).answer.audit_id,
        "version_id": lambda: (get_active_policy(), PolicyVersion.objects.get(is_active=True).id)[1],
        "user_id": lambda: users["erin"].id,
        "name": lambda: next(iter(CHARTS)),
    }

    def fill(route: Route) -> tuple[dict[str, Any], bool]:
        kwargs: dict[str, Any] = {}
        exists = True
        for name, converter in route.converters.items():
            if name in makers:
                kwargs[name] = makers[name]()
            else:  # unknown parameter: an absent object
                kwargs[name] = 999999 if isinstance(converter, IntConverter) else "sample"
                exists = False
        return kwargs, exists

    return fill


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_persona_gets_what_the_table_allows(
    client: Client, users: dict[str, User], sample: Any, settings: Any, route: Route, persona: str
) -> None:
    settings.METRICS_TOKEN = ""
    access = ACCESS.get(route.name)
    assert access is not None, f"{route.name!r} ({route.route}) has no row in ACCESS"
    kwargs, exists = sample(route)
    url = reverse(route.name, kwargs=kwargs)
    if persona != "anonymous":
        client.force_login(users[persona])
    send = client.post if access.method == "POST" else client.get
    response = send(url, access.data)
    status = response.status_code
    where = f"{access.method} {url} as {persona}"

    if persona == "anonymous":
        if access.anonymous == "login":
            assert status == 302 and response["Location"].startswith(settings.LOGIN_URL), where
        elif access.anonymous == "forbidden":
            assert status == 403, where
        else:
            assert status < 400, where
    elif persona in access.allowed:
        assert status < 500, where
        assert status not in (401, 403), where
        if status == 302 and access.anonymous != "public":  # signing out leads to the login page
            assert not response["Location"].startswith(settings.LOGIN_URL), where
        if status == 404:
            assert not exists, f"{where}: 404 although the sample objects exist"
        if access.method == "GET":
            assert status < 400 or (status == 404 and not exists), where
        else:  # a POST-only view refuses GET
            assert client.get(url).status_code == 405, f"GET {url} as {persona}"
    else:
        assert status in (403, 404), where
    if persona not in access.allowed and access.anonymous != "public":
        assert MARKER.encode() not in body_of(response), f"{where}: the page's data leaked"
