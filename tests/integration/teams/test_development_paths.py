"""Development paths in Teams over real HTTP: the offer card after the introduction, Ask again, Edit
in a card form (cleaned), the check-in's milestone ticked off, and the progress in status; every card
valid."""

from __future__ import annotations

from conversations.growth import LibraryPathSuggester
from tests.integration.teams.conftest import TeamsBot
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


def offers_to(bot: TeamsBot, user_id: str) -> list:
    return [
        s
        for s in bot.framework.sent_to(dm_conversation(user_id))
        if "Your path for this round" in s.card_text
    ]


async def test_a_path_asked_again_edited_and_ticked_off_in_teams(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    bot.engine.jobs.paths = LibraryPathSuggester()
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await pair_and_introduce(bot)
    await bot.engine.jobs.tick()
    (offer,) = offers_to(bot, LEADER)
    assert len(offers_to(bot, MENTOR)) == 1

    status, answers = await click(bot, LEADER, offer, button_data(offer, "path", ":again"))
    assert status == 200 and answers
    again = answers[-1]
    assert "Your path for this round" in again.card_text and again.card_text != offer.card_text
    status, answers = await click(bot, LEADER, again, button_data(again, "path", ":edit"))
    form = answers[-1]
    assert form.card and any(a.get("data", {}).get("form_id") == "path_edit" for a in form.card["actions"])
    data = submit_data(
        form,
        {
            "milestone_1": "Draft my board notes with an assistant <at>Everyone</at>",
            "milestone_2": "",
            "milestone_3": "",
            "milestone_4": "",
            "milestone_5": "",
        },
    )
    status, answers = await click(bot, LEADER, form, data)
    assert status == 200 and "Draft my board notes with an assistant" in answers[-1].card_text
    assert "<at>" not in answers[-1].card_text and not answers[-1].activity.get("entities")

    cards = await send_checkins(bot)
    checkin = cards[LEADER]
    assert "This week's milestone" in checkin.card_text
    assert "This week's milestone" not in cards[MENTOR].card_text, "the mentor has not accepted a path"
    status, answers = await click(bot, LEADER, checkin, button_data(checkin, "milestone_done", ":0"))
    assert status == 200 and "1 of 1 milestones done" in answers[-1].card_text
    assert "1 of 1 milestones done" in (await say(bot, LEADER, "status")).card_text
    all_valid(bot)
