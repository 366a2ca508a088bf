"""The end-to-end load benchmark: simulated users asking through gunicorn, answered by a fake cloud model.

What runs, all on 127.0.0.1, and why so:

- The cloud: fakes/anthropic_server.py's Anthropic fake, in this process, with answer_seconds
  set, so every streamed answer takes the same fixed time (200 ms by default) from its first event to
  its last, tokens arriving at a steady pace as from a real model. The model's time is then a known
  constant and what the figures add to it is Sluice's own.
- The web tier: gunicorn started as `manage.py serve` starts it (config.asgi in uvicorn's workers,
  production's config.gunicorn_conf, WEB_WORKERS, an access log), through benchmarks.gunicorn_conf,
  which only adds a mark per worker once it has loaded the embedding model, embedded a text and
  imported the cloud SDK: measuring starts when every worker is warm, not when the first one is.
  server="threads" serves as Sluice did before issue 11 §1 instead (config.wsgi in gunicorn's
  threaded workers, WEB_THREADS threads each, one thread held per stream), to compare.
  It uses the caller's database (SLUICE_DATABASE_NAME), points ANTHROPIC_* at the fake, has no
  on-prem model (so the default policy sends these questions to the cloud: internal and public
  documents, no findings in the question), and turns the response cache off: with a fixed list of
  questions the cache would answer almost everything from the database and the cloud would never
  be reached. The cloud calls are what the target is about.
- The users: `users` employees (clearance internal, group engineering, a team of their own without a
  budget, so the default run never spends the demo team's), signed in by writing their sessions with
  django.test.Client.force_login (the database session engine; no password is hashed), each loading
  the ask page once for its CSRF cookie. Each then thinks, asks one of the demo questions through
  POST /ask/stream/ as static/ask.js does, reads the events to the final one, and thinks again.
  Think times are uniform in [1, 5] s, seeded: a reader of a streamed answer pauses far longer in
  life, but at 3 s on average 50 users offer ~15 questions a second, a heavy interactive load that
  still leaves the web tier room (not a saturation test). think_s=(0, 0) makes a closed loop with no
  pause: a saturation test, to report apart. Each user's first think is drawn from [0, 5] s, so the
  questions do not all arrive at the same instant.

What is measured: latency from the request being sent to the final event (answers only; failures are
counted apart so that a fast failure cannot flatter the p95), time to the first text delta,
answers per second, and errors: non-200 statuses, transport errors, timeouts (per ask, bounded),
`error` events, streams that end without a final event, and refusals or cut-off answers (each of
these questions has an answer the user may read). An answer written on-prem because the cloud
failed is the gate degrading as the policy says: it is counted as a fallback, not as an error.
Server side, from the audit and history rows of the measured asks: retrieval time (the history's
latency less the gate's) and the cloud call's time. After the window, the resident memory (VmRSS) of
each gunicorn worker, which holds the embedding model, and the CPU the workers and this process (the
users and the fake) used in it. Optionally a second window on the same server with the fake cloud
failing (HTTP 500 by default), to show the gate degrading under load.

Everything stops by itself: readiness and warm-up are bounded, asks have a timeout, users stop
starting asks when the window closes, and gunicorn (its whole process group) and the fake are
stopped in a `finally`, on failure and on Ctrl-C too. The function writes users, sessions, audit
rows and history into the database it is given: call it only on a throwaway one
(benchmarks.database.throwaway_database, after `setup_demo`).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.db import connection
from django.test import Client

from accounts.clearance import Classification
from accounts.roles import Role
from accounts.services import upsert_user
from assistant.models import HistoryEntry
from benchmarks.database import server_environment
from benchmarks.load_users import Outcome, SignedInUser, Window, ask, latency_summary, summarise, user_loop
from fakes.anthropic_server import FakeAnthropic
from operations.local_llm import free_port
from retrieval.models import Chunk
from routing.models import AuditEvent

# Questions of demo/questions.yaml that the demo employee may read the answers to (internal and
# public documents, two of them the engineering group's), with nothing in them the inspector finds.
QUESTIONS = (
    "What is the severity definition for a SEV2 incident?",
    "How do we roll back a bad deploy?",
    "What is the laptop encryption requirement?",
    "How do I expense a client dinner?",
    "How many weeks of parental leave do I get?",
    "How quickly do you post on the status page during a major outage, and how often do you update it?",
    "What do I have to do in my first week as a new hire?",
    "How do I request production access?",
    "What is the on-call handover procedure?",
)
# The fake model's answer: about 50 tokens, citing two passages, streamed word by word.
ANSWER = (
    "Follow the documented procedure step by step and record each step in the ticket [1]. "
    "Tell the owning team in its channel before you start, check the dashboards and error rates "
    "afterwards, and ask the on-call engineer if anything looks wrong or a step fails [2]. "
    "The policy page lists who approves exceptions and how long they last [1]."
)
FAKE_KEY, FAKE_MODEL = "sk-ant-bench-load", "claude-haiku-4-5"
USERNAME = "bench-load-{:03d}"
TEAM = "bench-load"
START_TIMEOUT_S = 180.0  # gunicorn up and every worker's model loaded (2 cores, other work beside)
STOP_TIMEOUT_S = 15.0
SERVERS = ("asgi", "threads")
WARM_UPS_PER_ASGI_WORKER = 4  # a few asks at once per worker: its first connections and cloud client made


def e2e_benchmark(
    database_name: str,
    *,
    users: int = 50,
    duration_s: float = 60.0,
    think_s: tuple[float, float] = (1.0, 5.0),
    cloud_ms: float = 200.0,
    workers: int | None = None,
    threads: int | None = None,
    server: str = "asgi",
    request_timeout_s: float = 30.0,
    retrieval_p95_ms: float | None = None,
    fault_duration_s: float = 0.0,
    fault: Mapping[str, Any] | None = None,
    seed: int = 5,
    environment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run `users` simulated users for `duration_s` against gunicorn on `database_name` (which must be
    the default connection's database, holding the demo corpus) and return the figures (JSON-able).

    workers: gunicorn's; default WEB_WORKERS (2), as `manage.py serve`. server: "asgi" (uvicorn's workers,
    as `manage.py serve`) or "threads" (gunicorn's gthread workers, `threads` each, default WEB_THREADS or 4).
    retrieval_p95_ms: the retrieval benchmark's p95, for the target 1.25 × (cloud_ms + retrieval p95);
    without it, the retrieval time measured server side in this run is used (target_basis says which).
    fault_duration_s: when > 0, a second window follows on the same server in which every cloud answer
    fails as `fault` says (fields of fakes.common.Script; default {"status": 500}); its figures
    are under "cloud_failing". The default policy degrades to an on-prem answer: fallbacks, not errors.
    environment: settings for gunicorn beyond the benchmark's own (EMBEDDING_BACKEND=remote and its service's
    address, say); they win over the benchmark's.
    Raises ValueError for arguments it cannot run with, RuntimeError when the server does not start
    or no warm-up ask is answered (with gunicorn's log), before anything is measured.
    """
    if connection.settings_dict["NAME"] != database_name:
        raise ValueError(f"the default connection uses {connection.settings_dict['NAME']}, not {database_name}")
    if users < 1 or duration_s <= 0 or not 0 <= think_s[0] <= think_s[1]:
        raise ValueError("need users >= 1, duration_s > 0 and 0 <= think_s[0] <= think_s[1]")
    if server not in SERVERS:
        raise ValueError(f"server must be one of {SERVERS}, not {server!r}")
    if not Chunk.objects.exists():
        raise ValueError(f"database {database_name} holds no passages: run setup_demo in it first")
    workers = workers or int(os.getenv("WEB_WORKERS", "2"))
    threads = threads or int(os.getenv("WEB_THREADS", "4"))
    fault = dict(fault or {"status": 500})
    warm_ups = threads if server == "threads" else WARM_UPS_PER_ASGI_WORKER
    began = time.perf_counter()
    sessions = sign_in_users(users)
    failing: dict[str, Any] | None = None

    with served(
        database_name, cloud_ms=cloud_ms, workers=workers, threads=threads, server=server, environment=environment
    ) as served_by:
        started_s = time.perf_counter() - began
        signed_in: list[SignedInUser] = []
        try:
            signed_in = [SignedInUser.open(served_by.url, s, timeout_s=request_timeout_s) for s in sessions]
            warm_up(signed_in[: workers * warm_ups], timeout_s=request_timeout_s, log=served_by.log)
            warmed_s = time.perf_counter() - began - started_s
            cpu_before = cpu_seconds(served_by.worker_pids()), resource.getrusage(resource.RUSAGE_SELF)
            figures = measure_window(
                signed_in, duration_s=duration_s, think_s=think_s, seed=seed, timeout_s=request_timeout_s
            )
            figures |= error_records(served_by.log, figures["errors"])
            logged = log_length(served_by.log)
            cpu_after = cpu_seconds(served_by.worker_pids()), resource.getrusage(resource.RUSAGE_SELF)
            rss = {pid: resident_mb(pid) for pid in served_by.worker_pids()}
            holds = sorted(set().union(*(libraries_loaded(pid) for pid in served_by.worker_pids())))
            if fault_duration_s > 0:
                served_by.fake.behave(**{"text": ANSWER, **fault})
                failing = measure_window(
                    signed_in, duration_s=fault_duration_s, think_s=think_s, seed=seed + 1, timeout_s=request_timeout_s
                )
                failing["fault"] = fault
                failing |= error_records(served_by.log, failing["errors"], after=logged)
        finally:
            for user in signed_in:
                user.close()
        worker_starts = len(list(served_by.ready_dir.iterdir()))

    workers_cpu = sum(cpu_after[0].values()) - sum(cpu_before[0].get(pid, 0.0) for pid in cpu_after[0])
    result = {
        "users": users,
        "duration_s": duration_s,
        "think_s": list(think_s),
        "cloud_ms": cloud_ms,
        "request_timeout_s": request_timeout_s,
        **figures,
        "server": server,
        "workers": workers,
        "threads": threads if server == "threads" else None,
        "worker_restarts": max(0, worker_starts - workers),
        # CPU used in the window: by the web workers, and by this process (the users and the fake cloud),
        # which shares the machine's cores with them; on 2 cores a busy load generator shows here.
        "cpu_s": {
            "workers": round(workers_cpu, 1),
            "workers_ms_per_request": round(1000 * workers_cpu / max(1, figures["requests"]), 1),
            "load_generator": round(
                cpu_after[1].ru_utime + cpu_after[1].ru_stime - cpu_before[1].ru_utime - cpu_before[1].ru_stime, 1
            ),
        },
        "rss_mb": {"per_worker": sorted(v for v in rss.values() if v), "max": max(rss.values(), default=0.0)},
        # What the workers' memory holds, of the native libraries that weigh most (issue 15: torch, and the scipy
        # that transformers imports, came in with spaCy though neither is used).
        "worker_libraries": holds,
        **target_figures(figures, cloud_ms=cloud_ms, retrieval_p95_ms=retrieval_p95_ms),
        # Where the benchmark's own time went: users signed in and gunicorn up with every worker warm,
        # the warm-up asks, and all of it.
        "setup_s": {"start": round(started_s, 1), "warm_up": round(warmed_s, 1)},
        "wall_s": round(time.perf_counter() - began, 1),
    }
    if failing is not None:
        result["cloud_failing"] = failing
    return result


