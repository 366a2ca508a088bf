"""Retention runs by itself: the history and audit purges are periodic jobs on the queue, on RETENTION_CRON."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from procrastinate.contrib.django import app

from assistant.models import HistoryEntry
from assistant.tasks import purge_history_job
from operations.management.commands.serve import WORKER_QUEUES
from routing.models import AuditAnchor, AuditEvent
from routing.services import answer_question
from routing.tasks import purge_audit_job


def periodic(task):  # type: ignore[no-untyped-def]
    [found] = [p for p in app.periodic_registry.periodic_tasks.values() if p.task is task]
    return found


def test_both_purges_are_scheduled_on_the_retention_cron_on_a_queue_the_served_worker_reads(settings) -> None:
    for task in (purge_history_job, purge_audit_job):
        assert periodic(task).cron == settings.RETENTION_CRON == "17 3 * * *"
        assert task.queue in WORKER_QUEUES.split(",")


def test_the_history_job_deletes_entries_past_the_retention_unless_it_is_off(employee, settings) -> None:
    old = HistoryEntry.objects.create(owner=employee, question="old", text="a", audit_id=1)
    HistoryEntry.objects.filter(id=old.id).update(created_at=timezone.now() - dt.timedelta(days=31))
    recent = HistoryEntry.objects.create(owner=employee, question="recent", text="b", audit_id=2)

    settings.HISTORY_RETENTION_DAYS = 0  # off: the job keeps everything (the command refuses 0)
    purge_history_job(timestamp=0)
    assert HistoryEntry.objects.count() == 2

    settings.HISTORY_RETENTION_DAYS = 30
    purge_history_job(timestamp=0)

    assert list(HistoryEntry.objects.values_list("id", flat=True)) == [recent.id]


def test_the_audit_job_keeps_everything_unless_a_retention_is_set(employee, settings) -> None:
    first = answer_question(question="how do I roll back?", acting_user=employee)
    AuditEvent.objects.filter(id=first.audit_id).update(created_at=timezone.now() - dt.timedelta(days=400))
    answer_question(question="how do I deploy?", acting_user=employee)

    settings.AUDIT_RETENTION_DAYS = 0
    purge_audit_job(timestamp=0)
    assert AuditEvent.objects.count() == 2

    settings.AUDIT_RETENTION_DAYS = 365
    purge_audit_job(timestamp=0)
    assert AuditEvent.objects.count() == 1 and AuditAnchor.objects.get().purged_through_id == first.audit_id
