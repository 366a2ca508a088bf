"""The upload worker's runs (run_ingestion_job): a job's first run takes the other queued jobs along, their
chunks embedded together, each document stored on its own, and no two workers ingest one job."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from django.db import connection

from accounts.clearance import Classification
from accounts.models import User
from accounts.roles import Role
from retrieval import embedders
from retrieval.claims import claim_job
from retrieval.embedders import get_embedder
from retrieval.jobs import run_ingestion_job
from retrieval.models import Chunk, Document, IngestionJob
from retrieval.services import ReadFile, read_file
from tests.conftest import make_user
from tests.fakes.embedder import EmbedderFailed, ScriptedEmbedder

KETTLE = b"# Kettle\n\nDescale the office kettle every Friday with citric acid."
BIKES = (
    b"# Bikes\n\n## Parking\n\nBicycles go in the basement rack behind the loading dock.\n\n"
    b"## Insurance\n\nThe company policy covers theft of staff bicycles up to five hundred euros."
)
PLANTS = b"# Plants\n\nThe ficus by the lifts is watered on Mondays and Thursdays."
MELTDOWN = b"# Meltdown\n\nThe text the embedding server cannot take: MELTDOWN."
CORRUPT_PDF = b"%PDF-1.4 garbage"


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> ScriptedEmbedder:
    """The process's embedder, watched: the real model behind a ScriptedEmbedder."""
    fake = ScriptedEmbedder(get_embedder())
    monkeypatch.setattr(embedders, "_embedder", fake)
    return fake


def queue(admin: User, *files: tuple[str, bytes]) -> list[IngestionJob]:
    """Queued jobs as an upload makes them (their tasks are not run: each test runs them itself)."""
    return [
        IngestionJob.objects.create(
            filename=name,
            content=content,
            size=len(content),
            classification=Classification.INTERNAL,
            group_names=["facilities"],
            uploaded_by=admin,
        )
        for name, content in files
    ]


def states(jobs: list[IngestionJob]) -> dict[str, tuple[str, int]]:
    """Each job's file name -> (status, attempts), as stored now."""
    return {j.filename: (j.status, j.attempts) for j in IngestionJob.objects.filter(id__in=[j.id for j in jobs])}


def held_job_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_a_run_takes_the_other_queued_jobs_and_embeds_their_chunks_together(
    admin: User, scripted: ScriptedEmbedder
) -> None:
    jobs = queue(admin, ("kettle.md", KETTLE), ("bikes.md", BIKES), ("plants.md", PLANTS))
    # While the model takes its time on the first file, the other two are read: the next call has both.
    scripted.first_call_delay_s = 1.0

    finished = run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    assert finished.status == IngestionJob.Status.DONE
    assert states(jobs) == dict.fromkeys(("kettle.md", "bikes.md", "plants.md"), ("done", 1))
    assert len(scripted.calls) < 3 and sum(map(len, scripted.calls)) == 4  # bikes has two chunks
    assert all(j.document is not None and j.content == b"" for j in IngestionJob.objects.all())
    assert held_job_locks() == 0


def test_each_document_of_a_run_is_stored_as_one_ingestion_at_a_time_stores_it(admin: User) -> None:
    files = [("kettle.md", KETTLE), ("bikes.md", BIKES), ("plants.md", PLANTS)]
    alone: dict[str, ReadFile] = {}
    for name, content in files:
        read = read_file(
            filename=name, content=content, classification=Classification.INTERNAL, group_names=["facilities"]
        )
        assert isinstance(read, ReadFile)
        alone[name] = read
    jobs = queue(admin, *files)

    run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    for name, read in alone.items():
        document = Document.objects.get(source_name=name)
        assert (document.title, document.version, document.uploaded_by) == (read.title, 1, admin)
        assert list(document.reader_groups.values_list("name", flat=True)) == ["facilities"]
        chunks = list(Chunk.objects.filter(document=document).order_by("ordinal"))
        assert [(c.heading_path, c.text) for c in chunks] == [(c.heading_path, c.text) for c in read.chunks]
        stored = np.array([np.array(c.embedding) for c in chunks])
        expected = np.array(get_embedder().embed_batch([c.index_text for c in read.chunks]))
        assert np.allclose(stored, expected, atol=1e-5)


