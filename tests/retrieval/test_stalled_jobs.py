"""A queue worker that dies mid-job (kill -9, out of memory, its node gone) stops sending heartbeats; on
STALLED_JOBS_CRON another worker runs its jobs again (retrieval.tasks.retry_stalled_jobs), a bounded number of
times. tests/operations/test_cluster.py kills a real worker mid-document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import connection
from procrastinate.contrib.django import app

from accounts.clearance import Classification
from accounts.models import User
from operations.management.commands.serve import WORKER_QUEUES
from retrieval.jobs import MAX_ATTEMPTS
from retrieval.models import IngestionJob
from retrieval.tasks import ingest_job, retry_stalled_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _queue_emptied() -> Iterator[None]:
    """The queue's tables are procrastinate's, which the test database's flush leaves: this test's tasks and
    workers are deleted after it, so that no later worker runs them."""
    yield
    with connection.cursor() as cursor:
        names = [ingest_job.name, retry_stalled_jobs.name]
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = ANY(%s)", [names])
        cursor.execute("DELETE FROM procrastinate_workers WHERE id = ANY(%s)", [workers])
    workers.clear()


workers: list[int] = []


def queued_ingestion(admin: User, name: str) -> int:
    """An uploaded file's job and its task on the queue; the task's id."""
    job = IngestionJob.objects.create(
        filename=name, content=b"# Kettle\n\nDescale it.", size=20, classification=Classification.INTERNAL,
        uploaded_by=admin,
    )  # fmt: skip
    return ingest_job.defer(job_id=job.id)


def taken_by_a_worker(task_id: int, *, silent_for_s: int, attempts: int = 0) -> None:
    """The task as a worker holds it mid-run: fetched by a worker whose last heartbeat was `silent_for_s` ago."""
    worker_id = async_to_sync(app.job_manager.register_worker)()
    workers.append(worker_id)
    fetched = async_to_sync(app.job_manager.fetch_job)(queues=["ingestion"], worker_id=worker_id)
    assert fetched is not None and fetched.id == task_id
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_workers SET last_heartbeat = now() - make_interval(secs => %s) WHERE id = %s",
            [silent_for_s, worker_id],
        )
        cursor.execute("UPDATE procrastinate_jobs SET attempts = %s WHERE id = %s", [attempts, task_id])


def run_the_check() -> None:
    """One run of the periodic check, by a worker as `manage.py procrastinate worker` runs it."""
    with connection.cursor() as cursor:
        # One deferred by an earlier test's worker, never run (it read no maintenance queue), holds the queueing lock.
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queueing_lock = 'retry_stalled_jobs' AND status = 'todo'")
    retry_stalled_jobs.defer(timestamp=0)
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(queues=["maintenance"], wait=False, install_signal_handlers=False, listen_notify=False)


def task_state(task_id: int) -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, attempts FROM procrastinate_jobs WHERE id = %s", [task_id])
        status, attempts = cursor.fetchone()
    return status, attempts


def test_the_job_of_a_worker_silent_past_the_threshold_is_run_again_and_a_live_ones_is_left(
    admin: User, settings
) -> None:
    settings.STALLED_JOB_SECONDS = 20
    dead = queued_ingestion(admin, "dead.md")
    alive = queued_ingestion(admin, "alive.md")
    taken_by_a_worker(dead, silent_for_s=25)
    taken_by_a_worker(alive, silent_for_s=5)

    run_the_check()

    assert task_state(dead) == ("todo", 1)
    assert task_state(alive) == ("doing", 0)


def test_an_ingestion_that_stopped_its_worker_on_every_attempt_fails_with_a_reason(admin: User, settings) -> None:
    settings.STALLED_JOB_SECONDS = 20
    task = queued_ingestion(admin, "huge.pdf")
    taken_by_a_worker(task, silent_for_s=25, attempts=MAX_ATTEMPTS - 1)

    run_the_check()

    assert task_state(task)[0] == "failed"
    job = IngestionJob.objects.get(filename="huge.pdf")
    assert job.status == IngestionJob.Status.FAILED
    assert f"stopped {MAX_ATTEMPTS} times on this file" in job.error and job.content == b""


def test_workers_beat_six_times_within_the_threshold_and_the_check_runs_on_a_queue_every_worker_reads() -> None:
    seconds = django_settings.STALLED_JOB_SECONDS
    assert app.worker_defaults["update_heartbeat_interval"] == seconds / 6
    assert app.worker_defaults["stalled_worker_timeout"] == seconds
    [periodic] = [p for p in app.periodic_registry.periodic_tasks.values() if p.task is retry_stalled_jobs]
    assert periodic.cron == django_settings.STALLED_JOBS_CRON
    # `make run`'s worker, and the `worker` role of compose and Kubernetes (the `embed` role reads ingestion only).
    assert retry_stalled_jobs.queue in WORKER_QUEUES.split(",")
