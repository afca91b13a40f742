"""The Teams app package: a manifest the v1.19 schema accepts, and two real PNG icons of the right size."""

from __future__ import annotations

import copy
import json
import re
import struct
import zipfile
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from adapters.teams.package import Publisher, build_manifest, build_teams_package
from tests.support.schemas import schema_path

APP_ID = "0f3c8a52-7d4e-4b1f-9a6c-2e5d8b7f1a90"
PUBLISHER = Publisher(
    name="Contoso People Team",
    website_url="https://intranet.contoso.test/mentoring",
    privacy_url="https://intranet.contoso.test/mentoring/privacy",
    terms_url="https://intranet.contoso.test/mentoring/terms",
)
COMMANDS = {
    "help",
    "join",
    "profile",
    "status",
    "pause",
    "resume",
    "leave",
    "goals",
    "checkin",
    "stats",
    "report",
    "pair",
    "invite",
    "at-risk",
    "insights",
    "export",
    "settings",
}


@cache
def manifest_validator() -> Draft7Validator:
    # The schema declares draft-04 but relies on `const`: only draft-07 checks manifestVersion.
    return Draft7Validator(json.loads(schema_path("MicrosoftTeams.schema.v1.19.json").read_text()))


def read_png(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, colour type, raw pixel rows), checking signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, header, idat = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8
    return width, height, colour, zlib.decompress(idat)


def alphas(width: int, rows: bytes) -> list[int]:
    stride = 1 + 4 * width
    return [rows[r * stride + 1 + 4 * x + 3] for r in range(len(rows) // stride) for x in range(width)]


def test_the_package_holds_a_valid_manifest_and_both_icons(tmp_path: Path) -> None:
    out = build_teams_package(APP_ID, tmp_path / "dist" / "mentorbot-teams.zip", publisher=PUBLISHER)
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "es.json", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = read_png(package.read("color.png"))
        outline = read_png(package.read("outline.png"))
    errors = sorted(manifest_validator().iter_errors(manifest), key=str)
    assert not errors, [e.message for e in errors]
    assert manifest["manifestVersion"] == "1.19"
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team"}
    assert manifest["developer"] == {
        "name": "Contoso People Team",
        "websiteUrl": "https://intranet.contoso.test/mentoring",
        "privacyUrl": "https://intranet.contoso.test/mentoring/privacy",
        "termsOfUseUrl": "https://intranet.contoso.test/mentoring/terms",
    }
    assert "example.com" not in json.dumps(manifest)
    assert (color[0], color[1], color[2]) == (192, 192, 6)
    assert (outline[0], outline[1], outline[2]) == (32, 32, 6)
    assert min(alphas(192, color[3])) == 255, "the colour icon is opaque"
    outline_alpha = alphas(32, outline[3])
    assert min(outline_alpha) == 0 and max(outline_alpha) == 255, "the outline is white on transparency"


PLACE = re.compile(r"([A-Za-z]+)(?:\[(\d+)\])?")


def manifest_with(manifest: dict, strings: dict[str, str]) -> dict:
    """The manifest with each localized string put where its key says, as Teams shows it."""
    localized = copy.deepcopy(manifest)
    for key, value in strings.items():
        if key == "$schema":
            continue
        *parents, last = key.split(".")
        node: Any = localized
        for part in parents:
            name, index = PLACE.fullmatch(part).groups()  # type: ignore[union-attr]
            node = node[name] if index is None else node[name][int(index)]
        assert isinstance(node.get(last), str), f"{key} names no text of the manifest"
        node[last] = value
    return localized


def test_each_language_file_translates_texts_the_manifest_has_within_its_limits(tmp_path: Path) -> None:
    out = build_teams_package(APP_ID, tmp_path / "mentorbot-teams.zip", publisher=PUBLISHER)
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
        info = manifest["localizationInfo"]
        assert info["defaultLanguageTag"] == "en-us"
        assert [language["languageTag"] for language in info["additionalLanguages"]] == ["es"]
        files = {
            language["file"]: json.loads(package.read(language["file"]))
            for language in info["additionalLanguages"]
        }
    strings = files["es.json"]
    # The localization schema requires these three; the others are optional.
    assert {"name.short", "description.short", "description.full"} <= strings.keys()
    assert strings["description.short"] == (
        "Gestiona tu mentoría inversa: parejas, seguimientos, objetivos y estadísticas."
    )
    described = [key for key in strings if key.endswith(".description")]
    assert len(described) == sum(len(lst["commands"]) for lst in manifest["bots"][0]["commandLists"])
    localized = manifest_with(manifest, strings)
    errors = sorted(manifest_validator().iter_errors(localized), key=str)
    assert not errors, [e.message for e in errors]
    assert localized["bots"][0]["commandLists"] != manifest["bots"][0]["commandLists"]


def test_command_lists_cover_exactly_the_bots_commands() -> None:
    bot = build_manifest(APP_ID, publisher=PUBLISHER)["bots"][0]
    titles = [c["title"] for lst in bot["commandLists"] for c in lst["commands"]]
    assert set(titles) == COMMANDS
    assert {s for lst in bot["commandLists"] for s in lst["scopes"]} == {"personal", "team"}


def test_the_schema_check_catches_a_wrong_manifest_version() -> None:
    manifest = build_manifest(APP_ID, publisher=PUBLISHER)
    manifest["manifestVersion"] = "1.16"
    assert list(manifest_validator().iter_errors(manifest))


@pytest.mark.parametrize("app_id", ["", "not-a-guid", None])
def test_a_missing_or_malformed_app_id_is_refused(app_id: str | None, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_ID"):
        build_teams_package(app_id, tmp_path / "x.zip", publisher=PUBLISHER)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "http://intranet.contoso.test/privacy",
        "intranet.contoso.test/privacy",
        "https://",
        "https://[::1/privacy",
        "https://intranet.contoso.test/pri vacy",
        "https://intranet.contoso.test/" + "x" * 2048,
        "",
    ],
)
def test_publisher_pages_must_be_https_urls(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        Publisher(name="Contoso", website_url="https://a.test", privacy_url=url, terms_url="https://a.test/t")


def test_a_publisher_has_no_placeholder_defaults() -> None:
    with pytest.raises(TypeError):
        Publisher()  # type: ignore[call-arg]
    page = "https://intranet.contoso.test/mentoring"
    with pytest.raises(ValueError, match="32"):
        Publisher(name="x" * 33, website_url=page, privacy_url=page, terms_url=page)
