"""Naming a person: what a people picker gave, or what someone typed (a name, an @mention, an email).

The workspace's directory (`conversations.ports.PeopleDirectory`, one per platform) is asked here,
before an event's unit of work opens, because it calls the platform: a slow network must never hold a
transaction. A modal submit on Slack must be answered within three seconds, so every question has a
budget; what the directory could not answer in time is reported as unchecked, and the form asks the
person to submit again rather than trusting an unchecked account.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from conversations.domain import UserRef
from conversations.errors import DeliveryError
from conversations.i18n import _
from conversations.parsing import ParsedCommand
from conversations.ports import Absence, NotMember, PeopleDirectory, Person
from conversations.profile_form import AVOID_FIELD, MANAGER_FIELD, MAX_AVOIDED
from conversations.program_settings import HELP_PERSON_FIELD

logger = logging.getLogger(__name__)

LOOKUP_SECONDS = 1.2
"""How long the directory may take for one event: well inside Slack's three seconds for a modal."""
MAX_CANDIDATES = 5
"""How many "Did you mean …?" buttons an ambiguous name gets; more means the name says too little."""
MANAGER_COMMAND = "manager"
AVOID_COMMAND = "avoid"
CLEAR_WORDS = frozenset({"clear", "none", "remove-all"})
LIST_WORDS = frozenset({"", "list", "show"})
PICKED_FIELDS = (MANAGER_FIELD, AVOID_FIELD, HELP_PERSON_FIELD)
"""The form inputs whose answers are people picked in the platform's picker."""

_MENTION = re.compile(r"<@([A-Za-z0-9._:-]{1,128})(?:\|[^>]*)?>")
"""Slack's escaped user mention, as a slash command receives it (`<@U123|jane>`)."""
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")


class Checked(StrEnum):
    """An answer that is no answer: kept apart from `NotMember` so nobody is refused for a slow network."""

    UNCHECKED = "unchecked"
    """The directory did not answer (in time): nothing is known either way."""


Answer: TypeAlias = Person | NotMember | Checked


@dataclass(frozen=True)
class PeopleFound:
    """What the directory said about the people an event names, asked before its transaction."""

    picked: Mapping[str, Answer] = field(default_factory=dict)
    """Each picked id (form answers, a "Did you mean" button) and who it is."""
    typed: tuple[Person, ...] | Checked | None = None
    """The people a typed name, mention or email matches; None when the event typed nobody."""
    in_channel: tuple[Person, ...] | Checked | None = None
    """The people of the channel the event came from, for a command about them (`invite here`); None
    when the event asked for none."""

    def answer(self, picked_id: str) -> Answer:
        return self.picked.get(picked_id, Checked.UNCHECKED)


NOBODY = PeopleFound()


# --- what an event names ----------------------------------------------------------------------------


def best_by_name(typed: str, candidates: Iterable[tuple[Sequence[str], Person]]) -> list[Person]:
    """The people whose names hold every word typed, those with a name exactly as typed first.

    `candidates` pairs each person with their names as the platform knows them (real, display, handle,
    sign-in), casefolded. Both directories search this way, so a name finds the same person on both.
    """
    words = typed.casefold().lstrip("@").split()
    if not words:
        return []
    whole = " ".join(words)
    scored: list[tuple[int, str, Person]] = []
    for names, person in candidates:
        if whole in names:
            scored.append((0, person.name.casefold(), person))
        elif all(any(word in name for name in names) for word in words):
            scored.append((1, person.name.casefold(), person))
    return [person for _score, _order, person in sorted(scored, key=lambda s: s[:2])]


def picked_in_form(fields: Mapping[str, str | list[str]]) -> list[str]:
    """Every id the people pickers of a form gave, in order, without repeats."""
    ids: list[str] = []
    for name in PICKED_FIELDS:
        value = fields.get(name)
        values = [value] if isinstance(value, str) else list(value or [])
        ids += [v.strip() for v in values if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(ids))[: MAX_AVOIDED + 2]


@dataclass(frozen=True)
class Typed:
    """A person as typed: an account id (from an @mention), an email, or words of a name."""

    user_id: str | None = None
    email: str | None = None
    name: str | None = None


def read_typed(text: str) -> Typed | None:
    """What the words after `manager` or `avoid` name, or None when they name nobody."""
    text = " ".join(text.split())
    if not text:
        return None
    mentioned = _MENTION.fullmatch(text)
    if mentioned:
        return Typed(user_id=mentioned[1])
    mailto = _MAILTO.fullmatch(text)
    if mailto:
        text = mailto[1]
    if _EMAIL.fullmatch(text):
        return Typed(email=text.lower())
    name = text.lstrip("@").strip()
    return Typed(name=name[:80]) if name else None


