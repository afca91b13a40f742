"""An admin's `insights`, through the engine: the skills-gap map, the most wanted themes, which goals get
done and what to do, from profiles and goals people entered through the bot's own forms and commands;
groups under five folded, no one's own words shown, scoped to the admin's workspace, refused to others."""

from __future__ import annotations

from conversations.domain import Participant, ParticipantStatus, Role, UserRef
from conversations.events import CommandReceived
from conversations.messages import ItemList, OutgoingMessage
from conversations.services.context import ProgramConfig
from tests.unit.engine_harness import ADMIN, Harness

LEADERS = ("lea", "leo", "lia", "lou", "lena", "luc")
MENTORS = ("max", "mia", "mo", "mats", "mika", "milo")
# Five leaders, each spelling it their own way: one theme of five, shown; apart, groups under five.
ASSISTANTS = ("AI assistants", "ai assistants", "AI Assistants ", "ai-assistants", "AI  assistants")
GOAL_TEXT = "Use generative AI to draft my quarterly board letter"


def field(message: OutgoingMessage, name: str) -> tuple[str, ...]:
    (value,) = [v for k, v in message.fields if k == name]
    return value.items if isinstance(value, ItemList) else (value,)


async def program_with_gaps(h: Harness | None = None) -> Harness:
    """Six leaders who want generative AI, which no mentor offers; six mentors who want negotiation,
    which no leader offers; one leader's wish for quantum computing; all paired, leaders' goals set
    and half of them done, and two mentors' goals."""
    h = h or Harness()
    for i, name in enumerate(LEADERS):
        wants = ["Generative AI", *ASSISTANTS[i : i + 1]]
        if name == "lea":
            wants.append("Quantum computing")
        await h.join(name, "leader", skills=("Company strategy",), goals=tuple(wants), level="5")
    for name in MENTORS:
        await h.join(name, "mentor", skills=("Python",), goals=("Company strategy", "Negotiation"), level="1")
    await h.pair_up()
    for i, name in enumerate(LEADERS):
        await h.say(name, f"goals add {GOAL_TEXT}")
        if i < 3:
            await h.say(name, "goals done 1")
    for name in MENTORS[:2]:  # two people's goals: too few for any figure of their own
        await h.say(name, "goals add Negotiate my first budget")
    await h.say(MENTORS[0], "goals done 1")
    return h


async def test_an_admin_sees_the_gaps_the_wanted_themes_and_the_goals_done() -> None:
    h = await program_with_gaps()

    message = (await h.say(ADMIN, "insights")).message
    assert message is not None
    assert field(message, "Leaders want, no mentor offers") == (
        "Generative AI: 6 leaders",
        "AI assistants: 5 leaders",
        "Other (fewer than 5 each): 1 theme",
    )
    assert field(message, "Mentors want, no leader offers") == ("Negotiation: 6 mentors",)
    assert field(message, "Most wanted by leaders") == (
        "Generative AI: 6 leaders want it, no mentor offers it",
        "AI assistants: 5 leaders want it, no mentor offers it",
        "Other (fewer than 5 each): 1 theme",
    )
    assert field(message, "Most wanted by mentors") == (
        "Company strategy: 6 mentors want it, 6 leaders offer it",
        "Negotiation: 6 mentors want it, no leader offers it",
    )
    assert field(message, "Goals done (leaders)") == ("50% of 6 goals done",)
    assert field(message, "Goals done (mentors)") == ("— (goals of fewer than 5 people)",)
    assert field(message, "Goals done by theme") == ("Generative AI: 50% of 6 goals done",)
    assert field(message, "What to do") == (
        "Recruit mentors who offer generative AI: 6 leaders want it.",
        "Invite leaders who can share negotiation: 6 mentors want to learn it.",
    )
    shown = message.plain_text()
    assert "Quantum" not in shown and "quantum" not in shown and GOAL_TEXT not in shown
    assert "budget" not in shown.casefold()

    stats = (await h.say(ADMIN, "stats")).message
    assert stats is not None
    assert (
        "Biggest skills gap: 6 leaders want generative AI; no mentor offers it (see `insights`)"
        in stats.plain_text().splitlines()
    )


async def test_a_theme_four_people_want_is_only_counted_among_the_others() -> None:
    h = Harness()
    for name in LEADERS[:4]:
        await h.join(name, "leader", skills=("Company strategy",), goals=("Quantum computing",), level="5")
    for name in MENTORS[:4]:
        await h.join(name, "mentor", skills=("Python",), goals=("Company strategy",), level="1")

    message = (await h.say(ADMIN, "insights")).message
    assert message is not None
    assert field(message, "Leaders want, no mentor offers") == ("Other (fewer than 5 each): 1 theme",)
    assert field(message, "Most wanted by leaders") == ("Other (fewer than 5 each): 1 theme",)
    assert field(message, "Most wanted by mentors") == ("Other (fewer than 5 each): 1 theme",)
    assert "quantum" not in message.plain_text().casefold()
    assert field(message, "What to do") == (
        "Nothing stands out yet: no theme 5 or more people want is missing a teacher.",
    )
    stats = (await h.say(ADMIN, "stats")).message
    assert stats is not None
    assert field(stats, "Biggest skills gap") == (
        "none: every theme 5 or more people want has someone offering it",
    )


async def test_people_who_left_are_not_counted() -> None:
    h = await program_with_gaps()
    async with h.store() as uow:
        luc = await uow.participants.get(h.user("luc"))
        assert luc is not None
        luc.status = ParticipantStatus.LEFT
        await uow.participants.save(luc)
        await uow.commit()

    message = (await h.say(ADMIN, "insights")).message
    assert message is not None
    assert "Generative AI: 5 leaders" in field(message, "Leaders want, no mentor offers")


async def test_insights_are_for_admins_only() -> None:
    h = await program_with_gaps()
    message = (await h.say("lea", "insights")).message
    assert message is not None
    assert message.text == "That command is for program admins only."
    assert not message.fields


async def test_a_workspace_admin_sees_only_their_own_workspace() -> None:
    h = Harness(
        config=ProgramConfig(admins=frozenset({"slack:T0HOME01/U0BOSS01", "org:slack:T0HOME01/U0ORG"}))
    )
    async with h.store() as uow:
        for workspace, count in (("T0HOME01", 5), ("T0OTHER1", 7)):
            for i in range(count):
                await uow.participants.save(
                    Participant(
                        UserRef("slack", workspace, f"U{workspace}{i}"),
                        f"Leader {i}",
                        Role.LEADER,
                        "Finance",
                        5,
                        "Europe/London",
                        skills=("Company strategy",),
                        learning_goals=("Power BI",),
                    )
                )
        await uow.commit()

    async def insights(user_id: str) -> OutgoingMessage:
        reply = await h.bot.handle(
            CommandReceived(UserRef("slack", "T0HOME01", user_id), "insights", user_id)
        )
        assert reply is not None and reply.message is not None
        return reply.message

    home = await insights("U0BOSS01")
    assert "this Slack workspace only" in home.text
    assert field(home, "Leaders want, no mentor offers") == ("Power BI: 5 leaders",)
    everywhere = await insights("U0ORG")
    assert "every workspace and tenant" in everywhere.text
    assert field(everywhere, "Leaders want, no mentor offers") == ("Power BI: 12 leaders",)
