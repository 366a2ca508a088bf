"""`manage.py bench`: one JSON object of figures, and nothing written."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

from accounts.models import User
from benchmarks.gate import two_kb_question
from routing.inspection import inspect_text
from routing.models import AuditEvent


def test_bench_prints_its_figures_and_leaves_no_trace(db):
    out = StringIO()

    call_command("bench", "--requests", "3", stdout=out)

    result = json.loads(out.getvalue())
    overhead = result["gate_overhead_ms"]
    assert overhead["n"] == 3 and 0 < overhead["median"] <= overhead["p95"]
    assert result["redaction_texts_per_s"]["sluice"] > 0 and result["rss_mb"] > 0
    assert not AuditEvent.objects.exists() and not User.objects.filter(username="bench-gate").exists()


def test_the_benchmark_question_is_2_kb_with_a_typical_mix_of_findings():
    question = two_kb_question()

    kinds = {f.kind for f in inspect_text(question)}

    assert len(question) == 2048
    assert {"email", "phone", "payment_card", "iban", "ip_address", "person"} <= kinds
