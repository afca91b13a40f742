"""Every text a person reads goes through `_`, so one catalogue of texts serves every language.

The language is the reader's: whoever builds a message for a person does so inside
`speaking(person's locale)`, and `_` looks the text up in that language's catalogue. Texts are
written in English with named `{placeholders}`; the values are filled in after the lookup, so a
translation can move them and a person's own words are never read as a template.

The catalogues are the `.po` files in `conversations/locale/`, read once each when first needed, so
no compiled catalogue has to be built or shipped. A language is shipped when its `.po` file is there;
any other locale falls back to English.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

DEFAULT_LOCALE = "en"
CATALOGUE_DIR = Path(__file__).parent / "locale"
"""`messages.pot` (every text, extracted from the code) and one `LANGUAGE.po` per shipped language."""

_speaking: ContextVar[str] = ContextVar("mentorbot_locale", default=DEFAULT_LOCALE)


@cache
def shipped_languages() -> tuple[str, ...]:
    """English first, then every language with a catalogue, by language code."""
    return (DEFAULT_LOCALE, *sorted(p.stem for p in CATALOGUE_DIR.glob("*.po") if p.stem != DEFAULT_LOCALE))


@lru_cache(maxsize=1024)
def negotiate(locale: str | None) -> str:
    """The shipped language for a platform's locale (`es-ES`, `es_MX`, `es`), or English.

    Platforms send tags in both spellings; only the language matters, since each language ships once.
    Remembered per tag: a fan-out asks it once per recipient.
    """
    tag = (locale or "").strip()
    if not tag or len(tag) > 35:
        return DEFAULT_LOCALE
    try:
        language = Locale.parse(tag.replace("-", "_")).language
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LOCALE
    return language if language in shipped_languages() else DEFAULT_LOCALE


def language_name(language: str, in_language: str | None = None, *, in_a_list: bool = True) -> str:
    """A language named in itself ("Español"), as a person looking for their own language reads it, or
    in `in_language` ("Spanish" in "en"); within a sentence as that language writes it ("español")."""
    name = Locale.parse(language).get_display_name(in_language or language) or language
    return name[:1].upper() + name[1:] if in_a_list else name


def common_language(*locales: str | None) -> str:
    """The language of a message several people read at once: theirs if they share it, else English."""
    languages = {negotiate(locale) for locale in locales}
    return languages.pop() if len(languages) == 1 else DEFAULT_LOCALE


def current_locale() -> str:
    return _speaking.get()


@contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Texts built inside are in `locale` (English when it is None or not shipped)."""
    token = _speaking.set(negotiate(locale))
    try:
        yield
    finally:
        _speaking.reset(token)


@cache
def catalogue(language: str) -> dict[str, str]:
    """The translated texts of one shipped language, by their English text (empty for English)."""
    path = CATALOGUE_DIR / f"{language}.po"
    if language == DEFAULT_LOCALE or not path.is_file():
        return {}
    with path.open("rb") as po:
        read = read_po(po, locale=language)
    return {
        str(m.id): str(m.string)
        for m in read
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


def _(message: str, /, **values: object) -> str:
    """`message` in the current language, with `values` filled into its `{placeholders}`.

    A translation that cannot take the values (a placeholder renamed by mistake) gives way to the
    English text: the catalogue tests catch it, and the person still reads a whole sentence.
    """
    translated = catalogue(_speaking.get()).get(message, message)
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.warning("translation of %r does not fit its placeholders", message)
        return message.format(**values)


def N_(message: str, /) -> str:
    """Marks a text for the catalogue where it is defined (a table, a constant); `_` translates it
    where it is shown, in the reader's language."""
    return message
