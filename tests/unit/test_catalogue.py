"""The message catalogue: every text is translated in every shipped language, with its placeholders
intact, and the catalogue holds exactly the texts the code says today."""

from __future__ import annotations

import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conversations import i18n
from conversations.i18n import CATALOGUE_DIR, DEFAULT_LOCALE, _, shipped_languages, speaking

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = CATALOGUE_DIR / "messages.pot"


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


def placeholders(text: str) -> Counter[str]:
    return Counter(
        name for _text, name, _spec, _conversion in string.Formatter().parse(text) if name is not None
    )


def translated_languages() -> list[str]:
    return [language for language in shipped_languages() if language != DEFAULT_LOCALE]


def test_a_second_language_ships() -> None:
    assert "es" in shipped_languages()


@pytest.mark.parametrize("language", translated_languages())
def test_every_text_is_translated_with_exactly_its_placeholders(language: str) -> None:
    template = read(TEMPLATE)
    catalogue = read(CATALOGUE_DIR / f"{language}.po")
    problems = []
    for entry in template:
        if not entry.id:
            continue
        found = catalogue.get(entry.id)
        if found is None or not found.string or found.fuzzy:
            problems.append(f"untranslated: {entry.id!r}")
        elif placeholders(str(found.string)) != placeholders(str(entry.id)):
            problems.append(f"placeholders differ: {entry.id!r} -> {found.string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", translated_languages())
def test_no_language_keeps_texts_the_code_no_longer_has(language: str) -> None:
    wanted = {entry.id for entry in read(TEMPLATE) if entry.id}
    kept = {entry.id for entry in read(CATALOGUE_DIR / f"{language}.po") if entry.id}
    assert kept <= wanted, sorted(kept - wanted)


def test_the_template_holds_exactly_the_texts_of_the_code() -> None:
    """Re-extracted as `make catalogue` does: a text added or changed in the code without
    `make catalogue` fails here, not in front of a Spanish-speaking person."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    extracted = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map)
    }
    stored = {entry.id for entry in read(TEMPLATE) if entry.id}
    assert extracted - stored == set(), "run `make catalogue`: new texts are missing from messages.pot"
    assert stored - extracted == set(), "run `make catalogue`: messages.pot holds texts the code dropped"


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es", "es"),
        ("es-ES", "es"),
        ("es_MX", "es"),
        ("es-419", "es"),
        ("ES-es", "es"),
        ("en-US", "en"),
        ("en-gb", "en"),
        ("fr-FR", "en"),
        ("xx-YY", "en"),
        ("not a locale", "en"),
        ("", "en"),
        (None, "en"),
        ("es-" + "x" * 100, "en"),
    ],
)
def test_platform_locales_come_to_a_shipped_language(locale: str | None, language: str) -> None:
    assert i18n.negotiate(locale) == language


def test_a_text_is_in_the_language_spoken_and_english_elsewhere() -> None:
    with speaking("es-ES"):
        assert _("Ground rules") == "Normas básicas"
        assert _("Hi {name}! {admin} runs", name="Ana", admin="Bo") == "Hi Ana! Bo runs"  # not catalogued
    with speaking("fr-FR"):
        assert _("Ground rules") == "Ground rules"
    assert _("Ground rules") == "Ground rules"


def test_people_reading_one_message_share_its_language_or_get_english() -> None:
    assert i18n.common_language("es-ES", "es_MX") == "es"
    assert i18n.common_language("es-ES", "en-US") == "en"
    assert i18n.common_language("es-ES", None) == "en"


def test_a_translation_that_lost_a_placeholder_gives_way_to_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "es.po").write_text(
        'msgid "Your manager is {name}."\nmsgstr "Tu responsable es {nombre}."\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    forget_catalogues()
    try:
        with speaking("es"):
            assert _("Your manager is {name}.", name="Ana") == "Your manager is Ana."
    finally:
        forget_catalogues()


def forget_catalogues() -> None:
    for remembered in (i18n.catalogue, i18n.shipped_languages, i18n.negotiate):
        remembered.cache_clear()
