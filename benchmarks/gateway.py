"""The gateway's own overhead: a 2 KB conversation through POST /v1/chat/completions to the fake cloud, the
model's time taken out (the attempts' latency, as the audit records it).

The request is served by Django in this process (httpx's WSGI transport: the whole middleware stack,
the view, parsing, authentication, the gate, the reply's rendering), inside one transaction that is
rolled back, so the audit chain is left as it was. The per-minute rate limits are off for the run (they
would refuse the 31st request); with them on, each request adds their two statements.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings

from accounts.api_keys import issue_api_key
from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from benchmarks.stats import Latency
from routing import resilience, seen_texts
from routing.models import AuditEvent

FAKE_KEY = "bench-anthropic-key"
FAKE_MODEL = "claude-bench"
# A support conversation with personal data in it (so it is redacted before it leaves, and restored),
# padded with ordinary turns to about 2 KB of text. Internal, nothing confidential: the default policy sends it to
# the cloud, redacted.
SYSTEM = "You help the support team answer customers. Be brief and polite; never promise refunds."
TURNS = [
    ("user", "Ticket from Dana Cho (dana.cho@quillfern.example, +1 415 555 0134): the nightly export failed."),
    ("assistant", "Thanks. Which export job, and since when has it been failing?"),
    ("user", "The warehouse export, since Tuesday. It times out after thirty minutes each night."),
]
FILLER = ("assistant", "Noted. Did anything change in the export's configuration or in the warehouse that week?")
LAST = ("user", "Nothing we know of. What should we tell the customer, and who should take the ticket?")


def two_kb_conversation() -> list[dict[str, str]]:
    messages = [{"role": "system", "content": SYSTEM}] + [{"role": r, "content": t} for r, t in TURNS]
    while sum(len(m["content"]) for m in messages) < 2048 - len(LAST[1]):
        messages.append({"role": FILLER[0], "content": FILLER[1]})
        messages.append({"role": "user", "content": "The configuration did not change; the data grew a little."})
    return [*messages, {"role": LAST[0], "content": LAST[1]}]


@contextmanager
def _in_process() -> Iterator[httpx2.Client]:
    """Django serving in this thread; its "close old connections" signals would close the benchmark's
    connection mid-transaction, so they are off while it runs (as for Django's own test client)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with httpx2.Client(transport=httpx2.WSGITransport(app=WSGIHandler()), base_url="http://localhost") as client:
            yield client
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def gateway_overhead(*, requests: int = 200, warmup: int = 20, follow_up: bool = False) -> Latency:
    """Per request: the wall time of POST /v1/chat/completions (not streamed) less the cloud call's own time.

    By default every text of the conversation is inspected, as for a conversation the process sees for the
    first time (routing.seen_texts is emptied before each request). With `follow_up`, each request is the
    next turn of one conversation: the earlier turns were inspected before, the last question is new."""
    # Imported here, as benchmarks/cost.py does: the fakes live with the tests; a deployment need not ship them.
    from fakes.anthropic_server import FakeAnthropic

    cloud = FakeAnthropic(api_key=FAKE_KEY, models=(FAKE_MODEL,)).start()
    cloud.behave(text="Tell the customer the data team is on it; the data-platform queue takes the ticket.")
    conversation = two_kb_conversation()
    samples: list[float] = []
    configured = override_settings(
        ANTHROPIC_API_KEY=FAKE_KEY, ANTHROPIC_BASE_URL=cloud.url, ANTHROPIC_MODEL=FAKE_MODEL, LOCAL_LLM_BASE_URL="",
        ASK_RATE_LIMIT_PER_MINUTE=0, API_KEY_RATE_LIMIT_PER_MINUTE=0, ALLOWED_HOSTS=["localhost"],
    )  # fmt: skip
    try:
        with configured, transaction.atomic(), _in_process() as http:
            resilience.reset()
            user = User.objects.create(username="bench-gateway", role=Role.EMPLOYEE, clearance=Classification.INTERNAL)
            key = issue_api_key(user=user, name="bench").key
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            for i in range(warmup + requests):
                messages = conversation
                if follow_up:  # a new last question each time; the turns before it were seen
                    messages = [*conversation[:-1], {"role": "user", "content": f"{LAST[1]} (turn {i})"}]
                else:
                    seen_texts.forget()
                body = json.dumps({"model": "sluice-auto", "messages": messages})
                started = time.perf_counter()
                response = http.post("/v1/chat/completions", content=body, headers=headers)
                total_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"the gateway answered {response.status_code}: {response.text[:500]}")
                event = AuditEvent.objects.get(id=int(response.headers["X-Sluice-Audit-Id"]))
                if event.backend != "claude" or not event.redacted:
                    raise RuntimeError(f"expected a redacted cloud answer, got {event.backend} {event.redacted}")
                if i >= warmup:
                    samples.append(total_ms - sum(a["latency_ms"] for a in event.attempts))
            transaction.set_rollback(True)
    finally:
        resilience.reset()
        seen_texts.forget()
        cloud.stop()
    return Latency.of(samples)
