"""A Spanish-speaking person in Teams: Teams' locale on each activity picks the language until they
choose one in their profile card."""

from __future__ import annotations

from typing import Any

from conversations.domain import UserRef
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    NAMES,
    NEXT_CHECKIN,
    all_valid,
    dm_conversation,
    join_via_card,
    last_to,
    pair_and_introduce,
    submit_data,
)
from tests.unit.teams.activities import TENANT, card_submit, personal_install, personal_message


def in_spanish(activity: dict[str, Any]) -> dict[str, Any]:
    return {**activity, "locale": "es-ES"}


async def post(bot: TeamsBot, activity: dict[str, Any]) -> None:
    status, body = await bot.post(activity)
    assert status == 200, body


async def test_a_spanish_speaking_person_joins_and_gets_a_spanish_checkin(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    url = bot.framework.service_url
    bot.framework.names.update(NAMES)
    await post(bot, in_spanish(personal_install(LEADER, url)))
    assert "Me encargo del programa de mentoría inversa" in last_to(bot, LEADER).card_text
    for user_id in (ADMIN, MENTOR):
        await post(bot, personal_install(user_id, url))

    await post(bot, in_spanish(personal_message(LEADER, "join", url, NAMES[LEADER])))
    form = last_to(bot, LEADER)
    assert form.card is not None and "Únete a la mentoría" in form.card_text
    language = next(e for e in form.card["body"] if e.get("id") == "language")
    assert language["value"] == "es"
    answers = {
        "role": "leader",
        "skills": ["Company strategy"],
        "learning_goals": ["Generative AI"],
        "department": "Finanzas",
        "seniority": "5",
        "timezone": "Europe/London",
    }
    await post(bot, in_spanish(card_submit(LEADER, submit_data(form, answers), url, form.activity_id)))
    assert "Te damos la bienvenida a la mentoría inversa" in last_to(bot, LEADER).card_text
    async with bot.uow_factory() as uow:
        leader = await uow.participants.get(UserRef("teams", TENANT, LEADER))
    assert leader is not None and leader.language == "es"

    await join_via_card(bot, MENTOR, "mentor")  # Teams in English for this one
    await pair_and_introduce(bot)
    (intro,) = [
        s for s in bot.framework.sent_to(dm_conversation(LEADER)) if "Conoce a tu pareja" in s.card_text
    ]
    # what the renderer adds when the queued introduction is sent is in Spanish too
    assert "Opción 1:" in intro.card_text and " de enero, " in intro.card_text
    assert any(
        "Meet your mentoring partner" in s.card_text for s in bot.framework.sent_to(dm_conversation(MENTOR))
    )

    bot.clock.set(NEXT_CHECKIN)
    await bot.engine.jobs.tick()
    leader_checkin = last_to(bot, LEADER)
    assert "Seguimiento semanal" in leader_checkin.card_text
    assert "Nos hemos reunido" in str(leader_checkin.card)
    assert "Weekly check-in" in last_to(bot, MENTOR).card_text
    all_valid(bot)


async def test_a_person_chooses_spanish_in_the_profile_card(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    url = bot.framework.service_url
    bot.framework.names.update(NAMES)
    await post(bot, personal_install(LEADER, url))
    await join_via_card(bot, LEADER, "leader")

    await post(bot, personal_message(LEADER, "profile", url, NAMES[LEADER]))
    form = last_to(bot, LEADER)
    assert form.card is not None and "Your mentoring profile" in form.card_text
    await post(bot, card_submit(LEADER, submit_data(form, {"language": "es"}), url, form.activity_id))
    assert "Tu perfil se ha actualizado" in last_to(bot, LEADER).card_text

    await post(bot, personal_message(LEADER, "status", url, NAMES[LEADER]))  # Teams itself still says en-GB
    status = last_to(bot, LEADER)
    assert "Mi mentoría" in status.card_text and "Español" in status.card_text
    all_valid(bot)
