"""A policy text as numbered lines, each with the problems the loader found on it. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from routing.policy.loader import PolicyProblem


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as PolicyProblem.line counts
    text: str
    problems: tuple[str, ...] = ()


def number_lines(text: str, problems: Sequence[PolicyProblem] = ()) -> list[Line]:
    """Every line of `text`, numbered from 1, with the messages of the problems on that line.

    A problem past the end (YAML that stops mid-structure) is shown on the last line.
    """
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new one
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(min(max(problem.line, 1), len(lines)), []).append(problem.message)
    return [Line(number=n, text=line, problems=tuple(by_line.get(n, ()))) for n, line in enumerate(lines, start=1)]


def around_problems(lines: Sequence[Line], *, context: int = 3) -> list[Line | None]:
    """The lines with problems and `context` lines either side; None where lines were left out."""
    marked = [line.number for line in lines if line.problems]
    keep = {n for m in marked for n in range(m - context, m + context + 1)}
    excerpt: list[Line | None] = []
    for line in lines:
        if line.number in keep:
            excerpt.append(line)
        elif not excerpt or excerpt[-1] is not None:
            excerpt.append(None)
    return excerpt
