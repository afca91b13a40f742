"""Inbound events, translated by each adapter from its platform's payloads.

Every event carries the platform's own `event_id` so a redelivered request (Slack retries, Teams
redeliveries) is recognised and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.domain import UserRef


@dataclass(frozen=True)
class Where:
    """Where the event happened: a channel id, or None for a direct conversation with the bot."""

    channel_id: str | None = None
    is_direct: bool = True


@dataclass(frozen=True)
class CommandReceived:
    actor: UserRef
    text: str
    event_id: str
    where: Where = Where()
    display_name: str | None = None
    locale: str | None = None
    """The person's language as the platform sent it with the event (Teams does, Slack does not)."""


@dataclass(frozen=True)
class ButtonClicked:
    actor: UserRef
    action_id: str
    value: str
    event_id: str
    where: Where = Where()
    locale: str | None = None


@dataclass(frozen=True)
class FormSubmitted:
    actor: UserRef
    form_id: str
    fields: dict[str, str | list[str]]
    event_id: str
    context: str = ""
    locale: str | None = None


@dataclass(frozen=True)
class Installed:
    """The bot was added for someone (Teams install, Slack app home opened)."""

    actor: UserRef
    event_id: str
    conversation: dict[str, object] = field(default_factory=dict)
    locale: str | None = None


InboundEvent = CommandReceived | ButtonClicked | FormSubmitted | Installed
