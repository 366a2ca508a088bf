"""Enums that Django fields, forms and the pure policy core share, without importing Django.

A model field takes `choices=Classification.choices`, as with Django's own `IntegerChoices`;
the policy core compares the same members. Pure: no Django.
"""

from __future__ import annotations

from enum import EnumType
from typing import Any


class LabelledEnumType(EnumType):
    """The class-level `choices`, `values` and `labels` of Django's choices, for an enum whose
    members have a `label`."""

    # Django templates call what is callable, and an enum class is: leave it as it is.
    do_not_call_in_templates = True

    @property
    def choices(cls) -> list[tuple[Any, str]]:
        return [(member.value, member.label) for member in cls]  # type: ignore[attr-defined]

    @property
    def values(cls) -> list[Any]:
        return [member.value for member in cls]  # type: ignore[attr-defined]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in cls]  # type: ignore[attr-defined]
