"""`manage.py purge_history`: deletes history entries past HISTORY_RETENTION_DAYS, and nothing else."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from assistant.models import HistoryEntry


def entry(owner: User, *, days_old: float) -> HistoryEntry:
    made = HistoryEntry.objects.create(owner=owner, question=f"{days_old} days old", text="answer", audit_id=1)
    HistoryEntry.objects.filter(id=made.id).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    return made


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_history", *args, stdout=out)
    return out.getvalue().strip()


def test_entries_older_than_the_retention_are_deleted_for_every_user(employee: User, contractor: User) -> None:
    kept = [entry(employee, days_old=1).id, entry(contractor, days_old=89).id]
    entry(employee, days_old=91)
    entry(contractor, days_old=400)

    assert purge() == "purged 2 history entries older than 90 days"
    assert sorted(HistoryEntry.objects.values_list("id", flat=True)) == sorted(kept)


def test_running_it_again_deletes_nothing_more(employee: User) -> None:
    entry(employee, days_old=100)
    entry(employee, days_old=3)

    purge()

    assert purge() == "purged 0 history entries older than 90 days"
    assert HistoryEntry.objects.count() == 1


def test_the_retention_comes_from_the_setting(settings: Any, employee: User) -> None:
    settings.HISTORY_RETENTION_DAYS = 30
    entry(employee, days_old=31)
    entry(employee, days_old=29)

    assert purge() == "purged 1 history entries older than 30 days"


def test_days_on_the_command_line_override_the_setting(employee: User) -> None:
    entry(employee, days_old=8)

    assert purge("--days", "7") == "purged 1 history entries older than 7 days"


@pytest.mark.parametrize("days", ["0", "-5"])
def test_a_retention_under_one_day_is_refused(employee: User, days: str) -> None:
    entry(employee, days_old=2)

    with pytest.raises(CommandError, match="at least 1 day"):
        purge("--days", days)
    assert HistoryEntry.objects.count() == 1
