"""Every kind of message the bot sends or answers with, reached as people reach it: commands, buttons
and forms on the real engine, and the scheduler's own messages after the clock moves on.

`every_card()` runs one program from a first visit to an export and names each message it saw, so
checks on what Teams and Slack show can run over all of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache

from conversations import buttons
from conversations.domain import CheckinAnswer
from conversations.events import Installed
from conversations.growth import LibraryPathSuggester
from conversations.messages import OutgoingMessage, Reply
from conversations.prompts.library_suggester import LibrarySuggester
from conversations.services.invitations import invitation_message
from conversations.services.pairing import intro_message
from tests.unit.engine_harness import ADMIN, Harness

CARD_KINDS = (
    "welcome",
    "help",
    "help for admins",
    "unknown command",
    "first visit",
    "profile form",
    "joined",
    "how it works",
    "introduction in a shared chat",
    "introduction",
    "status",
    "goals",
    "goal form",
    "prompts",
    "check-in",
    "check-in answered: met",
    "check-in rated",
    "check-in answered: not yet",
    "check-in answered: need help",
    "private note form",
    "help asked, to admins",
    "story to approve",
    "story approved",
    "story posted",
    "stats",
    "insights",
    "export",
    "pairing round preview",
    "invitation",
    "leave, asked to confirm",
    "goal done, to the pair",
    "settings form",
    "settings history",
    "at-risk pairs",
    "at-risk pair",
    "asked privately by an admin",
    "development path",
    "development path, asked again",
    "development path form",
    "development path accepted",
    "milestone done",
)
"""The kinds `every_card` must find: a kind the journey stops reaching fails its check, not silently."""

NAMES = {"lea": "Lea", "max": "Max", ADMIN: "Ada Admin"}
"""Display names the renderers give the people the journey mentions."""


@dataclass(frozen=True)
class Card:
    kind: str
    message: OutgoingMessage


class _Journey:
    def __init__(self) -> None:
        self.h = Harness(prompts=LibrarySuggester(), paths=LibraryPathSuggester())  # type: ignore[arg-type]  # the shipped ideas, three a week
        self.h.chat._group_dm = False
        self.found: dict[str, OutgoingMessage] = {}
        self.seen: list[OutgoingMessage] = []
        self.answered: list[tuple[OutgoingMessage, OutgoingMessage]] = []
        """(a check-in as sent, the card it became once a button on it was clicked)"""

    def keep(self, kind: str, reply: Reply | OutgoingMessage | None) -> OutgoingMessage:
        message = reply.message if isinstance(reply, Reply) else reply
        assert message is not None, f"{kind}: no message"
        self.found.setdefault(kind, message)
        self.seen.append(message)
        return message

    def sent(self, kind: str, user_id: str, title: str) -> OutgoingMessage:
        message = next(s.message for s in reversed(self.h.sent_to(user_id)) if s.message.title == title)
        return self.keep(kind, message)

    async def run(self) -> None:
        h = self.h
        for user_id, name in NAMES.items():
            h.chat.names[user_id] = name
        self.keep("welcome", await h.bot.handle(Installed(h.user("newcomer"), h.event_id())))
        self.keep("help", await h.say("newcomer", "help"))
        self.keep("help for admins", await h.say(ADMIN, "help"))
        self.keep("unknown command", await h.say("newcomer", "dance"))
        (first_visit,) = await h.bot.home(h.user("newcomer"))
        self.keep("first visit", first_visit)
        self.keep("profile form", await h.say("newcomer", "join"))
        lea = await h.join(
            "lea",
            "leader",
            skills=("Company strategy",),
            goals=("Generative AI",),
            level="5",
            department="Finance",
        )
        self.keep("joined", lea)
        await h.bot.jobs.deliver_due()
        self.sent("how it works", "lea", "How reverse mentoring works")
        await h.join("max", "mentor", skills=("Generative AI",), goals=("Company strategy",), level="1")
        self.keep("pairing round preview", await h.say(ADMIN, "pair --dry-run"))
        await h.pair_up()
        intro = self.sent("introduction", "lea", "Meet your mentoring partner")
        (pairing,) = (await h.store.pairings()).values()
        shared = intro_message(pairing, None, meetings=intro.meetings)
        self.keep("introduction in a shared chat", shared)
        await self.paths()
        self.keep("status", await h.say("lea", "status"))
        await h.say("lea", "goals add use an AI assistant for my weekly update")
        self.keep("goals", await h.say("lea", "goals"))
        add = next(b for b in self.found["goals"].buttons if b.action_id == buttons.GOAL_ADD_FORM.action_id)
        self.keep("goal form", await h.click("lea", add.action_id, add.value))
        self.keep("prompts", await h.say("lea", "prompts"))
        await h.say("lea", "goals done 1")
        await h.bot.jobs.deliver_due()
        self.sent("goal done, to the pair", "max", "🎉 A goal is done!")
        await self.checkins()
        await h.say("max", "story Lea now drafts her board notes with an AI assistant in half the time")
        await h.bot.jobs.deliver_due()
        ask = self.sent("story to approve", "lea", "May we share your story?")
        approve = next(b for b in ask.buttons if b.value.endswith(":approve"))
        self.keep("story approved", await h.click("lea", approve.action_id, approve.value))
        await h.bot.jobs.deliver_due()
        (posted,) = [s.message for s in h.chat.transcript if s.conversation == "CSTORIES"]
        self.keep("story posted", posted)
        self.keep("stats", await h.say(ADMIN, "stats"))
        self.keep("insights", await h.say(ADMIN, "insights"))
        self.keep("export", await h.say(ADMIN, "export"))
        await self.admin_console()
        self.keep("invitation", invitation_message("inv1", "Ines Invited", h.user(ADMIN), 12))
        self.keep("leave, asked to confirm", await h.say("max", "leave"))
        self.seen += [s.message for s in h.chat.transcript]

    async def admin_console(self) -> None:
        h = self.h
        self.keep("settings form", await h.say(ADMIN, "settings"))
        self.keep("settings history", await h.say(ADMIN, "settings history"))
        listed = self.keep("at-risk pairs", await h.say(ADMIN, "at-risk"))
        opened = self.keep(
            "at-risk pair", await h.click(ADMIN, listed.buttons[0].action_id, listed.buttons[0].value)
        )
        ask = next(b for b in opened.buttons if b.value.endswith(":ask_leader"))
        await h.click(ADMIN, ask.action_id, ask.value)
        await h.bot.jobs.deliver_due()
        self.sent("asked privately by an admin", "lea", "How is it going?")

    async def paths(self) -> None:
        """Each person's path is offered by the next tick after the introduction."""
        h = self.h
        await h.bot.jobs.tick()
        offer = self.sent("development path", "lea", "Your path for this round")
        clicks = {b.label: b for b in offer.buttons}
        form = self.keep("development path form", await h.click("lea", "path", clicks["Edit"].value))
        assert form.form is not None
        self.keep("development path, asked again", await h.click("lea", "path", clicks["Ask again"].value))
        self.keep("development path accepted", await h.click("lea", "path", clicks["Accept"].value))

    async def checkins(self) -> None:
        h = self.h
        h.advance(days=7, hours=12)
        await h.bot.jobs.tick()
        for user_id, answer, kind in (
            ("lea", CheckinAnswer.MET, "check-in answered: met"),
            ("max", CheckinAnswer.NOT_YET, "check-in answered: not yet"),
        ):
            checkin = self.sent("check-in", user_id, "Weekly check-in")
            done = [b for b in checkin.buttons if b.action_id == buttons.MILESTONE_DONE.action_id]
            if done:
                self.keep("milestone done", await h.click(user_id, done[0].action_id, done[0].value))
            button = next(b for b in checkin.buttons if b.value.endswith(":" + answer.value))
            answered = self.keep(kind, await h.click(user_id, button.action_id, button.value))
            self.answered.append((checkin, answered))
        checkin, answered = self.answered[0]
        rate = next(b for b in answered.buttons if b.action_id == buttons.CHECKIN_RATING.action_id)
        self.answered.append(
            (checkin, self.keep("check-in rated", await h.click("lea", rate.action_id, rate.value)))
        )
        h.advance(days=7)
        await h.bot.jobs.tick()
        checkin = self.sent("check-in", "lea", "Weekly check-in")
        need = next(b for b in checkin.buttons if b.value.endswith(":" + CheckinAnswer.NEED_HELP.value))
        helped = self.keep("check-in answered: need help", await h.click("lea", need.action_id, need.value))
        self.answered.append((checkin, helped))
        note = next(b for b in helped.buttons if b.action_id == buttons.CHECKIN_NOTE_FORM.action_id)
        self.keep("private note form", await h.click("lea", note.action_id, note.value))
        await h.bot.jobs.deliver_due()
        self.sent("help asked, to admins", ADMIN, "Private: a participant asked for help")


@cache
def _journey() -> _Journey:
    journey = _Journey()
    asyncio.run(journey.run())
    return journey


def every_card() -> dict[str, OutgoingMessage]:
    """One message of each kind, by kind."""
    return dict(_journey().found)


def every_message() -> list[OutgoingMessage]:
    """Everything the journey saw: each reply and everything delivered, repeats included."""
    return list(_journey().seen)


def answered_checkins() -> list[tuple[OutgoingMessage, OutgoingMessage]]:
    """Each check-in a button was clicked on, and the card it became: met, rated, not yet, need help."""
    return list(_journey().answered)
