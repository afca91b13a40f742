"""The curated library shipped with the package: the fallback and the LLM's grounding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from conversations.i18n import DEFAULT_LOCALE, _, current_locale, language_name
from conversations.prompts.topics import Direction, Topic


@dataclass(frozen=True)
class LibraryPrompt:
    id: str
    text: str
    topic: Topic
    direction: Direction


@dataclass(frozen=True)
class TogetherTask:
    """A small thing to do in or after the session, so a talk turns into practice."""

    id: str
    text: str
    topic: Topic
    minutes: int


@dataclass(frozen=True)
class Library:
    prompts: tuple[LibraryPrompt, ...]
    tasks: tuple[TogetherTask, ...]
    languages: tuple[str, ...] = (DEFAULT_LOCALE,)
    """The languages the library's texts are written in; a reader of any other reads them in English."""

    def by_direction(self, direction: Direction) -> tuple[LibraryPrompt, ...]:
        return tuple(p for p in self.prompts if p.direction is direction)


def parse_library(raw: dict[str, object]) -> Library:
    prompts_raw = raw["prompts"]
    tasks_raw = raw["tasks"]
    assert isinstance(prompts_raw, list) and isinstance(tasks_raw, list)
    prompts = tuple(
        LibraryPrompt(
            id=str(p["id"]), text=str(p["text"]), topic=Topic(p["topic"]), direction=Direction(p["direction"])
        )
        for p in prompts_raw
    )
    tasks = tuple(
        TogetherTask(id=str(t["id"]), text=str(t["text"]), topic=Topic(t["topic"]), minutes=int(t["minutes"]))
        for t in tasks_raw
    )
    languages = raw.get("languages", [DEFAULT_LOCALE])
    assert isinstance(languages, list)
    return Library(prompts=prompts, tasks=tasks, languages=tuple(str(language) for language in languages))


def ideas_language_note(source: str, pair_language: str) -> str:
    """Said next to discussion ideas when they are not in the reader's language, so nobody wonders why.

    An LLM writes a pair's ideas in the language both people read (`pair_language`, English when they
    read different ones); the library's are in the reader's language where it has one, else English.
    """
    reader = current_locale()
    if source == "llm":
        if pair_language == reader:
            return ""
        return _("These ideas are in English, so that you and your partner read the same ones.")
    if reader in load_library().languages:
        return ""
    return _(
        "These ideas are in English: the prompt library has no {language} version yet.",
        language=language_name(reader, in_a_list=False),
    )


@lru_cache(maxsize=1)
def load_library() -> Library:
    """Read once per process; the file ships inside the package so no deployment step can lose it."""
    text = resources.files("conversations.prompts").joinpath("library.json").read_text(encoding="utf-8")
    return parse_library(json.loads(text))
