"""The gateway as a new user meets it, on the real `manage.py serve` (gunicorn, as `make run` starts it):
an admin makes a service account on the API keys page and copies its key once; a script using the official
`openai` SDK, pointed at Sluice, gets an answer (streamed and not) routed by the policy to the on-prem model
(an OpenAI-compatible fake on loopback); the auditor's query log shows the request with the key's name."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from fakes.common import Script
from fakes.openai_server import FakeOpenAI
from tests.conftest import FAKE_LOCAL_MODEL, password_of
from tests.serving import ServedSluice

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_model() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(models=(FAKE_LOCAL_MODEL,)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served_gateway(tmp_path_factory: pytest.TempPathFactory, local_model: FakeOpenAI) -> Iterator[ServedSluice]:
    data_dir: Path = tmp_path_factory.mktemp("served-gateway")
    server = ServedSluice(data_dir)
    server.env |= {"LOCAL_LLM_BASE_URL": local_model.base_url, "LOCAL_LLM_MODEL": FAKE_LOCAL_MODEL}
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
    served_gateway: ServedSluice, local_model: FakeOpenAI
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
    local_model.enqueue(Script(text="Streamed through gunicorn, chunk by chunk."))
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

    log = signed_in(served_gateway, "aude").get("/audit/").text
    assert "triage job" in log and "ticket-triage" in log
