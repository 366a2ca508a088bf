"""The gateway as a new user meets it, on the real `manage.py serve` (gunicorn, as `make run` starts it):
an admin makes a service account on the API keys page and copies its key once; a script using the official
`openai` SDK, pointed at Sluice, gets answers (streamed and not) routed by the policy, on-prem (an
OpenAI-compatible fake on loopback) or to the cloud (an Anthropic fake); the auditor's query log shows the
requests with the key's name. And the three programs of examples/ run against it and print their routes."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from django.conf import settings

from fakes.anthropic_server import FakeAnthropic
from fakes.common import FakeToolCall, Script
from fakes.openai_server import FakeOpenAI
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, FAKE_LOCAL_MODEL, password_of
from tests.serving import ServedSluice

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_model() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(models=(FAKE_LOCAL_MODEL,)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cloud_model() -> Iterator[FakeAnthropic]:
    server = FakeAnthropic(api_key=FAKE_ANTHROPIC_KEY, models=(FAKE_ANTHROPIC_MODEL,)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served_gateway(
    tmp_path_factory: pytest.TempPathFactory, local_model: FakeOpenAI, cloud_model: FakeAnthropic
) -> Iterator[ServedSluice]:
    data_dir: Path = tmp_path_factory.mktemp("served-gateway")
    server = ServedSluice(data_dir)
    server.env |= {
        "LOCAL_LLM_BASE_URL": local_model.base_url,
        "LOCAL_LLM_MODEL": FAKE_LOCAL_MODEL,
        "ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY,
        "ANTHROPIC_BASE_URL": cloud_model.url,
        "ANTHROPIC_MODEL": FAKE_ANTHROPIC_MODEL,
    }
    server.start()
    try:
        for name, role in (("ada", "admin"), ("aude", "auditor")):
            server.manage(
                "add_user", name, "--role", role, "--clearance", "restricted", "--password", password_of(name)
            )
        yield server
    finally:
        server.stop()


def signed_in(server: ServedSluice, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": password_of(username),
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
        headers={"Referer": f"{server.url}/accounts/login/"},
    )
    assert response.status_code == 302 and "sessionid" in client.cookies, response.text[-1000:]
    return client


def test_a_service_account_made_in_the_pages_uses_the_gateway_with_the_openai_sdk(
    served_gateway: ServedSluice, local_model: FakeOpenAI, cloud_model: FakeAnthropic
) -> None:
    admin = signed_in(served_gateway, "ada")
    admin.get("/manage/keys/")
    page = admin.post(
        "/manage/keys/",
        data={
            "service": "ticket-triage",
            "key_name": "triage job",
            "workload": "batch",
            "clearance": "1",
            "endpoints": ["gateway"],
            "expires_days": "30",
            "csrfmiddlewaretoken": admin.cookies["csrftoken"],
        },  # fmt: skip
        headers={"Referer": f"{served_gateway.url}/manage/keys/"},
    )
    assert page.status_code == 200, page.text[-2000:]
    key = re.search(r"sluice_[0-9a-f]{12}_[\w-]+", page.text).group(0)
    assert "/v1" in html.unescape(page.text)  # the page says where to point an SDK

    local_model.enqueue(Script(text="Tickets about billing go to the finance queue."))
    cloud_model.enqueue(Script(text="Streamed through gunicorn, chunk by chunk."))
    client = openai.OpenAI(base_url=f"{served_gateway.url}/v1", api_key=key, max_retries=0)
    reply = client.chat.completions.create(
        model="sluice-onprem", messages=[{"role": "user", "content": "Which queue takes billing tickets?"}]
    )
    assert reply.choices[0].message.content == "Tickets about billing go to the finance queue."
    route = reply.model_extra["sluice"]["route"]
    assert route.startswith("Answered on-prem by local")
    stream = client.chat.completions.create(
        model="sluice-auto", messages=[{"role": "user", "content": "And refunds?"}], stream=True
    )
    deltas = [c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content]
    assert "".join(deltas) == "Streamed through gunicorn, chunk by chunk." and len(deltas) > 3
    assert cloud_model.requests  # internal, nothing personal: the default policy sends it to the cloud, redacted

    log = signed_in(served_gateway, "aude").get("/audit/").text
    assert "triage job" in log and "ticket-triage" in log


def run_example(server: ServedSluice, name: str, key: str) -> str:
    done = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "examples" / name)],
        env={"SLUICE_URL": server.url, "SLUICE_API_KEY": key, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_three_examples_run_and_print_their_routes(
    served_gateway: ServedSluice, local_model: FakeOpenAI, cloud_model: FakeAnthropic
) -> None:
    issued = json.loads(
        served_gateway.manage("create_api_key", "--service", "examples", "--team", "platform", "--workload", "batch",
                              "--clearance", "internal", "--name", "examples", "--json")
    )  # fmt: skip
    key = issued["key"]

    # Ticket triage: a customer's ticket, answered on-prem first (private first), filed with a tool call.
    local_model.enqueue(Script(text="", tool_calls=(FakeToolCall("file_ticket", {
        "queue": "data-platform", "priority": "high", "summary": "Export for [CUSTOM_CUSTOMER_ID_1] times out",
    }),)))  # fmt: skip
    sent_before = len(local_model.requests)
    out = run_example(served_gateway, "ticket_triage.py", key)
    assert 'file_ticket: {"queue": "data-platform", "priority": "high", "summary": "Export for CUST-204518' in out
    assert "route: Answered on-prem by local" in out
    triage = b"".join(r.raw for r in local_model.requests[sent_before:])
    assert b"CUST-204518" not in triage and b"priya.raman" not in triage  # the rule redacts even on-prem

    # CI review: on-prem only, the secret removed for good.
    local_model.enqueue(Script(text="Hard-coded credentials [SECRET_1] and [SECRET_2]: move them to the vault."))
    sent_before = len(local_model.requests)
    out = run_example(served_gateway, "ci_review.py", key)
    assert "Hard-coded credentials [SECRET_1] and [SECRET_2]" in out
    assert "route: Answered on-prem by local" in out and "notice: " in out
    assert b"AKIAIOSFODNN7EXAMPLE" not in b"".join(r.raw for r in local_model.requests[sent_before:])

    # Meeting summary: with the on-prem model down, the transcript goes to the cloud redacted.
    local_model.behave(status=503)
    cloud_model.enqueue(Script(text="Decision: drill on 17 December. Action: Jordan Lee ([PERSON_2]) rewrites it."))
    sent_before = len(cloud_model.requests)
    try:
        out = run_example(served_gateway, "meeting_summary.py", key)
    finally:
        local_model.behave()
    assert "route: Answered in the cloud by claude" in out and "redacted before it left: " in out
    summary = b"".join(r.raw for r in cloud_model.requests[sent_before:])
    assert b"sam.okafor" not in summary and b"415-555-0187" not in summary and b"Jordan Lee" not in summary
