"""People read the bot in their language: the platform's when they join, the one they choose after."""

from __future__ import annotations

from conversations.messages import ItemList, OutgoingMessage, Reply
from conversations.profile_form import LANGUAGE_FIELD
from conversations.prompts import LibrarySuggester
from tests.unit.engine_harness import Harness


def answers_as_shown(opened: Reply, **changes: object) -> dict:
    """What submitting the profile form as the person saw it sends, with `changes` made."""
    assert opened.message is not None and opened.message.form is not None
    fields = {
        i.name: list(i.initial) if isinstance(i.initial, tuple) else i.initial
        for i in opened.message.form.inputs
    }
    fields.update(
        role="leader",
        learning_goals=["Generative AI"],
        department="Finanzas",
        seniority="5",
        timezone="Europe/Madrid",
    )
    fields.update(changes)
    return {name: value for name, value in fields.items() if value is not None}


async def join_as_shown(h: Harness, user_id: str, role: str = "leader", **changes: object) -> Reply:
    opened = await h.say(user_id, "join")
    assert opened.message is not None and opened.message.form is not None
    fields = answers_as_shown(opened, role=role, **changes)
    if role == "mentor":
        fields.update(skills=["Generative AI"], learning_goals=["Company strategy"], seniority="1")
    return await h.submit(user_id, "join", fields, context=opened.message.form.context)


def titled(h: Harness, user_id: str, *titles: str) -> OutgoingMessage:
    return next(s.message for s in reversed(h.sent_to(user_id)) if s.message.title in titles)


async def test_a_spanish_speaker_joins_and_is_written_to_in_spanish() -> None:
    h = Harness()
    h.chat._group_dm = False  # one introduction to each person, each in their own language
    h.chat.locales["ana"] = "es-ES"
    opened = await h.say("ana", "join")
    assert opened.message is not None and opened.message.form is not None
    assert opened.message.form.title == "Únete a la mentoría"
    language = next(i for i in opened.message.form.inputs if i.name == LANGUAGE_FIELD)
    assert language.initial == "es"
    assert dict((o.value, o.label) for o in language.options) == {"en": "English", "es": "Español"}

    welcome = await join_as_shown(h, "ana")
    assert welcome.message is not None
    assert welcome.message.text.startswith("¡Te damos la bienvenida a la mentoría inversa")
    await h.bot.jobs.deliver_due()
    assert titled(h, "ana", "Cómo funciona la mentoría inversa").fields[0][0] == "Normas básicas"

    await join_as_shown(h, "max", role="mentor", **{LANGUAGE_FIELD: "en"})
    await h.pair_up()
    assert titled(h, "ana", "Conoce a tu pareja de mentoría", "Meet your mentoring partner").title == (
        "Conoce a tu pareja de mentoría"
    )
    assert titled(h, "max", "Conoce a tu pareja de mentoría", "Meet your mentoring partner").title == (
        "Meet your mentoring partner"
    )

    h.advance(days=7, hours=12)
    await h.bot.jobs.tick()
    checkin = titled(h, "ana", "Seguimiento semanal", "Weekly check-in")
    assert checkin.title == "Seguimiento semanal"
    assert {b.label for b in checkin.buttons} >= {"Nos hemos reunido", "Todavía no", "Necesito ayuda"}
    fields = dict(checkin.fields)
    assert "Ideas para esta semana" in fields
    assert "Estas ideas están en inglés" in fields["Idioma"]  # the prompt library has no Spanish yet
    english = titled(h, "max", "Seguimiento semanal", "Weekly check-in")
    assert english.title == "Weekly check-in" and "Language" not in dict(english.fields)


async def test_two_spanish_speakers_get_the_librarys_ideas_in_spanish() -> None:
    h = Harness(prompts=LibrarySuggester())  # type: ignore[arg-type]
    h.chat.locales.update(ana="es-ES", max="es-MX")
    await join_as_shown(h, "ana")
    await join_as_shown(h, "max", role="mentor")
    await h.pair_up()
    h.advance(days=7, hours=12)
    await h.bot.jobs.tick()
    fields = dict(titled(h, "ana", "Seguimiento semanal").fields)
    ideas = fields["Ideas para esta semana"]
    assert isinstance(ideas, ItemList)
    assert [idea.split(":")[0] for idea in ideas.items] == ["Mentor", "Líder", "Juntos"]
    assert "Idioma" not in fields  # in the reader's language: nothing to explain


async def test_a_shared_introduction_is_in_english_unless_both_read_the_same_language() -> None:
    h = Harness()  # the console opens group DMs, as Slack does
    h.chat.locales.update(ana="es-ES", max="es-MX")
    await join_as_shown(h, "ana")
    await join_as_shown(h, "max", role="mentor")
    await h.pair_up()
    shared = [s.message for s in h.sent_to("ana") if set(s.recipients) == {"ana", "max"}]
    assert [m.title for m in shared] == ["Conoce a tu pareja de mentoría"]

    h2 = Harness()
    h2.chat.locales["ana"] = "es-ES"
    await join_as_shown(h2, "ana")
    await join_as_shown(h2, "max", role="mentor")
    await h2.pair_up()
    shared = [s.message for s in h2.sent_to("ana") if set(s.recipients) == {"ana", "max"}]
    assert [m.title for m in shared] == ["Meet your mentoring partner"]


async def test_a_person_chooses_their_language_in_the_profile_form() -> None:
    h = Harness()
    await join_as_shown(h, "lea")
    assert (await h.say("lea", "status")).message.title == "My mentoring"  # type: ignore[union-attr]

    opened = await h.say("lea", "profile")
    saved = await h.submit(
        "lea", "join", answers_as_shown(opened, **{LANGUAGE_FIELD: "es"}), opened.message.form.context
    )  # type: ignore[union-attr]
    assert saved.message is not None and saved.message.text == (
        "Tu perfil se ha actualizado. Se usará a partir de la próxima ronda de emparejamiento."
    )
    status = (await h.say("lea", "status")).message
    assert status is not None and status.title == "Mi mentoría" and ("Idioma", "Español") in status.fields

    opened = await h.say("lea", "profile")
    assert opened.message.form.title == "Tu perfil de mentoría"  # type: ignore[union-attr]
    await h.submit(
        "lea", "join", answers_as_shown(opened, **{LANGUAGE_FIELD: "en"}), opened.message.form.context
    )  # type: ignore[union-attr]
    assert (await h.say("lea", "status")).message.title == "My mentoring"  # type: ignore[union-attr]


async def test_a_language_not_offered_is_refused_next_to_the_field() -> None:
    h = Harness()
    opened = await h.say("lea", "join")
    refused = await h.submit(
        "lea", "join", answers_as_shown(opened, **{LANGUAGE_FIELD: "xx"}), opened.message.form.context
    )  # type: ignore[union-attr]
    assert refused.form_errors == {LANGUAGE_FIELD: "Choose a language from the list."}


async def test_an_unknown_platform_locale_gets_english() -> None:
    h = Harness()
    h.chat.locales["lea"] = "tlh-KX"
    opened = await h.say("lea", "join")
    assert opened.message is not None and opened.message.form is not None
    assert opened.message.form.title == "Join reverse mentoring"
    assert next(i.initial for i in opened.message.form.inputs if i.name == LANGUAGE_FIELD) == "en"
