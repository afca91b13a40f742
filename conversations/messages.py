"""Platform-neutral outgoing messages.

The engine says *what* to show; `adapters/slack/render.py` turns it into Block Kit and
`adapters/teams/render.py` into an Adaptive Card. Messages are stored in the outbox as plain dicts, so
they round-trip through `to_dict` / `message_from_dict` without losing anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


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
class OutgoingMessage:
    text: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    form: Form | None = None
    attachment: Attachment | None = None
    mentions: tuple[str, ...] = field(default=())
    """Platform user ids named in the text as `{@user_id}`; adapters render a native mention."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def plain_text(self) -> str:
        """A readable fallback for notifications, the console and screen readers."""
        lines = [f"*{self.title}*"] if self.title else []
        lines.append(render_mentions(self.text, lambda uid: f"@{uid}"))
        lines += [f"{name}: {value}" for name, value in self.fields]
        return "\n".join(lines)


def render_mentions(text: str, render: Any) -> str:
    """Replace every `{@user_id}` placeholder with what the platform uses to name a person."""
    out = []
    i = 0
    while i < len(text):
        start = text.find("{@", i)
        if start < 0:
            out.append(text[i:])
            break
        end = text.find("}", start)
        if end < 0:
            out.append(text[i:])
            break
        out.append(text[i:start])
        out.append(render(text[start + 2 : end]))
        i = end + 1
    return "".join(out)


def mention(user_id: str) -> str:
    return "{@" + user_id + "}"


def message_from_dict(data: dict[str, Any]) -> OutgoingMessage:
    form = data.get("form")
    attachment = data.get("attachment")
    return OutgoingMessage(
        text=data["text"],
        title=data.get("title"),
        fields=tuple((str(k), str(v)) for k, v in data.get("fields", ())),
        buttons=tuple(
            Button(b["label"], b["action_id"], b.get("value", ""), ButtonStyle(b.get("style", "default")))
            for b in data.get("buttons", ())
        ),
        form=_form_from_dict(form) if form else None,
        attachment=Attachment(**attachment) if attachment else None,
        mentions=tuple(data.get("mentions", ())),
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
            )
        )
    return Form(
        form_id=data["form_id"],
        title=data["title"],
        inputs=tuple(inputs),
        submit_label=data.get("submit_label", "Save"),
        context=data.get("context", ""),
    )


SORRY_TEXT = "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute."
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

    @classmethod
    def text(cls, text: str, **kwargs: Any) -> Reply:
        return cls(OutgoingMessage(text=text), **kwargs)
