"""Simulated users of the ask page for the end-to-end benchmark: each asks through POST /ask/stream/
as static/ask.js does, reads the server-sent events to the final one, thinks, and asks again.

Client side only: httpx against a running server on loopback, no Django. What one ask came to is an
Outcome; `summarise` turns the outcomes of a run into figures.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.stats import Latency

ASK_PATH = "/ask/stream/"
# Zones of the route badge (templates/assistant/ask.html), as the user sees them.
_ZONE = re.compile(r'class="route-badge route-(onprem|private|cloud)"')
_AUDIT = re.compile(r"audit #(\d+)")


class SseReader:
    """Server-sent events from text arriving in pieces, split as static/ask.js splits them: blocks end
    with a blank line, `event: ` names one, `data: ` lines carry its JSON. Data that is not JSON comes
    back as {"unparsed": text} under the event name "malformed"."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
        self._buffer += text
        while (end := self._buffer.find("\n\n")) != -1:
            block, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
            name, data = "message", ""
            for line in block.split("\n"):
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data += line[6:]
            if not data:
                continue
            try:
                yield name, json.loads(data)
            except ValueError:
                yield "malformed", {"unparsed": data}


@dataclass(frozen=True)
class FinalFacts:
    """What the final answer card tells the user: where it was written, and how."""

    zone: str  # onprem, private or cloud; empty when refused
    refused: bool
    fell_back: bool
    cut_off: bool
    cache_hit: bool
    audit_id: int | None


def read_final(html: str) -> FinalFacts:
    """The route badges and audit number of the answer card in a `final` event's HTML."""
    zone = _ZONE.search(html)
    audit = _AUDIT.search(html)
    return FinalFacts(
        zone=zone.group(1) if zone else "",
        refused='route-badge route-refused">Refused<' in html,
        fell_back="route-fallback" in html,
        cut_off='route-refused">Cut off<' in html,
        cache_hit='class="route-badge">Cached<' in html,
        audit_id=int(audit.group(1)) if audit else None,
    )


@dataclass(frozen=True)
class Outcome:
    """One ask as a user lived it. `error` is None for an answer; otherwise its kind (http_502,
    timeout, incomplete, error_event, refused, cut_off, transport:<exception>)."""

    started_s: float  # since the measured window opened
    latency_ms: float  # request sent → final event (or → the failure)
    first_token_ms: float | None  # request sent → first text delta
    error: str | None
    zone: str = ""
    fell_back: bool = False
    cache_hit: bool = False
    audit_id: int | None = None

    @property
    def fallback(self) -> bool:
        """Answered, but not by the first choice (the cloud model here): the gate degraded, which is the
        policy working, not an error the user sees."""
        return self.error is None and (self.fell_back or self.zone != "cloud")


def ask(client: httpx.Client, question: str, *, csrf_token: str, timeout_s: float, started_s: float = 0.0) -> Outcome:
    """Ask `question` as the page does and read the answer to its final event, within `timeout_s`."""
    began = time.perf_counter()
    first: float | None = None

    def ms(at: float | None = None) -> float:
        return round(((at or time.perf_counter()) - began) * 1000, 2)

    def failed(kind: str) -> Outcome:
        return Outcome(started_s, ms(), ms(first) if first else None, kind)

    try:
        with client.stream(
            "POST",
            ASK_PATH,
            data={"question": question, "csrfmiddlewaretoken": csrf_token},
            headers={"X-CSRFToken": csrf_token},
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
        ) as response:
            if response.status_code != 200:
                return failed(f"http_{response.status_code}")
            reader = SseReader()
            for piece in response.iter_text():
                for name, data in reader.feed(piece):
                    if name == "delta" and first is None:
                        first = time.perf_counter()
                    elif name == "final":
                        return _answered(started_s, ms(), ms(first) if first else None, read_final(data["html"]))
                    elif name in ("error", "malformed"):
                        return failed("error_event" if name == "error" else "malformed_event")
                if time.perf_counter() - began > timeout_s:
                    return failed("timeout")  # httpx's timeouts are per read: a trickle is caught here
            return failed("incomplete")
    except httpx.TimeoutException:
        return failed("timeout")
    except httpx.HTTPError as exc:
        return failed(f"transport:{type(exc).__name__}")


