"""A cluster on one machine: Debian's nginx in front of two web servers (gunicorn with uvicorn's workers, the
image's `web` role), two queue workers (`worker`), the embedding service (infinity-emb, EMBEDDING_BACKEND=remote)
and the suite's PostgreSQL, each a real process on loopback (tests/operations/cluster.py), answering from a fake
cloud model that writes each answer over 1.5 s.

A web server killed with SIGKILL under load fails only the questions it was answering at that moment, none of
them half-recorded (those it had sent to the cloud model are audited as interrupted by the sweep), and every later
question is answered by the other. A worker killed mid-document (its transaction stopped by a table lock after it
wrote the document and its passages) leaves nothing stored; the other worker runs the job again once the dead one's
heartbeat is STALLED_JOB_SECONDS old, and stores it once, whole."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from accounts.services import upsert_user
from assistant.models import Conversation, HistoryEntry
from benchmarks.e2e import sign_in_users
from benchmarks.load_users import SignedInUser
from fakes.anthropic_server import FakeAnthropic
from retrieval.models import MAIN_COLLECTION, Chunk, CollectionStats, Document, IngestionJob, Posting, Term
from retrieval.parsing import parse_document
from retrieval.services import prepare_chunks
from retrieval.tasks import ingest_job
from retrieval.uploads import queue_uploads
from routing.audit import verify_chain
from routing.dispatch import audit_interrupted_dispatches
from routing.models import AuditEvent, Dispatch
from tests.conftest import paced_cloud
from tests.operations.cluster import (
    STALLED_JOB_SECONDS,
    Ask,
    Cluster,
    Load,
    ask,
    kill_group,
    refuses,
    session_gone,
    session_waiting_for,
    start_cluster,
    stop_cluster,
    table_locked,
    wait_until_serving,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ANSWER_SECONDS = 1.5
ANSWER = "Run the rollback pipeline for the previous release tag [1]; it restores the previous image [1]."
QUESTION = "How do I roll back a bad deploy?"
RUNBOOK_NAME = "deploy-runbook.md"
RUNBOOK = (
    "# Deploy runbook\n\n## Rolling back\n\nTo roll back a bad deploy, run the rollback pipeline for the previous "
    "release tag. The rollback pipeline restores the previous container image within five minutes.\n"
)
USERS = 6
JOB_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def slow_cloud() -> Iterator[FakeAnthropic]:
    """The policy's cloud target: Anthropic's Messages API on loopback, each answer streamed over ANSWER_SECONDS."""
    with paced_cloud(answer_seconds=ANSWER_SECONDS, text=ANSWER) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any, slow_cloud: FakeAnthropic
) -> Iterator[Cluster]:
    """The cluster, on the suite's test database, for this module's tests; stopped after them. The deploy runbook
    is uploaded as soon as the embedding service answers: a worker ingests it while the web servers start."""
    folder: Path = tmp_path_factory.mktemp("cluster")
    began = time.monotonic()
    started = start_cluster(folder, database=settings.DATABASES["default"]["NAME"], cloud=slow_cloud)
    try:
        with django_db_blocker.unblock():
            uploader, _ = upsert_user(
                username="ada", role=Role.ADMIN, clearance=Classification.RESTRICTED, groups=[], password=None
            )
            upload(uploader, RUNBOOK_NAME, RUNBOOK.encode())
        wait_until_serving(started)
        print(f"\nthe cluster answered through nginx {time.monotonic() - began:.1f} s after it was started")
        yield started
    finally:
        stop_cluster(started)


@pytest.fixture
def with_the_clusters_keys(settings: Any, cluster: Cluster) -> None:
    """This process signs sessions and checks the audit chain with the keys the cluster's processes hold."""
    settings.SECRET_KEY = cluster.env["SECRET_KEY"]
    settings.AUDIT_CHAIN_KEY = cluster.env["AUDIT_CHAIN_KEY"]


def upload(admin: User, name: str, content: bytes) -> IngestionJob:
    """Upload `content` as the documents page does: an internal document, its job on the queue."""
    [job] = queue_uploads(
        files=[SimpleUploadedFile(name, content)],
        classification=Classification.INTERNAL,
        group_names=[],
        acting_user=admin,
    )
    return job


