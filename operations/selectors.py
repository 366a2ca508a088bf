"""What the backends page shows: each policy target's health, load, circuit and today's figures; team budgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from routing import resilience
from routing.backends import configured_backends
from routing.budgets import BudgetStatus, budget_statuses
from routing.load import read_load
from routing.policy.decide import Target
from routing.policy.versions import get_active_policy

# Per target, today's tries from the audit trail, aggregated in SQL over each row's attempts.
ATTEMPTS_TODAY_SQL = """
SELECT a->>'target' AS target,
       count(*) AS tries,
       count(*) FILTER (WHERE a->>'outcome' NOT IN ('ok', 'cache_hit', 'no_evidence')) AS failures,
       count(*) FILTER (WHERE a->>'outcome' = 'cache_hit') AS cache_hits,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY (a->>'latency_ms')::float)
           FILTER (WHERE a->>'outcome' = 'ok') AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY (a->>'latency_ms')::float)
           FILTER (WHERE a->>'outcome' = 'ok') AS p95,
       coalesce(sum((a->>'cost_usd')::float), 0) AS cost
FROM routing_auditevent e, jsonb_array_elements(e.attempts) a
WHERE e.created_at >= %s
GROUP BY 1
"""


@dataclass(frozen=True)
class TargetRow:
    target: Target
    configured: bool
    health: str  # "up", "down" or "not configured"
    health_detail: str
    # Its server's queue as this process last read it (routing/load.py), "" when it reports none or was not
    # probed; `saturated`: why the policy counts it saturated now ("" when it does not).
    load: str
    saturated: str
    circuit: resilience.CircuitState
    tries_today: int
    failures_today: int
    cache_hits_today: int
    p50_ms: float | None
    p95_ms: float | None
    cost_today_usd: float


def start_of_today() -> datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def list_targets(*, probe: bool) -> list[TargetRow]:
    """Every target of the active policy. With `probe`, each configured backend is asked whether it is up
    (a short request to its server: at most a few seconds each); otherwise health is not checked."""
    policy = get_active_policy()
    enabled = set(configured_backends())
    with connection.cursor() as cursor:
        cursor.execute(ATTEMPTS_TODAY_SQL, [start_of_today()])
        today = {row[0]: row[1:] for row in cursor.fetchall()}
    rows = []
    for target in policy.targets:
        configured = target.in_process or target.backend in enabled
        health, detail = ("not configured", "") if not configured else ("not checked", "")
        load = saturated = ""
        if configured and probe:
            backend = resilience.backend_for(target, policy_version=policy.version, custom=policy.custom_patterns)
            checked = backend.health()
            health, detail = ("up" if checked.ok else "down"), checked.detail
            if backend.metrics_url():
                reading = read_load(target, policy)
                load = str(reading)
                saturated = target.saturated_when.exceeded(reading) if target.saturated_when else ""
        tries, failures, hits, p50, p95, cost = today.get(target.name, (0, 0, 0, None, None, 0.0))
        rows.append(
            TargetRow(
                target=target,
                configured=configured,
                health=health,
                health_detail=detail,
                load=load,
                saturated=saturated,
                circuit=resilience.circuit_state(target.name),
                tries_today=tries,
                failures_today=failures,
                cache_hits_today=hits,
                p50_ms=p50,
                p95_ms=p95,
                cost_today_usd=float(cost),
            )
        )
    return rows


def list_budgets() -> list[BudgetStatus]:
    """Every team with a budget, or with members billed to it, with this month's spend."""
    teams = Group.objects.filter(budget__isnull=False) | Group.objects.filter(members_billed__isnull=False)
    return list(budget_statuses(teams.distinct().order_by("name")).values())
