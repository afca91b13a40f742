"""The curated paths fit the person's side, goals and language; milestone i belongs to week ⌈i·weeks/n⌉."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.domain import DevelopmentPath, Side, UserRef
from conversations.growth import MAX_MILESTONES, MIN_MILESTONES, LibraryPathSuggester, load_path_library
from conversations.ports import PathContext

library = LibraryPathSuggester()


def context(side: Side, goals: tuple[str, ...], language: str | None = None, variant: int = 0) -> PathContext:
    return PathContext("p1", side, (), goals, 12, language, variant)


def test_every_curated_path_has_three_to_five_milestones_in_every_language() -> None:
    shipped = load_path_library()
    assert {p.side for p in shipped.paths} == set(Side)
    for path in shipped.paths:
        assert MIN_MILESTONES <= len(path.milestones) <= MAX_MILESTONES, path.id
        for language in shipped.languages:
            assert all(m.get(language) for m in path.milestones), (path.id, language)


@pytest.mark.parametrize(
    ("side", "goals", "expected"),
    [
        (Side.LEADER, ("Generative AI",), "Draft a board summary with an AI assistant and compare it with your own."),
        (Side.LEADER, ("Data dashboards",), "Build a simple chart from a spreadsheet you already receive, with your mentor watching."),
        (Side.LEADER, ("Automating my reports",), "Write down three repetitive tasks from your week and how long each takes."),
        (Side.MENTOR, ("Budgeting and finance",), "Sit in on a budget review and ask two questions."),
        (Side.MENTOR, ("Leadership",), "Lead a short meeting or a session yourself and ask for feedback afterwards."),
        (Side.MENTOR, ("Knitting",), "Ask your leader how their career got to where it is, and one turn they did not plan."),
    ],
)  # fmt: skip
def test_the_path_that_fits_the_goals_comes_first(side: Side, goals: tuple[str, ...], expected: str) -> None:
    assert expected in library.choose(context(side, goals)).milestones


def test_asking_again_gives_a_different_path_and_spanish_readers_read_spanish() -> None:
    first = library.choose(context(Side.MENTOR, ("Budgeting",)))
    second = library.choose(context(Side.MENTOR, ("Budgeting",), variant=1))
    assert first.milestones != second.milestones and second.source == "library"
    spanish = library.choose(context(Side.MENTOR, ("Budgeting",), language="es-ES"))
    assert "Asiste a una revisión de presupuesto y haz dos preguntas." in spanish.milestones


@pytest.mark.parametrize(
    ("weeks", "count", "expected"),
    [
        (12, 4, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, None]),
        (8, 3, [0, 0, 0, 1, 1, 1, 2, 2, None]),
        (4, 5, [0, 1, 2, 3, None]),
    ],
)
def test_this_week_s_milestone(weeks: int, count: int, expected: list[int | None]) -> None:
    path = DevelopmentPath(
        "p1", UserRef("slack", "T1", "U1"), Side.LEADER, tuple(f"m{i}" for i in range(count)), "library",
        datetime(2026, 1, 5, tzinfo=UTC),
    )  # fmt: skip
    assert [path.milestone_of_week(week, weeks) for week in range(1, len(expected) + 1)] == expected
