"""Platform-neutral outgoing messages.

The engine says *what* to show; `adapters/slack/render.py` turns it into Block Kit and
`adapters/teams/render.py` into an Adaptive Card. Messages are stored in the outbox as plain dicts, so
they round-trip through `to_dict` / `message_from_dict` without losing anything.

A person is named only through `mention()`. Its placeholder is sealed with a secret of this process
between two Unicode noncharacters, so nothing a person types (a story, a goal, a display name) can
pass for one, however the engine mixes that text into a message.

A command a person can run is named only through `command()`, sealed the same way: how it is run
differs (Slack offers only `/mentor …`, Teams reads what is typed to the bot), so one text serves both
platforms and each renderer says it natively.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from conversations.i18n import N_, _
from conversations.meeting_slots import slot_label

MENTION_OPEN = "\ufdd0"
MENTION_CLOSE = "\ufdd1"
"""Unicode noncharacters: never shown and never part of an id, so they can delimit a mention."""
MENTION_FORMAT = 2
"""Stored with every serialised message; rows without it hold the older `{@user_id}` placeholders."""

_SEAL = secrets.token_hex(8)
"""Known only inside this process, so text that came from outside cannot carry a live mention."""
_MARKERS = {ord(MENTION_OPEN): None, ord(MENTION_CLOSE): None}
_ID = f"([^{MENTION_OPEN}{MENTION_CLOSE}]*)"
_LIVE = re.compile(re.escape(MENTION_OPEN + _SEAL) + _ID + MENTION_CLOSE)
_STORED = re.compile(MENTION_OPEN + _ID + MENTION_CLOSE)
_LEGACY = re.compile(r"\{@([^{}]*)\}")

COMMAND_OPEN = "\ufdd2"
COMMAND_CLOSE = "\ufdd3"
"""Noncharacters delimiting a command reference, as the mention markers delimit a mention."""
_COMMAND_MARKERS = {ord(COMMAND_OPEN): None, ord(COMMAND_CLOSE): None}
_WORDS = f"([^{COMMAND_OPEN}{COMMAND_CLOSE}]*)"
_LIVE_COMMAND = re.compile(re.escape(COMMAND_OPEN + _SEAL) + _WORDS + COMMAND_CLOSE)
_STORED_COMMAND = re.compile(COMMAND_OPEN + _WORDS + COMMAND_CLOSE)


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


class InputKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    SELECT = "select"
    MULTISELECT = "multiselect"
    NUMBER = "number"
    DATE = "date"
    SEARCH = "search"
    """One choice from a list too long for the form (`FormInput.dataset`): the form carries a few
    `options` and the `initial` value, and the platform asks `conversations.options_search` for the
    rest as the person types."""
    PERSON = "person"
    """One person of the workspace or tenant, chosen in the platform's own people picker; the answer is
    the picked account's id (a Teams picker gives an Azure AD object id). `options` name people already
    chosen, and on Teams the people to offer where its picker cannot work."""
    PEOPLE = "people"
    """Several people, as `PERSON`; at most `FormInput.max_items`. The answer is a list of ids."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    confirm: str | None = None
    """A question the person must confirm before the click counts: Slack asks it in its confirm
    dialog, Teams in a second step under the button."""


@dataclass(frozen=True)
class FormInput:
    name: str
    label: str
    kind: InputKind = InputKind.TEXT
    options: tuple[Option, ...] = ()
    initial: str | tuple[str, ...] | None = None
    optional: bool = False
    placeholder: str | None = None
    hint: str | None = None
    max_length: int | None = None
    dataset: str | None = None
    """For `InputKind.SEARCH`: the list searched as the person types (see `conversations.options_search`)."""
    max_items: int | None = None
    """For `InputKind.PEOPLE`: how many may be chosen."""


