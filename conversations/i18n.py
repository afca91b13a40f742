"""Every text a person reads goes through `_`, so one catalogue of texts serves every language.

The language is the reader's: whoever builds a message for a person does so inside
`speaking(person's locale)`, and `_` looks the text up in that language's catalogue. Texts are
written in English with named `{placeholders}`; the values are filled in after the lookup, so a
translation can move them and a person's own words are never read as a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT_LOCALE = "en"

_speaking: ContextVar[str] = ContextVar("mentorbot_locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    return _speaking.get()


@contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Texts built inside are in `locale` (English when it is None or not shipped)."""
    token = _speaking.set(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _speaking.reset(token)


def _(message: str, /, **values: object) -> str:
    """`message` in the current language, with `values` filled into its `{placeholders}`."""
    return message.format(**values) if values else message
