from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.clearance import Classification
from accounts.models import User
from retrieval.selectors import SEARCH_MODES, get_reader, search_passages


class Command(BaseCommand):
    help = "Search the knowledge base as a user: only passages that user may read are returned."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--user", required=True, help="username whose access applies")
        parser.add_argument("--k", type=int, default=10, help="number of passages (default 10)")
        parser.add_argument("--mode", choices=SEARCH_MODES, default="hybrid", help="ranking (default hybrid)")
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}: create one with `manage.py add_user`")
        if options["k"] < 1:
            raise CommandError("--k must be at least 1")
        response = search_passages(get_reader(user), options["query"], k=options["k"], mode=options["mode"])
        results = [
            {
                "document_id": p.document_id,
                "title": p.title,
                "chunk_id": p.chunk_id,
                "classification": Classification(p.classification).label,
                "score": p.score,
                "text": p.text,
            }
            for p in response.passages
        ]
        if options["json"]:
            self.stdout.write(json.dumps({"results": results, "ms": round(response.ms, 2)}))
            return
        for i, r in enumerate(results, 1):
            self.stdout.write(f"{i:2}. [{r['score']:.3f}] {r['title']} ({r['classification']}) chunk {r['chunk_id']}")
        self.stdout.write(f"{len(results)} results in {response.ms:.1f} ms")
