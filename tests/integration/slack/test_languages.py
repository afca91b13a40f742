"""A Spanish-speaking person in Slack: users.info's locale picks the language of the join form, and
the one they keep there is the language of everything after."""

from __future__ import annotations

from datetime import timedelta

from conversations.domain import UserRef
from tests.integration.slack.conftest import ADMIN, SlackDriver, button
from tests.integration.slack.fake_slack import TEAM_ID
from tests.integration.slack.program import LEA, MAX, MENTOR_ANSWERS, join, profile_answers

ANA = "UANA00001"


def language_block(view: dict) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == "language")


async def test_a_spanish_speaking_person_joins_and_gets_a_spanish_checkin(slack: SlackDriver) -> None:
    fake = slack.fake
    fake.add_user(ANA, "Ana Líder", locale="es-ES")
    fake.add_user(MAX, "Max Mentor")

    await slack.command(ANA, "join")
    assert fake.successful("users.info")[-1].args.get("include_locale") in (True, "true", "1")
    view = slack.last_opened_view()
    assert view["title"]["text"] == "Únete a la mentoría"
    assert view["submit"]["text"] == "Unirme" and view["close"]["text"] == "Cancelar"
    chosen = language_block(view)["element"]["initial_option"]
    assert chosen["value"] == "es" and chosen["text"]["text"] == "Español"

    answers = {
        **profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finanzas"),
        "language": "es",
    }
    welcome = (await slack.submit(ANA, view, answers)).json()
    assert welcome["response_action"] == "update"
    assert "Te damos la bienvenida a la mentoría inversa" in str(welcome["view"]["blocks"])
    assert welcome["view"]["close"]["text"] == "Hecho"
    assert (await slack.store.participants())[UserRef("slack", TEAM_ID, ANA)].language == "es"

    await join(slack, MAX, MENTOR_ANSWERS)
    fake.clear()
    await slack.command(ADMIN, "pair")
    await slack.engine.jobs.deliver_due()
    fake.clear()
    slack.clock.advance(timedelta(days=7, hours=3))
    await slack.engine.jobs.tick()
    to = {
        user: [c.args for c in fake.successful("chat.postMessage") if c.args["channel"] == user]
        for user in (ANA, MAX)
    }
    (checkin_call,) = [
        c
        for c in fake.successful("chat.postMessage")
        if c.args["channel"] == ANA and c.args["text"].startswith("*Seguimiento semanal*")
    ]
    checkin = checkin_call.args
    assert "Nos hemos reunido" in str(checkin["blocks"])
    assert "Estas ideas están en inglés" in str(checkin["blocks"])
    assert any(m["text"].startswith("*Fija tus objetivos*") for m in to[ANA])  # the goals nudge too
    assert [m for m in to[MAX] if m["text"].startswith("*Weekly check-in*")]

    # "Not yet": times to meet, with what the renderer adds around each in Spanish too
    clicked = await slack.click(ANA, button(checkin["blocks"], "Todavía no"), checkin_call)
    assert clicked.status == 200
    proposal = str(fake.responses[-1])
    assert "Opción 1:" in proposal and " a las " in proposal


async def test_a_person_chooses_spanish_in_the_profile_form(slack: SlackDriver) -> None:
    slack.fake.add_user(LEA, "Lea Leader")
    await slack.command(LEA, "join")
    view = slack.last_opened_view()
    assert language_block(view)["element"]["initial_option"]["value"] == "en"
    await slack.submit(
        LEA,
        view,
        {
            **profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance"),
            "language": "en",
        },
    )

    await slack.command(LEA, "profile")
    view = slack.last_opened_view()
    assert view["title"]["text"] == "Your mentoring profile"
    answers = {
        **profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance"),
        "language": "es",
    }
    saved = (await slack.submit(LEA, view, answers)).json()
    assert "Tu perfil se ha actualizado" in str(saved)

    slack.fake.clear()
    await slack.command(LEA, "status")
    (status,) = slack.fake.responses
    assert "Mi mentoría" in str(status) and "Español" in str(status)