def target_figures(figures: Mapping[str, Any], *, cloud_ms: float, retrieval_p95_ms: float | None) -> dict[str, Any]:
    """Issue 5's target, e2e p95 <= 1.25 × (model time + retrieval p95) with no errors, for a window's
    figures: with the retrieval benchmark's p95 when given, else with the retrieval measured in the window."""
    given = retrieval_p95_ms is not None
    basis = retrieval_p95_ms if given else figures["retrieval_ms"]["p95"]
    target = round(1.25 * (cloud_ms + basis), 1) if basis is not None else None
    p95 = figures["latency_ms"]["p95"]
    return {
        "target_p95_ms": target,
        "target_basis": "retrieval_p95_ms given" if given else "retrieval measured in this run",
        "target_met": bool(target is not None and p95 is not None and p95 <= target and figures["errors"] == 0),
    }


def measure_window(
    users: Sequence[SignedInUser], *, duration_s: float, think_s: tuple[float, float], seed: int, timeout_s: float
) -> dict[str, Any]:
    """One measured window: the users' outcomes summarised, with the server-side times of their asks."""
    window = Window(duration_s)
    try:
        outcomes, unfinished = run_window(users, window, think_s=think_s, seed=seed, timeout_s=timeout_s)
    finally:
        window.stop.set()
    last_end = max((o.started_s + o.latency_ms / 1000 for o in outcomes), default=0.0)
    figures = summarise(outcomes, elapsed_s=max(duration_s, last_end))
    if unfinished:
        figures["errors"] += unfinished
        figures["error_kinds"]["unfinished"] = unfinished
    return figures | server_side_ms([o.audit_id for o in outcomes if o.audit_id is not None])


