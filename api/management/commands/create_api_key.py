from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.api_keys import issue_api_key, upsert_service_account
from accounts.clearance import Classification
from accounts.errors import AccountError
from accounts.models import User
from api.endpoints import parse_endpoints
from routing.management.commands.purge_audit import parse_age
from routing.policy.versions import workload_choices


class Command(BaseCommand):
    help = (
        "Create an API key for a user (it acts as them) or for a service account (created or updated with the "
        "given team, workload, clearance ceiling and reader groups). The key is printed once and stored hashed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="a person's username: the key acts as them, never above their clearance")
        who.add_argument("--service", help="a service account's name (created if new)")
        parser.add_argument("--team", default="", help="service: the team whose budget pays for its cloud answers")
        parser.add_argument(
            "--workload",
            help="service: the workload its requests declare (interactive, batch, ci, or one the policy names)",
        )
        parser.add_argument(
            "--clearance", help="service: the highest classification it may read (public ... restricted)"
        )
        parser.add_argument("--groups", default="", help="service: comma-separated reader groups")
        parser.add_argument("--name", default="", help="what the key is for, shown in the audit log")
        parser.add_argument("--expires", default=None, help="lifetime, e.g. 30d or 12h (default: no expiry)")
        parser.add_argument("--endpoints", default="", help="allow only these endpoints, e.g. ask,search")
        parser.add_argument("--json", action="store_true", help='print {"id", "key", "expires"} on stdout')

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            endpoints = parse_endpoints(options["endpoints"])
        except ValueError as exc:
            raise CommandError(f"--endpoints: {exc}") from None
        expires = timezone.now() + parse_age(options["expires"], flag="--expires") if options["expires"] else None
        user = self._service(options) if options["service"] else self._person(options)
        try:
            issued = issue_api_key(
                user=user, name=options["name"] or f"{user.username} key", expires_at=expires, endpoints=endpoints
            )
        except AccountError as exc:
            raise CommandError(exc.message) from None
        summary = {
            "id": issued.api_key.id,
            "key": issued.key,
            "expires": expires.isoformat() if expires else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            until = f", expires {summary['expires']}" if expires else ", no expiry"
            self.stdout.write(f"API key {issued.api_key.id} for {user.username}{until} (shown once): {issued.key}")

    def _person(self, options: dict[str, Any]) -> User:
        for flag in ("workload", "clearance", "team", "groups"):
            if options[flag]:
                raise CommandError(f"--{flag} is for --service: a personal key acts as its user, as they are")
        user = User.objects.filter(username=options["user"], is_service=False).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}: create them with add_user first")
        return user

    def _service(self, options: dict[str, Any]) -> User:
        missing = [f"--{flag}" for flag in ("team", "workload", "clearance") if not options[flag]]
        if missing:
            raise CommandError(f"--service needs {', '.join(missing)}")
        try:
            clearance = Classification.parse(options["clearance"])
        except ValueError as exc:
            raise CommandError(f"--clearance: {exc}") from None
        known = [name for name, _ in workload_choices()]
        if options["workload"] not in known:
            raise CommandError(
                f"--workload {options['workload']!r}: use one of {', '.join(known)} (a policy's workloads: list)"
            )
        groups = sorted({g.strip() for g in options["groups"].split(",") if g.strip()})
        try:
            return upsert_service_account(
                name=options["service"],
                team=options["team"],
                workload=options["workload"],
                clearance=clearance,
                groups=groups,
            )
        except AccountError as exc:
            raise CommandError(exc.message) from None
