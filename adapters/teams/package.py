"""The Teams app package an admin uploads: manifest.json, two icons and a file per further language, zipped.

The manifest is in English; each other language of the message catalogue gets a localization file
(`es.json`) with the app's name, descriptions and command descriptions in it, which Teams shows to
people whose Teams speaks that language. Command titles stay the words the bot understands.

The icons are drawn here rather than shipped, so the package needs no binary files in the repository
and can be rebuilt anywhere from the bot's app id and the publisher's pages (`Publisher`) alone.
"""

from __future__ import annotations

import json
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conversations.commands import listed_commands
from conversations.i18n import DEFAULT_LOCALE, N_, _, shipped_languages, speaking

MANIFEST_VERSION = "1.19"
MANIFEST_SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json"
)
LOCALIZATION_SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.Localization.schema.json"
)
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
ACCENT = (0x46, 0x4E, 0xB8)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

DEFAULT_LANGUAGE_TAG = "en-us"
APP_NAME_SHORT = "Mentorbot"
APP_NAME_FULL = N_("Mentorbot: reverse mentoring")
APP_DESCRIPTION_SHORT = N_("Runs your reverse-mentoring program: pairing, check-ins, goals, stats.")
APP_DESCRIPTION_FULL = N_(
    "Mentorbot pairs early-career colleagues who teach AI and digital tools with senior "
    "leaders who share strategy and industry experience. Join with `join`; Mentorbot "
    "introduces each pair, checks in weekly, suggests discussion prompts, tracks goals on "
    "both sides, and gives program admins statistics."
)

MAX_COMMANDS_PER_LIST = 10
"""Teams shows at most ten commands per list; every command works in every scope, the lists are hints."""


def command_list(scope: str) -> tuple[tuple[str, str], ...]:
    """(title, description) of the commands the registry offers in a Teams scope ("personal", "team")."""
    listed = tuple((c.name, c.description) for c in listed_commands() if scope in c.teams_lists)
    if len(listed) > MAX_COMMANDS_PER_LIST:
        raise ValueError(
            f"Teams allows {MAX_COMMANDS_PER_LIST} commands in the {scope} list, not {len(listed)}"
        )
    return listed


PERSONAL_COMMANDS = command_list("personal")
TEAM_COMMANDS = command_list("team")


@dataclass(frozen=True)
class Publisher:
    """Who publishes the app and the pages Teams links to (the program's own, e.g. intranet pages).

    No defaults: Teams shows these to every user, so placeholders must never reach a package. The
    settings come from MENTORBOT_PUBLISHER_NAME, MENTORBOT_WEBSITE_URL, MENTORBOT_PRIVACY_URL and
    MENTORBOT_TERMS_URL; they are checked again here so no caller can build a package Teams refuses.
    """

    name: str
    website_url: str
    privacy_url: str
    terms_url: str

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 32:
            raise ValueError("the publisher name (MENTORBOT_PUBLISHER_NAME) must be 1 to 32 characters")
        pages = (("website", self.website_url), ("privacy", self.privacy_url), ("terms", self.terms_url))
        for label, url in pages:
            if not _is_https_url(url):
                raise ValueError(f"the publisher's {label} URL must be an https:// URL, got {url!r}")


def _is_https_url(url: object) -> bool:
    """https, a host, at most 2048 characters (the manifest schema's limit), no spaces."""
    if not isinstance(url, str) or len(url) > 2048 or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unclosed [IPv6 host, a port that is not a number
        return False


def build_manifest(app_id: str, *, publisher: Publisher, version: str = "1.0.0") -> dict[str, Any]:
    if not _GUID.match(app_id or ""):
        raise ValueError("MICROSOFT_APP_ID must be the bot's Microsoft App ID, a GUID like 00000000-0000-…")
    return {
        "$schema": MANIFEST_SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": publisher.name,
            "websiteUrl": publisher.website_url,
            "privacyUrl": publisher.privacy_url,
            "termsOfUseUrl": publisher.terms_url,
        },
        "name": {"short": APP_NAME_SHORT, "full": APP_NAME_FULL},
        "description": {"short": APP_DESCRIPTION_SHORT, "full": APP_DESCRIPTION_FULL},
        "localizationInfo": {
            "defaultLanguageTag": DEFAULT_LANGUAGE_TAG,
            "additionalLanguages": [
                {"languageTag": language, "file": language_file_name(language)} for language in _languages()
            ],
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": _commands(PERSONAL_COMMANDS)},
                    {"scopes": ["team"], "commands": _commands(TEAM_COMMANDS)},
                ],
            }
        ],
        "validDomains": [],
    }


