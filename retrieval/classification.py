"""Data classes of documents and of users' clearance, ordered by sensitivity."""

from __future__ import annotations

from django.db import models


class Classification(models.IntegerChoices):
    """public < internal < confidential < restricted; stored as an integer so SQL can compare."""

    PUBLIC = 0, "public"
    INTERNAL = 1, "internal"
    CONFIDENTIAL = 2, "confidential"
    RESTRICTED = 3, "restricted"

    @classmethod
    def parse(cls, name: str) -> Classification:
        """Return the member named `name` (case-insensitive); ValueError names the valid ones."""
        for member in cls:
            if member.label == name.strip().lower():
                return member
        valid = ", ".join(m.label for m in cls)
        raise ValueError(f"unknown classification {name!r}: use one of {valid}")
