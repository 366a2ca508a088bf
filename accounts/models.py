"""Users of Sluice: a role, a clearance and reader groups (Django's auth groups)."""

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
