"""The curated library shipped with the package: the fallback and the LLM's grounding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from conversations.i18n import DEFAULT_LOCALE, _, current_locale, language_name
from conversations.prompts.topics import Direction, Topic


@dataclass(frozen=True)
class LibraryPrompt:
    id: str
    text: str
    topic: Topic
    direction: Direction
    translations: tuple[tuple[str, str], ...] = ()
    """(language, text) of each language besides English the library has this prompt in."""

    def text_in(self, language: str) -> str:
        return dict(self.translations).get(language, self.text)

    @cached_property
    def every_text(self) -> frozenset[str]:
        """However it was shown: a prompt shown in one language is not shown again in another."""
        return frozenset((self.text, *(text for _language, text in self.translations)))


@dataclass(frozen=True)
class TogetherTask:
    """A small thing to do in or after the session, so a talk turns into practice."""

    id: str
    text: str
    topic: Topic
    minutes: int
    translations: tuple[tuple[str, str], ...] = ()

    def text_in(self, language: str) -> str:
        return dict(self.translations).get(language, self.text)

    @cached_property
    def every_text(self) -> frozenset[str]:
        return frozenset((self.text, *(text for _language, text in self.translations)))


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
            id=str(p["id"]),
            text=str(p["text"]),
            topic=Topic(p["topic"]),
            direction=Direction(p["direction"]),
            translations=_translations(p),
        )
        for p in prompts_raw
    )
    tasks = tuple(
        TogetherTask(
            id=str(t["id"]),
            text=str(t["text"]),
            topic=Topic(t["topic"]),
            minutes=int(t["minutes"]),
            translations=_translations(t),
        )
        for t in tasks_raw
    )
    languages = raw.get("languages", [DEFAULT_LOCALE])
    assert isinstance(languages, list)
    return Library(prompts=prompts, tasks=tasks, languages=tuple(str(language) for language in languages))


def _translations(entry: dict[str, object]) -> tuple[tuple[str, str], ...]:
    found = entry.get("translations") or {}
    assert isinstance(found, dict)
    return tuple(sorted((str(language), str(text)) for language, text in found.items()))


def ideas_language_note(source: str, pair_language: str) -> str:
    """Said next to discussion ideas when they are not in the reader's language, so nobody wonders why.

    Ideas are written in the language both people read (`pair_language`, English when they read
    different ones), by an LLM in any language and from the library in the languages it has.
    """
    reader = current_locale()
    if source == "llm" or pair_language in load_library().languages:
        if pair_language == reader:
            return ""
        return _("These ideas are in English, so that you and your partner read the same ones.")
    if reader == DEFAULT_LOCALE:
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