@dataclass(frozen=True)
class Form:
    """A set of inputs submitted together: a Slack modal, a Teams card with Action.Submit."""

    form_id: str
    title: str
    inputs: tuple[FormInput, ...]
    submit_label: str = "Save"
    context: str = ""
    """Opaque value carried back on submit (e.g. the check-in id a note belongs to)."""


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message, delivered whole: Slack uploads it, Teams offers it for download.

    Bytes, not text, so a chart and a CSV travel the same way and nothing is ever cut to fit a message.
    """

    filename: str
    content: bytes
    mime_type: str = "text/csv"
    description: str = ""
    """What the file shows, in words: alt text for an image, the title of an upload."""

    @property
    def size(self) -> int:
        return len(self.content)

    def announcement(self) -> str:
        """What the message says of its file; the file itself is delivered whole, beside the message."""
        return _("{filename} ({size}) follows as a file.", filename=self.filename, size=size_label(self.size))


def size_label(size: int) -> str:
    """A file size as people read it: 812 bytes, 14 KB, 2.3 MB."""
    if size < 1024:
        return _("{count} bytes", count=size)
    if size < 1024 * 1024:
        return _("{count} KB", count=round(size / 1024))
    return _("{count} MB", count=f"{size / (1024 * 1024):.1f}")


@dataclass(frozen=True)
class MeetingOffer:
    """A time two people could meet, proposed by the engine.

    Renderers show it on each reader's clock and build the calendar links from these fields alone
    (see `conversations.meeting_slots`), so no text a person typed ever becomes a link.
    """

    start: datetime
    """Aware, UTC."""
    end: datetime
    timezones: tuple[str, ...]
    """The readers' time zones: one in a direct message, both people's in a message they share."""
    title: str
    details: str
    attendees: tuple[str, ...] = ()
    """Both people's work emails where known, for the Teams meeting link."""


@dataclass(frozen=True)
class Link:
    """A titled https address from a vetted source (the learning-resources catalogue), which renderers
    turn into a native link. Never made from text a person typed."""

    title: str
    url: str


@dataclass(frozen=True)
class ItemList:
    """A list the reader sees as a list: bullets or numbers in Slack, one line each in Teams.

    Lines joined with "\\n" into one text are not a list everywhere: Teams runs single line breaks
    into one paragraph, so a list is said with this and each renderer lays it out natively.
    """

    items: tuple[str, ...]
    numbered: bool = False
    links: tuple[Link | None, ...] = ()
    """Item by item, a link shown before the item's text (none when empty or None)."""

    def __bool__(self) -> bool:
        """An empty list, like an empty text, is a field with nothing to show."""
        return bool(self.items)

    def markers(self) -> tuple[str, ...]:
        """What each item starts with when the list is written out as lines."""
        return tuple(f"{i}." if self.numbered else "•" for i in range(1, len(self.items) + 1))

    def link_of(self, index: int) -> Link | None:
        return self.links[index] if index < len(self.links) else None

    def lines(self) -> tuple[str, ...]:
        """The items as plain lines, for places that show text only (notifications, the console)."""
        return tuple(
            f"{marker} {_linked_line(self.link_of(i), item)}"
            for i, (marker, item) in enumerate(zip(self.markers(), self.items, strict=True))
        )


LINK_SEPARATOR = " · "
"""Between a link and the rest of its item."""


def _linked_line(link: Link | None, item: str) -> str:
    if link is None:
        return item
    return LINK_SEPARATOR.join(part for part in (link.title, item, link.url) if part)


FieldValue = str | ItemList
"""A field holds a short text or a list."""

SHORT_FIELD_CHARS = 80
"""A field value up to this long reads well beside its name; a longer one is a paragraph under it."""


