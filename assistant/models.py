"""What an employee keeps of their own asking: their conversations, the history of their questions and
answers (each a turn of a conversation), and their feedback on each answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.clearance import Classification
from routing.answer import zone_label
from routing.models import AuditEvent, HeldRequest

TITLE_CHARS = 200


class Conversation(models.Model):
    """A user's questions that follow one another on the ask page; its turns are HistoryEntry rows.

    Its owner's alone, as the history is (every read filters on `owner` in SQL). `data_class` is the
    highest class any of its turns was decided at (from the audited Decision) and never goes down: the
    next turn is decided at that class at least. `held_secret`: a turn held a secret, which keeps the rest
    of the conversation on-prem (docs/conversations.md says why).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    title = models.CharField(max_length=TITLE_CHARS)  # its first question, as typed, shortened
    data_class = models.PositiveSmallIntegerField(choices=Classification.choices, null=True, blank=True)
    held_secret = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # its last turn

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at", "-id"], name="conversation_owner_newest")]

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def sticky_label(self) -> str:
        """The class its next turn is treated as at least, when that is confidential or above; else ""."""
        if self.held_secret:
            return Classification.RESTRICTED.label
        if self.data_class is not None and self.data_class >= Classification.CONFIDENTIAL:
            return Classification(self.data_class).label
        return ""


class HistoryEntry(models.Model):
    """One question a user asked and the answer they were shown, kept for that user alone.

    This is the one place in Sluice where a question rests as it was typed: the audit log keeps
    it redacted, because auditors read it, and the bundle that may leave is redacted too. The
    history is the user's own record, like the documents they upload: every read of it filters
    on `owner` in SQL (anyone else's entry is a 404), its owner may delete one entry or all, and
    `purge_history` deletes entries older than HISTORY_RETENTION_DAYS.

    The answer is kept as shown (placeholders restored), with the facts of its route badge.
    Citations keep the title and heading the user saw; opening one goes through the passage view,
    which checks the reader's access again at that moment.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_entries")
    # The conversation it is a turn of; None for entries kept before conversations (each its own).
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="turns"
    )
    question = models.TextField()
    text = models.TextField()  # the answer as shown
    # [{"n", "chunk_id", "document_id", "title", "heading_path", "classification", "classification_label"}]
    citations = models.JSONField(default=list)
    route = models.TextField(blank=True)  # the route line: where it was answered and why
    backend = models.CharField(max_length=64, blank=True)
    zone = models.CharField(max_length=16, blank=True)
    model = models.CharField(max_length=200, blank=True)
    refused = models.BooleanField(default=False)
    fell_back = models.BooleanField(default=False)
    cut_off = models.BooleanField(default=False)
    cache_hit = models.BooleanField(default=False)
    redacted = models.JSONField(default=dict)  # counts by kind of what was replaced before it left (if it did)
    notices = models.JSONField(default=list)
    carried_class = models.CharField(max_length=16, blank=True)  # GatedAnswer.carried_class: the route badge
    latency_ms = models.FloatField(default=0.0)
    # A number, not a foreign key: the audit log has its own retention (purge_audit), and the
    # user's record of which request it was outlives it.
    audit_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Held for approval (routing.approvals): its state is read from there; once sent, this entry is the answer.
    held_request = models.ForeignKey(HeldRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="history_owner_newest")]
        verbose_name_plural = "history entries"

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def zone_label(self) -> str:
        return zone_label(self.zone)

    @property
    def held_state(self) -> str:
        """Where a request held for approval stands, in a sentence; empty when it was never held or was answered."""
        held = self.held_request
        if held is None or held.state == HeldRequest.State.SENT:
            return ""
        if held.state == HeldRequest.State.HELD:
            return f"Awaiting approval by {' or '.join(held.approvers)} until {held.expires_at:%Y-%m-%d %H:%M} UTC."
        if held.state == HeldRequest.State.APPROVED:
            return f"Approved by {held.decided_by_name}; it is sent as soon as an allowed model is up."
        if held.state == HeldRequest.State.SENDING:
            return f"Approved by {held.decided_by_name}; it is being sent."
        if held.state == HeldRequest.State.DENIED:
            return f"Denied by {held.decided_by_name}: {held.reason} Nothing was sent."
        if held.reason == HeldRequest.SENT_THEN_STOPPED:
            return f"Expired: {held.reason}"
        return f"Expired: {held.reason} Nothing was sent."

    @property
    def redacted_before_leaving(self) -> dict[str, int]:
        """As the answer card reads it: kept only when the bundle left on-prem (see GatedAnswer)."""
        return self.redacted


class Feedback(models.Model):
    """The asker's thumbs up or down on one answer, with an optional comment; one per user and answer,
    changed in place when they vote again.

    Linked to the answer's audit row, and shown to auditors with it, so the comment is stored only
    redacted (inspected, findings replaced by placeholders): never the raw text. It is deleted with
    its audit row when the log is purged.
    """

    class Vote(models.TextChoices):
        UP = "up", "Helpful"
        DOWN = "down", "Not helpful"

    audit_event = models.ForeignKey(AuditEvent, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    vote = models.CharField(max_length=4, choices=Vote.choices)
    comment = models.TextField(blank=True)  # redacted; never the text as typed
    comment_findings = models.JSONField(default=dict)  # counts by kind of what was replaced, never values
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["audit_event", "user"], name="feedback_one_per_user_answer")]

    def __str__(self) -> str:
        return f"{self.username}: {self.vote} on request #{self.audit_event_id}"
