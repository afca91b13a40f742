"""An admin's `at-risk` in Teams over real HTTP and real JWTs: the list, a pair's card, each button
clicked (ending through the card's second step), what the people receive, and the next day's re-match."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conversations.domain import PairingStatus, UserRef
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.fake_bot_framework import Sent
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    NAMES,
    all_valid,
    button_data,
    click,
    dm_conversation,
    every_action,
    install_everyone,
    join_via_card,
    pair_and_introduce,
    say,
)
from tests.unit.teams.activities import TENANT, personal_install

NEWCOMER = "29:newcomer"


def titled(bot: TeamsBot, user_id: str, title: str) -> list[Sent]:
    return [s for s in bot.framework.sent_to(dm_conversation(user_id)) if title in s.card_text]


def second_step(card: Sent, title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The button that opens a second step, and the data of the step's own button that counts."""
    assert card.card is not None
    (opener,) = [a for a in every_action(card.card) if a["title"] == title]
    assert opener["type"] == "Action.ShowCard"
    (confirm,) = opener["card"]["actions"]
    return opener, confirm["data"]


async def pairings(bot: TeamsBot) -> list:
    async with bot.uow_factory() as uow:
        return await uow.pairings.list()


async def test_an_admin_acts_on_an_at_risk_pair_with_its_buttons(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await pair_and_introduce(bot)
    await say(bot, LEADER, "checkin need-help private-words")

    assert "admins only" in (await say(bot, MENTOR, "at-risk")).card_text

    listed = await say(bot, ADMIN, "at-risk")
    assert "asked for help" in listed.card_text and "private-words" not in str(listed.activity)
    status, answers = await click(bot, ADMIN, listed, button_data(listed, "at_risk", ":open"))
    assert status == 200
    card = answers[-1]
    assert card.card is not None
    titles = [a["title"] for a in every_action(card.card)]
    assert titles == [
        "Nudge both",
        "Ask the leader privately",
        "Ask the mentor privately",
        "End and re-match",
    ]
    opener, end = second_step(card, "End and re-match")
    assert "End this pairing now?" in str(opener["card"]["body"])

    await click(bot, ADMIN, card, button_data(card, "at_risk", ":nudge"))
    await click(bot, ADMIN, card, button_data(card, "at_risk", ":ask_mentor"))
    delivered = await bot.engine.jobs.deliver_due("teams")
    assert delivered.failed == 0
    assert len(titled(bot, LEADER, "Time to catch up?")) == 1
    assert len(titled(bot, MENTOR, "Time to catch up?")) == 1
    (asked,) = titled(bot, MENTOR, "How is it going?")
    button_data(asked, "checkin_answer", ":need_help")
    assert not titled(bot, LEADER, "How is it going?")

    status, answers = await click(bot, LEADER, card, end)  # forged by someone who is no admin
    assert "admins only" in answers[-1].card_text
    assert [p.status for p in await pairings(bot)] == [PairingStatus.ACTIVE]

    bot.framework.names[NEWCOMER] = "Nia Newcomer"
    status, body = await bot.post(personal_install(NEWCOMER, bot.framework.service_url))
    assert status == 200, body
    NAMES[NEWCOMER] = "Nia Newcomer"
    try:
        await join_via_card(bot, NEWCOMER, "mentor")
    finally:
        del NAMES[NEWCOMER]
    status, answers = await click(bot, ADMIN, card, end)  # the second step's button
    assert status == 200 and "without fault" in answers[-1].card_text
    (ended,) = await pairings(bot)
    assert ended.status is PairingStatus.ENDED and ended.end_reason == "ended by an admin"
    await bot.engine.jobs.deliver_due("teams")
    assert titled(bot, LEADER, "Your pairing has ended") and titled(bot, MENTOR, "Your pairing has ended")

    bot.clock.advance(timedelta(days=1))
    await bot.engine.jobs.tick()
    active = [p for p in await pairings(bot) if p.status is PairingStatus.ACTIVE]
    assert [(p.leader, p.mentor) for p in active] == [
        (UserRef("teams", TENANT, LEADER), UserRef("teams", TENANT, NEWCOMER))
    ]
    assert titled(bot, NEWCOMER, "Meet your")
    all_valid(bot)
    assert bot.framework.rejected_calls == 0
