from __future__ import annotations

import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.clearance import Classification
from accounts.errors import WeakPassword
from accounts.models import User
from accounts.roles import Role
from accounts.services import upsert_user
from retrieval.errors import UploadRefused
from retrieval.parsing import ParseError
from retrieval.services import Outcome, ingest_file
from routing.models import TeamBudget

DEMO_DIR = settings.BASE_DIR / "demo"
# username -> (role, clearance, groups, settings name of the password); the employee's team is engineering.
DEMO_USERS = {
    "employee": (Role.EMPLOYEE, Classification.INTERNAL, ["engineering"], "DEMO_EMPLOYEE_PASSWORD"),
    "admin": (Role.ADMIN, Classification.RESTRICTED, [], "DEMO_ADMIN_PASSWORD"),
    "auditor": (Role.AUDITOR, Classification.RESTRICTED, [], "DEMO_AUDITOR_PASSWORD"),
}


# The demo team's monthly budget for cloud answers (change it with `manage.py set_budget`).
DEMO_TEAM, DEMO_TEAM_BUDGET_USD = "engineering", Decimal("20.00")


class Command(BaseCommand):
    help = "Create the demo accounts and ingest the demo corpus (idempotent: unchanged files are skipped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-corpus", action="store_true", help="create the accounts only")

    def handle(self, *args: Any, **options: Any) -> None:
        self._accounts()
        self._budgets()
        if not options["skip_corpus"]:
            self._corpus()

    def _budgets(self) -> None:
        team = Group.objects.get_or_create(name=DEMO_TEAM)[0]
        TeamBudget.objects.get_or_create(team=team, defaults={"monthly_limit_usd": DEMO_TEAM_BUDGET_USD})

    def _accounts(self) -> None:
        created_lines = []
        for username, (role, clearance, groups, password_setting) in DEMO_USERS.items():
            password = getattr(settings, password_setting)
            exists = User.objects.filter(username=username).exists()
            if exists and not password:
                continue  # keep the password printed when it was created
            password = password or secrets.token_urlsafe(12)
            team = groups[0] if groups else ""
            try:
                upsert_user(
                    username=username, role=role, clearance=clearance, groups=groups, password=password, team=team
                )
            except WeakPassword as exc:
                raise CommandError(f"{password_setting}: {exc.message}") from None
            if not exists:
                created_lines.append(f"  {username:9} {password:20} ({role.value}, clearance {clearance.label})")
        if created_lines:
            self.stdout.write("Demo accounts created (sign in at /accounts/login/):")
            self.stdout.write("\n".join(created_lines))
            self.stdout.write("Set DEMO_*_PASSWORD to choose them; run `manage.py add_user` to change them later.")

    def _corpus(self) -> None:
        manifest_path = DEMO_DIR / "manifest.yaml"
        try:
            manifest = yaml.safe_load(manifest_path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"cannot read the demo manifest {manifest_path}: {exc}") from None
        counts = {"ingested": 0, "unchanged": 0, "failed": 0}
        for entry in manifest["documents"]:
            path = DEMO_DIR / "corpus" / entry["path"]
            try:
                result = ingest_file(
                    filename=Path(entry["path"]).name,
                    content=path.read_bytes(),
                    classification=Classification.parse(entry["classification"]),
                    group_names=entry.get("groups") or [],
                )
            except (OSError, ParseError, UploadRefused) as exc:
                counts["failed"] += 1
                self.stderr.write(f"demo document {path} failed: {exc}")
                continue
            counts["unchanged" if result.outcome == Outcome.UNCHANGED else "ingested"] += 1
        self.stdout.write(
            f"Demo corpus: {counts['ingested']} ingested, {counts['unchanged']} unchanged, {counts['failed']} failed"
        )