def _answered(started_s: float, latency_ms: float, first_token_ms: float | None, facts: FinalFacts) -> Outcome:
    # A refusal or a cut-off answer is a failure for these questions: each has an answer the user may read.
    error = "refused" if facts.refused else "cut_off" if facts.cut_off else None
    return Outcome(
        started_s, latency_ms, first_token_ms, error, facts.zone, facts.fell_back, facts.cache_hit, facts.audit_id
    )


@dataclass
class SignedInUser:
    """An httpx client holding one user's session cookie, and the CSRF token the ask page gave it."""

    client: httpx.Client
    csrf_token: str = ""

    @classmethod
    def open(cls, base_url: str, session_cookie: tuple[str, str], *, timeout_s: float) -> SignedInUser:
        """Load the ask page, as a browser would before its first question, to get the CSRF cookie.
        Idle connections are dropped after 1 s, before gunicorn's keep-alive (2 s) closes them
        under a request being sent. Raises RuntimeError when the session does not sign in."""
        client = httpx.Client(
            base_url=base_url,
            cookies=dict([session_cookie]),
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=1.0),
        )
        try:
            page = client.get("/")
            token = client.cookies.get("csrftoken")
            if page.status_code != 200 or not token:
                raise RuntimeError(f"the ask page answered {page.status_code} without a CSRF cookie: not signed in?")
        except BaseException:
            client.close()
            raise
        return cls(client, token)

    def close(self) -> None:
        self.client.close()


@dataclass
class Window:
    """The measured window, shared by the users: asks start only before `ends_s`; `stop` ends everything early."""

    duration_s: float
    opened: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0

    def open(self) -> None:
        self.started_at = time.perf_counter()
        self.opened.set()

    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started_at


def user_loop(
    user: SignedInUser,
    *,
    questions: Sequence[str],
    window: Window,
    rng: random.Random,
    think_s: tuple[float, float],
    timeout_s: float,
    outcomes: list[Outcome],
) -> None:
    """Think, ask, read to the end, repeat while the window is open. The first think is drawn from
    [0, think max] so the users' first questions are spread out instead of arriving as one burst."""
    window.opened.wait()
    pause = rng.uniform(0.0, think_s[1])
    while not window.stop.wait(pause):
        started_s = window.elapsed_s()
        if started_s >= window.duration_s:
            return
        question = rng.choice(questions)
        outcomes.append(
            ask(user.client, question, csrf_token=user.csrf_token, timeout_s=timeout_s, started_s=started_s)
        )
        pause = rng.uniform(*think_s)


def latency_summary(samples_ms: Sequence[float]) -> dict[str, Any]:
    """{"median", "p95", "n", "samples"} in ms, as the other benchmarks report them (benchmarks.stats);
    None figures when there are no samples."""
    if not samples_ms:
        return {"median": None, "p95": None, "n": 0}
    return Latency.of(samples_ms).as_json(samples=True)


def summarise(outcomes: Sequence[Outcome], *, elapsed_s: float) -> dict[str, Any]:
    """Figures of a run: counts, error kinds, throughput (answers a second over `elapsed_s`), the
    latency of answers (errors have their own counts: a fast failure must not make p95 look good)."""
    answered = [o for o in outcomes if o.error is None]
    return {
        "requests": len(outcomes),
        "errors": len(outcomes) - len(answered),
        "error_kinds": dict(Counter(o.error for o in outcomes if o.error)),
        "fallbacks": sum(o.fallback for o in outcomes),
        "zones": dict(Counter(o.zone for o in answered)),
        "cache_hits": sum(o.cache_hit for o in answered),
        "throughput_rps": round(len(answered) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "latency_ms": latency_summary([o.latency_ms for o in answered]),
        "first_token_ms": latency_summary([o.first_token_ms for o in answered if o.first_token_ms is not None]),
    }
