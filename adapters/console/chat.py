"""The console platform: messages are printed readably and kept in a transcript."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conversations.domain import Profile, UserRef, recipient_email
from conversations.errors import DeliveryError
from conversations.messages import ItemList, OutgoingMessage, render_mentions
from conversations.ports import Absence, NotMember, Person

PLATFORM = "console"


@dataclass(frozen=True)
class Sent:
    conversation: str
    recipients: tuple[str, ...]
    message: OutgoingMessage
    message_id: str


class ConsoleChat:
    """Supports group DMs (like Slack) so the demo shows one intro per pair."""

    platform = PLATFORM

    def __init__(
        self,
        names: dict[str, str] | None = None,
        timezones: dict[str, str] | None = None,
        listener: Callable[[Sent], None] | None = None,
        unreachable: set[str] | None = None,
        group_dm: bool = True,
        emails: dict[str, str] | None = None,
        locales: dict[str, str] | None = None,
    ) -> None:
        self.names = names if names is not None else {}
        self.timezones = timezones if timezones is not None else {}
        self.listener = listener
        self.unreachable = unreachable if unreachable is not None else set()
        self._group_dm = group_dm
        self.emails = emails if emails is not None else {}
        self.locales = locales if locales is not None else {}
        """User id to the language tag the platform would give for them (`es-ES`)."""
        """Work email to user id: whom a DM addressed by email reaches (`email_recipient`)."""
        self.transcript: list[Sent] = []
        self._ids = itertools.count(1)
        self._groups: dict[str, tuple[str, ...]] = {}

    @property
    def supports_group_dm(self) -> bool:
        return self._group_dm

    def name(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        email = recipient_email(user)
        if email is not None:
            found = self.emails.get(email)
            if found is None:
                raise DeliveryError(f"console: nobody has the email {email}", permanent=True)
            user = UserRef(user.platform, user.workspace_id, found)
        if user.user_id in self.unreachable:
            raise DeliveryError(f"{user.user_id} cannot be reached", permanent=True)
        return self._record(f"dm:{user.user_id}", (user.user_id,), message)

    async def open_group_dm(self, users: Sequence[UserRef]) -> str:
        ids = tuple(sorted(u.user_id for u in users))
        conversation = "group:" + ",".join(ids)
        self._groups[conversation] = ids
        return conversation

    async def post_to_channel(self, workspace_id: str, channel_id: str, message: OutgoingMessage) -> str:
        recipients = self._groups.get(channel_id, (channel_id,))
        return self._record(channel_id, recipients, message)

    async def get_profile(self, user: UserRef) -> Profile:
        email = next((e for e, uid in self.emails.items() if uid == user.user_id), None)
        return Profile(
            self.name(user.user_id), self.timezones.get(user.user_id), email, self.locales.get(user.user_id)
        )

    # --- the console's people: everyone it has a name for (conversations.ports.PeopleDirectory) ----

    async def member(self, user: UserRef) -> Person | NotMember:
        if user.user_id not in self.names:
            return NotMember(Absence.UNKNOWN)
        return self._person(user.workspace_id, user.user_id)

    async def by_email(self, workspace_id: str, email: str) -> Person | None:
        user_id = self.emails.get(email.strip().lower())
        if user_id is None or user_id not in self.names:
            return None
        return self._person(workspace_id, user_id)

    async def search(self, workspace_id: str, name: str) -> list[Person]:
        words = name.casefold().lstrip("@").split()
        found = [
            uid for uid, shown in self.names.items() if words and all(w in shown.casefold() for w in words)
        ]
        return [self._person(workspace_id, uid) for uid in sorted(found, key=lambda u: self.names[u])]

    async def channel_members(self, workspace_id: str, channel_id: str) -> list[Person]:
        """The console has one room: everyone it knows by name is in it."""
        return [self._person(workspace_id, uid) for uid in sorted(self.names, key=lambda u: self.names[u])]

    def _person(self, workspace_id: str, user_id: str) -> Person:
        email = next((e for e, uid in self.emails.items() if uid == user_id), None)
        return Person(UserRef(PLATFORM, workspace_id, user_id), self.name(user_id), email)

    def _record(self, conversation: str, recipients: tuple[str, ...], message: OutgoingMessage) -> str:
        message_id = str(next(self._ids))
        sent = Sent(conversation, recipients, message, message_id)
        self.transcript.append(sent)
        if self.listener is not None:
            self.listener(sent)
        return message_id

    def render(self, sent: Sent) -> str:
        message = sent.message
        who = " & ".join(self.name(r) for r in (sent.recipients or (sent.conversation,)))
        lines = [f"── to {who} " + "─" * max(0, 60 - len(who))]
        if message.title:
            lines.append(f"  {message.title}")
        body = render_mentions(message.text, lambda uid: "@" + self.name(uid))
        lines += ["  " + line for line in textwrap.wrap(body, 92) or [""]]
        if message.quote:
            quote = render_mentions(message.quote, lambda uid: "@" + self.name(uid))
            lines += ["  > " + line for line in textwrap.wrap(quote, 90) or [""]]
        for name, value in message.fields:
            text = "\n".join(value.lines()) if isinstance(value, ItemList) else value
            text = render_mentions(text, lambda uid: "@" + self.name(uid))
            value_lines = text.splitlines() or [""]
            if len(value_lines) == 1 and len(name) + len(text) < 90 and not isinstance(value, ItemList):
                lines.append(f"  {name}: {text}")
                continue
            lines.append(f"  {name}:")
            for line in value_lines:
                lines += ["    " + part for part in textwrap.wrap(line, 90, subsequent_indent="  ")]
        if message.buttons:
            lines.append("  " + "  ".join(f"[{b.label}]" for b in message.buttons))
        return "\n".join(lines)
