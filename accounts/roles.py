"""What a user does in Sluice. Pure: no Django."""

from __future__ import annotations

from enum import StrEnum

from accounts.choices import LabelledEnumType


class Role(StrEnum, metaclass=LabelledEnumType):
    EMPLOYEE = "employee"
    ADMIN = "admin"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return self.value.capitalize()
