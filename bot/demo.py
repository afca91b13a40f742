"""`mentorbot demo`: a whole program with a simulated organisation on a fast-forwarded clock.

It runs the real engine, the real SQLite storage and the real outbox; only the people (who click at
random, with a fixed seed) and the chat platform (the console) are simulated.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console import ConsoleChat, Sent
from bot.bootstrap import build_container
from bot.settings import Settings
from conversations import buttons
from conversations.clock import ManualClock
from conversations.domain import UserRef
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted
from conversations.messages import Reply

WORKSPACE = "DEMO"
ADMIN_ID = "admin"
SURVEY_LEARNED = (
    "How to use an AI assistant on real work",
    "How the company sets its priorities",
    "That asking basic questions is fine",
)
STORIES_CHANNEL = "#mentoring-stories"
DEPARTMENTS = ("Finance", "Marketing", "Operations", "Sales", "Engineering", "People", "Legal", "Product")
TIMEZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "Europe/Paris",
    "America/Chicago",
    "Asia/Kolkata",
)
FIRST = (
    "Ada Bea Cal Dev Eli Fay Gus Hana Ivo Jo Kai Lena Milo Nia Omar Pia Quinn Rosa Sami Tara Uma Vik Wren Xia "
    "Yara Zac Alba Bo Cleo Dara Emil Flo Gia Hugo Isla Jon Kemi Leo Maya Nils Odile Pavel Rhea Soren Tomi Ulla Vera Yusuf"
).split()
LAST = "Okafor Lindqvist Moreau Tanaka Silva Novak Haddad Keller Rossi Nguyen Walsh Mehta".split()
LEADER_GOALS = (
    "Generative AI",
    "Prompt writing",
    "AI assistants",
    "Data analysis",
    "Dashboards",
    "Automation",
    "Digital collaboration",
)
MENTOR_GOALS = (
    "Company strategy",
    "Leadership",
    "Stakeholder management",
    "Decision making",
    "Career planning",
    "Finance basics",
)
GOAL_TEXTS = {
    "leader": (
        "Use an AI assistant to draft my weekly update",
        "Build my own sales dashboard",
        "Run a meeting fully on our collaboration tools",
        "Automate one reporting chore",
    ),
    "mentor": (
        "Understand how the annual budget is set",
        "Sit in on a strategy review",
        "Learn how leaders prioritise",
        "Present to a senior audience",
    ),
}


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    role: str
    department: str
    level: int
    timezone: str
    skills: tuple[str, ...]
    goals: tuple[str, ...]


def simulated_organisation(size: int, rng: random.Random) -> list[Person]:
    people = []
    for i in range(size):
        name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}"
        kind = i % 12
        if kind < 5:
            role, level = "leader", rng.choice((4, 5, 6))
            skills, goals = rng.sample(MENTOR_GOALS, 2), rng.sample(LEADER_GOALS, 2)
        elif kind < 11:
            role, level = "mentor", rng.choice((1, 2))
            skills, goals = rng.sample(LEADER_GOALS, 3), rng.sample(MENTOR_GOALS, 2)
        else:
            role, level = "both", 3
            skills, goals = (
                rng.sample(LEADER_GOALS, 2),
                rng.sample(MENTOR_GOALS, 1) + rng.sample(LEADER_GOALS, 1),
            )
        people.append(
            Person(
                user_id=f"u{i:03d}",
                name=name,
                role=role,
                department=DEPARTMENTS[rng.randrange(len(DEPARTMENTS))],
                level=level,
                timezone=TIMEZONES[rng.randrange(len(TIMEZONES))],
                skills=tuple(skills),
                goals=tuple(goals),
            )
        )
    return people


@dataclass
class DayLog:
    counts: Counter[str] = field(default_factory=Counter)


class Demo:
    def __init__(
        self,
        people: int,
        weeks: int,
        seed: int,
        database_url: str,
        verbose: bool,
        out: Callable[[str], None],
        resources_file: str | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.people = simulated_organisation(people, self.rng)
        self.weeks = weeks
        self.verbose = verbose
        self.out = out
        start = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
        start -= timedelta(days=start.weekday())
        self.clock = ManualClock(start)
        self.start = start
        names = {p.user_id: p.name for p in self.people} | {
            ADMIN_ID: "Program admin",
            STORIES_CHANNEL: STORIES_CHANNEL,
        }
        self.chat = ConsoleChat(
            names=names, timezones={p.user_id: p.timezone for p in self.people}, listener=self._on_send
        )
        settings = Settings(
            database_url=database_url,
            admins=frozenset({ADMIN_ID}),
            stories_channel=STORIES_CHANNEL,
            cycle_weeks=weeks,
            resources_file=resources_file,
        )
        self.container = build_container(settings, clock=self.clock)
        self.bot = self.container.bot
        self.bot.register_chat(self.chat)
        self.featured: set[str] = set()
        self.inbox: list[Sent] = []
        self.day = DayLog()
        self.events = 0
        self.story_done = False

    # --- plumbing ----------------------------------------------------------------------------------

    def ref(self, user_id: str) -> UserRef:
        return UserRef("console", WORKSPACE, user_id)

    def _event_id(self) -> str:
        self.events += 1
        return f"demo-{self.events}"

    async def say(self, user_id: str, text: str) -> Reply | None:
        return await self.bot.handle(CommandReceived(self.ref(user_id), text, self._event_id()))

    async def click(self, user_id: str, action_id: str, value: str) -> Reply | None:
        return await self.bot.handle(ButtonClicked(self.ref(user_id), action_id, value, self._event_id()))

    async def press(self, user_id: str, kind: buttons.ButtonKind, *parts: str) -> Reply | None:
        """A click on a button of `kind` carrying `parts`, encoded as the engine's own buttons are."""
        return await self.click(user_id, kind.action_id, kind.encode(*parts))

    def _on_send(self, sent: Sent) -> None:
        self.inbox.append(sent)
        kind = sent.message.title or "message"
        self.day.counts[kind] += 1
        shown_to_all = (
            sent.conversation == STORIES_CHANNEL
            or ADMIN_ID in sent.recipients
            or kind == "You're on the waitlist"
        )
        if self.verbose or shown_to_all or self.featured & set(sent.recipients):
            self.out(self.chat.render(sent))

    def when(self) -> str:
        return self.clock.now().strftime("%a %d %b %Y %H:%M UTC")

    def headline(self, text: str) -> None:
        self.out(f"\n=== {text} ===")

    # --- the program -------------------------------------------------------------------------------

    async def run(self) -> None:
        await self.container.database.migrate()
        try:
            await self._run()
        finally:
            await self.container.database.dispose()

    async def _run(self) -> None:
        self.headline(f"{self.when()} · {len(self.people)} people join the reverse-mentoring program")
        for person in self.people:
            await self.say(person.user_id, "join")
            reply = await self.bot.handle(
                FormSubmitted(
                    self.ref(person.user_id),
                    "join",
                    {
                        "role": person.role,
                        "skills": [s for s in person.skills],
                        "learning_goals": [g for g in person.goals],
                        "department": person.department,
                        "seniority": str(person.level),
                        "timezone": person.timezone,
                    },
                    self._event_id(),
                    context=person.name,
                )
            )
            assert reply is not None and not reply.form_errors, reply
        roles = Counter(p.role for p in self.people)
        self.out(
            f"  joined: {roles['leader']} leaders, {roles['mentor']} mentors, {roles['both']} either way; "
            f"{len(set(p.department for p in self.people))} departments, {len(set(p.timezone for p in self.people))} timezones"
        )

        self.headline(f"{self.when()} · the admin previews and runs the pairing round")
        preview = await self.say(ADMIN_ID, "pair --dry-run")
        assert preview and preview.message
        first_lines = preview.message.plain_text().splitlines()
        self.out(
            "\n".join("  " + line for line in first_lines[:4])
            + (f"\n  … {len(first_lines) - 4} more lines" if len(first_lines) > 4 else "")
        )
        await self.say(ADMIN_ID, "pair")
        pairs = await self._pairs()
        if pairs:
            leader, mentor = pairs[0]
            self.featured = {leader, mentor}
            self.out(
                f"  Following {self.chat.name(leader)} (leader) and {self.chat.name(mentor)} (mentor) in full; everyone else is summarised per day."
            )
        await self._deliver()
        await self._behave(pairs)
        await self._deliver()
        self._flush_day()

        end = self.clock.now() + timedelta(weeks=self.weeks, days=1)
        step = timedelta(hours=6)
        day_started = self.clock.now().date()
        while self.clock.now() < end:
            self.clock.advance(step)
            if self.clock.now().date() != day_started:
                self._flush_day(day_started)
                day_started = self.clock.now().date()
            await self.bot.jobs.tick()
            await self._behave(pairs)
            await self._deliver()
        self._flush_day(day_started)

        self.headline(f"{self.when()} · the admin asks for the program stats")
        stats = await self.say(ADMIN_ID, "stats")
        assert stats and stats.message
        self.out(self.chat.render(Sent("admin-channel", (ADMIN_ID,), stats.message, "stats")))

        self.headline(f"{self.when()} · the admin asks for the round's report")
        report = await self.say(ADMIN_ID, "report")
        assert report and report.message
        self.out(self.chat.render(Sent("admin-channel", (ADMIN_ID,), report.message, "report")))

    async def _pairs(self) -> list[tuple[str, str]]:
        async with self.bot.uow_factory() as uow:
            return [(p.leader.user_id, p.mentor.user_id) for p in await uow.pairings.list()]

    async def _deliver(self) -> None:
        await self.bot.jobs.deliver_due()

    def _flush_day(self, day: object | None = None) -> None:
        if self.day.counts:
            label = day.strftime("%a %d %b") if day is not None else "Round start"  # type: ignore[attr-defined]
            summary = ", ".join(f"{n} × {kind}" for kind, n in sorted(self.day.counts.items()))
            self.out(f"  [{label}] delivered: {summary}")
        self.day = DayLog()

    async def _behave(self, pairs: list[tuple[str, str]]) -> None:
        """Simulated people: most answer check-ins, set goals in week one, make progress; one story."""
        inbox, self.inbox = self.inbox, []
        leaders = {leader for leader, _ in pairs}
        for sent in inbox:
            offered = {b.action_id: b for b in sent.message.buttons}
            if buttons.CHECKIN_ANSWER.action_id in offered and self.rng.random() < 0.85:
                user = sent.recipients[0]
                checkin_id = buttons.decode(
                    buttons.CHECKIN_ANSWER.action_id, offered[buttons.CHECKIN_ANSWER.action_id].value
                ).id
                answer = self.rng.choices(("met", "not_yet", "rescheduled", "need_help"), (70, 15, 12, 3))[0]
                await self.press(user, buttons.CHECKIN_ANSWER, checkin_id, answer)
                await self.press(
                    user, buttons.CHECKIN_RATING, checkin_id, str(self.rng.choice((3, 4, 4, 5, 5)))
                )
            elif buttons.ASSESS.action_id in offered:
                assess = offered[buttons.ASSESS.action_id]
                await self._self_assess(sent.recipients[0], buttons.decode(assess.action_id, assess.value))
            elif buttons.SURVEY_OPEN.action_id in offered and self.rng.random() < 0.9:
                survey = offered[buttons.SURVEY_OPEN.action_id]
                await self._answer_survey(sent.recipients[0], buttons.decode(survey.action_id, survey.value))
            elif sent.message.title == "Meet your mentoring partner":
                for member in sent.recipients:
                    if self.rng.random() < 0.8:
                        side = "leader" if member in leaders else "mentor"
                        for text in self.rng.sample(GOAL_TEXTS[side], 2):
                            await self.say(member, f"goals add {text}")
        now = self.clock.now()
        if now.weekday() == 3 and now.hour == 13:
            for leader, mentor in pairs:
                for member in (leader, mentor):
                    if self.rng.random() < 0.5:
                        await self.say(member, f"goals progress 1 {self.rng.choice((30, 50, 70, 100))}")
        if not self.story_done and pairs and now - self.start >= timedelta(weeks=4):
            await self._share_a_story(*pairs[0])

    async def _self_assess(self, user: str, offered: buttons.ButtonValue) -> None:
        """Leaders start unsure of AI tools and grow; mentors gain some strategy exposure."""
        phase = offered.choice[0]
        person = next(p for p in self.people if p.user_id == user)
        base = 2 if person.role == "leader" else 3
        score = base + (self.rng.choice((1, 2, 2)) if phase == "after" else self.rng.choice((-1, 0, 0)))
        await self.press(user, buttons.ASSESS, offered.id, phase, str(max(1, min(5, score))))

    async def _answer_survey(self, user: str, offered: buttons.ButtonValue) -> None:
        """Most would recommend the program; a few are lukewarm."""
        opened = await self.press(user, buttons.SURVEY_OPEN, offered.id)
        form = opened.message.form if opened and opened.message else None
        if form is None:
            return
        answers: dict[str, str | list[str]] = {
            "recommend": str(self.rng.choice((10, 10, 9, 9, 9, 8, 7, 6))),
            "learned": self.rng.choice(SURVEY_LEARNED),
            "again": self.rng.choice(("yes", "yes", "yes", "no")),
            "story": "",
        }
        await self.bot.handle(
            FormSubmitted(self.ref(user), form.form_id, answers, self._event_id(), context=form.context)
        )

    async def _share_a_story(self, leader: str, mentor: str) -> None:
        self.headline(f"{self.when()} · {self.chat.name(mentor)} proposes a success story")
        await self.say(
            mentor,
            f"story {self.chat.name(leader)} now drafts the monthly board summary with an AI assistant: two hours saved every month.",
        )
        await self._deliver()
        for sent in self.inbox:
            for button in sent.message.buttons:
                if button.action_id != buttons.STORY_DECIDE.action_id:
                    continue
                if buttons.decode(button.action_id, button.value).choice == ("approve",):
                    await self.click(leader, button.action_id, button.value)
        self.story_done = True


async def run_demo(
    people: int = 49,
    weeks: int = 6,
    seed: int = 7,
    database_url: str | None = None,
    verbose: bool = False,
    out: Callable[[str], None] = print,
    resources_file: str | None = None,
) -> None:
    """`resources_file`: the organisation's learning resources (`MENTORBOT_RESOURCES`), checked already."""
    with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        await Demo(people, weeks, seed, url, verbose, out, resources_file).run()
