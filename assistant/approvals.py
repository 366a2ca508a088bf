"""The asker's side of a request held for approval: once an approver's approval sent it, the answer takes the
place of the "held" entry in the asker's history (routing.approvals sends held_request_answered)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from assistant.models import HistoryEntry
from assistant.services import shown_answer
from routing.answer import GatedAnswer
from routing.approvals import held_request_answered
from routing.models import HeldRequest


@receiver(held_request_answered, dispatch_uid="assistant.keep_approved_answer")
def keep_approved_answer(sender: Any, *, held: HeldRequest, answer: GatedAnswer, **kwargs: Any) -> None:
    """The asker's history entry of `held` now holds its answer, restored, as any answer."""
    HistoryEntry.objects.filter(held_request=held).update(**shown_answer(answer))
