"""A whole program in Teams over real HTTP and real JWTs: install, join by card, pairing, intros,
a check-in answered with a click, and the admin's stats."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conversations.domain import CheckinAnswer, UserRef
from tests.integration.teams.conftest import ADMIN, TeamsBot
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
    send_checkins,
    submit_data,
)
from tests.unit.teams.activities import TENANT


async def leader_checkin_answer(bot: TeamsBot) -> CheckinAnswer | None:
    async with bot.uow_factory() as uow:
        [checkin] = [c for c in await uow.checkins.list() if c.user == UserRef("teams", TENANT, LEADER)]
    return checkin.answer


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in _nodes(card) if str(n.get("type", "")).startswith("Action.")]


def listed_under(card: dict[str, Any], heading: str) -> list[str]:
    """The items a card lists under `heading`, one row each."""
    body = card["body"]
    start = next(i for i, block in enumerate(body) if block.get("text") == heading) + 1
    rows = []
    for block in body[start:]:
        if block.get("type") != "ColumnSet":
            break
        rows.append(block["columns"][1]["items"][0]["text"])
    return rows


async def test_install_join_pair_checkin_and_stats(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)

    for user_id, role in ((LEADER, "leader"), (MENTOR, "mentor")):
        confirmation = await join_via_card(bot, user_id, role)
        assert "Traceback" not in confirmation.card_text
    async with bot.uow_factory() as uow:
        leader = await uow.participants.get(UserRef("teams", TENANT, LEADER))
    assert leader is not None and leader.display_name == NAMES[LEADER], "the name comes from the Teams roster"

    summary = await pair_and_introduce(bot)
    assert "1" in summary.card_text
    for user_id, other in ((LEADER, MENTOR), (MENTOR, LEADER)):
        intro = next(s for s in bot.framework.sent_to(dm_conversation(user_id)) if "Meet your" in s.card_text)
        assert f"<at>{NAMES[other]}</at>" in intro.card_text
        entities = intro.card["msteams"]["entities"]
        assert {"id": other, "name": NAMES[other]} in [e["mentioned"] for e in entities]

    cards = await send_checkins(bot)
    leader_card = cards[LEADER]
    status, answers = await click(
        bot, LEADER, leader_card, button_data(leader_card, "checkin_answer", ":met")
    )
    assert status == 200
    [replaced] = answers
    assert replaced.method == "PUT" and replaced.activity_id == leader_card.activity_id
    assert "recorded" in replaced.card_text
    ideas = listed_under(leader_card.card, "Ideas for this week")
    assert ideas and listed_under(replaced.card, "Ideas for this week") == ideas, "the week's ideas stay"
    assert not any(a.get("data", {}).get("action_id") == "checkin_answer" for a in _actions(replaced.card))
    assert await leader_checkin_answer(bot) is CheckinAnswer.MET

    await say(bot, ADMIN, "stats")
    stats, chart = bot.framework.sent_to(dm_conversation(ADMIN))[-2:]
    assert "program stats" in stats.card_text
    assert (
        chart.activity["attachments"][0]["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    )
    facts = dict((f["title"], f["value"]) for f in stats.card["body"][2]["facts"])
    assert facts["Active pairs"] == "1"
    assert facts["Meeting rate, last 2 weeks"] != "—"

    all_valid(bot)
    assert bot.framework.rejected_calls == 0


async def test_a_forged_click_on_someone_elses_checkin_is_refused(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await pair_and_introduce(bot)
    cards = await send_checkins(bot)

    forged = button_data(cards[LEADER], "checkin_answer", ":need_help")
    status, answers = await click(bot, MENTOR, cards[MENTOR], forged)
    assert status == 200
    [refusal] = answers
    assert refusal.conversation_id == dm_conversation(MENTOR)
    assert "belongs to someone else" in refusal.card_text
    assert await leader_checkin_answer(bot) is None
    delivered = await bot.engine.jobs.deliver_due("teams")
    assert delivered.sent == 0, "no help request reached the admins"
    assert not [s for s in bot.framework.sent_to(dm_conversation(ADMIN)) if "asked for help" in s.card_text]


async def test_a_redelivered_activity_is_answered_once(teams_bot: TeamsBot) -> None:
    from tests.unit.teams.activities import personal_message

    activity = personal_message(LEADER, "help", teams_bot.framework.service_url)
    for _ in range(2):
        status, _ = await teams_bot.post(activity)
        assert status == 200
    assert len(teams_bot.framework.sent_to(dm_conversation(LEADER))) == 1


async def test_an_incomplete_join_form_says_what_to_fix(teams_bot: TeamsBot) -> None:
    from tests.integration.teams.journey import submit_data

    bot = teams_bot
    form = await say(bot, LEADER, "join")
    data = submit_data(form, {"role": [], "department": ""})
    status, answers = await click(bot, LEADER, form, data)
    assert status == 200
    [answer] = answers
    assert "Choose mentor, leader or either." in answer.card_text
    assert "Tell us your department." in answer.card_text
    async with bot.uow_factory() as uow:
        assert await uow.participants.get(UserRef("teams", TENANT, LEADER)) is None
    all_valid(bot)


async def test_a_card_sent_with_a_mistake_is_answered_with_a_list_of_what_to_fix(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    form = await say(bot, LEADER, "join")
    assert form.card is not None
    skills = [c["value"] for c in next(e for e in form.card["body"] if e.get("id") == "skills")["choices"]]
    answers = {"role": "leader", "skills": [skills[1]], "learning_goals": [skills[0]], "department": ""}
    status, sent = await click(bot, LEADER, form, submit_data(form, answers | {"timezone": "Europe/London"}))
    assert status == 200 and sent
    problems = listed_under(sent[-1].card, "To fix")
    assert any("department" in problem.lower() for problem in problems), sent[-1].card_text
    all_valid(bot)