@dataclass(frozen=True)
class OutgoingMessage:
    text: str
    title: str | None = None
    fields: tuple[tuple[str, FieldValue], ...] = ()
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    attachment: Attachment | None = None
    mentions: tuple[str, ...] = field(default=())
    """Platform user ids the text names with `mention()`; adapters render a native mention."""
    meetings: tuple[MeetingOffer, ...] = ()
    """Proposed meeting times, shown after the fields with links that put one in a calendar."""
    quote: str | None = None
    """A person's own words shown set apart, right after the text (a story awaiting approval)."""

    def __post_init__(self) -> None:
        """Delimiters outside a sealed mention mean nothing; dropping them now keeps storage exact."""
        object.__setattr__(self, "text", _resealed(self.text))
        if self.title is not None:
            object.__setattr__(self, "title", _resealed(self.title))
        if self.quote is not None:
            object.__setattr__(self, "quote", _resealed(self.quote))
        object.__setattr__(
            self, "fields", tuple((_resealed(k), _map_value(v, _resealed)) for k, v in self.fields)
        )

    def to_dict(self) -> dict[str, Any]:
        """The storable form: the seal is process-local, so mentions are written without it.

        Written out by hand rather than with `dataclasses.asdict`, whose deep copies were most of the
        time a 20,000-person check-in tick spent; forms are rare and keep `asdict`.
        """
        return {
            "text": _stored(self.text),
            "title": _stored(self.title) if self.title is not None else None,
            "fields": tuple((_stored(name), _stored_value(value)) for name, value in self.fields),
            "buttons": tuple(
                {
                    "label": b.label,
                    "action_id": b.action_id,
                    "value": b.value,
                    "style": b.style,
                    **({"confirm": b.confirm} if b.confirm is not None else {}),
                }
                for b in self.buttons
            ),
            "form": asdict(self.form) if self.form is not None else None,
            "attachment": _attachment_to_dict(self.attachment) if self.attachment is not None else None,
            "mentions": self.mentions,
            "mention_format": MENTION_FORMAT,
            **({"meetings": [_meeting_to_dict(m) for m in self.meetings]} if self.meetings else {}),
            **({"quote": _stored(self.quote)} if self.quote is not None else {}),
        }

    def plain_text(self, command_words: Callable[[str], str] | None = None) -> str:
        """A readable fallback for notifications, the console and screen readers.

        `command_words` writes a command the way the platform runs it; by default as a code span."""

        def shown(text: str) -> str:
            return _at_ids(text, command_words or _code_span)

        lines = [f"*{shown(self.title)}*"] if self.title else []
        lines.append(shown(self.text))
        if self.quote:
            lines.append(f"“{shown(self.quote)}”")
        for name, value in self.fields:
            if isinstance(value, ItemList):
                lines += [f"{shown(name)}:", *(shown(line) for line in value.lines())]
            else:
                lines.append(f"{shown(name)}: {shown(value)}")
        lines += [
            "• " + " / ".join(slot_label(m.start, m.end, zone) for zone in m.timezones or ("UTC",))
            for m in self.meetings
        ]
        return "\n".join(lines)


def _same(text: str) -> str:
    return text


def render_mentions(text: str, render: Callable[[str], str], literal: Callable[[str], str] = _same) -> str:
    """Engine mentions through `render`, and every other run of text through `literal`.

    `literal` is where a platform escapes its markup: whatever it gets is text the engine did not
    mark as a mention, so it must never come out as one.
    """
    if MENTION_OPEN not in text and MENTION_CLOSE not in text:
        return literal(text)  # most text names nobody: a fan-out passes thousands of strings through here
    parts = _LIVE.split(text)
    return "".join(render(part) if i % 2 else literal(unmarked(part)) for i, part in enumerate(parts))


def mentioned_in(text: str) -> list[str]:
    """The user ids the engine mentions in `text`, in order, repeats included."""
    return _LIVE.findall(text)


def unmarked(text: str) -> str:
    """Without the mention delimiters, which have no meaning outside a sealed placeholder."""
    if MENTION_OPEN in text or MENTION_CLOSE in text:
        return text.translate(_MARKERS)
    return text


def mention(user_id: str) -> str:
    """The only way to name a person so that platforms render a native mention."""
    return MENTION_OPEN + _SEAL + unmarked(user_id) + MENTION_CLOSE


