"""Data classes, ordered by sensitivity: of documents, of a user's clearance, and of a request.

One enum for all three, so a clearance, a passage's class and the policy's data class compare
directly (and in SQL, where it is stored as an integer). Pure: no Django.
"""

from __future__ import annotations

from enum import IntEnum

from accounts.choices import LabelledEnumType


class Classification(IntEnum, metaclass=LabelledEnumType):
    """public < internal < confidential < restricted."""

    PUBLIC = 0
    INTERNAL = 1
    CONFIDENTIAL = 2
    RESTRICTED = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Classification:
        """Return the member named `name` (case-insensitive); ValueError names the valid ones."""
        for member in cls:
            if member.label == name.strip().lower():
                return member
        valid = ", ".join(m.label for m in cls)
        raise ValueError(f"unknown classification {name!r}: use one of {valid}")