def test_a_file_that_cannot_be_parsed_fails_alone_and_the_rest_of_its_run_goes_in(admin: User) -> None:
    jobs = queue(admin, ("kettle.md", KETTLE), ("bad.pdf", CORRUPT_PDF), ("plants.md", PLANTS))

    run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    assert states(jobs) == {"kettle.md": ("done", 1), "bad.pdf": ("failed", 1), "plants.md": ("done", 1)}
    bad = IngestionJob.objects.get(filename="bad.pdf")
    assert bad.error == "bad.pdf: not a valid PDF (file is damaged or not a PDF)"
    assert bad.document is None and bad.finished_at is not None
    assert sorted(Document.objects.values_list("source_name", flat=True)) == ["kettle.md", "plants.md"]


def test_bad_files_among_good_ones_in_one_batch_fail_alone_each_saying_why(
    admin: User, scripted: ScriptedEmbedder
) -> None:
    jobs = queue(admin, ("kettle.md", KETTLE), ("bad.pdf", CORRUPT_PDF))
    nina = make_user("nina", Role.EMPLOYEE, Classification.INTERNAL)
    salaries = b"# Salaries\n\nThe pay bands of every team."
    jobs.append(
        IngestionJob.objects.create(
            filename="salaries.md",
            content=salaries,
            size=len(salaries),
            classification=Classification.CONFIDENTIAL,
            group_names=[],
            uploaded_by=nina,
        )
    )
    jobs += queue(admin, ("bikes.md", BIKES), ("plants.md", PLANTS))
    # While the model takes its time on the first file, the others are read: they make one batch.
    scripted.first_call_delay_s = 1.0

    run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    assert states(jobs) == {
        "kettle.md": ("done", 1),
        "bad.pdf": ("failed", 1),
        "salaries.md": ("failed", 1),
        "bikes.md": ("done", 1),
        "plants.md": ("done", 1),
    }
    errors = dict(IngestionJob.objects.filter(status="failed").values_list("filename", "error"))
    assert errors == {
        "bad.pdf": "bad.pdf: not a valid PDF (file is damaged or not a PDF)",
        "salaries.md": "salaries.md: you are cleared for internal documents and cannot upload one as confidential; "
        "ask an admin with that clearance",
    }
    # Two calls at most carried the good files' four chunks, the bad ones' neighbours in their batch.
    assert len(scripted.calls) <= 2 and sum(map(len, scripted.calls)) == 4
    assert sorted(Document.objects.values_list("source_name", flat=True)) == ["bikes.md", "kettle.md", "plants.md"]
    assert Chunk.objects.count() == 4
    assert held_job_locks() == 0


def test_an_error_mid_run_gives_the_unfinished_jobs_back_with_nothing_of_them_stored(
    admin: User, scripted: ScriptedEmbedder
) -> None:
    jobs = queue(admin, ("kettle.md", KETTLE), ("meltdown.md", MELTDOWN), ("plants.md", PLANTS))
    scripted.texts_per_call = 1  # a file per call, as on the CPU: the model fails on the second
    scripted.fail_on = "MELTDOWN"

    finished = run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    # Its own job went in before the error, so the run ends well; the others wait for their own tasks.
    assert finished.status == IngestionJob.Status.DONE
    assert states(jobs) == {"kettle.md": ("done", 1), "meltdown.md": ("queued", 1), "plants.md": ("queued", 1)}
    assert list(Document.objects.values_list("source_name", flat=True)) == ["kettle.md"]
    assert not Chunk.objects.exclude(document__source_name="kettle.md").exists()
    assert all(j.content for j in IngestionJob.objects.filter(status="queued"))  # the bytes are kept for the retry
    assert held_job_locks() == 0


def test_a_run_whose_own_file_breaks_raises_and_each_job_is_retried_alone(
    admin: User, scripted: ScriptedEmbedder
) -> None:
    jobs = queue(admin, ("meltdown.md", MELTDOWN), ("kettle.md", KETTLE), ("plants.md", PLANTS))
    scripted.fail_on = "MELTDOWN"

    with pytest.raises(EmbedderFailed):
        run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    # The others were claimed and read ahead when the model failed on the first file: all go back.
    assert states(jobs) == dict.fromkeys(("meltdown.md", "kettle.md", "plants.md"), ("queued", 1))
    assert not Document.objects.exists()
    scripted.fail_on = None
    scripted.calls.clear()

    retried = run_ingestion_job(job_id=jobs[1].id, final_attempt=False)

    # A retry takes nobody along: plants waits for its own task, and so does meltdown.
    assert retried.status == IngestionJob.Status.DONE
    assert states(jobs) == {"meltdown.md": ("queued", 1), "kettle.md": ("done", 2), "plants.md": ("queued", 1)}
    assert len(scripted.calls) == 1


