"""The audit trail: one row per question, written in the same transaction as the answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who asked what, which passages were used (with their classification), and how it was answered."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NOTHING_FOUND = "nothing_found", "Nothing relevant found"
        REFUSED = "refused", "Refused"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=16)
    # The question as redacted: findings replaced by placeholders, never restored here.
    question = models.TextField()
    findings = models.JSONField(default=dict)  # counts by kind, never values
    # [{"n", "chunk_id", "document_id", "classification", "cited"}]: the passages sent, in citation order.
    passages = models.JSONField(default=list)
    data_class = models.PositiveSmallIntegerField()
    policy_version = models.CharField(max_length=100, blank=True)
    decision = models.JSONField(default=dict)  # action, rule, targets, redact, max_passages, on_failure, reasons
    attempts = models.JSONField(default=list)  # [{"target", "zone", "model", "outcome", "latency_ms", tokens, cost}]
    backend = models.CharField(max_length=64, blank=True)  # the target that answered
    model = models.CharField(max_length=200, blank=True)  # as the backend reported it
    fallback_used = models.BooleanField(default=False)
    redacted = models.JSONField(default=dict)  # counts by kind of what was replaced before it left
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    refusal_reason = models.TextField(blank=True)
    latency_ms = models.FloatField()
    # The hash chain (routing/audit.py): each row's hash covers its content and the previous row's hash.
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class AuditAnchor(models.Model):
    """Where the audit chain starts after a purge: the last purged row's id and hash."""

    purged_through_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    purged_rows = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class PolicyVersion(models.Model):
    """One stored version of the routing policy (YAML text); at most one is active."""

    version = models.CharField(max_length=100, unique=True)
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy_version"
            )
        ]

    def __str__(self) -> str:
        return self.version


class PolicyChange(models.Model):
    """Who changed the active policy, when, and from which version to which."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept as text so the record survives the user's deletion; empty when the system acted.
    username = models.CharField(max_length=150, blank=True)
    from_version = models.CharField(max_length=100, blank=True)
    to_version = models.CharField(max_length=100)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
