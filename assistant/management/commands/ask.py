from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from assistant.services import answer_question
from routing.policy.decide import Workload
from routing.rate_limits import RateLimited


class Command(BaseCommand):
    help = "Ask a question as a user and print the cited answer (audited like a question in the web page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question")
        parser.add_argument("--user", required=True, help="username who asks")
        parser.add_argument(
            "--workload",
            default=Workload.INTERACTIVE.value,
            choices=[w.value for w in Workload],
            help="who asks: a person (interactive), a batch job, or an automated pipeline (ci: on-prem only)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}: create one with `manage.py add_user`")
        if not options["question"].strip():
            raise CommandError("the question is empty")
        try:
            kept = answer_question(question=options["question"], acting_user=user, workload=options["workload"])
        except RateLimited as limited:
            raise CommandError(f"{limited.message} (ASK_RATE_LIMIT_PER_MINUTE counts this user's questions)") from None
        answer = kept.answer
        citations = [
            {
                "n": c.n,
                "document_id": c.document_id,
                "title": c.title,
                "chunk_id": c.chunk_id,
                "attributed": c.attributed,
            }
            for c in answer.citations
        ]
        # An answer that found nothing: the documents that came closest, not cited (GatedAnswer.closest).
        closest = [{"document_id": c.document_id, "title": c.title, "chunk_id": c.chunk_id} for c in answer.closest]
        if options["json"]:
            payload = {
                "answer": answer.text,
                "citations": citations,
                "closest": closest,
                "backend": answer.backend,
                "route": answer.route,
                "refused": answer.refused,
                "notices": list(answer.notices),
                "redacted": answer.redacted_before_leaving,
                "cache_hit": answer.cache_hit,
                "declined": answer.declined,
                "citations_removed": answer.citations_removed,
                "audit_id": answer.audit_id,
            }
            self.stdout.write(json.dumps(payload))
            return
        for notice in answer.notices:
            self.stdout.write(f"Note: {notice}")
        self.stdout.write(answer.text)
        if answer.citations_removed:
            self.stdout.write(f"({answer.citations_removed} citation(s) of passages that were not given removed)")
        for c in citations:
            mark = " (attributed: the model cited no passage)" if c["attributed"] else ""
            self.stdout.write(f"  [{c['n']}] {c['title']} (chunk {c['chunk_id']}){mark}")
        for c in closest:
            self.stdout.write(f"  closest, not cited: {c['title']} (chunk {c['chunk_id']})")
        self.stdout.write(answer.route)
