"""A Sluice cluster on one machine, for tests/operations/test_cluster.py: Debian's nginx in front of two web
servers, two queue workers, the embedding service (infinity-emb) and the suite's PostgreSQL, each a real
process on loopback, the roles started as the image's entrypoint starts them (tests/deploy/entrypoint.py);
and what the test does to it: users asking through nginx, a server killed with SIGKILL, a table locked so
that a worker's transaction waits mid-document."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
from django.conf import settings
from django.db import connection

from benchmarks.load_users import ASK_PATH, SignedInUser, SseReader, read_final
from fakes.anthropic_server import FakeAnthropic
from operations.embedding_service import EmbeddingService
from operations.local_llm import free_port
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL
from tests.deploy.entrypoint import RoleProcess, database_url, role_environment, run_role

NGINX = Path("/usr/sbin/nginx")
START_TIMEOUT_S = 180.0  # every process up and answering, on 2 cores shared with other test runs
STOP_TIMEOUT_S = 30.0
# A worker silent this long is dead (settings.STALLED_JOB_SECONDS); the check runs every 2 s.
STALLED_JOB_SECONDS = 10


def nginx_config(*, folder: Path, port: int, upstreams: Sequence[str]) -> str:
    """nginx on 127.0.0.1:port in front of `upstreams` (host:port), in the foreground as the current user, its
    pid, logs and temporary files in `folder`. An upstream that refuses a connection is skipped for the next
    one (proxy_next_upstream), for 10 s; a request it has taken is never sent again (POST is not idempotent:
    nginx retries it only when it was not sent). Responses are not buffered, so answers stream; each says
    which upstreams were tried (X-Upstream)."""
    user = ""
    if os.geteuid() == 0:  # the workers would otherwise run as nobody, who cannot write into `folder`
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in upstreams)
    return f"""
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 512; }}
http {{
    log_format cluster '$msec $request_time $status "$upstream_addr" "$upstream_status" "$request"';
    access_log {folder}/access.log cluster;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream sluice {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://sluice;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    """Debian's nginx with nginx_config(), in a process group of its own."""

    def __init__(self, folder: Path, *, upstreams: Sequence[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = folder / "nginx.conf"
        self.config.write_text(nginx_config(folder=folder, port=self.port, upstreams=upstreams))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Nginx:
        with (self.folder / "stderr.log").open("ab") as output:
            self.process = subprocess.Popen(
                [str(NGINX), "-p", str(self.folder), "-c", str(self.config), "-e", str(self.folder / "error.log")],
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self) -> str:
        return "\n".join(tail(self.folder / name) for name in ("stderr.log", "error.log"))


@dataclass
class Cluster:
    """The processes of a cluster and the environment its roles share (their keys among it)."""

    nginx: Nginx
    web: dict[str, RoleProcess]  # by the address nginx knows it by
    workers: dict[str, RoleProcess]  # by the application name its database sessions carry
    embedding: EmbeddingService
    env: dict[str, str]

    def all_running(self) -> bool:
        roles = [*self.web.values(), *self.workers.values()]
        alive = self.embedding.process is not None and self.embedding.process.poll() is None
        return alive and self.nginx.running() and all(role.running() for role in roles)

    def logs(self) -> str:
        roles = {**self.web, **self.workers}
        parts = [f"--- {name} ---\n{role.log_tail(20)}" for name, role in roles.items()]
        return "\n".join([*parts, f"--- nginx ---\n{self.nginx.log_tail()}"])


def start_cluster(folder: Path, *, database: str, cloud: FakeAnthropic) -> Cluster:
    """Start every process of the cluster on database `database` of the suite's server, its roles sharing one data
    folder (the mounted volume of a real one) under `folder`; return once the embedding service answers (jobs
    queued from then on find it) and every process is started: wait_until_serving() waits for the web servers.
    Raises when a step fails or takes longer than START_TIMEOUT_S, leaving nothing running."""
    data_dir = folder / "data"
    data_dir.mkdir(parents=True)
    embedding = EmbeddingService(settings.DATA_DIR)  # the suite's install of infinity-emb, its own port
    web_ports = [free_port(), free_port()]
    env = (
        role_environment(data_dir, database=database)
        | embedding.settings()
        | {
            "HOST": "127.0.0.1",
            "WEB_WORKERS": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_COOKIES": "false",  # plain HTTP on loopback
            "ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY,
            "ANTHROPIC_BASE_URL": cloud.url,
            "ANTHROPIC_MODEL": FAKE_ANTHROPIC_MODEL,
            "LOCAL_LLM_BASE_URL": "",
            "RESPONSE_CACHE_TTL_S": "0",  # every question goes to the model
            "STALLED_JOB_SECONDS": str(STALLED_JOB_SECONDS),
            "STALLED_JOBS_CRON": "* * * * * */2",
        }
    )
    # All at once, but the web servers: as from an image, they start with the static files collected.
    starting = ThreadPoolExecutor(1, thread_name_prefix="embedding-service").submit(embedding.start, warm_up=False)
    workers = {
        name: RoleProcess("worker", env=env | {"PGAPPNAME": name}, log=folder / f"{name}.log")
        for name in ("sluice-worker-1", "sluice-worker-2")
    }
    addresses = [f"127.0.0.1:{port}" for port in web_ports]
    nginx = Nginx(folder / "nginx", upstreams=addresses).start()
    cluster = Cluster(nginx, {}, workers, embedding, env)
    try:
        collected = run_role("manage", "collectstatic", "--no-input", "--verbosity", "0", env=env)
        assert collected.returncode == 0, collected.stderr[-3000:]
        for n, (address, port) in enumerate(zip(addresses, web_ports, strict=True), 1):
            web_env = env | {"PORT": str(port), "PGAPPNAME": f"sluice-web-{n}",
                             "PROMETHEUS_MULTIPROC_DIR": str(folder / f"prometheus-{n}")}  # fmt: skip
            cluster.web[address] = RoleProcess("web", env=web_env, log=folder / f"web-{n}.log")
        starting.result(timeout=START_TIMEOUT_S)
    except BaseException:
        with contextlib.suppress(Exception):  # a service still starting is stopped once started
            starting.result(timeout=START_TIMEOUT_S)
        stop_cluster(cluster)
        raise
    return cluster


def wait_until_serving(cluster: Cluster) -> None:
    """Return once each web server answers /healthz, and nginx too; AssertionError with the logs when one has
    not within START_TIMEOUT_S, or a process of the cluster exited."""
    deadline = time.monotonic() + START_TIMEOUT_S
    for address in [*cluster.web, cluster.nginx.url.removeprefix("http://")]:
        while not answers(f"http://{address}/healthz"):
            assert cluster.all_running() and time.monotonic() < deadline, f"{address} is not up:\n{cluster.logs()}"
            time.sleep(0.5)


def stop_cluster(cluster: Cluster) -> None:
    """SIGTERM to every process at once, as an orchestrator stops a cluster; what has not stopped within
    STOP_TIMEOUT_S is killed, with its process group."""
    processes = [role.process for role in [*cluster.web.values(), *cluster.workers.values()]]
    if cluster.nginx.process is not None:
        processes.append(cluster.nginx.process)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    cluster.embedding.stop()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            kill_group(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the process and everything in its group (a gunicorn master and its workers), as a node
    that dies or the OOM killer ends them: no handler runs. Returns once every one of them has exited with all
    its threads (so has closed its files: its listening socket, its database connections)."""
    members = [p.pid for p in psutil.process_iter() if _group_of(p.pid) == process.pid]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while not all(map(exited, members)):
        assert time.monotonic() < deadline, f"processes {members} still run {STOP_TIMEOUT_S} s after SIGKILL"
        time.sleep(0.02)


def exited(pid: int) -> bool:
    """Process `pid` is gone, or is a zombie whose threads have all ended. A zombie's other threads may still be
    exiting, and until the last has, the process's files stay open: a listening socket still takes connections."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state in ("Z", "X") and len(os.listdir(f"/proc/{pid}/task")) <= 1
    except (FileNotFoundError, ProcessLookupError):
        return True


def refuses(address: str) -> bool:
    """Nothing listens on `address` (host:port) any more: a connection is refused."""
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return f"(no {path.name})"


@dataclass
class Ask:
    """One question asked through nginx, as its user saw it: when it started and ended (time.monotonic()), the
    upstreams nginx tried (X-Upstream; the last one answered), and `error` (None for an answer)."""

    started: float
    ended: float | None = None
    upstreams: tuple[str, ...] = ()
    status: int | None = None
    error: str | None = None
    audit_id: int | None = None

    @property
    def served_by(self) -> str:
        return self.upstreams[-1] if self.upstreams else ""


def ask(user: SignedInUser, question: str, *, timeout_s: float, asked: Ask | None = None) -> Ask:
    """Ask as the ask page does (POST /ask/stream/) and read the server-sent events to the final one; `asked`
    (a new Ask by default) is filled in as the answer comes."""
    asked = asked or Ask(started=time.monotonic())
    try:
        with user.client.stream(
            "POST",
            ASK_PATH,
            data={"question": question, "csrfmiddlewaretoken": user.csrf_token},
            headers={"X-CSRFToken": user.csrf_token},
            timeout=httpx.Timeout(timeout_s, connect=5.0),
        ) as response:
            asked.status = response.status_code
            asked.upstreams = tuple(a.strip() for a in response.headers.get("x-upstream", "").split(",") if a.strip())
            asked.error = f"http_{response.status_code}" if response.status_code != 200 else "incomplete"
            if response.status_code == 200:
                asked.error, asked.audit_id = _read_answer(response)
    except httpx.TimeoutException:
        asked.error = "timeout"
    except httpx.HTTPError as exc:
        asked.error = f"transport:{type(exc).__name__}"
    asked.ended = time.monotonic()
    return asked


def _read_answer(response: httpx.Response) -> tuple[str | None, int | None]:
    reader = SseReader()
    for piece in response.iter_text():
        for name, data in reader.feed(piece):
            if name == "final":
                facts = read_final(data["html"])
                return ("refused" if facts.refused else "cut_off" if facts.cut_off else None), facts.audit_id
            if name in ("error", "malformed"):
                return f"{name}_event", None
    return "incomplete", None


@dataclass
class Load:
    """Signed-in users each asking through nginx, thinking `think_s` between questions, until stopped."""

    users: Sequence[SignedInUser]
    question: str
    think_s: float = 0.3
    timeout_s: float = 30.0
    asks: list[Ask] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        for n, user in enumerate(self.users):
            thread = threading.Thread(target=self._loop, args=(user, n), name=f"cluster-user-{n}", daemon=True)
            self.threads.append(thread)
            thread.start()
        return self

    def _loop(self, user: SignedInUser, n: int) -> None:
        # Staggered starts: the users' questions spread over the servers' streams instead of arriving at once.
        pause = self.think_s * n / len(self.users)
        while not self.stop.wait(pause):
            asked = Ask(started=time.monotonic())
            self.asks.append(asked)
            ask(user, self.question, timeout_s=self.timeout_s, asked=asked)
            pause = self.think_s

    def streaming_from(self, upstream: str) -> list[Ask]:
        """The asks being answered by `upstream` now: its response has begun and not ended."""
        return [a for a in list(self.asks) if a.ended is None and a.served_by == upstream]

    def finish(self) -> list[Ask]:
        """Stop asking; each user finishes the question in hand (within its timeout). The asks, in order."""
        self.stop.set()
        deadline = time.monotonic() + self.timeout_s + 10
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "a user's question did not end within its timeout"
        return sorted(self.asks, key=lambda a: a.started)


@contextlib.contextmanager
def table_locked(table: str) -> Iterator[int]:
    """LOCK TABLE `table` IN SHARE MODE on a connection of its own, held for the block: a transaction that
    writes to it waits there, with what it wrote before uncommitted. Yields that connection's backend pid."""
    with psycopg.connect(database_url(settings.DATABASES["default"]["NAME"])) as held:
        held.execute(f"LOCK TABLE {table} IN SHARE MODE")
        try:
            yield held.info.backend_pid
        finally:
            held.rollback()


def session_waiting_for(lock_pid: int, *, application_prefix: str, timeout_s: float) -> tuple[int, str]:
    """The database session of a process whose application name starts with `application_prefix` whose
    transaction has written and now waits for the lock of backend `lock_pid`: its pid and application name.
    AssertionError when none does within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name FROM pg_stat_activity WHERE application_name LIKE %s "
                "AND %s = ANY(pg_blocking_pids(pid)) AND backend_xid IS NOT NULL",
                [f"{application_prefix}%", lock_pid],
            )
            row = cursor.fetchone()
        if row:
            return row[0], row[1]
        time.sleep(0.1)
    raise AssertionError(f"no session of {application_prefix}* waited for the lock within {timeout_s} s")


def session_gone(pid: int, *, timeout_s: float) -> bool:
    """Wait for database session `pid` to end; whether it did within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return True
        time.sleep(0.1)
    return False
