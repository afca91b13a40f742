"""Program settings changed from chat by an admin: every setting of the form takes effect in the
admin's own workspace, values out of bounds are refused next to their field, and non-admins never
see the form. Help requests reach the help contact, and a request nobody can receive is said so."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings, SettingsError
from conversations.domain import PairingStatus, UserRef
from conversations.events import CommandReceived, FormSubmitted
from conversations.matching import MatchRules
from conversations.messages import Form, ItemList, Reply
from conversations.program_settings import SETTINGS, SETTINGS_FORM, SettingKind
from conversations.services.context import ProgramConfig
from tests.unit.engine_harness import ADMIN, Harness, pair_lea_and_max, paired_harness


def answers_of(form: Form) -> dict[str, Any]:
    """The form's answers as the platform sends them when nothing is touched."""
    found: dict[str, Any] = {}
    for field in form.inputs:
        initial = field.initial
        found[field.name] = initial if isinstance(initial, str) else ""
    return found


async def open_form(h: Harness, user_id: str = ADMIN) -> Form:
    reply = await h.say(user_id, "settings")
    assert reply.message is not None and reply.message.form is not None, reply
    assert reply.message.form.form_id == SETTINGS_FORM
    return reply.message.form


async def change(h: Harness, user_id: str = ADMIN, **values: str) -> Reply:
    """`settings`, then the form submitted with `values` changed."""
    form = await open_form(h, user_id)
    return await h.submit(user_id, SETTINGS_FORM, {**answers_of(form), **values})


def titles_to(h: Harness, user_id: str) -> list[str | None]:
    return [s.message.title for s in h.sent_to(user_id)]


async def join_pair(h: Harness, leader_zone: str = "Europe/London", mentor_level: str = "1") -> None:
    await h.join(
        "lea",
        "leader",
        skills=("Company strategy",),
        goals=("Generative AI",),
        level="5",
        department="Finance",
        timezone=leader_zone,
    )
    await h.join("max", "mentor", level=mentor_level)


# --- the form -----------------------------------------------------------------------------------------


async def test_the_form_offers_every_setting_with_the_values_in_effect() -> None:
    h = Harness()
    form = await open_form(h)
    assert [f.name for f in form.inputs] == [s.key for s in SETTINGS]
    shown = answers_of(form)
    assert shown["checkin_weekday"] == "monday" and shown["checkin_time"] == "10:00"
    assert shown["cycle_weeks"] == "12" and shown["mentor_capacity"] == "1"
    await change(h, cycle_weeks="6")
    assert answers_of(await open_form(h))["cycle_weeks"] == "6"


@pytest.mark.parametrize("spec", [s for s in SETTINGS if s.kind is SettingKind.WHOLE], ids=lambda s: s.key)
async def test_a_number_outside_its_bounds_is_refused_with_the_bound(spec: Any) -> None:
    h = Harness()
    for wrong in (spec.low - 1, spec.high + 1):
        reply = await change(h, **{spec.key: str(wrong)})
        assert reply.form_errors is not None and set(reply.form_errors) == {spec.key}
        assert f"between {spec.low} and {spec.high}" in reply.form_errors[spec.key]
    async with h.store() as uow:
        assert await uow.program_settings.get("console", "T1") == {}


async def test_other_bad_values_are_refused_next_to_their_fields() -> None:
    h = Harness()
    reply = await change(
        h,
        checkin_time="25:00",
        checkin_weekday="someday",
        ground_rules=" ; ",
        stories_channel="not a channel!",
    )
    assert reply.form_errors is not None
    assert set(reply.form_errors) == {"checkin_time", "checkin_weekday", "ground_rules", "stories_channel"}
    assert "HH:MM" in reply.form_errors["checkin_time"]


async def test_the_bounds_of_the_form_are_those_of_the_environment() -> None:
    for spec in SETTINGS:
        if spec.kind is not SettingKind.WHOLE:
            continue
        assert spec.variable is not None
        for wrong in (spec.low - 1, spec.high + 1):  # type: ignore[operator]
            with pytest.raises(
                SettingsError, match=f"{spec.variable} must be between {spec.low} and {spec.high}"
            ):
                Settings.from_env({spec.variable: str(wrong)})
        Settings.from_env({spec.variable: str(spec.low)})
        Settings.from_env({spec.variable: str(spec.high)})


