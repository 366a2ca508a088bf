"""Errors of the users-and-groups page's writes."""

from __future__ import annotations


class AccountError(Exception):
    """A change to a user that the rules forbid; `field` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ClearanceAboveOwn(AccountError):
    """An admin tried to give someone a clearance above their own."""


class SelfLockout(AccountError):
    """An admin tried to demote or deactivate themselves."""


class RoleOutOfReach(AccountError):
    """An admin tried to give or take the auditor role (separation of duties), or to change someone
    cleared above themselves."""


class GroupOutOfReach(AccountError):
    """An admin tried to grant a reader group they are not in, or to change their own groups."""


class OwnPasswordReset(AccountError):
    """An admin tried to reset their own password from the users page instead of changing it."""


class WeakPassword(AccountError):
    """A chosen password that Django's validators (settings.AUTH_PASSWORD_VALIDATORS) refuse."""


class ApiKeyRejected(Exception):
    """An API key that may not be used: `code` is key_invalid, key_revoked or key_expired."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SignInRefused(Exception):
    """A sign-in through the company's identity provider that Sluice refuses; `message` says why, for the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInUnavailable(Exception):
    """The company's identity provider cannot be reached or answers something unusable; `message` says what."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
