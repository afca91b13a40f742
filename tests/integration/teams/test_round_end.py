"""The end of a round in Teams over real HTTP: a goal done celebrated with both, the round-end survey
card answered with a story, the round's celebration, and the admins' round report, every card valid."""

from __future__ import annotations

from datetime import timedelta

from conversations.domain import UserRef
from tests.integration.teams.conftest import ADMIN, START, TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    NAMES,
    all_valid,
    button_data,
    click,
    dm_conversation,
    install_everyone,
    join_via_card,
    pair_and_introduce,
    say,
    submit_data,
)
from tests.unit.teams.activities import TENANT

STORY = "Mo showed me how to turn my meeting notes into a board summary with an assistant."


def cards_to(bot: TeamsBot, user_id: str, words: str) -> list:
    return [s for s in bot.framework.sent_to(dm_conversation(user_id)) if words in s.card_text]


async def test_goal_done_survey_celebration_and_report(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await pair_and_introduce(bot)

    # a goal done: each side's 1:1 chat gets the celebration (Teams has no group DMs for bots)
    await say(bot, LEADER, "assess before 2")
    await say(bot, LEADER, "goals add use an AI assistant for my weekly update")
    await say(bot, LEADER, "goals done 1")
    await bot.engine.jobs.deliver_due("teams")
    for user_id in (LEADER, MENTOR):
        (goal_card,) = cards_to(bot, user_id, "A goal is done")
        assert f"<at>{NAMES[LEADER]}</at>" in goal_card.card_text and "weekly update" in goal_card.card_text

    # the round ends: the after question and the survey
    bot.clock.set(START + timedelta(weeks=12, hours=2))
    await bot.engine.jobs.tick()
    (ask,) = cards_to(bot, LEADER, "four quick questions")
    status, answers = await click(bot, LEADER, ask, button_data(ask, "survey_open"))
    assert status == 200 and answers
    form = answers[-1]
    assert form.card and any(a.get("data", {}).get("form_id") == "round_survey" for a in form.card["actions"])
    data = submit_data(form, {"recommend": "9", "learned": "Prompting", "again": "yes", "story": STORY})
    status, answers = await click(bot, LEADER, form, data)
    assert status == 200 and "partner to approve" in answers[-1].card_text
    await bot.engine.jobs.deliver_due("teams")
    (approval,) = cards_to(bot, MENTOR, "May we share your story?")
    assert STORY in approval.card_text

    # both after answers: the round's celebration, to each of the two
    await say(bot, LEADER, "assess after 4")
    await say(bot, MENTOR, "assess after 3")
    await bot.engine.jobs.deliver_due("teams")
    for user_id in (LEADER, MENTOR):
        (celebration,) = cards_to(bot, user_id, "Round 1 is complete")
        assert "2/5 → 4/5 (+2)" in celebration.card_text
        assert "1 of 1 goals done" in celebration.card_text
    assert not cards_to(bot, ADMIN, "Round 1 is complete")

    # the report: on demand, then by the clock when the survey window closes
    shown = await say(bot, ADMIN, "report")
    assert "round 1 report" in shown.card_text and "fewer than 5 answers" in shown.card_text
    refused = await say(bot, MENTOR, "report")
    assert "admins only" in refused.card_text
    bot.clock.set(START + timedelta(weeks=13, hours=3))
    await bot.engine.jobs.tick()
    on_demand, report = cards_to(bot, ADMIN, "round 1 report")
    assert on_demand is shown
    assert "Prompting" not in report.card_text and STORY not in report.card_text
    async with bot.uow_factory() as uow:
        first_round = (await uow.cycles.list())[0]
        (stored,) = await uow.round_end.answers(first_round.id)
    assert stored.user == UserRef("teams", TENANT, LEADER) and stored.recommend == 9

    all_valid(bot)
    assert bot.framework.rejected_calls == 0
