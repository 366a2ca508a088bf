"""Figures of the auditors' dashboard, aggregated in SQL over the audit trail of the last `days` days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from routing.models import REVIEW_OUTCOMES, AuditEvent

PERIODS = (7, 30, 90)
# Rows of the trail that are no request: an admin's review of a flagged passage (routing.models.REVIEW_OUTCOMES).
REQUESTS_ONLY = "outcome NOT IN ({})".format(", ".join(f"'{outcome}'" for outcome in REVIEW_OUTCOMES))

# The zone an answer came from: that of its successful (or cached) attempt; refusals and
# answers nobody finished have none.
ZONE_OF_EVENT = """
CASE WHEN e.outcome = 'refused' THEN 'refused' ELSE coalesce(
  (SELECT a->>'zone' FROM jsonb_array_elements(e.attempts) a
   WHERE a->>'outcome' IN ('ok', 'cache_hit') LIMIT 1), 'none') END
"""
ROUTES_PER_DAY = f"""
SELECT (e.created_at AT TIME ZONE %s)::date AS day, {ZONE_OF_EVENT} AS zone, count(*)
FROM routing_auditevent e WHERE e.created_at >= %s AND e.{REQUESTS_ONLY} GROUP BY 1, 2 ORDER BY 1
"""
LATENCY_PER_TARGET = """
SELECT a->>'target', a->>'zone', count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (a->>'latency_ms')::float),
       percentile_cont(0.95) WITHIN GROUP (ORDER BY (a->>'latency_ms')::float)
FROM routing_auditevent e, jsonb_array_elements(e.attempts) a
WHERE e.created_at >= %s AND a->>'outcome' = 'ok'
GROUP BY 1, 2 ORDER BY 1
"""
COST_PER_DAY = """
SELECT (created_at AT TIME ZONE %s)::date, workload, sum(cost_usd)
FROM routing_auditevent WHERE created_at >= %s GROUP BY 1, 2 ORDER BY 1
"""
# An answer given with the caveat that the passages may not answer exactly has the key "hedged" in its decision
# (routing.audit; the query log's filter reads the same key); one that found nothing has its own outcome. The
# columns are RateRow's fields, in order.
RATES_PER_DAY = f"""
SELECT (created_at AT TIME ZONE %s)::date, count(*),
       avg(CASE WHEN fallback_used THEN 1.0 ELSE 0.0 END),
       avg(CASE WHEN outcome = '{AuditEvent.Outcome.REFUSED.value}' THEN 1.0 ELSE 0.0 END),
       avg(CASE WHEN outcome = '{AuditEvent.Outcome.NOTHING_FOUND.value}' THEN 1.0 ELSE 0.0 END),
       avg(CASE WHEN decision ? 'hedged' THEN 1.0 ELSE 0.0 END)
FROM routing_auditevent WHERE created_at >= %s AND {REQUESTS_ONLY} GROUP BY 1 ORDER BY 1
"""
REDACTION_KINDS = """
SELECT r.key, sum(r.value::int) FROM routing_auditevent e, jsonb_each_text(e.redacted) r
WHERE e.created_at >= %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
"""


@dataclass(frozen=True)
class LatencyRow:
    target: str
    zone: str
    answers: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class RateRow:
    day: dt.date
    requests: int
    fallback_rate: float
    refusal_rate: float
    nothing_found_rate: float  # told that the documents hold nothing about it
    hedged_rate: float  # answered with the caveat that the passages may not answer exactly


@dataclass
class Dashboard:
    days: int
    since: dt.datetime
    routes: dict[dt.date, dict[str, int]] = field(default_factory=dict)  # day -> zone -> requests
    latency: list[LatencyRow] = field(default_factory=list)
    cost: dict[dt.date, dict[str, float]] = field(default_factory=dict)  # day -> workload -> USD
    rates: list[RateRow] = field(default_factory=list)
    redactions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def zones(self) -> dict[str, int]:
        """Requests by zone over the whole period (refused and unanswered included)."""
        total: dict[str, int] = defaultdict(int)
        for by_zone in self.routes.values():
            for zone, n in by_zone.items():
                total[zone] += n
        return dict(sorted(total.items(), key=lambda item: -item[1]))

    @property
    def total_requests(self) -> int:
        return sum(self.zones.values())

    @property
    def cloud_share(self) -> float | None:
        answered = {z: n for z, n in self.zones.items() if z in ("onprem", "private", "cloud")}
        return 100 * answered.get("cloud", 0) / sum(answered.values()) if answered else None

    @property
    def route_rows(self) -> list[tuple[dt.date, list[int]]]:
        """Each day's requests per zone, in the order of `zones`."""
        zones = list(self.zones)
        return [(day, [by_zone.get(z, 0) for z in zones]) for day, by_zone in sorted(self.routes.items())]

    @property
    def cost_days(self) -> list[tuple[dt.date, list[float]]]:
        """Each day's cost per workload, in the order of `workloads`."""
        return [(day, [by_w.get(w, 0.0) for w in self.workloads]) for day, by_w in sorted(self.cost.items())]

    @property
    def workloads(self) -> list[str]:
        return sorted({w for by_workload in self.cost.values() for w in by_workload})

    @property
    def total_cost(self) -> float:
        return sum(sum(by_workload.values()) for by_workload in self.cost.values())


PARTS = ("routes", "latency", "cost", "rates", "redactions")


def build_dashboard(days: int, *, parts: Iterable[str] = PARTS) -> Dashboard:
    """The figures of the dashboard for the last `days` days (days start at midnight, local time);
    `parts` limits the queries to those a chart needs."""
    tz = timezone.get_current_timezone_name()
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=days - 1)
    board = Dashboard(days=days, since=since)
    wanted = set(parts)
    with connection.cursor() as cursor:
        if "routes" in wanted:
            cursor.execute(ROUTES_PER_DAY, [tz, since])
            for day, zone, n in cursor.fetchall():
                board.routes.setdefault(day, {})[zone] = n
        if "latency" in wanted:
            cursor.execute(LATENCY_PER_TARGET, [since])
            board.latency = [LatencyRow(t, z, n, p50, p95) for t, z, n, p50, p95 in cursor.fetchall()]
        if "cost" in wanted:
            cursor.execute(COST_PER_DAY, [tz, since])
            for day, workload, cost in cursor.fetchall():
                board.cost.setdefault(day, {})[workload] = float(cost or 0.0)
        if "rates" in wanted:
            cursor.execute(RATES_PER_DAY, [tz, since])
            board.rates = [
                RateRow(day, n, float(fell_back), float(refused), float(nothing_found), float(hedged))
                for day, n, fell_back, refused, nothing_found, hedged in cursor.fetchall()
            ]
        if "redactions" in wanted:
            cursor.execute(REDACTION_KINDS, [since])
            board.redactions = [(kind, int(n)) for kind, n in cursor.fetchall()]
    return board
