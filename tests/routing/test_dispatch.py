"""A request sent outside on-prem is on record before it leaves (routing/dispatch.py): committed before the fake
cloud reads it, gone once its audit row is written, and turned into one `interrupted` audit row by the worker's
sweep when the process that sent it died (a real child process, killed with SIGKILL mid-stream)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from fakes.anthropic_server import FakeAnthropic
from fakes.common import Script
from routing.answer import SourcePassage
from routing.audit import CHAIN_LOCK, verify_chain
from routing.dispatch import audit_interrupted_dispatches
from routing.models import AuditEvent, Dispatch
from routing.services import answer_through_gate
from tests.api.conftest import make_key
from tests.api.gateway_clients import in_process, openai_client
from tests.conftest import FAKE_ANTHROPIC_KEY, FAKE_ANTHROPIC_MODEL, paced_cloud
from tests.routing.conftest import old_dispatch

EMAIL = "dana.cho@quillfern.example"
QUESTION = f"I am {EMAIL}: how do I roll back a deploy?"
PASSAGE = SourcePassage(
    chunk_id=7, document_id=3, title="Deploys", classification=1,
    text="Roll back a bad deploy from the deploy dashboard, then post in the deploys channel.",
)  # fmt: skip
ANSWER = "Write to [EMAIL_1]: roll back from the deploy dashboard [1]."
WAIT_S = 60


def wait_for(condition: Callable[[], Any], what: str, timeout_s: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.05)
    return found


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """`work` in a thread of its own, on its own database connection (closed after it); its result in the list."""
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, results


def cloud_calls(server: FakeAnthropic) -> int:
    return sum(r.path == "/v1/messages" for r in server.requests)


def test_the_dispatch_is_committed_before_the_cloud_reads_the_request_and_goes_with_the_audit_row(
    transactional_db, employee, cloud
) -> None:
    cloud.enqueue(Script(text=ANSWER, delay_first_byte=1.0))
    thread, answers = in_thread(
        lambda: answer_through_gate(question=QUESTION, passages=[PASSAGE], acting_user=employee)
    )

    wait_for(lambda: cloud_calls(cloud), "call to the cloud")
    # Read on this test's connection, not the asking thread's: it was committed before the request left.
    [dispatch] = Dispatch.objects.all()
    assert not AuditEvent.objects.exists()
    assert dispatch.calls == [{"target": "claude", "zone": "cloud"}]
    assert (dispatch.username, dispatch.acting_user_id, dispatch.pid) == (employee.username, employee.id, os.getpid())
    assert dispatch.question == "I am [EMAIL_1]: how do I roll back a deploy?"
    assert dispatch.findings == {"email": 1} and dispatch.redacted == {"email": 1}
    assert dispatch.passages == [{"n": 1, "chunk_id": 7, "document_id": 3, "classification": "internal"}]
    assert dispatch.decision["rule"] == "customer-data-private-first" and dispatch.policy_version
    assert EMAIL not in str(Dispatch.objects.values().get()) and PASSAGE.text not in str(
        Dispatch.objects.values().get()
    )

    thread.join(WAIT_S)
    [answer] = answers
    [event] = AuditEvent.objects.all()
    assert event.id == answer.audit_id and event.outcome == AuditEvent.Outcome.ANSWERED
    assert event.question == dispatch.question and event.decision == dispatch.decision
    assert not Dispatch.objects.exists()


def test_an_on_prem_answer_leaves_no_dispatch_record(transactional_db, employee, settings) -> None:
    settings.ANTHROPIC_API_KEY = ""  # the cloud is down: the extractive backend answers, in this process
    answer = answer_through_gate(question=QUESTION, passages=[PASSAGE], acting_user=employee)
    assert answer.backend == "extractive"
    assert not Dispatch.objects.exists() and AuditEvent.objects.count() == 1


def test_a_gateway_call_to_the_cloud_is_on_record_with_its_key_while_it_streams(transactional_db, employee, cloud):
    key = make_key(employee, "triage-tool").key
    cloud.enqueue(Script(text="Run the renew-certs job.", delay_first_byte=1.0))
    messages = [{"role": "user", "content": f"Ticket from {EMAIL}: how do I rotate the nginx certificates?"}]

    def call() -> Any:
        with in_process() as http:
            return openai_client(key, http).chat.completions.create(model="sluice-auto", messages=messages)

    thread, replies = in_thread(call)
    wait_for(lambda: cloud_calls(cloud), "call to the cloud")
    [dispatch] = Dispatch.objects.all()
    assert dispatch.api_key_name == "triage-tool" and dispatch.calls == [{"target": "claude", "zone": "cloud"}]
    assert dispatch.decision["gateway"]["endpoint"] == "chat.completions"
    assert EMAIL not in dispatch.question and "[EMAIL_1]" in dispatch.question
    thread.join(WAIT_S)
    [reply] = replies
    assert AuditEvent.objects.get().id == reply.model_extra["sluice"]["audit_id"]
    assert not Dispatch.objects.exists()


def test_a_dispatch_younger_than_the_setting_is_left_alone(db, employee) -> None:
    old_dispatch(employee, age_s=settings.INTERRUPTED_DISPATCH_SECONDS - 60)
    assert audit_interrupted_dispatches(older_than_s=settings.INTERRUPTED_DISPATCH_SECONDS) == 0
    assert Dispatch.objects.count() == 1 and not AuditEvent.objects.exists()


def test_the_periodic_job_audits_an_old_dispatch_as_interrupted_after_the_rows_before_it(db, employee) -> None:
    from procrastinate.contrib.django import app

    from routing.tasks import audit_interrupted_dispatches_job

    earlier = answer_through_gate(question="How do I roll back a deploy?", passages=[PASSAGE], acting_user=employee)
    dispatch = old_dispatch(employee, age_s=settings.INTERRUPTED_DISPATCH_SECONDS + 1)

    audit_interrupted_dispatches_job(timestamp=0)

    [event] = AuditEvent.objects.filter(outcome=AuditEvent.Outcome.INTERRUPTED)
    assert event.id > earlier.audit_id and not Dispatch.objects.exists()
    assert (event.username, event.question, event.decision) == (employee.username, dispatch.question, dispatch.decision)
    assert event.redacted == {"email": 1} and event.passages[0]["document_id"] == 3 and not event.passages[0]["cited"]
    assert [(a["target"], a["zone"], a["outcome"]) for a in event.attempts] == [("claude", "cloud", "interrupted")]
    assert "Sent to claude (cloud) by process 4242 on web-1" in event.refusal_reason
    assert event.get_outcome_display() == "Interrupted after it was sent"
    chain = verify_chain()
    assert chain.ok and chain.rows == 2, chain
    [periodic] = [
        p for p in app.periodic_registry.periodic_tasks.values() if p.task is audit_interrupted_dispatches_job
    ]
    assert (
        periodic.cron == settings.INTERRUPTED_DISPATCH_CRON and audit_interrupted_dispatches_job.queue == "maintenance"
    )


def test_two_sweeps_at_once_make_one_row(transactional_db, employee) -> None:
    old_dispatch(employee, age_s=settings.INTERRUPTED_DISPATCH_SECONDS + 1)
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            # The chain's lock held: the first sweep takes the record and waits to write its row.
            cursor.execute("SELECT pg_advisory_lock(%s)", [CHAIN_LOCK])
            first, first_done = in_thread(lambda: audit_interrupted_dispatches(older_than_s=0))
            wait_for(lambda: waiting_for_advisory_lock(), "sweep waiting for the chain's lock")
            second, second_done = in_thread(lambda: audit_interrupted_dispatches(older_than_s=0))
            second.join(WAIT_S)
            assert second_done == [0]  # the record was taken: nothing for it, and no wait either
            cursor.execute("SELECT pg_advisory_unlock(%s)", [CHAIN_LOCK])
        first.join(WAIT_S)
    finally:
        holder.close()
    assert first_done == [1]
    assert AuditEvent.objects.filter(outcome=AuditEvent.Outcome.INTERRUPTED).count() == 1
    assert not Dispatch.objects.exists() and verify_chain().ok


def waiting_for_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.slow
def test_a_process_killed_mid_stream_leaves_a_dispatch_that_becomes_one_interrupted_row(transactional_db, employee):
    """A real child process (manage.py shell, the test database) asks through a cloud that writes its answer over
    30 s and is killed with SIGKILL once the cloud has the request: no audit row, its dispatch record left; the
    sweep leaves it while it is young, then makes it one `interrupted` row, and the chain verifies."""
    script = textwrap.dedent(
        f"""
        from accounts.models import User
        from routing.answer import SourcePassage
        from routing.services import answer_through_gate
        passage = SourcePassage(chunk_id=7, document_id=3, title="Deploys", classification=1, text={PASSAGE.text!r})
        user = User.objects.get(username={employee.username!r})
        answer_through_gate(question={QUESTION!r}, passages=[passage], acting_user=user)
        print("answered")
        """
    )
    with paced_cloud(answer_seconds=30, text=ANSWER) as cloud:
        env = {
            "SLUICE_DATABASE_NAME": connection.settings_dict["NAME"], "ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY,
            "ANTHROPIC_BASE_URL": cloud.url, "ANTHROPIC_MODEL": FAKE_ANTHROPIC_MODEL, "LOCAL_LLM_BASE_URL": "",
        }  # fmt: skip
        child = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script], cwd=settings.BASE_DIR, env={**os.environ, **env},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for(lambda: cloud_calls(cloud) or child.poll() is not None, "call to the cloud", timeout_s=120)
            assert child.poll() is None, child.communicate()[1][-2000:]
            time.sleep(1)  # the answer streams
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert cloud_calls(cloud) == 1 and "answered" not in (child.stdout.read() if child.stdout else "")

    [dispatch] = Dispatch.objects.all()
    assert not AuditEvent.objects.exists() and dispatch.pid == child.pid
    assert audit_interrupted_dispatches(older_than_s=settings.INTERRUPTED_DISPATCH_SECONDS) == 0
    assert audit_interrupted_dispatches(older_than_s=0) == 1
    [event] = AuditEvent.objects.all()
    assert event.outcome == AuditEvent.Outcome.INTERRUPTED and event.username == employee.username
    assert event.question == "I am [EMAIL_1]: how do I roll back a deploy?"
    assert EMAIL not in str(AuditEvent.objects.values().get()) and PASSAGE.text not in event.question
    assert not Dispatch.objects.exists()
    chain = verify_chain()
    assert chain.ok and chain.rows == 1, chain


def test_a_call_that_cannot_be_put_on_record_is_not_made_and_the_answer_falls_back_on_prem(db, employee, cloud):
    # A real database error on the record's INSERT (a trigger), not a patched function.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_dispatch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'dispatch table unavailable'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_dispatch BEFORE INSERT ON {Dispatch._meta.db_table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_dispatch()"
        )
    cloud.enqueue(Script(text=ANSWER))

    answer = answer_through_gate(question=QUESTION, passages=[PASSAGE], acting_user=employee)

    assert cloud_calls(cloud) == 0  # not on record, so not sent
    assert answer.backend == "extractive"  # the Decision's on-prem rung answered
    assert answer.redacted_before_leaving == {}  # nothing left: the page must not say it was redacted for anyone
    event = AuditEvent.objects.get(id=answer.audit_id)
    assert [(a["target"], a["outcome"]) for a in event.attempts][:1] == [("claude", "not_recorded")]
    assert event.outcome != AuditEvent.Outcome.REFUSED and not Dispatch.objects.exists()