def test_on_its_final_attempt_a_job_that_breaks_its_run_fails_for_good(admin: User, scripted: ScriptedEmbedder) -> None:
    jobs = queue(admin, ("meltdown.md", MELTDOWN), ("kettle.md", KETTLE))
    scripted.fail_on = "MELTDOWN"

    with pytest.raises(EmbedderFailed):
        run_ingestion_job(job_id=jobs[0].id, final_attempt=True)

    assert states(jobs) == {"meltdown.md": ("failed", 1), "kettle.md": ("queued", 1)}
    failed = IngestionJob.objects.get(filename="meltdown.md")
    assert failed.error == "meltdown.md: ingestion failed unexpectedly; see the worker log, then upload it again"
    assert failed.content == b""


def test_the_task_of_a_job_another_run_finished_does_nothing(
    admin: User, django_assert_num_queries: Callable[..., Any]
) -> None:
    jobs = queue(admin, ("kettle.md", KETTLE), ("plants.md", PLANTS))
    run_ingestion_job(job_id=jobs[0].id, final_attempt=False)
    before = IngestionJob.objects.get(id=jobs[1].id)
    assert before.status == IngestionJob.Status.DONE

    with django_assert_num_queries(1):  # reading the job, nothing else
        again = run_ingestion_job(job_id=jobs[1].id, final_attempt=False)

    assert (again.status, again.attempts, again.finished_at) == (before.status, 1, before.finished_at)
    assert Document.objects.get(source_name="plants.md").version == 1


@pytest.fixture
def other_worker() -> Iterator[Callable[[Callable[[], Any]], threading.Thread]]:
    """other_worker(work): run `work` in a thread of its own, so on a database session of its own, as
    another worker would; its session is closed when the work ends. The threads are joined at the end."""
    started: list[threading.Thread] = []

    def start(work: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.join(60)


@pytest.mark.django_db(transaction=True)
def test_a_job_another_worker_holds_is_left_to_it_and_its_task_waits_for_that_worker(
    other_worker: Callable[[Callable[[], Any]], threading.Thread],
) -> None:
    admin = make_user("ines", Role.ADMIN, Classification.RESTRICTED)
    jobs = queue(admin, ("kettle.md", KETTLE), ("bikes.md", BIKES), ("plants.md", PLANTS))
    claimed, dies = threading.Event(), threading.Event()

    def hold_bikes_then_die() -> None:
        assert claim_job(jobs[1].id) is not None
        claimed.set()
        dies.wait(60)  # then its session ends (the worker died mid-document): the claim goes with it

    holder = other_worker(hold_bikes_then_die)
    assert claimed.wait(60)

    run_ingestion_job(job_id=jobs[0].id, final_attempt=False)

    assert states(jobs) == {"kettle.md": ("done", 1), "bikes.md": ("running", 1), "plants.md": ("done", 1)}
    assert not Document.objects.filter(source_name="bikes.md").exists()
    outcome: list[IngestionJob] = []
    waiter = other_worker(lambda: outcome.append(run_ingestion_job(job_id=jobs[1].id, final_attempt=False)))
    waiter.join(1.0)
    assert waiter.is_alive()  # bikes' own task waits for the worker that holds it
    dies.set()
    holder.join(60)
    waiter.join(60)

    assert [job.status for job in outcome] == [IngestionJob.Status.DONE]
    assert states(jobs)["bikes.md"] == ("done", 2)  # claimed again once its holder was gone, and ingested once
    assert Document.objects.get(source_name="bikes.md").version == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_ingest_every_job_exactly_once(
    other_worker: Callable[[Callable[[], Any]], threading.Thread],
) -> None:
    admin = make_user("ines", Role.ADMIN, Classification.RESTRICTED)
    files = [(f"note-{n}.md", f"# Note {n}\n\nThe {n}th note of the shared queue.".encode()) for n in range(8)]
    jobs = queue(admin, *files)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(own_tasks: list[IngestionJob]) -> None:
        try:
            start.wait(30)
            for job in own_tasks:  # each worker runs the tasks the queue hands it, in order
                run_ingestion_job(job_id=job.id, final_attempt=False)
        except BaseException as exc:
            errors.append(exc)

    threads = [other_worker(lambda tasks=jobs[n::2]: worker(tasks)) for n in range(2)]
    for thread in threads:
        thread.join(120)

    assert errors == []
    assert set(states(jobs).values()) == {("done", 1)}
    assert sorted(Document.objects.values_list("source_name", "version")) == [(name, 1) for name, _ in files]
    assert Chunk.objects.count() == 8
