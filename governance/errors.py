"""Errors of the policy pages' services."""

from __future__ import annotations


class GovernanceError(Exception):
    """A policy-page request the rules refuse; `field` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SimulationOutOfReach(GovernanceError):
    """An admin asked to simulate as someone cleared above themselves, which would tell them about
    documents they may not read."""