def _commands(commands: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"title": title, "description": description} for title, description in commands]


def _languages() -> tuple[str, ...]:
    return tuple(language for language in shipped_languages() if language != DEFAULT_LOCALE)


def language_file_name(language: str) -> str:
    return f"{language}.json"


def build_language_file(language: str) -> dict[str, str]:
    """The manifest's texts in `language`, keyed by their place in the manifest, as Teams reads them."""
    with speaking(language):
        strings = {
            "$schema": LOCALIZATION_SCHEMA_URL,
            "name.short": APP_NAME_SHORT,
            "name.full": _(APP_NAME_FULL),
            "description.short": _(APP_DESCRIPTION_SHORT),
            "description.full": _(APP_DESCRIPTION_FULL),
        }
        for list_index, commands in enumerate((PERSONAL_COMMANDS, TEAM_COMMANDS)):
            for command_index, (_title, description) in enumerate(commands):
                place = f"bots[0].commandLists[{list_index}].commands[{command_index}].description"
                strings[place] = _(description)
    return strings


def build_teams_package(
    app_id: str, out_path: Path | str, *, publisher: Publisher, version: str = "1.0.0"
) -> Path:
    """Writes the zip Teams admins upload (manifest.json, color.png, outline.png at its root)."""
    manifest = build_manifest(app_id, publisher=publisher, version=version)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for language in _languages():
            strings = build_language_file(language)
            package.writestr(
                language_file_name(language), json.dumps(strings, indent=2, ensure_ascii=False) + "\n"
            )
        package.writestr(COLOR_ICON, color_icon())
        package.writestr(OUTLINE_ICON, outline_icon())
    return out


# --- icons ----------------------------------------------------------------------------------------

Pixel = tuple[int, int, int, int]


def color_icon(size: int = 192) -> bytes:
    """A full-colour square: two white interlocking rings (learning goes both ways) on the accent."""
    background = (*ACCENT, 255)
    ring = _rings(size, thickness=0.075)

    def paint(x: float, y: float) -> Pixel:
        coverage = ring(x, y)
        return _blend(background, (255, 255, 255, 255), coverage)

    return encode_png(size, size, paint)


def outline_icon(size: int = 32) -> bytes:
    """The same rings in white on transparency, as Teams requires for the outline icon."""
    ring = _rings(size, thickness=0.1)

    def paint(x: float, y: float) -> Pixel:
        return (255, 255, 255, round(255 * ring(x, y)))

    return encode_png(size, size, paint)


def _rings(size: int, thickness: float) -> Callable[[float, float], float]:
    radius = 0.24 * size
    half = thickness * size / 2
    centres = ((0.38 * size, 0.5 * size), (0.62 * size, 0.5 * size))
    samples = [(i + 0.5) / 3 for i in range(3)]

    def inside(x: float, y: float) -> bool:
        return any(abs(math.hypot(x - cx, y - cy) - radius) <= half for cx, cy in centres)

    def coverage(px: float, py: float) -> float:
        hits = sum(inside(px + dx, py + dy) for dx in samples for dy in samples)
        return hits / 9

    return coverage


def _blend(under: Pixel, over: Pixel, amount: float) -> Pixel:
    return tuple(round(u + (o - u) * amount) for u, o in zip(under, over, strict=True))  # type: ignore[return-value]


def encode_png(width: int, height: int, paint: Callable[[float, float], Pixel]) -> bytes:
    """An 8-bit RGBA PNG: rows with filter type 0, deflated into one IDAT chunk."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(paint(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