async def test_people_who_are_not_admins_never_see_or_change_the_settings() -> None:
    h = Harness()
    await h.join("lea", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5")
    reply = await h.say("lea", "settings")
    assert reply.message is not None and reply.message.form is None
    assert "admins only" in reply.message.text
    assert "admins only" in (await h.say("lea", "settings history")).message.text  # type: ignore[union-attr]
    forged = await h.submit("lea", SETTINGS_FORM, {"cycle_weeks": "2"})
    assert forged.message is not None and "admins only" in forged.message.text
    async with h.store() as uow:
        assert await uow.program_settings.get("console", "T1") == {}


async def test_an_admin_changes_their_own_workspace_only() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({"org:console:*/UADMIN"})))
    await change(h, cycle_weeks="4")
    other = UserRef("console", "T2", ADMIN)
    reply = await h.bot.handle(CommandReceived(other, "settings", h.event_id()))
    assert reply is not None and reply.message is not None and reply.message.form is not None
    assert answers_of(reply.message.form)["cycle_weeks"] == "12"
    async with h.store() as uow:
        assert await uow.program_settings.all() == {("console", "T1"): {"cycle_weeks": "4"}}


async def test_settings_history_lists_who_changed_what_and_when() -> None:
    h = Harness()
    assert "every one has its default" in (await h.say(ADMIN, "settings history")).message.text  # type: ignore[union-attr]
    saved = await change(h, cycle_weeks="6", checkin_weekday="wednesday")
    assert saved.message is not None and "Round length (weeks): the default → 6" in saved.message.text
    h.advance(hours=2)
    await change(h, cycle_weeks="8")
    history = (await h.say(ADMIN, "settings history")).message
    assert history is not None
    lines = history.text.splitlines()[1:]
    assert len(lines) == 3
    assert "2026-01-05 10:00 UTC" in lines[0] and "Round length (weeks): 6 → 8" in lines[0]
    assert any("Check-in day: the default → wednesday" in line for line in lines[1:])
    assert history.mentions == (ADMIN, ADMIN, ADMIN)


async def test_unchanged_values_and_a_value_set_back_to_its_default_store_nothing() -> None:
    h = Harness()
    assert "Nothing changed" in (await change(h)).message.text  # type: ignore[union-attr]
    await change(h, mentor_capacity="3")
    await change(h, mentor_capacity="1")
    async with h.store() as uow:
        assert await uow.program_settings.get("console", "T1") == {}
        assert len(await uow.program_settings.history("console", "T1")) == 2


# --- each setting takes effect ------------------------------------------------------------------------


async def test_checkin_day_and_time_move_the_next_checkin() -> None:
    h = await paired_harness()  # paired Monday 5 January, 08:00 in London; by default asked Monday 12th 10:00
    await change(h, checkin_weekday="wednesday", checkin_time="15:30")
    h.advance(days=7, hours=3)  # Monday 12th, 11:00
    await h.bot.jobs.tick()
    assert "Weekly check-in" not in titles_to(h, "lea")
    h.advance(days=2, hours=4)  # Wednesday 14th, 15:00
    await h.bot.jobs.tick()
    assert "Weekly check-in" not in titles_to(h, "lea")
    h.advance(minutes=31)
    await h.bot.jobs.tick()
    assert titles_to(h, "lea").count("Weekly check-in") == 1


async def test_round_length_ends_the_round() -> None:
    h = await paired_harness()
    await change(h, cycle_weeks="2")
    h.advance(weeks=2, minutes=1)
    report = await h.bot.jobs.tick()
    assert report.ended_pairs == 1
    pairing = next(iter((await h.store.pairings()).values()))
    assert pairing.status is PairingStatus.ENDED and pairing.end_reason == "round finished"


async def test_next_round_start_automatic_after_n_days() -> None:
    h = await paired_harness()
    await change(h, cycle_weeks="1", next_round_days="2", repeat_lookback_rounds="0")
    h.advance(weeks=1, minutes=1)
    await h.bot.jobs.tick()
    h.advance(days=1)
    assert (await h.bot.jobs.tick()).rounds_started == 0
    h.advance(days=1)
    assert (await h.bot.jobs.tick()).rounds_started == 1


