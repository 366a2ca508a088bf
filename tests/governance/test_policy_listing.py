"""number_lines: a policy text as numbered lines with the loader's problems on theirs."""

from __future__ import annotations

from governance.listing import Line, around_problems, number_lines
from routing.policy.loader import PolicyProblem


def test_lines_are_numbered_from_one_with_their_problems() -> None:
    problems = [PolicyProblem(2, "unknown target 'claud'"), PolicyProblem(2, "second"), PolicyProblem(9, "at the end")]

    lines = number_lines("version: x\ntargets: [claud]\n\nrules: []\n", problems)

    assert lines == [
        Line(1, "version: x"),
        Line(2, "targets: [claud]", ("unknown target 'claud'", "second")),
        Line(3, ""),
        Line(4, "rules: []", ("at the end",)),
    ]


def test_an_empty_text_is_one_empty_line() -> None:
    assert number_lines("", [PolicyProblem(1, "the policy is empty")]) == [Line(1, "", ("the policy is empty",))]


def test_around_problems_keeps_the_lines_near_a_problem_and_marks_the_gaps() -> None:
    text = "\n".join(f"l{n}" for n in range(1, 21))
    lines = number_lines(text, [PolicyProblem(6, "here"), PolicyProblem(8, "and here")])

    excerpt = around_problems(lines, context=2)

    assert [line.number if line else None for line in excerpt] == [None, 4, 5, 6, 7, 8, 9, 10, None]


def test_around_a_problem_on_the_first_line_there_is_no_leading_gap() -> None:
    lines = number_lines("a\nb\nc", [PolicyProblem(1, "here")])

    assert [line.number if line else None for line in around_problems(lines, context=1)] == [1, 2, None]
