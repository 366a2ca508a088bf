"""The official SDKs as a tool would use them, pointed at Sluice in this process: their HTTP goes through
httpx's WSGI transport into Django (the whole middleware stack, the test's database transaction), so the
SDKs' own request building, error mapping and stream parsing are what the tests exercise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import anthropic
import httpx2
import openai
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

BASE = "http://testserver"  # the host the test settings allow, as for Django's test client


@contextmanager
def in_process() -> Iterator[httpx2.Client]:
    """An httpx client whose requests Django serves in this thread. Django's own test client does the same
    with the signals below: closing "old" connections after each request would close the test's one."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with httpx2.Client(transport=httpx2.WSGITransport(app=WSGIHandler()), base_url=BASE) as client:
            yield client
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def openai_client(key: str, http: httpx2.Client, **headers: str) -> openai.OpenAI:
    return openai.OpenAI(api_key=key, base_url=f"{BASE}/v1", http_client=http, max_retries=0, default_headers=headers)


def anthropic_client(key: str, http: httpx2.Client, **headers: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=key, base_url=BASE, http_client=http, max_retries=0, default_headers=headers)