def sign_in_users(count: int) -> list[tuple[str, str]]:
    """Create (or reuse) `count` load-test employees and a session for each, written in this database;
    returns the session cookies as (name, value)."""
    cookies = []
    for i in range(count):
        user, _ = upsert_user(
            username=USERNAME.format(i),
            role=Role.EMPLOYEE,
            clearance=Classification.INTERNAL,
            groups=["engineering"],
            password=None,
            team=TEAM,
        )
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        cookies.append((name, client.cookies[name].value))
    return cookies


@dataclass(frozen=True)
class Server:
    """A running gunicorn (where it listens, its master, where its workers mark themselves warm, its log)
    and the fake cloud it answers from."""

    url: str
    process: subprocess.Popen[bytes]
    ready_dir: Path
    log: Path
    fake: FakeAnthropic

    def worker_pids(self) -> list[int]:
        """The master's live children: its workers."""
        return children_of(self.process.pid)


@contextlib.contextmanager
def served(
    database_name: str,
    *,
    cloud_ms: float,
    workers: int,
    threads: int,
    server: str = "asgi",
    environment: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """The fake cloud (answering in `cloud_ms`; `server.fake.behave()` changes how) and gunicorn on
    loopback, every worker warm; both stopped on the way out, whatever happens."""
    scratch = Path(tempfile.mkdtemp(prefix="sluice-e2e-"))
    ready_dir, metrics_dir, log = scratch / "ready", scratch / "prometheus", scratch / "gunicorn.log"
    ready_dir.mkdir()
    metrics_dir.mkdir()
    fake = FakeAnthropic(api_key=FAKE_KEY, models=(FAKE_MODEL,), answer_seconds=cloud_ms / 1000)
    fake.behave(text=ANSWER)
    fake.start()
    process = None
    try:
        port = free_port()
        env = server_environment(database_name) | {
            "ANTHROPIC_API_KEY": FAKE_KEY,
            "ANTHROPIC_BASE_URL": fake.url,
            "ANTHROPIC_MODEL": FAKE_MODEL,
            "LOCAL_LLM_BASE_URL": "",
            "LOCAL_LLM_MODEL": "",
            "RESPONSE_CACHE_TTL_S": "0",
            "DEBUG": "False",
            "SECURE_COOKIES": "False",  # plain HTTP on loopback: Secure cookies would never come back
            "ALLOWED_HOSTS": "127.0.0.1",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "SLUICE_BENCH_READY_DIR": str(ready_dir),
            # Counted as in production (one statement per question), never reached: a closed loop asks fast.
            "ASK_RATE_LIMIT_PER_MINUTE": "100000",
        }
        env.pop("ANTHROPIC_API_KEY_FILE", None)  # it would win over the fake's key
        env |= dict(environment or {})
        command = [
            sys.executable, "-m", "gunicorn", "config.asgi",
            "--config", "python:benchmarks.gunicorn_conf",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--access-logfile", "-",
        ]  # fmt: skip
        if server == "threads":
            command[3:4] = ["config.wsgi", "--worker-class", "gthread", "--threads", str(threads)]
        with log.open("wb") as out:
            # As `manage.py serve` does first: pages name the collected static files (hashed), in this
            # environment's storage, not the plain one a test run renders with.
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=120,
            )  # fmt: skip
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(f"http://127.0.0.1:{port}", process, ready_dir, log, fake)
        wait_until_warm(server, workers=workers, timeout_s=START_TIMEOUT_S)
        yield server
    finally:
        if process is not None:
            stop_process_group(process)
        fake.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def wait_until_warm(server: Server, *, workers: int, timeout_s: float) -> None:
    """Poll /healthz until it answers 200 and every worker has marked itself warm. RuntimeError, with
    the end of gunicorn's log, when gunicorn exits or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    healthy = False
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.process.returncode}):\n{log_tail(server.log)}")
        if not healthy:
            with contextlib.suppress(httpx.HTTPError):
                healthy = httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200
        if healthy and len(list(server.ready_dir.iterdir())) >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn was not warm after {timeout_s:.0f} s:\n{log_tail(server.log)}")


def warm_up(users: Sequence[SignedInUser], *, timeout_s: float, log: Path) -> list[Outcome]:
    """One ask from each of these users at once (a few per worker), not measured: the
    workers' database connections and cloud clients are made before the window opens. RuntimeError
    when none is answered, since then the run would measure only failures."""
    outcomes: list[Outcome] = []

    def one(user: SignedInUser) -> None:
        outcomes.append(ask(user.client, QUESTIONS[0], csrf_token=user.csrf_token, timeout_s=timeout_s))

    threads = [threading.Thread(target=one, args=(u,), daemon=True) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout_s * 2 + 5)
    if not any(o.error is None for o in outcomes):
        kinds = sorted({o.error or "" for o in outcomes}) or ["no answer"]
        raise RuntimeError(f"no warm-up ask was answered ({', '.join(kinds)}):\n{log_tail(log)}")
    return outcomes


def run_window(
    users: Sequence[SignedInUser], window: Window, *, think_s: tuple[float, float], seed: int, timeout_s: float
) -> tuple[list[Outcome], int]:
    """Run every user's loop for the window; returns the outcomes and how many users were still
    asking when the wait for them ended (their asks are lost, and counted as errors)."""
    outcomes: list[Outcome] = []
    threads = [
        threading.Thread(
            target=user_loop,
            args=(user,),
            kwargs={
                "questions": QUESTIONS,
                "window": window,
                "rng": random.Random(f"{seed}-{i}"),
                "think_s": think_s,
                "timeout_s": timeout_s,
                "outcomes": outcomes,
            },
            name=f"load-user-{i}",
            daemon=True,
        )
        for i, user in enumerate(users)
    ]
    for t in threads:
        t.start()
    window.open()
    window.stop.wait(window.duration_s)
    window.stop.set()  # users that are thinking leave now; those asking finish their ask first
    deadline = time.monotonic() + timeout_s * 2 + 5  # an ask ends within about twice its timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return list(outcomes), sum(t.is_alive() for t in threads)


def server_side_ms(audit_ids: Sequence[int]) -> dict[str, Any]:
    """Per ask, from its rows: retrieval (the history entry's latency, measured from the start of the
    ask's service, less the gate's, measured from the gate's start: the search with its query
    embedding), the successful cloud call's time (the fake's fixed time plus the SDK's), and the outcomes
    of the calls that failed (what the fallbacks fell back from: the fake failing, or the gate stopping the
    call, "egress_blocked"; a target skipped because its circuit is open made no call and is not counted)."""
    history = dict(HistoryEntry.objects.filter(audit_id__in=audit_ids).values_list("audit_id", "latency_ms"))
    retrieval, cloud, failed = [], [], Counter[str]()
    for audit_id, gate_ms, attempts in AuditEvent.objects.filter(id__in=audit_ids).values_list(
        "id", "latency_ms", "attempts"
    ):
        if audit_id in history:
            retrieval.append(history[audit_id] - gate_ms)
        cloud += [a["latency_ms"] for a in attempts if a.get("zone") == "cloud" and a.get("outcome") == "ok"]
        failed.update(str(a.get("outcome")) for a in attempts if a.get("outcome") not in ("ok", "cache_hit"))
    return {
        "retrieval_ms": latency_summary(retrieval),
        "cloud_call_ms": latency_summary(cloud),
        "failed_calls": dict(failed),
    }


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (from /proc/<pid>/stat)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name (in parentheses) may hold spaces: the parent pid is the 2nd field after it.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU seconds each process has used so far (from /proc/<pid>/stat); gone ones are left out."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime and stime: fields 14 and 15 of stat
    return used


def resident_mb(pid: int) -> float:
    """VmRSS of a process in MiB; 0.0 when it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# A native library of each package as /proc/<pid>/maps names it.
