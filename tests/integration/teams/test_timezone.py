"""Teams tells the bot each person's time zone; over real HTTP and real JWTs the join card starts there,
the saved participant keeps it, and the typeahead finds every other zone through `application/search`."""

from __future__ import annotations

import json
from typing import Any

from conversations.domain import UserRef
from tests.integration.teams.conftest import TeamsBot
from tests.integration.teams.fake_bot_framework import Sent
from tests.integration.teams.journey import NAMES, all_valid, click, submit_data
from tests.unit.teams.activities import TENANT, personal_message

AMA = "29:ama"


async def say_with(bot: TeamsBot, text: str, **extra: Any) -> Sent:
    before = len(bot.framework.sent)
    activity = personal_message(AMA, text, bot.framework.service_url, "Ama Mensah") | extra
    status, body = await bot.post(activity)
    assert status == 200, body
    answers = bot.framework.sent[before:]
    assert answers, f"no answer to {text!r}"
    return answers[-1]


def timezone_input(card: Sent) -> dict[str, Any]:
    assert card.card is not None
    return next(e for e in card.card["body"] if e.get("id") == "timezone")


async def join(bot: TeamsBot, form: Sent, timezone: str | None = None) -> None:
    answers: dict[str, str | list[str]] = {
        "role": "mentor",
        "skills": ["Python"],
        "learning_goals": ["Leadership"],
        "department": "Engineering",
        "seniority": "1",
    }
    if timezone is not None:
        answers["timezone"] = timezone
    status, replies = await click(bot, AMA, form, submit_data(form, answers))
    assert status == 200 and replies and "Welcome" in replies[-1].card_text, [r.card_text for r in replies]


async def stored_timezone(bot: TeamsBot) -> str:
    async with bot.uow_factory() as uow:
        participant = await uow.participants.get(UserRef("teams", TENANT, AMA))
    assert participant is not None
    return participant.timezone


async def test_local_timezone_prefills_the_join_card_and_is_stored(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    bot.framework.names.update({AMA: "Ama Mensah"} | NAMES)
    form = await say_with(bot, "join", localTimezone="Africa/Accra")

    element = timezone_input(form)
    assert element["value"] == "Africa/Accra"
    assert element["style"] == "filtered" and element["choices.data"]["dataset"] == "timezones"
    assert "Africa/Accra" in [c["value"] for c in element["choices"]]
    profile = await bot.integration.chat.get_profile(UserRef("teams", TENANT, AMA))
    assert profile.timezone == "Africa/Accra"

    await join(bot, form)  # the person keeps what Teams told us
    assert await stored_timezone(bot) == "Africa/Accra"
    all_valid(bot)


async def test_the_client_info_entity_prefills_the_join_card(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    client_info = {
        "type": "clientInfo",
        "locale": "es-AR",
        "country": "AR",
        "platform": "Android",
        "timezone": "America/Argentina/Buenos_Aires",
    }
    form = await say_with(bot, "join", entities=[client_info])
    assert timezone_input(form)["value"] == "America/Argentina/Buenos_Aires"
    await join(bot, form)
    assert await stored_timezone(bot) == "America/Argentina/Buenos_Aires"
    all_valid(bot)


async def test_an_invalid_local_timezone_is_ignored(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    # A zone that does not exist is skipped: the client info's real one is used instead.
    form = await say_with(
        bot,
        "join",
        localTimezone="Mars/Olympus_Mons",
        entities=[{"type": "clientInfo", "timezone": "Africa/Accra"}],
    )
    assert timezone_input(form)["value"] == "Africa/Accra"

    # With nothing valid at all, the form starts at UTC and nothing invalid is kept for later.
    form = await say_with(
        bot,
        "join",
        localTimezone="Mars/Olympus_Mons",
        entities=[{"type": "clientInfo", "timezone": "localtime"}],
    )
    assert timezone_input(form)["value"] == "UTC"
    profile = await bot.integration.chat.get_profile(UserRef("teams", TENANT, AMA))
    assert profile.timezone is None
    all_valid(bot)


async def test_a_zone_found_by_typing_replaces_the_detected_one(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    form = await say_with(bot, "join", localTimezone="America/Los_Angeles")
    await join(bot, form, timezone="Etc/UTC")
    assert await stored_timezone(bot) == "Etc/UTC"


def search_invoke(bot: TeamsBot, text: str, top: int = 15, dataset: str = "timezones") -> dict[str, Any]:
    activity = personal_message(AMA, "", bot.framework.service_url, "Ama Mensah")
    activity.pop("text")
    activity.update(
        type="invoke",
        name="application/search",
        value={"queryText": text, "queryOptions": {"skip": 0, "top": top}, "dataset": dataset},
        localTimezone="Africa/Accra",
    )
    return activity


async def test_an_application_search_invoke_is_answered_with_a_search_response(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    for typed, expected in (
        ("accra", "Africa/Accra"),
        ("utc", "Etc/UTC"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
    ):
        status, text = await bot.post(search_invoke(bot, typed))
        assert status == 200, text
        body = json.loads(text)
        assert isinstance(body, dict), "the body is written once, not as a JSON string inside JSON"
        assert body["type"] == "application/vnd.microsoft.search.searchResponse"
        results = body["value"]["results"]
        assert 1 <= len(results) <= 15
        assert all(set(r) == {"title", "value"} for r in results)
        assert expected in [r["value"] for r in results], results

    status, text = await bot.post(search_invoke(bot, "", top=500))
    assert status == 200 and len(json.loads(text)["value"]["results"]) == 25
    status, text = await bot.post(search_invoke(bot, "mars", dataset="planets"))
    assert status == 200 and json.loads(text)["value"]["results"] == []
    assert bot.framework.sent == [], "a search is answered in the invoke response, nothing is posted"

    other = search_invoke(bot, "accra")
    other["name"] = "adaptiveCard/action"
    status, text = await bot.post(other)
    assert status == 200 and text == "", "other invokes still get an empty 200"
