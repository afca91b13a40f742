"""Program settings in Teams against the fake Bot Framework: `settings` answers an admin with a card,
values out of bounds come back on the card, saved values take effect, `settings history` lists them,
the help contact receives help requests, and nobody else sees the card."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from conversations.domain import Participant, Role, UserRef
from conversations.program_settings import SETTINGS
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    all_valid,
    button_data,
    click,
    dm_conversation,
    install_everyone,
    join_via_card,
    pair_and_introduce,
    say,
    send_checkins,
    submit_data,
)
from tests.unit.teams.activities import TENANT


async def stored(bot: TeamsBot) -> dict[str, str]:
    async with bot.uow_factory() as uow:
        return await uow.program_settings.get("teams", TENANT)


async def paired(bot: TeamsBot) -> None:
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await pair_and_introduce(bot)


async def test_an_admin_changes_the_round_length_on_the_card_and_it_takes_effect(teams_bot: TeamsBot) -> None:
    await paired(teams_bot)
    card = await say(teams_bot, ADMIN, "settings")
    assert card.card is not None
    ids = [e["id"] for e in card.card["body"] if e.get("type", "").startswith("Input.")]
    assert ids == [s.key for s in SETTINGS]

    status, answers = await click(teams_bot, ADMIN, card, submit_data(card, {"mentor_capacity": "50"}))
    assert status == 200 and answers
    assert "between 1 and 20" in str(answers[-1].activity)
    assert await stored(teams_bot) == {}

    status, answers = await click(
        teams_bot, ADMIN, card, submit_data(card, {"cycle_weeks": "1", "ground_rules": "Be kind; Be on time"})
    )
    assert status == 200 and "Round length (weeks): the default → 1" in answers[-1].card_text
    assert await stored(teams_bot) == {"cycle_weeks": "1", "ground_rules": "Be kind; Be on time"}

    teams_bot.clock.advance(timedelta(weeks=1, minutes=1))
    report = await teams_bot.engine.jobs.tick()
    assert report.ended_pairs == 1

    history = await say(teams_bot, ADMIN, "settings history")
    assert "Round length (weeks): the default → 1" in history.card_text
    all_valid(teams_bot)


async def test_the_help_contact_channel_receives_help_requests(teams_bot: TeamsBot) -> None:
    await paired(teams_bot)
    card = await say(teams_bot, ADMIN, "settings")
    channel = "19:helpdesk@thread.tacv2"
    status, _ = await click(teams_bot, ADMIN, card, submit_data(card, {"help_channel": channel}))
    assert status == 200
    checkin = (await send_checkins(teams_bot))[LEADER]
    status, answers = await click(
        teams_bot, LEADER, checkin, button_data(checkin, "checkin_answer", ":need_help")
    )
    assert status == 200 and "admins have been told" in answers[-1].card_text
    await teams_bot.engine.jobs.deliver_due("teams")
    assert any("asked for help" in s.card_text for s in teams_bot.framework.sent_to(channel))
    assert any("asked for help" in s.card_text for s in teams_bot.framework.sent_to(dm_conversation(ADMIN)))
    all_valid(teams_bot)


async def test_people_who_are_not_admins_never_get_the_card(teams_bot: TeamsBot) -> None:
    await install_everyone(teams_bot)
    refused = await say(teams_bot, LEADER, "settings")
    assert "admins only" in refused.card_text and not any(
        e.get("type", "").startswith("Input.") for e in (refused.card or {}).get("body", [])
    )
    card = await say(teams_bot, ADMIN, "settings")
    status, answers = await click(teams_bot, LEADER, card, submit_data(card, {"cycle_weeks": "2"}))
    assert status == 200 and "admins only" in answers[-1].card_text
    assert await stored(teams_bot) == {}


OTHER_TENANT = "0b6e7c1a-2f3d-4e5f-9a8b-1c2d3e4f5a6b"


async def test_stats_warn_of_a_tenant_where_help_reaches_nobody(teams_bot: TeamsBot) -> None:
    teams_bot.engine.config = replace(
        teams_bot.engine.config, admins=frozenset({f"org:teams:{TENANT}/{ADMIN}"})
    )
    await install_everyone(teams_bot)
    stats = await say(teams_bot, ADMIN, "stats")
    assert "Help requests reach nobody" not in stats.card_text
    async with teams_bot.uow_factory() as uow:
        someone = UserRef("teams", OTHER_TENANT, "29:elsewhere")
        await uow.participants.save(Participant(someone, "Elsewhere", Role.LEADER, "Ops", 5, "UTC"))
        await uow.commit()
    stats = await say(teams_bot, ADMIN, "stats")
    assert "Help requests reach nobody" in stats.card_text and OTHER_TENANT in stats.card_text
    all_valid(teams_bot)


async def test_a_help_request_nobody_can_receive_is_said_so_with_the_contact_text(
    teams_bot: TeamsBot,
) -> None:
    teams_bot.engine.config = replace(
        teams_bot.engine.config,
        admins=frozenset({f"teams:{OTHER_TENANT}/{ADMIN}"}),
        help_contact_text="mentoring@example.test",
    )
    await install_everyone(teams_bot)
    await join_via_card(teams_bot, LEADER, "leader")
    await join_via_card(teams_bot, MENTOR, "mentor")
    await teams_bot.engine.run_round(dry_run=False)
    await teams_bot.engine.jobs.deliver_due("teams")
    checkin = (await send_checkins(teams_bot))[LEADER]
    status, answers = await click(
        teams_bot, LEADER, checkin, button_data(checkin, "checkin_answer", ":need_help")
    )
    assert status == 200
    assert "nobody has been told" in answers[-1].card_text
    assert "mentoring@example.test" in answers[-1].card_text
    all_valid(teams_bot)
