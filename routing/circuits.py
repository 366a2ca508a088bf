"""Circuit-breaker state in PostgreSQL, so that every web process and every replica sees the same circuit:
pybreaker keeps its breaker's state in a storage object, and this one is a row per target (CircuitState).

Each call through a breaker reads the row once (its state) and, on success, clears the failure count only
when it is not already zero, so a healthy target costs one small read per call. Writes are single
statements (an increment is `failures = failures + 1`), so two processes counting at once lose no failure.
"""

from __future__ import annotations

from datetime import datetime

import pybreaker
from django.db import connection

from routing.models import CircuitState

_TABLE = CircuitState._meta.db_table
# One statement per write: the row is made with the database's defaults and this column's value, or updated.
_UPSERT = (
    f'INSERT INTO "{_TABLE}" AS c (target, {{column}}) VALUES (%s, {{first}}) '
    "ON CONFLICT (target) DO UPDATE SET {column} = {then}, updated_at = now()"
)


class SharedCircuitStorage(pybreaker.CircuitBreakerStorage):
    """pybreaker's storage for one target's breaker, in its CircuitState row (made when first written)."""

    def __init__(self, target: str) -> None:
        super().__init__(f"postgresql:{target}")
        self.target = target

    def _read(self, column: str) -> object:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {column} FROM "{_TABLE}" WHERE target = %s', [self.target])
            row = cursor.fetchone()
        return row[0] if row else None

    def _write(self, column: str, first: str, then: str, *values: object) -> None:
        """Set `column` to `first` in a new row, or to `then` in the existing one (`c` names the row)."""
        with connection.cursor() as cursor:
            cursor.execute(_UPSERT.format(column=column, first=first, then=then), [self.target, *values])

    @property
    def state(self) -> str:
        return str(self._read("state") or pybreaker.STATE_CLOSED)

    @state.setter
    def state(self, state: str) -> None:
        self._write("state", "%s", "EXCLUDED.state", state)

    def increment_counter(self) -> None:
        self._write("failures", "1", "c.failures + 1")

    def reset_counter(self) -> None:
        with connection.cursor() as cursor:  # no write (and no row) when there is nothing to clear
            cursor.execute(f'UPDATE "{_TABLE}" SET failures = 0 WHERE target = %s AND failures <> 0', [self.target])

    def increment_success_counter(self) -> None:
        self._write("successes", "1", "c.successes + 1")

    def reset_success_counter(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{_TABLE}" SET successes = 0 WHERE target = %s AND successes <> 0', [self.target])

    @property
    def counter(self) -> int:
        return int(self._read("failures") or 0)

    @property
    def success_counter(self) -> int:
        return int(self._read("successes") or 0)

    @property
    def opened_at(self) -> datetime | None:
        value = self._read("opened_at")
        return value if isinstance(value, datetime) else None

    @opened_at.setter
    def opened_at(self, when: datetime) -> None:
        self._write("opened_at", "%s", "EXCLUDED.opened_at", when)


def open_circuits() -> dict[str, datetime]:
    """The targets whose circuit is open now, with when it opened: one query for the whole policy."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT target, opened_at FROM \"{_TABLE}\" WHERE state = 'open' AND opened_at IS NOT NULL")
        return dict(cursor.fetchall())
