"""An admin's export and the stats chart in Teams: offered with a file consent card in the 1:1 chat,
uploaded whole once allowed, and never sent when declined or to anyone else."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import matplotlib.image

from adapters.teams.files import CONSENT_CARD, INFO_CARD
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.fake_bot_framework import Sent
from tests.integration.teams.journey import LEADER, all_valid, dm_conversation, install_everyone, say
from tests.support.program_history import NOTE, ROUND_START, seed_history
from tests.unit.teams.activities import TENANT, card_submit, channel_mention

PAIRS = 40


async def seeded(bot: TeamsBot) -> None:
    await seed_history(
        bot.uow_factory,
        participants=2 * PAIRS,
        pairs=PAIRS,
        weeks=6,
        platform="teams",
        workspace_id=TENANT,
        user_prefix="29:p",
    )
    bot.clock.set(ROUND_START + timedelta(weeks=6, days=2))
    await install_everyone(bot)


def consent_cards(bot: TeamsBot, conversation: str) -> list[Sent]:
    return [
        s
        for s in bot.framework.sent_to(conversation)
        if any(a.get("contentType") == CONSENT_CARD for a in s.activity.get("attachments") or [])
    ]


def consent_answer(bot: TeamsBot, user_id: str, card: Sent, action: str, name: str) -> dict[str, Any]:
    """The invoke Teams sends when someone clicks Allow or Decline on a file consent card."""
    (attachment,) = card.activity["attachments"]
    content = attachment["content"]
    activity = card_submit(user_id, {}, bot.framework.service_url, reply_to=card.activity_id)
    activity.update(
        type="invoke",
        name="fileConsent/invoke",
        value={
            "type": "fileUpload",
            "action": action,
            "context": content["acceptContext" if action == "accept" else "declineContext"],
            "uploadInfo": {
                "contentUrl": f"https://contoso.sharepoint.test/personal/admin/Documents/{attachment['name']}",
                "name": attachment["name"],
                "uploadUrl": bot.framework.upload_url(name),
                "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
                "fileType": attachment["name"].rsplit(".", 1)[-1],
            }
            if action == "accept"
            else None,
        },
    )
    return activity


async def test_an_allowed_export_is_uploaded_whole_and_shown_as_a_file(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await seeded(bot)
    await say(bot, ADMIN, "export")
    (card,) = consent_cards(bot, dm_conversation(ADMIN))
    content = card.activity["attachments"][0]["content"]
    assert card.activity["attachments"][0]["name"].endswith(".csv") and content["sizeInBytes"] > 3_000

    status, _ = await bot.post(consent_answer(bot, ADMIN, card, "accept", "export-1"))
    assert status == 200
    data = bot.framework.uploads["export-1"]
    assert len(data) == content["sizeInBytes"]
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) == PAIRS and "help_requests" in rows[0] and NOTE.encode() not in data
    info = bot.framework.sent_to(dm_conversation(ADMIN))[-1].activity["attachments"][0]
    assert info["contentType"] == INFO_CARD and info["content"]["fileType"] == "csv"
    all_valid(bot)

    again, _ = await bot.post(consent_answer(bot, ADMIN, card, "accept", "export-2"))
    assert again == 200 and "export-2" not in bot.framework.uploads, "an offer is taken once"


async def test_a_declined_file_is_not_sent(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await seeded(bot)
    await say(bot, ADMIN, "export")
    (card,) = consent_cards(bot, dm_conversation(ADMIN))

    status, _ = await bot.post(consent_answer(bot, ADMIN, card, "decline", "declined"))
    assert status == 200 and bot.framework.uploads == {}
    assert "have not sent" in bot.framework.sent_to(dm_conversation(ADMIN))[-1].card_text


async def test_nobody_else_can_take_a_file_offered_to_an_admin(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await seeded(bot)
    await say(bot, ADMIN, "export")
    (card,) = consent_cards(bot, dm_conversation(ADMIN))

    status, _ = await bot.post(consent_answer(bot, LEADER, card, "accept", "stolen"))
    assert status == 200 and bot.framework.uploads == {}
    assert "no longer waiting" in bot.framework.sent_to(dm_conversation(LEADER))[-1].card_text


async def test_stats_in_a_channel_offer_the_chart_in_the_admins_chat(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await seeded(bot)
    status, body = await bot.post(channel_mention(ADMIN, "stats", bot.framework.service_url))
    assert status == 200, body
    (card,) = consent_cards(bot, dm_conversation(ADMIN))
    assert card.activity["attachments"][0]["name"].endswith(".png")

    await bot.post(consent_answer(bot, ADMIN, card, "accept", "chart"))
    picture = matplotlib.image.imread(io.BytesIO(bot.framework.uploads["chart"]), format="png")
    assert picture.shape[1] > 800


async def test_people_who_are_not_admins_are_offered_no_file(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await seeded(bot)
    refusal = await say(bot, LEADER, "export")
    assert "admins" in refusal.card_text
    assert consent_cards(bot, dm_conversation(LEADER)) == []
