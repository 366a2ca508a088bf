"""The test OIDC provider's views, sign-in backend and claims (imported once server.py has configured Django)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator


def read_users() -> dict[str, Any]:
    return json.loads(Path(settings.USERS_FILE).read_text())


class UsersFileBackend(BaseBackend):
    """Passwords from the users file; the Django user is made on first sign-in (its pk is the `sub`)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        entry = read_users().get(username or "")
        if entry is None or entry["password"] != password:
            return None
        return User.objects.get_or_create(username=username)[0]

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id).first()


class GroupsClaimValidator(OAuth2Validator):
    # Every claim whatever the scopes: `groups` is in no standard scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        entry = read_users().get(request.user.username, {})
        return {
            "preferred_username": request.user.username,
            "email": entry.get("email", ""),
            "groups": entry.get("groups", []),
        }


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
