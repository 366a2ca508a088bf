"""Users of Sluice: a role, a clearance and reader groups (Django's auth groups); service accounts, and the
API keys that act as a user."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.clearance import Classification
from accounts.roles import Role


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    clearance = models.PositiveSmallIntegerField(choices=Classification.choices, default=Classification.INTERNAL)
    # The team whose monthly budget pays for this user's cloud answers (routing.TeamBudget); none: no budget applies.
    team = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="members_billed"
    )
    # Set when an admin chose the password (a new user's, a reset): every page but the password-change
    # page is closed to the user until they choose their own (accounts.middleware).
    must_change_password = models.BooleanField(default=False)
    # A service account: the principal of a program, not a person. It has no password (API keys only), so
    # retrieval's access rule and the audit's acting user apply to it unchanged; its clearance is its
    # ceiling, its groups its reader groups, and every request it makes declares `service_workload`.
    is_service = models.BooleanField(default=False)
    service_workload = models.CharField(max_length=32, blank=True)
    # The `sub` of the company's identity provider (docs/sign-in.md) for an account made by its sign-in, which
    # finds the account again whatever name the provider gives it later; null for local accounts.
    oidc_subject = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Set when a sign-in from the provider gave no role and so deactivated the account; the next sign-in that
    # gives one reactivates it. An account an admin deactivated (this unset) stays deactivated.
    deactivated_at_sign_in = models.DateTimeField(null=True, blank=True)


class ApiKey(models.Model):
    """A key a program sends to act as `user` (accounts/api_keys.py). Only the SHA-256 of the key is kept;
    `prefix`, a random part of the key shown in clear, finds the row. Empty `endpoints`: every endpoint the
    user may use; otherwise only those named."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    endpoints = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
