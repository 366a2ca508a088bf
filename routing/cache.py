"""The response cache: a model's answer reused for the same request, never across access scopes.

The key is a SHA-256 over everything that shapes the answer or who may see it:
the bundle exactly as the targets see it (redacted question, passage ids and
texts), the policy version and rule, the targets with their models, and the
caller's access scope (clearance and reader groups). Two callers share an entry
only when they may read the same passages; a changed document has new chunk
ids and text, so it misses (its old entries, unreachable, expire with the TTL).
Answers are kept with their placeholders, and restored with each request's own
vault; the gate keeps only answers in which inspection finds nothing in the clear.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from routing.backends.base import Bundle
from routing.models import CachedAnswer
from routing.policy.decide import Decision, Target


@dataclass(frozen=True)
class Scope:
    """What a caller may read: the part of the caller that the cache key holds."""

    clearance: int
    groups: tuple[str, ...]


def cache_key(bundle: Bundle, decision: Decision, models: Sequence[tuple[Target, str]], scope: Scope) -> str:
    """The entry's key; `models` pairs each target of the Decision with the model it is configured for."""
    content = {
        "question": bundle.question,
        "passages": [
            [p.n, p.chunk_id, p.document_id, hashlib.sha256(p.text.encode()).hexdigest()] for p in bundle.passages
        ],
        "policy": [decision.policy_version, decision.rule_name, decision.redact, decision.max_passages],
        "targets": [[t.name, t.backend, str(t.zone), model] for t, model in models],
        "scope": [scope.clearance, sorted(scope.groups)],
    }
    if bundle.previous_question:  # a follow-up; keys of questions asked alone stay as they were
        content["previous_question"] = bundle.previous_question
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def enabled() -> bool:
    return settings.RESPONSE_CACHE_TTL_S > 0


def lookup(key: str) -> CachedAnswer | None:
    """The live entry for `key`, counting the hit; None on a miss or when the cache is off."""
    if not enabled():
        return None
    entry = CachedAnswer.objects.filter(key=key, expires_at__gt=timezone.now()).first()
    if entry is not None:
        CachedAnswer.objects.filter(key=key).update(hits=F("hits") + 1)
    return entry


def store(key: str, *, text: str, target: Target, model: str, attributed: Sequence[int] = ()) -> None:
    """Keep an answer for RESPONSE_CACHE_TTL_S, with the passages it was attributed to when it cites none
    (routing.grounding.attribute); expired entries are dropped on the way."""
    if not enabled():
        return
    now = timezone.now()
    CachedAnswer.objects.filter(expires_at__lte=now).delete()
    CachedAnswer.objects.update_or_create(
        key=key,
        defaults={
            "text": text,
            "target": target.name,
            "zone": str(target.zone),
            "model": model,
            "attributed": list(attributed),
            "expires_at": now + timedelta(seconds=settings.RESPONSE_CACHE_TTL_S),
            "hits": 0,
        },
    )