async def test_next_round_start_left_to_an_admin() -> None:
    config = ProgramConfig(
        admins=frozenset({ADMIN}), cycle_weeks=1, match_rules=MatchRules(repeat_lookback_cycles=0)
    )
    h = await pair_lea_and_max(Harness(config=config))  # by default the next round starts 7 days after
    await change(h, next_round_days="0")
    h.advance(weeks=1, minutes=1)
    await h.bot.jobs.tick()
    h.advance(days=30)
    assert (await h.bot.jobs.tick()).rounds_started == 0
    assert "Pairing round 2: 1 pairs" in (await h.say(ADMIN, "pair")).message.text  # type: ignore[union-attr]


async def test_mentor_capacity_changes_matching() -> None:
    h = Harness()
    await join_pair(h)
    await h.join(
        "ann", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5", department="Sales"
    )
    assert "1 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]
    await change(h, mentor_capacity="2")
    assert "2 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]


async def test_minimum_seniority_gap_changes_matching() -> None:
    h = Harness()
    await join_pair(h, mentor_level="2")  # a gap of three levels
    assert "1 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]
    await change(h, min_seniority_gap="4")
    preview = (await h.say(ADMIN, "pair --dry-run")).message.plain_text()  # type: ignore[union-attr]
    assert "0 pairs" in preview and "seniority gap of 4 levels" in preview


async def test_minimum_shared_working_hours_changes_matching() -> None:
    h = Harness()
    await join_pair(h, leader_zone="Asia/Tokyo")  # no working hour in common with London
    assert "0 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]
    await change(h, min_overlap_hours="0")
    assert "1 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]


async def test_repeat_lookback_changes_matching() -> None:
    h = await paired_harness()
    await change(h, cycle_weeks="1", next_round_days="0")
    h.advance(weeks=1, minutes=1)
    await h.bot.jobs.tick()
    assert "0 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]
    await change(h, repeat_lookback_rounds="0")
    assert "1 pairs" in (await h.say(ADMIN, "pair --dry-run")).message.text  # type: ignore[union-attr]


async def test_nudge_thresholds_take_effect() -> None:
    h = await paired_harness()
    await change(h, nudge_goals_days="1", nudge_no_meeting_days="2")
    h.advance(days=1, minutes=1)
    await h.bot.jobs.tick()
    assert "Set your goals" in titles_to(h, "lea") and "Time to catch up?" not in titles_to(h, "lea")
    h.advance(days=1)
    await h.bot.jobs.tick()
    assert "Time to catch up?" in titles_to(h, "lea")


async def test_checkin_reminder_threshold_takes_effect() -> None:
    h = await paired_harness()
    await change(h, nudge_checkin_hours="2")
    h.advance(days=7, hours=3)  # Monday 12th, 11:00: the check-in goes out
    await h.bot.jobs.tick()
    assert "Weekly check-in" in titles_to(h, "lea")
    h.advance(hours=2, minutes=1)
    await h.bot.jobs.tick()
    assert "Quick reminder" in titles_to(h, "lea")


async def test_stories_channel_takes_effect() -> None:
    h = await paired_harness()
    await change(h, stories_channel="CNEWS")
    await h.say("max", "story Lea now drafts her board notes with an AI assistant")
    await h.bot.jobs.deliver_due()
    ask = next(s for s in h.sent_to("lea") if s.message.title == "May we share your story?")
    approve = next(b for b in ask.message.buttons if b.value.endswith(":approve"))
    await h.click("lea", "story_decide", approve.value)
    await h.bot.jobs.deliver_due()
    assert [
        s.conversation
        for s in h.chat.transcript
        if "board notes" in (s.message.quote or "") and s.message.title == "A reverse-mentoring success story"
    ] == ["CNEWS"]


async def test_ground_rules_take_effect_in_introductions_and_joining() -> None:
    h = Harness()
    await change(h, ground_rules="Be kind; Turn up on time")
    await join_pair(h)
    await h.bot.jobs.deliver_due()
    joined = next(s for s in h.sent_to("lea") if s.message.title == "How reverse mentoring works")
    assert ("Ground rules", ItemList(("Be kind.", "Turn up on time."))) in joined.message.fields
    await h.pair_up()
    intro = next(s for s in h.sent_to("lea") if s.message.title == "Meet your mentoring partner")
    assert ("Ground rules", ItemList(("Be kind.", "Turn up on time."))) in intro.message.fields


