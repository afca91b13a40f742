"""Button values: one codec for every button the engine makes and every click it reads back.

On the wire a value is `id:choice`: the id of the thing the button acts on (a check-in, a pairing, a
story), then the choice, itself `:`-separated when it has several parts (`pairing:week:index:up`). A
kind that acts on no stored thing (`leave`) carries the choice alone. That is the format of every
message already in the outbox, so buttons sent before this module existed still decode.

Values come back from the client and can be forged, so `decode` checks the shape and every part
against the kind and raises `BadButtonValue` (a domain error, answered kindly) for anything else.
Whether the person clicking may act on the id is the service's question, not the codec's.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass

from conversations.domain import CheckinAnswer
from conversations.errors import InvalidInput
from conversations.i18n import N_, _
from conversations.messages import Button, ButtonStyle, command

SEPARATOR = ":"
MAX_VALUE_LENGTH = 500
"""Slack allows 2,000 characters in a button value, and a Teams card's `Action.Submit` data counts
against the card's size (about 28 KB); the engine makes none longer than this and reads none longer."""
ID = re.compile(r"[^:\s]{1,128}")
"""Engine ids are uuid hex; anything without the separator or whitespace is accepted so older ids decode."""
UNKNOWN_BUTTON = N_("That button isn't one I know; nothing changed.")


class BadButtonValue(InvalidInput):
    """A button value that no button of its kind could have sent: forged, truncated or from elsewhere."""


def one_of(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words))


def ratings(low: int, high: int) -> re.Pattern[str]:
    return one_of(*(str(n) for n in range(low, high + 1)))


WEEK = re.compile(r"\d{4}-W\d{2}")
PROMPT_INDEX = re.compile(r"\d{1,2}")


@dataclass(frozen=True)
class ButtonValue:
    kind: str
    """The button's action id."""
    id: str
    """What the button acts on; empty for a kind without one."""
    choice: tuple[str, ...] = ()


@dataclass(frozen=True)
class ButtonKind:
    """One kind of button: its action id and the shape of its value."""

    action_id: str
    choice: tuple[re.Pattern[str], ...] = ()
    """One pattern per part of the choice, each matched in full."""
    invalid: str = UNKNOWN_BUTTON
    """What the person is told when a value of this kind does not decode (in English; `invalid_text`
    says it in the reader's language, and it may name the `{join}` command)."""
    has_id: bool = True

    def invalid_text(self) -> str:
        return _(self.invalid, join=command("join"))

    def encode(self, *parts: str) -> str:
        """`id, *choice` (or `*choice` alone for a kind without an id) as a value; a value no decode
        would accept is a programming error, so it raises ValueError rather than reaching a platform."""
        value = SEPARATOR.join(parts)
        if self._split(value) is None:
            raise ValueError(f"{parts!r} is not a valid {self.action_id} button value")
        return value

    def button(self, label: str, *parts: str, style: ButtonStyle = ButtonStyle.DEFAULT) -> Button:
        return Button(label, self.action_id, self.encode(*parts), style)

    def decode(self, value: object) -> ButtonValue:
        parts = self._split(value) if isinstance(value, str) else None
        if parts is None:
            raise BadButtonValue(self.invalid_text())
        if self.has_id:
            return ButtonValue(self.action_id, parts[0], tuple(parts[1:]))
        return ButtonValue(self.action_id, "", tuple(parts))

    def _split(self, value: str) -> list[str] | None:
        if len(value) > MAX_VALUE_LENGTH:
            return None
        parts = value.split(SEPARATOR)
        if len(parts) != len(self.choice) + self.has_id:
            return None
        choice = parts[1:] if self.has_id else parts
        if self.has_id and not ID.fullmatch(parts[0]):
            return None
        if not all(pattern.fullmatch(part) for pattern, part in zip(self.choice, choice, strict=True)):
            return None
        return parts


