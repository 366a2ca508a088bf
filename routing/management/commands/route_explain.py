"""Explain how the routing policy would decide a file of requests, without calling any model."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.explain import explain_request
from routing.policy.decide import Decision, Policy
from routing.policy.loader import PolicyError, load_policy
from routing.policy.versions import get_active_policy


def _as_text(n: int, decision: Decision, findings: dict[str, int]) -> str:
    route = " → ".join(f"{t.name} ({t.zone})" for t in decision.targets) or "nowhere"
    found = ", ".join(f"{k}×{v}" for k, v in sorted(findings.items())) or "none"
    head = (
        f"#{n} {decision.action}: {route}; {decision.data_class.label}; redact={decision.redact}; "
        f"on_failure={decision.on_failure}; rule {decision.rule_name}; findings: {found}"
    )
    return "\n".join([head, *(f"    {reason}" for reason in decision.reasons)])


class Command(BaseCommand):
    help = (
        "Decide a JSONL file of requests under the active (or a draft) policy and explain each decision; "
        "calls no model and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help='JSONL, one request a line: {"question", "user", "classifications", '
            '"workload", "health"}; "-" reads standard input',
        )
        parser.add_argument("--json", action="store_true", help="print one JSON decision per input line")
        parser.add_argument(
            "--policy", metavar="FILE", help="explain under this draft policy (YAML) instead of the active one"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        policy = self._policy(options["policy"])
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as e:
            raise CommandError(f"cannot read {name}: {e.strerror}") from None
        counts: Counter[str] = Counter()
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                if not isinstance(line, dict):
                    raise ValueError("each line must be a JSON object")
                explained = explain_request(line, policy)
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                raise CommandError(f"{name}:{number}: {e}") from None
            counts[str(explained.decision.action)] += 1
            if options["json"]:
                self.stdout.write(json.dumps(explained.as_json()))
            else:
                self.stdout.write(_as_text(number, explained.decision, explained.findings))
        summary = (
            f"{sum(counts.values())} requests under policy {policy.version}: "
            f"{counts['answer']} answered, {counts['refuse']} refused"
        )
        # With --json, stdout stays pure JSON lines.
        (self.stderr if options["json"] else self.stdout).write(summary)

    def _policy(self, path: str | None) -> Policy:
        try:
            if path is None:
                return get_active_policy(store_default=False)
            return load_policy(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise CommandError(f"cannot read {path}: {e.strerror}") from None
        except PolicyError as e:
            raise CommandError(f"the policy {path or '(active)'} is invalid:\n{e}") from None