LIBRARIES = {
    "onnxruntime": "/onnxruntime/capi/",
    "spacy": "/spacy/",
    "torch": "/torch/lib/libtorch",
    "scipy": "/scipy/",
}


def libraries_loaded(pid: int) -> set[str]:
    """Which of LIBRARIES process `pid` has mapped; empty when it is gone."""
    with contextlib.suppress(OSError):
        maps = Path(f"/proc/{pid}/maps").read_text()
        return {name for name, marker in LIBRARIES.items() if marker in maps}
    return set()


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's process group (master and workers), SIGKILL to what is left after
    STOP_TIMEOUT_S; returns once no process of the group runs any more (5 s at most after the kill)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # workers that outlived their master
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5)
    deadline = time.monotonic() + 5
    while group_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def group_members(pgid: int) -> list[int]:
    """Running (not zombie) processes of process group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            state, _, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state != "Z":
                found.append(int(stat.parent.name))
    return found


# A log record's first line starts with its time ("2026-12-05 05:58:22,733 WARNING …"); gunicorn's own
# lines with "[2026-12-05 …]"; an access line with the client's address.
_RECORD_START = re.compile(r"^(?:\d{4}-\d\d-\d\d |\[\d{4}-|\d+\.\d+\.\d+\.\d+ )")
_SERVER_ERROR = re.compile(r"^\d{4}-\d\d-\d\d \S+ (?:ERROR|CRITICAL) |^\[[^]]+\] \[\d+\] \[(?:ERROR|CRITICAL)\]")


def error_records(log: Path, errors: int, *, after: int = 0, limit: int = 60) -> dict[str, Any]:
    """For a window with errors, {"server_errors": the ERROR records the server logged after line `after`,
    tracebacks included, `limit` lines at most}, so that a failed run says why; {} without errors."""
    if not errors:
        return {}
    kept, inside = [], False
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines()[after:]:
            if _RECORD_START.match(line):
                inside = bool(_SERVER_ERROR.match(line))
            if inside:
                kept.append(line)
    return {"server_errors": kept[:limit]}


def log_length(log: Path) -> int:
    """How many lines the log holds now."""
    with contextlib.suppress(OSError):
        return len(log.read_text(errors="replace").splitlines())
    return 0


def log_tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"