def command(words: str) -> str:
    """The only way a message names a command, e.g. `command("goals add TEXT")`.

    Slack renders it as `/mentor goals add TEXT` (typing to the bot goes nowhere there), Teams as
    **goals add TEXT** (typed to the bot, it runs).
    """
    return COMMAND_OPEN + _SEAL + unmarked(words).translate(_COMMAND_MARKERS) + COMMAND_CLOSE


def render_commands(text: str, render: Callable[[str], str]) -> str:
    """Engine command references through `render`; stray delimiters in other text are dropped."""
    if COMMAND_OPEN not in text and COMMAND_CLOSE not in text:
        return text
    parts = _LIVE_COMMAND.split(text)
    return "".join(
        render(part) if i % 2 else part.translate(_COMMAND_MARKERS) for i, part in enumerate(parts)
    )


def commands_in(text: str) -> list[str]:
    """The command words the engine names in `text`, in order."""
    return _LIVE_COMMAND.findall(text)


def _map_value(value: FieldValue, change: Callable[[str], str]) -> FieldValue:
    if isinstance(value, ItemList):
        return ItemList(tuple(change(item) for item in value.items), value.numbered, value.links)
    return change(value)


def _stored_value(value: FieldValue) -> str | dict[str, Any]:
    """A list is stored as an object, so a stored text can never be read back as one."""
    if isinstance(value, ItemList):
        stored: dict[str, Any] = {
            "items": [_stored(item) for item in value.items],
            "numbered": value.numbered,
        }
        if value.links:
            stored["links"] = [[link.title, link.url] if link else None for link in value.links]
        return stored
    return _stored(value)


def _read_link(raw: Any) -> Link | None:
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return Link(str(raw[0]), str(raw[1]))
    return None


def _read_value(value: Any, read: Callable[[str], str]) -> FieldValue:
    if isinstance(value, dict):
        return ItemList(
            tuple(read(str(item)) for item in value.get("items", ())),
            bool(value.get("numbered")),
            tuple(_read_link(raw) for raw in value.get("links", ())),
        )
    return read(str(value))


def _resealed(text: str) -> str:
    return render_commands(render_mentions(text, mention), command)


def _code_span(words: str) -> str:
    return f"`{words}`"


def _at_ids(text: str, command_words: Callable[[str], str] = _code_span) -> str:
    return render_commands(render_mentions(text, lambda uid: f"@{uid}"), command_words)


def _stored(text: str) -> str:
    return render_commands(
        render_mentions(text, lambda uid: MENTION_OPEN + uid + MENTION_CLOSE),
        lambda words: COMMAND_OPEN + words + COMMAND_CLOSE,
    )


def _from_stored(text: str) -> str:
    """Stored text was written by `to_dict`, which kept delimiters only around engine mentions and
    command references."""
    parts = _STORED.split(text)
    sealed = "".join(mention(part) if i % 2 else unmarked(part) for i, part in enumerate(parts))
    commands = _STORED_COMMAND.split(sealed)
    return "".join(
        command(part) if i % 2 else part.translate(_COMMAND_MARKERS) for i, part in enumerate(commands)
    )


def _from_legacy(text: str, declared: frozenset[str]) -> str:
    """Rows queued before mentions were sealed: `{@id}` names a person only if the message declared them.

    Anything else that looks like a placeholder was typed by someone and stays plain text.
    """
    plain = unmarked(text).translate(_COMMAND_MARKERS)
    return _LEGACY.sub(lambda m: mention(m[1]) if m[1] in declared else m[0], plain)


def _meeting_to_dict(meeting: MeetingOffer) -> dict[str, Any]:
    return {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "timezones": meeting.timezones,
        "title": meeting.title,
        "details": meeting.details,
        "attendees": meeting.attendees,
    }


def _meeting_from_dict(data: dict[str, Any]) -> MeetingOffer:
    return MeetingOffer(
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        timezones=tuple(data.get("timezones", ())),
        title=str(data.get("title", "")),
        details=str(data.get("details", "")),
        attendees=tuple(data.get("attendees", ())),
    )


