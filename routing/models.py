"""The audit trail: one row per question, written in the same transaction as the answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Now

from routing.policy.decide import Workload


class AuditEvent(models.Model):
    """Who asked what, which passages were used (with their classification), and how it was answered."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NOTHING_FOUND = "nothing_found", "Nothing relevant found"
        REFUSED = "refused", "Refused"
        CUT_OFF = "cut_off", "Cut off mid-answer"
        WITHHELD = "withheld", "Withheld"
        # Requests held for approval (routing/approvals.py): each step is a row of the chain.
        HELD = "held", "Held for approval"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired unapproved"
        # Sent outside on-prem by a process that died before the answer ended (routing/dispatch.py).
        INTERRUPTED = "interrupted", "Interrupted after it was sent"
        # An admin's review of a passage flagged as injected instructions (library/services.py): not a request.
        FLAG_CLEARED = "flag_cleared", "Injection flag cleared"
        FLAG_RESTORED = "flag_restored", "Injection flag restored"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=16)
    # The built-in workloads are choices (their labels show); a policy's own names are stored as they are.
    workload = models.CharField(max_length=32, choices=Workload.choices, default=Workload.INTERACTIVE)
    team = models.CharField(max_length=150, blank=True)  # whose budget paid; empty when the user has no team
    # The question as redacted: findings replaced by placeholders, never restored here.
    question = models.TextField()
    findings = models.JSONField(default=dict)  # counts by kind, never values
    # [{"n", "chunk_id", "document_id", "classification", "cited", "attributed"}]: the passages sent, in
    # citation order; "attributed" (rows since it was added) when the model cited nothing and the gate
    # matched its answer to the passage.
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
    cost_usd = models.FloatField(default=0.0)  # of every attempt, at the backends' prices
    cache_hit = models.BooleanField(default=False)  # the answer was reused from the response cache
    latency_ms = models.FloatField()
    # The hash chain (routing/audit.py): each row's hash covers its content and the previous row's hash.
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    # The API key that made the request (accounts.ApiKey), as it was: no foreign key, so that deleting the
    # key never rewrites a chained row. None and "" for the pages and the commands.
    api_key_id = models.BigIntegerField(null=True, blank=True)
    api_key_name = models.CharField(max_length=100, blank=True)
    # Which fields the hash covers (routing/audit.py): rows written before a field existed keep their version.
    hash_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "created_at"], name="audit_team_month")]


# Rows of the audit chain that are an admin's review of a flagged passage, not a request.
REVIEW_OUTCOMES = (AuditEvent.Outcome.FLAG_CLEARED, AuditEvent.Outcome.FLAG_RESTORED)


class Dispatch(models.Model):
    """A request on its way to a target outside on-prem, committed before anything is sent and deleted in the
    transaction of the request's audit row (routing/dispatch.py): one of the two always exists. One left
    behind was sent by a process that died; the worker turns it into an `interrupted` audit row.

    It holds what that row needs and no more than record_answer stores: the question as redacted, counts of
    findings and redactions, the passages' ids and classes (never their text)."""

    request_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=16)
    api_key_id = models.BigIntegerField(null=True, blank=True)
    api_key_name = models.CharField(max_length=100, blank=True)
    workload = models.CharField(max_length=32)
    team = models.CharField(max_length=150, blank=True)
    question = models.TextField()  # as the audit row keeps it: redacted
    findings = models.JSONField(default=dict)  # counts by kind
    passages = models.JSONField(default=list)  # [{"n", "chunk_id", "document_id", "classification"}]
    data_class = models.PositiveSmallIntegerField()
    policy_version = models.CharField(max_length=100, blank=True)
    decision = models.JSONField(default=dict)  # as the audit row keeps it
    redacted = models.JSONField(default=dict)  # counts by kind of what was replaced before it left
    calls = models.JSONField(default=list)  # [{"target", "zone"}], one per call made outside on-prem, in order
    host = models.CharField(max_length=255, blank=True)  # the process that sent it
    pid = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"dispatch {self.request_id} of {self.username}"


class AuditAnchor(models.Model):
    """Where the audit chain starts after a purge: the last purged row's id and hash."""

    purged_through_id = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    purged_rows = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # HMAC-SHA256 of the fields above under AUDIT_CHAIN_KEY (routing/audit.py); empty on anchors made before it.
    hmac = models.CharField(max_length=64, blank=True, default="")

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


class TeamBudget(models.Model):
    """A team's monthly budget for paid (cloud) models; when spent, the policy skips them."""

    team = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="budget")
    monthly_limit_usd = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.team.name}: {self.monthly_limit_usd} USD a month"


