"""Rate limits shared by every web process: a counter per key and fixed window, in PostgreSQL.

One statement counts a request and reads the count (INSERT … ON CONFLICT DO UPDATE … RETURNING), so two
processes never both see the last free slot. Fixed windows let a burst of twice the limit straddle a
window's edge; for keeping one user from flooding the gate (and its audit log) that is enough.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection

from routing.models import RateWindow

_TABLE = RateWindow._meta.db_table
_COUNT = (
    f'INSERT INTO "{_TABLE}" (key, window_start, count) VALUES (%s, %s, 1) '
    f'ON CONFLICT (key, window_start) DO UPDATE SET count = "{_TABLE}".count + 1 RETURNING count'
)


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: int


class RateLimited(Exception):
    """Too many requests under one key; `retry_after` is how many seconds until the next window."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def take(key: str, limit: RateLimit, *, now: float | None = None) -> None:
    """Count one request under `key`. Raises RateLimited when the window already held `limit.requests`
    (the refused request is counted too, so hammering does not reopen it). A limit of 0 is no limit."""
    if limit.requests <= 0:
        return
    now = time.time() if now is None else now
    window = int(now // limit.per_seconds) * limit.per_seconds
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [key, window])
        (count,) = cursor.fetchone()
        if count == 1:  # a new window: the key's older ones are history
            cursor.execute(f'DELETE FROM "{_TABLE}" WHERE key = %s AND window_start < %s', [key, window])
    if count > limit.requests:
        retry_after = max(1, int(window + limit.per_seconds - now + 0.999))
        raise RateLimited(
            f"Too many requests: at most {limit.requests} every {limit.per_seconds} s. Try again in {retry_after} s.",
            retry_after=retry_after,
        )
