"""Learning resources in Teams over real HTTP: the check-in card lists them as Markdown links to
catalogue addresses (valid Adaptive Card 1.5), with 👍/👎 buttons, and a 👍 is recorded."""

from __future__ import annotations

import re

from conversations.domain import UserRef
from conversations.growth.resource_catalogue import shipped_catalogue
from tests.integration.teams.conftest import TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    all_valid,
    button_data,
    click,
    install_everyone,
    join_via_card,
    pair_and_introduce,
    send_checkins,
)
from tests.integration.teams.test_journey import listed_under
from tests.unit.teams.activities import TENANT


async def test_a_checkin_card_brings_resources_and_a_thumbs_up_is_recorded(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, "29:mentor", "mentor")
    await pair_and_introduce(bot)
    card = (await send_checkins(bot))[LEADER]
    assert card.card is not None
    rows = listed_under(card.card, "Worth a look")
    catalogue = {r.url: r for r in shipped_catalogue()}
    links = [re.match(r"\[([^\]]+)\]\((https://[^)]+)\) · ", row) for row in rows]
    assert len(links) == 2 and all(m and catalogue[m[2]].title == m[1] for m in links)
    all_valid(bot)

    resource_id = catalogue[links[0][2]].id  # type: ignore[index]
    status, answers = await click(bot, LEADER, card, button_data(card, "resource_vote", f":{resource_id}:up"))
    assert status == 200 and "Later picks will lean towards" in answers[-1].card_text + str(
        answers[-1].activity.get("text")
    )
    async with bot.uow_factory() as uow:
        picks = await uow.resource_picks.for_users([UserRef("teams", TENANT, LEADER)])
    assert {p.resource_id: p.vote for p in picks[UserRef("teams", TENANT, LEADER)]}[resource_id] == 1
