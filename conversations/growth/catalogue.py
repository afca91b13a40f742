"""The curated library of development paths shipped with the package: the fallback when no LLM is
configured or its answer is unusable, and what "ask again" offers without one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from conversations.domain import Side
from conversations.i18n import DEFAULT_LOCALE, negotiate
from conversations.ports import MilestoneSet, PathContext

_WORD = re.compile(r"[\w&+-]+")


@dataclass(frozen=True)
class LibraryPath:
    id: str
    side: Side
    keywords: frozenset[str]
    """Words of a learning goal that make this path fit; a path without any is a generic one."""
    milestones: tuple[dict[str, str], ...]
    """Each milestone by language."""

    def texts_in(self, language: str) -> tuple[str, ...]:
        return tuple(m.get(language) or m[DEFAULT_LOCALE] for m in self.milestones)

    def fit(self, goals: tuple[str, ...]) -> int:
        words = {w.casefold() for goal in goals for w in _WORD.findall(goal)}
        phrases = " ".join(goal.casefold() for goal in goals)
        return sum(1 for k in self.keywords if k in words or (" " in k and k in phrases))


@dataclass(frozen=True)
class PathLibrary:
    paths: tuple[LibraryPath, ...]
    languages: tuple[str, ...]

    def ranked(self, side: Side, goals: tuple[str, ...]) -> list[LibraryPath]:
        """The side's paths, best fit to the goals first; generic ones after every fitting one."""
        mine = [p for p in self.paths if p.side is side]
        return sorted(mine, key=lambda p: (-p.fit(goals), bool(p.keywords), p.id))


def parse_path_library(raw: dict[str, object]) -> PathLibrary:
    entries = raw["paths"]
    languages = raw.get("languages", [DEFAULT_LOCALE])
    assert isinstance(entries, list) and isinstance(languages, list)
    paths = tuple(
        LibraryPath(
            id=str(entry["id"]),
            side=Side(entry["side"]),
            keywords=frozenset(str(k).casefold() for k in entry.get("keywords", [])),
            milestones=tuple({str(k): str(v) for k, v in m.items()} for m in entry["milestones"]),
        )
        for entry in entries
    )
    return PathLibrary(paths, tuple(str(language) for language in languages))


@lru_cache(maxsize=1)
def load_path_library() -> PathLibrary:
    """Read once per process; the file ships inside the package."""
    text = resources.files("conversations.growth").joinpath("library.json").read_text(encoding="utf-8")
    return parse_path_library(json.loads(text))


class LibraryPathSuggester:
    """The best-fitting curated path for the person's side and goals; asking again gives the next one."""

    source = "library"

    def __init__(self, library: PathLibrary | None = None) -> None:
        self._library = library or load_path_library()

    def choose(self, context: PathContext) -> MilestoneSet:
        ranked = self._library.ranked(context.side, context.learning_goals)
        chosen = ranked[context.variant % len(ranked)]
        language = negotiate(context.language)
        language = language if language in self._library.languages else DEFAULT_LOCALE
        return MilestoneSet(chosen.texts_in(language), "library")

    async def suggest_path(self, context: PathContext) -> MilestoneSet:
        return self.choose(context)