# --- help always reaches a human ----------------------------------------------------------------------


async def ask_for_help(h: Harness) -> Reply:
    reply = await h.say("lea", "checkin need-help")
    await h.bot.jobs.deliver_due()
    return reply


async def test_help_requests_reach_the_help_person_and_channel_too() -> None:
    h = await paired_harness()
    h.chat.names["ana"] = "Ana"
    await change(h, help_person="ana", help_channel="CHELP")
    reply = await ask_for_help(h)
    assert reply.message is not None and "admins have been told" in reply.message.text
    for where in ("ana", ADMIN):
        assert "Private: a participant asked for help" in titles_to(h, where)
    assert [s.message.title for s in h.chat.transcript if s.conversation == "CHELP"] == [
        "Private: a participant asked for help"
    ]
    assert "Private: a participant asked for help" not in titles_to(h, "max")


async def nobody_harness(**config: Any) -> Harness:
    """Lea and Max paired in a workspace where no admin counts."""
    h = Harness(config=ProgramConfig(admins=frozenset({"console:T9/UADMIN"}), **config))
    await join_pair(h)
    await h.bot.run_round(dry_run=False)
    await h.bot.jobs.deliver_due()
    return h


async def test_a_help_request_nobody_can_receive_is_said_so_with_the_contact_text() -> None:
    h = await nobody_harness(help_contact_text="mentoring@example.test")
    reply = await ask_for_help(h)
    assert reply.message is not None
    assert "nobody has been told" in reply.message.text and "mentoring@example.test" in reply.message.text
    assert "admins have been told" not in reply.message.text


async def test_a_help_contact_set_in_the_workspace_is_reached_instead() -> None:
    h = await nobody_harness()
    async with h.store() as uow:
        await uow.program_settings.change(
            "console", "T1", {"help_channel": "CHELP"}, UserRef("console", "T9", ADMIN), h.clock.now()
        )
        await uow.commit()
    reply = await ask_for_help(h)
    assert reply.message is not None and "help contact has been told" in reply.message.text
    assert [
        s.conversation
        for s in h.chat.transcript
        if s.message.title == "Private: a participant asked for help"
    ] == ["CHELP"]


async def test_stats_and_start_warn_of_workspaces_where_help_reaches_nobody() -> None:
    h = await nobody_harness()
    warnings = await h.bot.help_warnings()
    assert len(warnings) == 1 and "console T1" in warnings[0]
    h2 = Harness(config=ProgramConfig(admins=frozenset({"org:console:T9/UORG"})))
    await h2.join("lea", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5")
    stats = await h2.bot.handle(CommandReceived(UserRef("console", "T9", "UORG"), "stats", h2.event_id()))
    assert stats is not None and stats.message is not None
    assert any(name == "Help requests reach nobody" and "T1" in value for name, value in stats.message.fields)


async def test_no_warning_where_an_admin_or_a_help_contact_can_receive() -> None:
    h = await paired_harness()
    assert await h.bot.help_warnings() == []
    stats = await h.say(ADMIN, "stats")
    assert stats.message is not None
    assert not any(name == "Help requests reach nobody" for name, _ in stats.message.fields)


async def test_a_picked_help_person_from_another_workspace_is_refused() -> None:
    h = Harness()
    h.chat.names["ana"] = "Ana"
    form = await open_form(h)
    reply = await h.bot.handle(
        FormSubmitted(
            h.user(ADMIN), SETTINGS_FORM, {**answers_of(form), "help_person": "nobody-here"}, h.event_id()
        )
    )
    assert reply is not None and reply.form_errors is not None and "help_person" in reply.form_errors


async def test_a_workspace_without_changes_keeps_the_deployment_defaults() -> None:
    h = await pair_lea_and_max(Harness(config=ProgramConfig(admins=frozenset({ADMIN}), cycle_weeks=3)))
    h.advance(weeks=3, minutes=1)
    assert (await h.bot.jobs.tick()).ended_pairs == 1
