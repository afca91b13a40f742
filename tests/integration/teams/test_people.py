"""People in Teams against the fake Bot Framework: the people picker's Azure AD ids mapped to Teams
accounts through the team roster, outsiders refused, and names typed after `manager` or `avoid`."""

from __future__ import annotations

from typing import Any

from conversations.domain import UserRef
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    all_valid,
    click,
    every_action,
    install_everyone,
    say,
    submit_data,
)
from tests.unit.teams.activities import TENANT, channel_mention

TEAM_CHANNEL = "19:general@thread.tacv2"
ROSTER = (  # (Teams id, name, email); the fake gives the n-th member the Azure AD id ...-{n:012d}
    ("29:boss", "Ana Silva", "ana.silva@example.test"),
    ("29:ana2", "Ana Silvano", "ana.silvano@example.test"),
    (MENTOR, "Mo Mentor", "mo@example.test"),
    (LEADER, "Lee Leader", "lee@example.test"),
)


def aad(index: int) -> str:
    return f"00000000-0000-0000-0000-{index:012d}"


async def with_roster(bot: TeamsBot) -> None:
    await install_everyone(bot)
    for user_id, name, email in ROSTER:
        bot.framework.add_member(TEAM_CHANNEL, user_id, name, email)
    status, body = await bot.post(channel_mention(ADMIN, "help", bot.framework.service_url, TEAM_CHANNEL))
    assert status == 200, body


def join_answers(**people: Any) -> dict[str, Any]:
    return {
        "role": "leader",
        "skills": ["Company strategy"],
        "learning_goals": ["Generative AI"],
        "department": "Finance",
        "seniority": "5",
        "timezone": "Europe/London",
        **people,
    }


async def join(bot: TeamsBot, **people: Any) -> str:
    form = await say(bot, LEADER, "join")
    picker = next(e for e in form.card["body"] if e.get("id") == "manager")
    assert picker["choices.data"]["dataset"] == "graph.microsoft.com/users"
    status, answers = await click(bot, LEADER, form, submit_data(form, join_answers(**people)))
    assert status == 200 and answers
    return answers[-1].card_text


async def stored(bot: TeamsBot) -> tuple[str | None, list[str]]:
    async with bot.uow_factory() as uow:
        me = await uow.participants.get(UserRef("teams", TENANT, LEADER))
        listed = await uow.avoid_list.get(UserRef("teams", TENANT, LEADER))
    return (me.manager_id if me else None), [p.user.user_id for p in listed]


async def test_picked_azure_ad_ids_become_the_teams_accounts_of_the_roster(teams_bot: TeamsBot) -> None:
    await with_roster(teams_bot)
    answer = await join(teams_bot, manager=aad(0), avoid=[aad(2), aad(1)])
    assert "Welcome" in answer, answer
    assert await stored(teams_bot) == ("29:boss", [MENTOR, "29:ana2"])
    all_valid(teams_bot)


async def test_someone_outside_the_team_or_yourself_is_refused(teams_bot: TeamsBot) -> None:
    await with_roster(teams_bot)
    answer = await join(teams_bot, manager="6f1c2b1e-aaaa-4bbb-8ccc-0123456789ab")
    assert "not in this workspace" in answer
    answer = await join(teams_bot, manager=aad(3))
    assert "own manager" in answer
    async with teams_bot.uow_factory() as uow:
        assert await uow.participants.get(UserRef("teams", TENANT, LEADER)) is None


async def test_typed_names_are_found_in_the_roster(teams_bot: TeamsBot) -> None:
    await with_roster(teams_bot)
    await join(teams_bot)
    answer = await say(teams_bot, LEADER, "manager Ana Silva")
    assert "Your manager is now Ana Silva" in answer.card_text
    answer = await say(teams_bot, LEADER, "avoid mo@example.test")
    assert "won't be paired with Mo Mentor" in answer.card_text
    assert await stored(teams_bot) == ("29:boss", [MENTOR])

    ambiguous = await say(teams_bot, LEADER, "avoid ana")
    assert "Did you mean" in ambiguous.card_text
    (silvano,) = [a["data"] for a in every_action(ambiguous.card) if "Silvano" in a["title"]]
    assert silvano["action_id"] == "person_pick"
    status, answers = await click(teams_bot, LEADER, ambiguous, silvano)
    assert status == 200 and "Ana Silvano" in answers[-1].card_text
    assert await stored(teams_bot) == ("29:boss", [MENTOR, "29:ana2"])

    nobody = await say(teams_bot, LEADER, "manager Nobody Known")
    assert "couldn't find anyone" in nobody.card_text
    all_valid(teams_bot)
