"""What the auditor's query log lists, read from its page: shared by the tests of the log and of what it filters."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse


def listed(response) -> list[int]:
    """The audit ids in the log table, in page order."""
    return [int(i) for i in re.findall(rb'href="/audit/(\d+)/"', response.content)]


def listed_by_typed_injection(client: Client) -> tuple[list[int], list[int]]:
    """The ids the log lists under "Reads as a prompt injection": yes, then no (the client signed in as an
    auditor)."""
    log = reverse("audit-log")
    return listed(client.get(log, {"typed_injection": "yes"})), listed(client.get(log, {"typed_injection": "no"}))
