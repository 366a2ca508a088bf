from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.api_keys import revoke_api_key
from accounts.models import ApiKey


class Command(BaseCommand):
    help = "Revoke an API key at once; its next request gets 401. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="the key's id, as create_api_key printed it")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_key = revoke_api_key(key_id=options["id"])
        except ApiKey.DoesNotExist:
            raise CommandError(f"No API key {options['id']}") from None
        if options["json"]:
            self.stdout.write(json.dumps({"id": api_key.id, "revoked_at": api_key.revoked_at.isoformat()}))
        else:
            self.stdout.write(f"Revoked API key {api_key.id} ({api_key.name}) at {api_key.revoked_at:%Y-%m-%d %H:%M}")
