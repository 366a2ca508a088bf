"""Upgrading a database that already holds audit rows keeps the chain verifiable."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from routing.audit import verify_chain


def test_rows_written_before_the_chain_are_chained_and_verify_after_every_migration(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate([("routing", "0003_audit_decisions"), ("accounts", "0001_initial")])
    old_apps = executor.loader.project_state([("routing", "0003_audit_decisions")]).apps
    OldEvent = old_apps.get_model("routing", "AuditEvent")
    for i in range(3):
        OldEvent.objects.create(
            username="erin", role="employee", question=f"question {i}", data_class=1, outcome="answered", latency_ms=1.0
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    report = verify_chain()
    assert report.ok and report.rows == 3
