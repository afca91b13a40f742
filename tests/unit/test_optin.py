from datetime import date

from conversations.domain import ParticipantStatus, Role
from conversations.messages import Visibility
from tests.unit.engine_harness import ADMIN, Harness


async def test_join_opens_a_form_then_saves_the_profile() -> None:
    h = Harness()
    reply = await h.say("ann", "join")
    assert reply.message and reply.message.form and reply.message.form.form_id == "join"
    reply = await h.join("ann", "mentor", skills=("Generative AI", "Python"))
    assert "Welcome" in reply.message.text
    saved = (await h.store.participants())[h.user("ann")]
    assert saved.role is Role.MENTOR and saved.skills == ("Generative AI", "Python")


async def test_invalid_form_reports_each_field_and_saves_nothing() -> None:
    h = Harness()
    reply = await h.submit(
        "bob", "join", {"role": "wizard", "department": "", "seniority": "99", "timezone": "Mars/Base"}
    )
    assert set(reply.form_errors) >= {"role", "department", "seniority", "timezone"}
    assert not await h.store.participants()


async def test_duplicate_join_is_answered_and_changes_nothing() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    before = (await h.store.participants())[h.user("ann")]
    reply = await h.say("ann", "join")
    assert "already in the program" in reply.message.text
    assert (await h.store.participants())[h.user("ann")] == before


async def test_profile_edit_updates_fields() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    form = (await h.say("ann", "profile")).message.form
    assert form is not None and any(i.name == "role" and i.initial == "mentor" for i in form.inputs)
    await h.join("ann", "both", department="Finance")
    assert (await h.store.participants())[h.user("ann")].department == "Finance"


async def test_commands_before_joining_say_how_to_join() -> None:
    h = Harness()
    for text in ("status", "pause", "goals", "checkin", "leave"):
        reply = await h.say("zed", text)
        assert "join" in reply.message.text


async def test_pause_until_a_date_and_resume() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    reply = await h.say("ann", "pause until 2026-02-01")
    assert "2026-02-01" in reply.message.text
    p = (await h.store.participants())[h.user("ann")]
    assert p.status is ParticipantStatus.PAUSED and p.paused_until == date(2026, 2, 1)
    await h.say("ann", "resume")
    assert (await h.store.participants())[h.user("ann")].status is ParticipantStatus.ACTIVE


async def test_pause_rejects_past_and_malformed_dates() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    assert "not in the future" in (await h.say("ann", "pause until 2020-01-01")).message.text
    assert "couldn't read" in (await h.say("ann", "pause until someday")).message.text
    assert (await h.store.participants())[h.user("ann")].status is ParticipantStatus.ACTIVE


async def test_paused_people_wake_on_their_date() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    await h.say("ann", "pause until 2026-01-08")
    h.advance(days=3)
    await h.bot.jobs.enqueue_due()
    assert (await h.store.participants())[h.user("ann")].status is ParticipantStatus.ACTIVE


async def test_leave_asks_first_then_keeps_or_deletes() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    await h.join("bob", "mentor")
    reply = await h.say("ann", "leave")
    assert {b.value for b in reply.message.buttons} == {"keep", "delete", "cancel"}
    await h.click("ann", "leave", "keep")
    assert (await h.store.participants())[h.user("ann")].status is ParticipantStatus.LEFT
    await h.click("bob", "leave", "delete")
    assert h.user("bob") not in await h.store.participants()


async def test_unknown_command_gets_help_and_admin_commands_are_refused() -> None:
    h = Harness()
    reply = await h.say("ann", "dance")
    assert 'don\'t know the command "dance"' in reply.message.text and "join" in reply.message.plain_text()
    assert "stats" not in reply.message.text
    for text in ("stats", "pair", "export"):
        assert "admins only" in (await h.say("ann", text)).message.text
    admin_help = await h.say(ADMIN, "help")
    assert "stats" in admin_help.message.plain_text()


async def test_stats_is_posted_in_channel_for_admins() -> None:
    h = Harness()
    reply = await h.say(ADMIN, "stats")
    assert reply.visibility is Visibility.IN_CHANNEL and reply.message.title


async def test_duplicate_event_ids_are_dropped() -> None:
    from conversations.events import CommandReceived

    h = Harness()
    event = CommandReceived(h.user("ann"), "help", "same-id")
    assert await h.bot.handle(event) is not None
    assert await h.bot.handle(event) is None


async def test_event_ids_are_kept_a_week_then_forgotten() -> None:
    from conversations.events import CommandReceived

    h = Harness()
    event = CommandReceived(h.user("ann"), "help", "kept-id")
    assert await h.bot.handle(event) is not None
    h.advance(days=6)
    await h.bot.jobs.tick()
    assert await h.bot.handle(event) is None
    h.advance(days=2)
    await h.bot.jobs.tick()
    assert "kept-id" not in str(await h.store.inbound_events())
