"""What a caller may do on an endpoint, beyond being signed in: a key limited to some endpoints only those."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import ApiKey
from accounts.roles import Role


def key_allows(endpoint: str) -> type[BasePermission]:
    """A permission for the view of `endpoint`: a key with allowed endpoints (a service account's, typically)
    may call only those. A session, or a key without a list, is judged by the user's role alone."""

    class KeyAllowsEndpoint(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            key = request.auth
            if not isinstance(key, ApiKey) or not key.endpoints or endpoint in key.endpoints:
                return True
            allowed = ", ".join(key.endpoints)
            raise PermissionDenied(
                f"API key {key.id} may call only {allowed}, not {endpoint}: ask an admin to allow it.",
                code="endpoint_not_allowed",
            )

    return KeyAllowsEndpoint


def role_is(*roles: Role) -> type[BasePermission]:
    """A permission for an endpoint of the pages of `roles` (the admins' documents, the auditors' log): the
    same roles the pages' role_required allows; others get 403 `forbidden`."""

    class RoleIs(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            if getattr(request.user, "role", None) in roles:
                return True
            raise PermissionDenied("This endpoint is for " + " or ".join(r.label.lower() + "s" for r in roles) + ".")

    return RoleIs
