"""An admin's `insights` in Teams over real HTTP and real JWTs: five leaders who joined through the
profile card want a theme no mentor offers; the admin's card shows the gap and is a valid Adaptive
Card; anyone else is refused."""

from __future__ import annotations

from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import NAMES, all_valid, install_everyone, join_via_card, say
from tests.unit.teams.activities import personal_install

LEADERS = {f"29:leader-{i}": f"Leader {i}" for i in range(1, 6)}


async def test_an_admin_reads_the_skills_gap_in_teams(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    bot.framework.names.update(LEADERS)
    NAMES.update(LEADERS)
    try:
        for leader in LEADERS:
            status, body = await bot.post(personal_install(leader, bot.framework.service_url))
            assert status == 200, body
            await join_via_card(bot, leader, "leader")
        refused = await say(bot, next(iter(LEADERS)), "insights")
    finally:
        for leader in LEADERS:
            del NAMES[leader]
    assert "admins only" in refused.card_text

    card = await say(bot, ADMIN, "insights")
    assert "Leaders want, no mentor offers" in card.card_text
    assert "Generative AI: 5 leaders" in card.card_text
    assert "Recruit mentors who offer generative AI: 5 leaders want it." in card.card_text
    all_valid(bot)
