"""Every URL of the project, for every persona: who may open it is checked on the server (issue 4,
"Everyone"). The URLs are enumerated from the resolver, so a new view without a row in ACCESS fails
here until someone decides who may use it. A URL that answers several methods has a row for each. The API's
URLs are tried with every kind of key too (KEY_ACCESS): each persona's own key, a service account's allowed
the endpoint or not, a revoked, an expired and an unknown key."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from accounts.api_keys import issue_api_key, revoke_api_key, upsert_service_account
from accounts.clearance import Classification
from accounts.models import ApiKey, User
from api.endpoints import Endpoint
from assistant.services import answer_question
from audit.charts import CHARTS
from retrieval.models import Chunk, IngestionJob
from routing.models import PolicyVersion
from routing.policy.versions import get_active_policy, read_default_policy_text, save_and_activate_policy

# Personas of tests/conftest.py, by username. The sample objects (history entry, conversation, answer) are erin's.
ANYONE = frozenset({"erin", "carl", "ada", "aude"})
ADMIN = frozenset({"ada"})
AUDITOR = frozenset({"aude"})
ADMIN_OR_AUDITOR = ADMIN | AUDITOR
OWNER = frozenset({"erin"})
PERSONAS = ("anonymous", "erin", "carl", "ada", "aude")
# The service account of the key tests (an employee's role, cleared for internal, group engineering): it may
# call what any signed-in user may, its own history included.
SERVICE = "ci-bot"
ANY_CALLER = ANYONE | {SERVICE}

# A word in the sample question and document: no response to a wrong persona may contain it.
MARKER = "zanzibar"


@dataclass(frozen=True)
class Access:
    allowed: frozenset[str]
    method: str = "GET"
    # "login": sent to the login page; "public": served; "forbidden": 403; "unauthorized": 401 (the API)
    anonymous: str = "login"
    # A valid body (or GET query), so a 4xx means "refused"; a callable value is called for each request.
    data: dict[str, Any] = field(default_factory=dict)
    as_json: bool = False  # the API: the body is sent as JSON
    # The callers whose answer must show the sample objects (the MARKER): the API's, where the URL names them.
    shows: frozenset[str] = frozenset()
    keys_only: bool = False  # the gateway endpoints (/v1/): an API key or nothing, so every session gets 401


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{MARKER}-notes.md", f"# The {MARKER} notes\n\nLock the {MARKER} gate.\n".encode())


API = {"anonymous": "unauthorized"}


ACCESS: dict[str, Access | tuple[Access, ...]] = {
    # Signing in and out, the health probe: everyone.
    "login": Access(ANYONE, anonymous="public"),
    "logout": Access(ANYONE, method="POST", anonymous="public"),
    # The company sign-in (tried with the test provider configured): its start sends anyone there; its callback
    # without the provider's answer signs nobody in.
    "oidc_authentication_init": Access(ANYONE, anonymous="public"),
    "oidc_authentication_callback": Access(frozenset(), anonymous="forbidden"),
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
    "conversation": Access(OWNER),
    "history-entry-delete": Access(OWNER, method="POST"),
    "feedback": Access(OWNER, method="POST", data={"vote": "up"}),
    # Requests held for approval: anyone sees those they may approve (none of their own); erin's sample request
    # names admins as its approvers, so only ada may decide it (erin, its requester, never).
    "approvals": Access(ANYONE),
    "approval-decide": Access(ADMIN, method="POST", data={"decision": "deny", "reason": "Not needed."}),
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
    "keys": Access(ADMIN),
    "key-revoke": Access(ADMIN, method="POST"),
    # Auditors only: admins run the system whose traffic the log records.
    "audit-log": Access(AUDITOR),
    "audit-detail": Access(AUDITOR),
    "audit-export-csv": Access(AUDITOR),
    "audit-export-jsonl": Access(AUDITOR),
    "audit-verify": Access(AUDITOR, method="POST"),
    "audit-dashboard": Access(AUDITOR),
    "audit-chart": Access(AUDITOR),
    # The API: any signed-in user by session (with its CSRF check) or any valid key; its schema and docs: everyone.
    "api-ask": Access(
        ANY_CALLER,
        method="POST",
        data={"question": f"Where is the {MARKER} runbook?"},
        as_json=True,
        shows=ANY_CALLER,
        **API,
    ),
    "api-search": Access(ANY_CALLER, data={"q": MARKER}, shows=ANY_CALLER, **API),
    # A held request: only its requester polls it.
    "api-held": Access(OWNER, shows=OWNER, **API),
    # The admins' documents, the auditors' log, the admins' policy tools: the pages' roles.
    "api-documents": (
        Access(ADMIN, **API),
        Access(ADMIN, method="POST", data={"files": _upload, "classification": "public"}, shows=ADMIN, **API),
    ),
    "api-document": (
        Access(ADMIN, shows=ADMIN, **API),
        Access(ADMIN, method="PATCH", data={"classification": "public", "groups": []}, as_json=True, **API),
        Access(ADMIN, method="DELETE", **API),
    ),
    "api-ingestion-jobs": Access(ADMIN, **API),
    "api-ingestion-job": Access(ADMIN, shows=ADMIN, **API),
    "api-audit-events": Access(AUDITOR, **API),
    "api-audit-event": Access(AUDITOR, shows=AUDITOR, **API),
    "api-audit-export-csv": Access(AUDITOR, **API),
    "api-audit-export-jsonl": Access(AUDITOR, **API),
    "api-audit-verify": Access(AUDITOR, method="POST", as_json=True, **API),
    "api-policy-simulate": Access(
        ADMIN, method="POST", data={"policy": read_default_policy_text, "limit": 5}, as_json=True, **API
    ),
    "api-policy-explain": Access(
        ADMIN, method="POST", data={"question": f"Where is the {MARKER} runbook?"}, as_json=True, **API
    ),
    # Each caller's own history; one entry and feedback on one answer only for its owner.
    "api-history": Access(ANY_CALLER, **API),
    "api-history-entry": Access(OWNER, shows=OWNER, **API),
    "api-feedback": Access(OWNER, method="POST", data={"vote": "up"}, as_json=True, **API),
    "api-schema": Access(ANYONE, anonymous="public"),
    "api-docs": Access(ANYONE, anonymous="public"),
    # The gateway endpoints: API keys only (test_each_key_gets_what_the_gateway_allows), whoever is signed in.
    "gateway-chat-completions": Access(frozenset(), method="POST", keys_only=True, as_json=True,
                                       data={"model": "sluice-auto",
                                             "messages": [{"role": "user", "content": MARKER}]}),
    "gateway-messages": Access(frozenset(), method="POST", keys_only=True, as_json=True,
                               data={"model": "sluice-auto", "max_tokens": 50,
                                     "messages": [{"role": "user", "content": MARKER}]}),
    "gateway-models": Access(frozenset(), keys_only=True),
    "gateway-model": Access(frozenset(), keys_only=True),
    "gateway-not-found": Access(frozenset(), keys_only=True),
}  # fmt: skip


def accesses(name: str) -> tuple[Access, ...]:
    """The rows of a URL: one per method it answers."""
    row = ACCESS[name]
    return row if isinstance(row, tuple) else (row,)


# The API's URLs for callers with a key: the endpoint a key's allowed list names (None: open to everyone).
KEY_ACCESS: dict[str, Endpoint | None] = {
    "api-ask": Endpoint.ASK,
    "api-search": Endpoint.SEARCH,
    "api-held": Endpoint.ASK,
    "api-documents": Endpoint.DOCUMENTS,
    "api-document": Endpoint.DOCUMENTS,
    "api-ingestion-jobs": Endpoint.DOCUMENTS,
    "api-ingestion-job": Endpoint.DOCUMENTS,
    "api-audit-events": Endpoint.AUDIT,
    "api-audit-event": Endpoint.AUDIT,
    "api-audit-export-csv": Endpoint.AUDIT,
    "api-audit-export-jsonl": Endpoint.AUDIT,
    "api-audit-verify": Endpoint.AUDIT,
    "api-policy-simulate": Endpoint.POLICY,
    "api-policy-explain": Endpoint.POLICY,
    "api-history": Endpoint.HISTORY,
    "api-history-entry": Endpoint.HISTORY,
    "api-feedback": Endpoint.FEEDBACK,
    "api-schema": None,
    "api-docs": None,
}
KEY_CALLERS = (
    *(f"personal-{persona}" for persona in PERSONAS if persona != "anonymous"),
    "service-allowed",
    "service-not-allowed",
    "revoked",
    "expired",
    "invalid",
)


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
# Each URL with each of its rows (a URL missing from ACCESS gets none here: the first test names it).
OPERATIONS = [(route, access) for route in ROUTES if route.name in ACCESS for access in accesses(route.name)]


def operation_id(operation: Any) -> str:
    route, access = operation
    return route.name if len(accesses(route.name)) == 1 else f"{route.name}-{access.method}"


def test_every_url_has_a_row_in_the_table() -> None:
    missing = sorted(r.name for r in ROUTES if r.name not in ACCESS)
    assert not missing, f"add these URL names to ACCESS in {__file__} (who may use them?): {missing}"


def test_the_enumeration_finds_the_known_pages() -> None:
    names = {r.name for r in ROUTES}
    assert {"home", "users", "user-edit", "audit-detail", "policy-version", "metrics"} <= names


Sample = Callable[[dict[str, User]], int | str]


def _answer(users: dict[str, User]) -> Any:
    return answer_question(question=f"Where is the {MARKER} runbook?", acting_user=users["erin"])


def _held(users: dict[str, User]) -> int:
    """erin's question held for approval by admins: the default policy with its public rule holding."""
    rule = "    on_failure: degrade\n    explain: Public data"
    text = read_default_policy_text().replace('version: "default-3"', 'version: "held-sample"')
    save_and_activate_policy(text=text.replace(rule, rule.replace("    explain", "    approve: true\n    explain")),
                             acting_user=None)  # fmt: skip
    held_id = _answer(users).answer.held_id
    assert held_id is not None
    return held_id


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
        "conversation_id": lambda: _answer(users).conversation_id,
        "held_id": lambda: _held(users),
        "audit_id": lambda: _answer(users).answer.audit_id,
        "event_id": lambda: _answer(users).answer.audit_id,
        "version_id": lambda: (get_active_policy(), PolicyVersion.objects.get(is_active=True).id)[1],
        "user_id": lambda: users["erin"].id,
        "key_id": lambda: issue_api_key(user=users["erin"], name="sample").api_key.id,
        "name": lambda: next(iter(CHARTS)),
        "job_id": lambda: (
            IngestionJob.objects.create(
                filename=f"{MARKER}.md", content=b"", size=9, classification=0, uploaded_by=users["ada"]
            ).id
        ),
    }

    def fill(route: Route) -> tuple[dict[str, Any], bool]:
        kwargs: dict[str, Any] = {}
        exists = True
        for name, converter in route.converters.items():
            if name in makers:
                kwargs[name] = makers[name]()
                if name == "chunk_id" and route.name.startswith("library-flag-"):
                    # Only a passage flagged as injected instructions can be cleared or flagged again.
                    Chunk.objects.filter(id=kwargs[name]).update(injection_score=1.0)
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
@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_each_persona_gets_what_the_table_allows(
    client: Client,
    users: dict[str, User],
    sample: Any,
    settings: Any,
    operation: tuple[Route, Access],
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    settings.METRICS_TOKEN = ""
    if operation[0].name.startswith("oidc_"):
        request.getfixturevalue("company_sign_in")  # they answer 404 while OIDC_ISSUER is empty
    route, access = operation
    kwargs, exists = sample(route)
    url = reverse(route.name, kwargs=kwargs)
    if persona != "anonymous":
        client.force_login(users[persona])
    response = request_as(client, access, url)
    status = response.status_code
    where = f"{access.method} {url} as {persona}"

    if access.keys_only:
        error = response.json()["error"]
        assert status == 401 and error.get("sluice_code", error.get("code")) == "not_authenticated", where
    elif persona == "anonymous":
        if access.anonymous == "login":
            assert status == 302 and response["Location"].startswith(settings.LOGIN_URL), where
        elif access.anonymous == "forbidden":
            assert status == 403, where
        elif access.anonymous == "unauthorized":
            assert status == 401 and response.json()["code"] == "not_authenticated", where
        else:
            assert status < 400, where
    elif persona in access.allowed:
        if status == 302 and access.anonymous != "public":  # signing out leads to the login page
            assert not response["Location"].startswith(settings.LOGIN_URL), where
        check_allowed(response, access, persona, exists, where, sampled=bool(kwargs))
        if all(a.method != "GET" for a in accesses(route.name)):  # a POST-only view refuses GET
            assert client.get(url).status_code == 405, f"GET {url} as {persona}"
    else:
        assert status in (403, 404), where
    if persona not in access.allowed and access.anonymous != "public":
        assert MARKER.encode() not in body_of(response), f"{where}: the page's data leaked"


def check_allowed(response: Any, access: Access, caller: str, exists: bool, where: str, *, sampled: bool) -> None:
    """What an allowed caller gets: no refusal, no failure, a 404 only for sample objects that do not exist,
    and the sample objects in the answer where the table says it shows them (once they were `sampled`)."""
    status = response.status_code
    assert status < 500, where
    assert status not in (401, 403), where
    if status == 404:
        assert not exists, f"{where}: 404 although the sample objects exist"
    if access.method != "POST":
        assert status < 400 or (status == 404 and not exists), where
    if sampled and caller in access.shows:
        assert MARKER.encode() in body_of(response), f"{where}: the sample objects are missing"


def request_as(client: Client, access: Access, url: str, **headers: str) -> Any:
    data = {name: value() if callable(value) else value for name, value in access.data.items()}
    if access.method == "GET":
        return client.get(url, data, **headers)
    if access.as_json:
        send = getattr(client, access.method.lower())
        return send(url, json.dumps(data), content_type="application/json", **headers)
    if access.method == "POST":
        return client.post(url, data, **headers)
    return getattr(client, access.method.lower())(url, **headers)


API_ROUTES = [r for r in ROUTES if r.route.startswith("api/")]


def test_every_api_url_has_a_row_for_keys() -> None:
    missing = sorted(r.name for r in API_ROUTES if r.name not in KEY_ACCESS)
    assert API_ROUTES and not missing, f"add these URL names to KEY_ACCESS in {__file__}: {missing}"


def key_of(caller: str, users: dict[str, User], endpoint: Endpoint | None) -> str:
    """The key a caller sends: a persona's own; a service account's allowed the endpoint or every other one;
    erin's revoked or expired; or one that was never issued."""
    employee = users["erin"]
    if caller.startswith("personal-"):
        return issue_api_key(user=users[caller.removeprefix("personal-")], name=caller).key
    if caller == "invalid":
        return "sluice_0123456789ab_" + "x" * 43
    if caller.startswith("service"):
        service = upsert_service_account(
            name="ci-bot", team="", workload="ci", clearance=Classification.INTERNAL, groups=["engineering"]
        )
        others = [e for e in Endpoint if e != endpoint]
        allowed = [endpoint] if caller == "service-allowed" and endpoint else others
        return issue_api_key(user=service, name=caller, endpoints=allowed).key
    issued = issue_api_key(user=employee, name=caller, expires_at=timezone.now() + dt.timedelta(hours=1))
    if caller == "revoked":
        revoke_api_key(key_id=issued.api_key.id)
    elif caller == "expired":
        ApiKey.objects.filter(id=issued.api_key.id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return issued.key


API_OPERATIONS = [(route, access) for route, access in OPERATIONS if route.route.startswith("api/")]


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
@pytest.mark.parametrize("caller", KEY_CALLERS)
@pytest.mark.parametrize("operation", API_OPERATIONS, ids=operation_id)
def test_each_key_gets_what_the_table_allows(
    client: Client,
    users: dict[str, User],
    sample: Any,
    ingest: Callable[..., Any],
    operation: tuple[Route, Access],
    caller: str,
    header: str,
) -> None:
    _document(ingest)
    route, access = operation
    endpoint = KEY_ACCESS[route.name]
    kwargs, exists = sample(route)
    key = key_of(caller, users, endpoint)
    sent = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "bearer" else {"HTTP_X_API_KEY": key}
    url = reverse(route.name, kwargs=kwargs)

    response = request_as(client, access, url, **sent)
    status, where = response.status_code, f"{access.method} {url} with a {caller} key in {header}"

    rejected = {"revoked": "key_revoked", "expired": "key_expired", "invalid": "key_invalid"}
    who = SERVICE if caller == "service-allowed" else caller.removeprefix("personal-")
    if endpoint is None:  # the schema and its pages: public, they read no credentials
        assert status == 200, where
    elif caller in rejected:
        assert (status, response.json()["code"]) == (401, rejected[caller]), where
    elif caller == "service-not-allowed":
        assert (status, response.json()["code"]) == (403, "endpoint_not_allowed"), where
    elif who in access.allowed:
        check_allowed(response, access, who, exists, where, sampled=True)  # the document, at least
    else:  # the caller's role may not, or the sample objects are not theirs
        assert status in (403, 404), where
        assert status == 404 or response.json()["code"] == "forbidden", where
    if endpoint is not None and who not in access.allowed:
        assert MARKER.encode() not in body_of(response), f"{where}: the data leaked"


GATEWAY_ROUTES = [r for r in ROUTES if r.route.startswith("v1/")]


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
@pytest.mark.parametrize("caller", KEY_CALLERS)
@pytest.mark.parametrize("route", GATEWAY_ROUTES, ids=lambda r: r.name)
def test_each_key_gets_what_the_gateway_allows(
    client: Client, users: dict[str, User], onprem: Any, route: Route, caller: str, header: str
) -> None:
    """Every gateway endpoint × every kind of key: the errors in the API's own shape (OpenAI's
    {"error": {"code"}} here; the Anthropic-shaped ones in tests/api/test_gateway_anthropic.py)."""
    access = ACCESS[route.name]
    assert access.keys_only, f"{route.name}: a gateway route must take keys only"
    key = key_of(caller, users, Endpoint.GATEWAY)
    sent = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "bearer" else {"HTTP_X_API_KEY": key}
    kwargs = {"model_id": "sluice-auto"} if "model_id" in route.converters else {}
    response = request_as(
        client, access, reverse(route.name, kwargs=kwargs), **sent, HTTP_ANTHROPIC_VERSION="2023-06-01"
    )
    status, where = response.status_code, f"{access.method} {route.route} with a {caller} key in {header}"
    rejected = {"revoked": "key_revoked", "expired": "key_expired", "invalid": "key_invalid"}
    error = response.json()["error"] if status >= 400 else {}
    code = error.get("sluice_code", error.get("code"))  # Anthropic's shape has no code of its own
    if caller in rejected:
        assert (status, code) == (401, rejected[caller]), where
    elif caller == "service-not-allowed":
        assert (status, code) == (403, "endpoint_not_allowed"), where
    elif route.name == "gateway-not-found":
        assert (status, code) == (404, "not_found"), where
    else:
        assert status == 200, where
    if caller in rejected or caller == "service-not-allowed":
        assert not onprem.requests, f"{where}: the conversation reached a model"
