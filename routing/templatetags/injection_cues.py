"""`{{ cues|explained_cues }}`: injection cue names with what each means, for the flagged passages and the
audit detail."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from inspection.injection import explain_cue

register = template.Library()


@register.filter
def explained_cues(cues: Iterable[str] | None) -> list[str]:
    return [explain_cue(str(name)) for name in cues or ()]
