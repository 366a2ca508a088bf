"""What the three examples share: where Sluice is and the key, from the environment, and how Sluice says
where a reply was written (the `sluice` field it adds to every reply; the SDKs keep unknown fields)."""

from __future__ import annotations

import os
import sys
from typing import Any


def settings() -> tuple[str, str]:
    """SLUICE_URL (default: `make run`'s address) and SLUICE_API_KEY (an admin makes one on /manage/keys/)."""
    key = os.environ.get("SLUICE_API_KEY", "")
    if not key:
        sys.exit("Set SLUICE_API_KEY to a Sluice API key (an admin makes one on the API keys page, /manage/keys/).")
    return os.environ.get("SLUICE_URL", "http://127.0.0.1:8000").rstrip("/"), key


def print_route(reply: Any) -> None:
    """The route as the audit recorded it: where the reply was written and why, and what was redacted."""
    sluice = (getattr(reply, "model_extra", None) or {}).get("sluice") or {}
    print(f"route: {sluice.get('route', '(not a Sluice reply)')}")
    if sluice.get("redacted"):
        print("redacted before it left: " + ", ".join(f"{k} ×{n}" for k, n in sluice["redacted"].items()))
    for notice in sluice.get("notices", []):
        print(f"notice: {notice}")
    print(f"audit id: {sluice.get('audit_id')}")