CHECKIN_ANSWER = ButtonKind(
    "checkin_answer",
    (one_of(*(a.value for a in CheckinAnswer)),),
    N_("I didn't understand that answer; nothing was recorded."),
)
CHECKIN_RATING = ButtonKind(
    "checkin_rating", (ratings(1, 5),), N_("Ratings go from 1 to 5; nothing was recorded.")
)
CHECKIN_NOTE_FORM = ButtonKind("checkin_note_form", (), N_("That check-in isn't available any more."))
ASSESS = ButtonKind(
    "assess",
    (one_of("before", "after"), ratings(1, 5)),
    N_("That self-assessment answer isn't valid; nothing was recorded."),
)
GOAL_ADD_FORM = ButtonKind("goal_add_form", (), N_("You can only set goals for your own active pairing."))
STORY_DECIDE = ButtonKind(
    "story_decide", (one_of("approve", "decline"),), N_("That story isn't available any more.")
)
PROMPT_RATE = ButtonKind(
    "prompt_rate",
    (WEEK, PROMPT_INDEX, one_of("up", "down")),
    N_("That rating doesn't match a prompt you were shown; nothing was recorded."),
)
RESOURCE_ID = re.compile(r"[a-z0-9-]{1,64}")
RESOURCE_VOTE = ButtonKind(
    "resource_vote",
    (WEEK, RESOURCE_ID, one_of("up", "down")),
    N_("That vote doesn't match a resource you were shown; nothing was recorded."),
)
"""The id is the pairing's; the choice names the week and the resource shown, and the thumb."""
PROMPTS_SHOW = ButtonKind("prompts_show", (), N_("Those prompts belong to another pairing."))
PROMPTS_REFRESH = ButtonKind("prompts_refresh", (), N_("Those prompts belong to another pairing."))
LEAVE = ButtonKind(
    "leave",
    (one_of("keep", "delete", "cancel"),),
    N_("I didn't understand that choice; nothing changed."),
    has_id=False,
)
INVITATION = ButtonKind(
    "invitation",
    (one_of("join", "not_now", "never"),),
    N_("That invitation isn't available any more; use {join} to join the program."),
)
"""The id is the invitation's own random id, so nobody can answer another person's invitation."""
BUTTON_COMMANDS = ("join", "profile", "goals", "checkin", "status", "resume", "help")
"""Commands a button may run as if the person had typed them: everyone's, never an admin's."""
RUN_COMMAND = ButtonKind(
    "run_command",
    (one_of(*BUTTON_COMMANDS),),
    N_("That button isn't one I know; nothing changed."),
    has_id=False,
)
"""A button that runs a command (the Home tab's, the onboarding's): Slack offers no typing to the app."""
MEETING_BOOKED = ButtonKind(
    "meeting_booked", (), N_("That meeting belongs to another pairing, so nothing was recorded.")
)
"""The id is the pairing's: "We booked it" records that the pair has a meeting planned."""
SURVEY_OPEN = ButtonKind("survey_open", (), "That survey belongs to another pairing.")
"""The id is the pairing's: opens the round-end survey for the pairing the round closed."""
PERSON_PICK = ButtonKind(
    "person_pick",
    (one_of("manager", "avoid", "unavoid"), re.compile(r"[A-Za-z0-9_-]{1,400}")),
    N_("That choice isn't available any more; type the name again."),
    has_id=False,
)
"""A "Did you mean …?" answer: what to do (set the `manager`, or add to or take off the private list:
`avoid`, `unavoid`) and the account, as `account_part` writes it. Whether the account is someone of
the clicker's workspace is checked again on click, since a value can be forged."""


AT_RISK = ButtonKind(
    "at_risk",
    (one_of("open", "nudge", "ask_leader", "ask_mentor", "end"),),
    "That pairing isn't one you can act on; nothing changed.",
)
"""An admin's action on an at-risk pair (the id is the pairing's): open it, nudge both, ask one of
them privately, or end it and re-match. Only an admin whose scope covers the pair may click it."""
PATH = ButtonKind(
    "path",
    (one_of("accept", "edit", "again"),),
    N_("That path belongs to someone else; nothing changed."),
)
"""The id is the pairing's: accept the development path on offer, edit it in a form, or ask for another."""
MILESTONE_DONE = ButtonKind(
    "milestone_done", (PROMPT_INDEX,), N_("That milestone isn't on your path; nothing was recorded.")
)
"""The id is the pairing's, the choice the milestone's index on the clicker's own path."""


def account_part(user_id: str) -> str:
    """An account id as one part of a value: base64url, because Teams ids hold the separator."""
    return base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")


def account_from_part(part: str) -> str:
    """The account id `account_part` wrote; a part it could not have written is `BadButtonValue`."""
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise BadButtonValue(PERSON_PICK.invalid_text()) from error


def by_action_id(kinds: Iterable[ButtonKind]) -> dict[str, ButtonKind]:
    table: dict[str, ButtonKind] = {}
    for kind in kinds:
        if kind.action_id in table:
            raise ValueError(f"two button kinds share the action id {kind.action_id!r}")
        table[kind.action_id] = kind
    return table


KINDS: dict[str, ButtonKind] = by_action_id(
    (
        CHECKIN_ANSWER,
        CHECKIN_RATING,
        CHECKIN_NOTE_FORM,
        ASSESS,
        GOAL_ADD_FORM,
        STORY_DECIDE,
        PROMPT_RATE,
        RESOURCE_VOTE,
        PROMPTS_SHOW,
        PROMPTS_REFRESH,
        LEAVE,
        INVITATION,
        PERSON_PICK,
        RUN_COMMAND,
        MEETING_BOOKED,
        AT_RISK,
        SURVEY_OPEN,
        PATH,
        MILESTONE_DONE,
    )
)
"""Every button the engine makes, by action id."""


def decode(action_id: str, value: object) -> ButtonValue:
    """The click's value checked against its kind; an unknown action id or a bad value is `BadButtonValue`."""
    kind = KINDS.get(action_id)
    if kind is None:
        raise BadButtonValue(_(UNKNOWN_BUTTON))
    return kind.decode(value)