def typed_after(command: ParsedCommand, skip: Sequence[str] = ()) -> Typed | None:
    """The person typed after a command word (and an optional sub-command, such as `avoid add`)."""
    rest = command.rest
    first, _space, tail = rest.partition(" ")
    if first.lower() in skip:
        rest = tail
    return read_typed(rest)


def typed_in(command: ParsedCommand) -> Typed | None:
    """The person a `manager …` or `avoid [add|remove] …` command types, if any."""
    first = command.rest.partition(" ")[0].lower()
    if command.name == MANAGER_COMMAND and first not in CLEAR_WORDS | LIST_WORDS:
        return typed_after(command)
    if command.name == AVOID_COMMAND and first not in CLEAR_WORDS | LIST_WORDS:
        return typed_after(command, skip=("add", "remove"))
    return None


# --- asking the directory ---------------------------------------------------------------------------


async def check_picked(
    directory: PeopleDirectory | None, actor: UserRef, ids: Sequence[str]
) -> dict[str, Answer]:
    """Who each picked id is in the actor's own workspace, all asked at once within the budget."""
    if not ids:
        return {}
    if directory is None:
        return dict.fromkeys(ids, Checked.UNCHECKED)

    async def one(user_id: str) -> Answer:
        try:
            return await directory.member(UserRef(actor.platform, actor.workspace_id, user_id))
        except DeliveryError as error:
            logger.warning("could not check %s in %s: %s", user_id, actor.workspace_id, error)
            return Checked.UNCHECKED

    tasks = [asyncio.ensure_future(one(i)) for i in ids]
    done, pending = await asyncio.wait(tasks, timeout=LOOKUP_SECONDS)
    for task in pending:
        task.cancel()
    return {i: t.result() if t in done else Checked.UNCHECKED for i, t in zip(ids, tasks, strict=True)}


async def resolve_typed(
    directory: PeopleDirectory | None, actor: UserRef, typed: Typed
) -> tuple[Person, ...] | Checked:
    """The active people of the actor's workspace the typed words can mean, best first."""
    if directory is None:
        return Checked.UNCHECKED
    try:
        async with asyncio.timeout(LOOKUP_SECONDS * 2):
            if typed.user_id:
                found = await directory.member(UserRef(actor.platform, actor.workspace_id, typed.user_id))
                return (found,) if isinstance(found, Person) else ()
            if typed.email:
                person = await directory.by_email(actor.workspace_id, typed.email)
                return (person,) if person else ()
            matches = await directory.search(actor.workspace_id, typed.name or "")
    except (DeliveryError, TimeoutError) as error:
        logger.warning("could not look up a typed person in %s: %s", actor.workspace_id, error)
        return Checked.UNCHECKED
    return tuple(dict.fromkeys(matches))


async def look_up(
    directory: PeopleDirectory | None,
    actor: UserRef,
    picked: Sequence[str] = (),
    typed: Typed | None = None,
) -> PeopleFound:
    """Everything an event needs to know of the people it names, asked outside any transaction."""
    answers = await check_picked(directory, actor, picked)
    found = await resolve_typed(directory, actor, typed) if typed is not None else None
    return PeopleFound(answers, found)


CHANNEL_BUDGET_SECONDS = 20.0
"""A channel's members take a page per thousand people and, on Slack, the workspace's member list; a
command answers after its acknowledgement, so this may take longer than a form's check."""


async def channel_members(
    directory: PeopleDirectory | None, actor: UserRef, channel_id: str
) -> tuple[Person, ...] | Checked:
    """The people of `channel_id`, asked outside any transaction; UNCHECKED when nobody could say."""
    if directory is None:
        return Checked.UNCHECKED
    try:
        async with asyncio.timeout(CHANNEL_BUDGET_SECONDS):
            members = await directory.channel_members(actor.workspace_id, channel_id)
    except (DeliveryError, TimeoutError) as error:
        logger.warning("could not list the members of %s in %s: %s", channel_id, actor.workspace_id, error)
        return Checked.UNCHECKED
    return tuple(dict.fromkeys(members))


def absence_text(name: str, answer: Answer) -> str:
    """Why a picked account cannot be used, shown next to the field."""
    if isinstance(answer, NotMember):
        if answer.reason is Absence.DEACTIVATED:
            return _("{field}: that account is deactivated. Pick someone active.", field=name)
        if answer.reason is Absence.BOT:
            return _("{field}: that is an app, not a person. Pick a colleague.", field=name)
        return _(
            "{field}: that account is not in this workspace. Pick a colleague from your organisation.",
            field=name,
        )
    return _("{field}: I couldn't check that person just now. Please submit again in a moment.", field=name)
