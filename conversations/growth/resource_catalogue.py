"""The learning-resources catalogue: the one shipped with the project plus the organisation's own file.

Only addresses from this catalogue are ever shown to people, so it is checked row by row when the bot
starts: a bad row refuses the start with its line number, rather than sending a broken or unsafe link
to thousands of people later.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from conversations.i18n import N_, _
from conversations.matching.vocabulary import DEFAULT_VOCABULARY

HEADER = ("id", "title", "url", "skills", "level", "minutes", "format", "language")
SKILL_SEPARATOR = ";"
MAX_TITLE_CHARS = 150
MAX_URL_CHARS = 500
_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_UNSAFE_URL_CHARACTERS = frozenset('<>|"`\\{}^')
"""Characters that could end a Slack link or a Markdown one early: never in a catalogue address."""


class ResourceFormat(StrEnum):
    ARTICLE = "article"
    VIDEO = "video"
    COURSE = "course"
    EXERCISE = "exercise"

    @property
    def label(self) -> str:
        """The format as the reader's language says it."""
        return _(_FORMAT_LABELS[self])


_FORMAT_LABELS = {
    ResourceFormat.ARTICLE: N_("article"),
    ResourceFormat.VIDEO: N_("video"),
    ResourceFormat.COURSE: N_("course"),
    ResourceFormat.EXERCISE: N_("exercise"),
}


class ResourceLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    url: str
    skills: tuple[str, ...]
    level: ResourceLevel
    minutes: int
    format: ResourceFormat
    language: str
    terms: frozenset[str] = frozenset()
    """The skills as the matching vocabulary compares them."""


class ResourceFileInvalid(ValueError):
    """A row the catalogue cannot take, with where it is."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}: line {line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def is_safe_url(url: str) -> bool:
    """An https address with a host, nothing that could break out of a link, and a sane length."""
    if len(url) > MAX_URL_CHARS or any(c.isspace() or c in _UNSAFE_URL_CHARACTERS for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password


def _resource(row: Mapping[str, str | None], source: str, line: int) -> Resource:
    def refuse(reason: str) -> ResourceFileInvalid:
        return ResourceFileInvalid(source, line, reason)

    values = {name: (row.get(name) or "").strip() for name in HEADER}
    missing = [name for name in HEADER if not values[name]]
    if missing:
        raise refuse("missing " + ", ".join(missing))
    if not set(values["id"]) <= _ID_CHARACTERS or len(values["id"]) > 64:
        raise refuse(f"id {values['id']!r} must be lowercase letters, digits and dashes (at most 64)")
    if not is_safe_url(values["url"]):
        raise refuse(f'url {values["url"]!r} must be an https address without spaces or <>|" characters')
    if len(values["title"]) > MAX_TITLE_CHARS:
        raise refuse(f"title is longer than {MAX_TITLE_CHARS} characters")
    try:
        kind = ResourceFormat(values["format"].lower())
    except ValueError:
        known = ", ".join(f.value for f in ResourceFormat)
        raise refuse(f"unknown format {values['format']!r} (one of {known})") from None
    try:
        level = ResourceLevel(values["level"].lower())
    except ValueError:
        known = ", ".join(lv.value for lv in ResourceLevel)
        raise refuse(f"unknown level {values['level']!r} (one of {known})") from None
    if not values["minutes"].isdigit() or int(values["minutes"]) < 1:
        raise refuse(f"minutes {values['minutes']!r} is not a whole number of minutes")
    skills = tuple(s.strip() for s in values["skills"].split(SKILL_SEPARATOR) if s.strip())
    return Resource(
        id=values["id"],
        title=" ".join(values["title"].split()),
        url=values["url"],
        skills=skills,
        level=level,
        minutes=int(values["minutes"]),
        format=kind,
        language=values["language"].lower(),
        terms=DEFAULT_VOCABULARY.terms(skills),
    )


def parse_resources(text: str, source: str, taken: Iterable[str] = ()) -> tuple[Resource, ...]:
    """Every row of a resources file; the first bad one raises `ResourceFileInvalid` with its line.

    `taken`: ids already in the catalogue, which a row may not reuse."""
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(name.strip() for name in reader.fieldnames or ())
    if header[: len(HEADER)] != HEADER:
        raise ResourceFileInvalid(source, 1, f"the header must be {','.join(HEADER)}")
    seen = set(taken)
    found: list[Resource] = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        resource = _resource({k.strip(): v for k, v in row.items() if isinstance(k, str)}, source, line)
        if resource.id in seen:
            raise ResourceFileInvalid(source, line, f"duplicate id {resource.id!r}")
        seen.add(resource.id)
        found.append(resource)
    return tuple(found)


@dataclass(frozen=True)
class ResourceCatalogue:
    """The resources people may be shown, by id."""

    by_id: Mapping[str, Resource]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, resource_id: str) -> Resource | None:
        return self.by_id.get(resource_id)


def shipped_resources() -> tuple[Resource, ...]:
    text = resources.files("conversations.growth").joinpath("resources.csv").read_text(encoding="utf-8")
    return parse_resources(text, "shipped catalogue")


@cache
def shipped_catalogue() -> ResourceCatalogue:
    return load_catalogue()


def load_catalogue(organisation_file: Path | str | None = None) -> ResourceCatalogue:
    """The shipped catalogue, plus the organisation's own rows (`MENTORBOT_RESOURCES`) when given."""
    shipped = shipped_resources()
    extra: tuple[Resource, ...] = ()
    if organisation_file:
        path = Path(organisation_file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ResourceFileInvalid(str(path), 0, f"cannot be read: {error}") from None
        extra = parse_resources(text, str(path), taken=(r.id for r in shipped))
    return ResourceCatalogue(MappingProxyType({r.id: r for r in (*shipped, *extra)}))