def finished(job: IngestionJob) -> IngestionJob:
    """The job once a worker of the cluster has finished it."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while job.status in (IngestionJob.Status.QUEUED, IngestionJob.Status.RUNNING):
        assert time.monotonic() < deadline, f"{job.filename} was not ingested within {JOB_TIMEOUT_S} s"
        time.sleep(0.25)
        job.refresh_from_db()
    return job


def test_a_web_server_killed_under_load_fails_only_the_questions_it_was_answering(
    cluster: Cluster, with_the_clusters_keys: None, slow_cloud: FakeAnthropic
) -> None:
    phases = [time.monotonic()]
    calls_before = len(slow_cloud.requests)
    victim, survivor = cluster.web
    cookies = sign_in_users(USERS)
    users = [SignedInUser.open(cluster.nginx.url, cookie, timeout_s=30) for cookie in cookies]
    direct = [SignedInUser.open(f"http://{address}", cookies[0], timeout_s=30) for address in cluster.web]
    try:
        assert finished(IngestionJob.objects.get(filename=RUNBOOK_NAME)).status == IngestionJob.Status.DONE
        phases.append(time.monotonic())
        # Each server's first question (its first cloud client, its name model) is asked before the load, straight.
        with ThreadPoolExecutor(len(direct)) as asking:
            warm_ups = list(asking.map(lambda user: ask(user, QUESTION, timeout_s=60), direct))
        assert [a.error for a in warm_ups] == [None, None], warm_ups
        phases.append(time.monotonic())

        load = Load(users, QUESTION).start()
        began = time.monotonic()
        # Killed while it streams answers: at least two under way, and both servers have answered some.
        while len(load.streaming_from(victim)) < 2 or time.monotonic() - began < 4:
            assert time.monotonic() - began < 60, "the load never had two answers under way on one server"
            time.sleep(0.05)
        killed_at = time.monotonic()
        kill_group(cluster.web[victim].process)
        dead_at = time.monotonic()
        assert refuses(victim)
        time.sleep(8)
        asks = load.finish()
        phases.append(time.monotonic())
    finally:
        for user in [*users, *direct]:
            user.close()

    # Under way on the killed server: begun before it was gone, ended after it was killed, answered by it (not
    # refused by it and sent on to the other).
    in_flight = [a for a in asks if a.started < dead_at and (a.ended or 0) > killed_at and a.served_by == victim]
    failed = [a for a in asks if a.error]
    after = [a for a in asks if a.started > dead_at]
    retried = [a for a in asks if a.upstreams == (victim, survivor)]  # refused by the dead one, sent on
    before = Counter(a.served_by for a in asks if (a.ended or 0) < killed_at and not a.error)
    took = [round(b - a, 1) for a, b in zip(phases, phases[1:], strict=False)]
    print(f"\ntook: signing in while the runbook was ingested, warming up, under load (s): {took}")
    print(
        f"{len(asks)} questions from {USERS} users in {max(a.ended or 0 for a in asks) - asks[0].started:.1f} s; "
        f"answered before the kill: {dict(before)}; under way on the killed server: {len(in_flight)}, "
        f"failed: {len(failed)} ({Counter(a.error for a in failed)}); after it: {len(after)}, "
        f"{sum(not a.error for a in after)} answered; {len(retried)} sent on by nginx after the dead one refused them"
    )
    assert set(before) == {victim, survivor}  # both served before the kill
    assert len(in_flight) >= 2
    assert all(a in in_flight for a in failed), [vars(a) for a in failed if a not in in_flight]
    assert after and all(not a.error and a.served_by == survivor for a in after), [vars(a) for a in after if a.error]
    assert_nothing_half_recorded(answered=[*warm_ups, *asks], failed=failed)
    # An answer is audited when it ends; one cut off by the kill after it was sent to the cloud model left its
    # dispatch record, which the workers audit as interrupted once INTERRUPTED_DISPATCH_SECONDS old (here at once:
    # every answer has ended). Then every call to the cloud model is in an audit row (docs/deployment.md, "When a
    # process dies"); a record committed just before the kill may name a call that never arrived.
    interrupted = audit_interrupted_dispatches(older_than_s=0)
    calls = sum(r.path == "/v1/messages" for r in slow_cloud.requests[calls_before:])
    audited = sum(a["zone"] == "cloud" for row in AuditEvent.objects.all() for a in row.attempts)
    print(f"cloud calls: {calls}, in an audit row: {audited}, of them audited as interrupted: {interrupted}")
    assert calls <= audited <= calls + interrupted and interrupted <= len(failed)
    chain = verify_chain()
    assert chain.ok and chain.rows == AuditEvent.objects.count(), chain
    assert not Dispatch.objects.exists()


def assert_nothing_half_recorded(*, answered: list[Ask], failed: list[Ask]) -> None:
    """Every audit row is whole and chained, and has its history entry, one each way; every answer a user read
    is there. A question cut off by the kill is there whole (audited and kept before the server died, the user
    never saw its end) or not at all: its conversation, made before the gate ran, is left without a turn,
    which no page lists."""
    chain = verify_chain()
    rows = list(AuditEvent.objects.order_by("id"))
    assert chain.ok and chain.rows == len(rows), chain
    assert all(r.outcome == AuditEvent.Outcome.ANSWERED and r.attempts and r.passages for r in rows)
    kept = list(HistoryEntry.objects.values_list("audit_id", flat=True))
    assert sorted(kept) == [r.id for r in rows]
    read = {a.audit_id for a in answered if not a.error}
    assert None not in read and read <= {r.id for r in rows}
    unread = len(rows) - len(read)
    turnless = Conversation.objects.annotate(turn_count=Count("turns")).filter(turn_count=0).count()
    print(f"audit rows: {len(rows)} ({unread} of a question cut off); conversations left without a turn: {turnless}")
    assert unread + turnless <= len(failed)


def long_runbook(sections: int = 24) -> bytes:
    """A runbook of `sections` steps, each a passage of its own, no two alike."""
    steps = [
        f"## Step {n}: region {n} failover\n\nDrain the traffic of region {n} at the load balancer, wait until the "
        f"connection count of pool {n} falls under {n * 10}, then promote replica db-{n}b to primary. Check that "
        f"replication lag on db-{n}c is under {n} seconds before you reopen region {n}. Page the on-call "
        f"engineer of team {n} if the promotion takes longer than {n + 5} minutes, and note the step in ticket "
        f"OPS-{1000 + n}. " * 2
        for n in range(1, sections + 1)
    ]
    return ("# Datacenter failover runbook\n\n" + "\n\n".join(steps)).encode()


def test_a_worker_killed_mid_document_leaves_it_to_the_other_and_nothing_half_stored(
    cluster: Cluster, admin: User
) -> None:
    name, content = "failover-runbook.md", long_runbook()
    # The store transaction writes the document, its passages, then their postings: it waits at the postings.
    with table_locked("retrieval_posting") as holder:
        job = upload(admin, name, content)
        session, worker = session_waiting_for(holder, application_prefix="sluice-worker-", timeout_s=JOB_TIMEOUT_S)
        killed_at = time.monotonic()
        kill_group(cluster.workers[worker].process)
    # Its session, left waiting, finds its client gone once the lock is let go, and rolls back.
    assert session_gone(session, timeout_s=30)
    assert not Document.objects.filter(source_name=name).exists()
    assert not Chunk.objects.filter(document__source_name=name).exists()
    job.refresh_from_db()
    assert job.status == IngestionJob.Status.RUNNING and job.attempts == 1  # the dead worker's, held by nobody

    finished(job)
    recovered_s = time.monotonic() - killed_at

    document = Document.objects.get(source_name=name)
    parsed = parse_document(name, content)
    expected = [c.text for c in prepare_chunks(title=document.title, sections=parsed.sections)]
    stored = list(document.chunks.order_by("ordinal").values_list("ordinal", "text"))
    print(
        f"\n{worker} killed mid-document ({len(expected)} passages written, uncommitted); the other worker stored "
        f"it {recovered_s:.1f} s later (STALLED_JOB_SECONDS={STALLED_JOB_SECONDS})"
    )
    assert job.status == IngestionJob.Status.DONE and job.attempts == 2 and job.document_id == document.id, job.error
    assert document.version == 1  # made by the second attempt: the first left no version behind
    assert stored == list(enumerate(expected))
    assert not document.chunks.filter(embedding=None).exists()
    # BM25's figures count each passage once: the collection's, its postings', each lexeme's.
    in_collection = Chunk.objects.filter(document__collection=MAIN_COLLECTION).count()
    assert CollectionStats.objects.get(collection=MAIN_COLLECTION).chunk_count == in_collection
    assert Posting.objects.filter(document=document).values("chunk").distinct().count() == len(expected)
    assert Term.objects.exists() and not terms_miscounted()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, attempts FROM procrastinate_jobs WHERE task_name = %s AND args->>'job_id' = %s",
            [ingest_job.name, str(job.id)],
        )
        # Two runs ended: the dead worker's, by the periodic check that found it stalled, then the other's.
        assert cursor.fetchall() == [("succeeded", 2)]


def terms_miscounted() -> int:
    """Lexemes whose count of passages (BM25's document frequency) is not the count of their postings."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM retrieval_term t WHERE chunk_frequency <> "
            "(SELECT count(*) FROM retrieval_posting p WHERE p.collection = t.collection AND p.lexeme = t.lexeme)"
        )
        return int(cursor.fetchone()[0])