def _attachment_to_dict(attachment: Attachment) -> dict[str, Any]:
    return {
        "filename": attachment.filename,
        "content_base64": base64.b64encode(attachment.content).decode("ascii"),
        "mime_type": attachment.mime_type,
        "description": attachment.description,
    }


def _attachment_from_dict(data: dict[str, Any]) -> Attachment:
    """Rows stored before attachments were bytes hold the text itself under `content`."""
    encoded = data.get("content_base64")
    content = base64.b64decode(encoded) if encoded is not None else str(data.get("content", "")).encode()
    return Attachment(
        filename=str(data["filename"]),
        content=content,
        mime_type=str(data.get("mime_type", "text/csv")),
        description=str(data.get("description", "")),
    )


def _text_reader(data: dict[str, Any]) -> Callable[[str], str]:
    if data.get("mention_format") == MENTION_FORMAT:
        return _from_stored
    declared = frozenset(str(uid) for uid in data.get("mentions", ()))
    return lambda text: _from_legacy(text, declared)


def message_from_dict(data: dict[str, Any]) -> OutgoingMessage:
    form = data.get("form")
    attachment = data.get("attachment")
    read = _text_reader(data)
    title = data.get("title")
    return OutgoingMessage(
        text=read(data["text"]),
        title=read(title) if title is not None else None,
        fields=tuple((read(str(k)), _read_value(v, read)) for k, v in data.get("fields", ())),
        buttons=tuple(
            Button(
                b["label"],
                b["action_id"],
                b.get("value", ""),
                ButtonStyle(b.get("style", "default")),
                b.get("confirm"),
            )
            for b in data.get("buttons", ())
        ),
        form=_form_from_dict(form) if form else None,
        attachment=_attachment_from_dict(attachment) if attachment else None,
        mentions=tuple(data.get("mentions", ())),
        meetings=tuple(_meeting_from_dict(m) for m in data.get("meetings", ())),
        quote=read(data["quote"]) if data.get("quote") is not None else None,
    )


def _form_from_dict(data: dict[str, Any]) -> Form:
    inputs = []
    for raw in data["inputs"]:
        initial = raw.get("initial")
        inputs.append(
            FormInput(
                name=raw["name"],
                label=raw["label"],
                kind=InputKind(raw.get("kind", "text")),
                options=tuple(Option(o["value"], o["label"]) for o in raw.get("options", ())),
                initial=tuple(initial) if isinstance(initial, list) else initial,
                optional=raw.get("optional", False),
                placeholder=raw.get("placeholder"),
                hint=raw.get("hint"),
                max_length=raw.get("max_length"),
                dataset=raw.get("dataset"),
                max_items=raw.get("max_items"),
            )
        )
    return Form(
        form_id=data["form_id"],
        title=data["title"],
        inputs=tuple(inputs),
        submit_label=data.get("submit_label", "Save"),
        context=data.get("context", ""),
    )


SORRY_TEXT = N_(
    "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute."
)
"""What a person sees when something fails that they could not have caused: never a traceback."""


class Visibility(StrEnum):
    PRIVATE = "private"
    """Only the person who asked sees it (Slack ephemeral, Teams reply in the 1:1 chat)."""
    IN_CHANNEL = "in_channel"


@dataclass(frozen=True)
class Reply:
    """The engine's immediate answer to an inbound event, shown to the person who caused it."""

    message: OutgoingMessage | None = None
    visibility: Visibility = Visibility.PRIVATE
    form_errors: dict[str, str] = field(default_factory=dict)
    """Per-input validation messages; Slack shows them inline in the modal."""
    replace_original: bool = False
    """For button clicks: replace the message that held the button (so it can't be clicked again)."""
    language: str | None = None
    """The language the reply is written in, so what an adapter adds around it (a modal's Cancel
    button, a form's problems) is in the same one."""

    @classmethod
    def text(cls, text: str, **kwargs: Any) -> Reply:
        return cls(OutgoingMessage(text=text), **kwargs)
