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

import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from conversations.i18n import N_
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
    filename: str
    content: str
    mime_type: str = "text/csv"


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
class OutgoingMessage:
    text: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    attachment: Attachment | None = None
    mentions: tuple[str, ...] = field(default=())
    """Platform user ids the text names with `mention()`; adapters render a native mention."""
    meetings: tuple[MeetingOffer, ...] = ()
    """Proposed meeting times, shown after the fields with links that put one in a calendar."""

    def __post_init__(self) -> None:
        """Delimiters outside a sealed mention mean nothing; dropping them now keeps storage exact."""
        object.__setattr__(self, "text", _resealed(self.text))
        if self.title is not None:
            object.__setattr__(self, "title", _resealed(self.title))
        object.__setattr__(self, "fields", tuple((_resealed(k), _resealed(v)) for k, v in self.fields))

    def to_dict(self) -> dict[str, Any]:
        """The storable form: the seal is process-local, so mentions are written without it.

        Written out by hand rather than with `dataclasses.asdict`, whose deep copies were most of the
        time a 20,000-person check-in tick spent; forms and attachments are rare and keep `asdict`.
        """
        return {
            "text": _stored(self.text),
            "title": _stored(self.title) if self.title is not None else None,
            "fields": tuple((_stored(name), _stored(value)) for name, value in self.fields),
            "buttons": tuple(
                {"label": b.label, "action_id": b.action_id, "value": b.value, "style": b.style}
                for b in self.buttons
            ),
            "form": asdict(self.form) if self.form is not None else None,
            "attachment": asdict(self.attachment) if self.attachment is not None else None,
            "mentions": self.mentions,
            "mention_format": MENTION_FORMAT,
            **({"meetings": [_meeting_to_dict(m) for m in self.meetings]} if self.meetings else {}),
        }

    def plain_text(self) -> str:
        """A readable fallback for notifications, the console and screen readers."""
        lines = [f"*{_at_ids(self.title)}*"] if self.title else []
        lines.append(_at_ids(self.text))
        lines += [f"{_at_ids(name)}: {_at_ids(value)}" for name, value in self.fields]
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


def _resealed(text: str) -> str:
    return render_commands(render_mentions(text, mention), command)


def _at_ids(text: str) -> str:
    return render_commands(render_mentions(text, lambda uid: f"@{uid}"), lambda words: f"`{words}`")


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
        fields=tuple((read(str(k)), read(str(v))) for k, v in data.get("fields", ())),
        buttons=tuple(
            Button(b["label"], b["action_id"], b.get("value", ""), ButtonStyle(b.get("style", "default")))
            for b in data.get("buttons", ())
        ),
        form=_form_from_dict(form) if form else None,
        attachment=Attachment(**attachment) if attachment else None,
        mentions=tuple(data.get("mentions", ())),
        meetings=tuple(_meeting_from_dict(m) for m in data.get("meetings", ())),
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