class CachedAnswer(models.Model):
    """A model's answer kept for reuse. `key` hashes the redacted bundle, the passages, the policy
    version and rule, the targets' models and the caller's access scope (routing/cache.py); the text
    holds placeholders, restored with each request's own vault."""

    key = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()
    target = models.CharField(max_length=64)
    zone = models.CharField(max_length=16)
    model = models.CharField(max_length=200)
    # The passage numbers the text was attributed to when it cites none: kept, so that a hit does not
    # embed every sentence sent again to find them.
    attributed = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    hits = models.PositiveIntegerField(default=0)


class RateWindow(models.Model):
    """How many requests one key (a user's asking, later an API key) made in one fixed window of time;
    counted in PostgreSQL so that every web process sees the same count (routing/rate_limits.py)."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # Unix seconds, a multiple of the window's length
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_window_unique")]


class HeldRequest(models.Model):
    """A request the policy held for a person's approval (a rule's `approve`, or `on_failure: queue`).

    It keeps what would leave, redacted (`question` and `passages`: the approver reads them, and exactly
    that is sent once approved), and the placeholder vault that restores the answer, sealed with
    settings.HELD_VAULT_KEY (routing/sealing.py). The vault is emptied once the request is sent, denied or
    expired: nothing of its values is kept after that.
    """

    class State(models.TextChoices):
        HELD = "held", "Awaiting approval"
        APPROVED = "approved", "Approved, waiting for a model"
        # Being sent: committed before the call, so a process that dies mid-call leaves it here (never sent twice;
        # it expires, and the call is audited as interrupted from its dispatch record).
        SENDING = "sending", "Being sent"
        DENIED = "denied", "Denied"
        EXPIRED = "expired", "Expired"
        SENT = "sent", "Answered"

    # The reason an expired request gives when it was sent and its sender stopped before the answer came.
    SENT_THEN_STOPPED = (
        "It was sent, and the process sending it stopped before the answer came (the audit log records the call "
        "as interrupted); it is not sent again: ask the question again if you still need the answer."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requester_name = models.CharField(max_length=150)
    # The key a program asked with (accounts.ApiKey), as the audit names it: no foreign key, as there.
    api_key_id = models.BigIntegerField(null=True, blank=True)
    api_key_name = models.CharField(max_length=100, blank=True)
    workload = models.CharField(max_length=32)
    team = models.CharField(max_length=150, blank=True)
    # The bundle as it would leave: the question redacted, and the passages
    # [{"n", "chunk_id", "document_id", "title", "heading_path", "classification", "text" (redacted), ...}].
    question = models.TextField()
    passages = models.JSONField(default=list)
    findings = models.JSONField(default=dict)  # counts by kind in the question, never values
    redacted = models.JSONField(default=dict)  # counts by kind of what the bundle has replaced
    data_class = models.PositiveSmallIntegerField()
    policy_version = models.CharField(max_length=100)
    # The Decision as the audit keeps it (routing.audit.decision_json), and its targets in full, to run it later.
    decision = models.JSONField(default=dict)
    targets = models.JSONField(default=list)
    notices = models.JSONField(default=list)
    # Role or group names, any of which may approve (never the requester: routing/approvals.py).
    approvers = ArrayField(models.CharField(max_length=150))
    vault = models.BinaryField(default=b"")  # sealed (routing/sealing.py); empty once sent, denied or expired
    state = models.CharField(max_length=16, choices=State.choices, default=State.HELD)
    expires_at = models.DateTimeField(db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)  # the approver's, or why it expired
    # The audit rows of its steps: held, approved or denied or expired, and the answer once sent.
    held_audit_id = models.BigIntegerField(null=True, blank=True)
    decided_audit_id = models.BigIntegerField(null=True, blank=True)
    answer_audit_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "expires_at"], name="held_state_expiry")]

    def __str__(self) -> str:
        return f"held request #{self.pk} of {self.requester_name} ({self.state})"

    @property
    def rule(self) -> str:
        return self.decision.get("rule") or ""

    @property
    def reasons(self) -> list[str]:
        return list(self.decision.get("reasons", []))


class CircuitState(models.Model):
    """A policy target's circuit breaker, shared by every web process and replica (routing/circuits.py): a
    backend that failed in one process is skipped by all of them within the breaker's window."""

    # Defaults in the database: routing/circuits.py writes each column with one INSERT … ON CONFLICT.
    target = models.CharField(max_length=64, primary_key=True)
    state = models.CharField(max_length=16, db_default="closed")  # closed, open or half-open (pybreaker's names)
    failures = models.PositiveIntegerField(db_default=0)  # in a row
    successes = models.PositiveIntegerField(db_default=0)  # in a row, while half-open
    opened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_default=Now())
