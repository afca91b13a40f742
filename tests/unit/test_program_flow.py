"""Pairing, intros, waitlist, check-ins, goals, nudges, help, stories, stats and export, with fakes."""

from conversations.domain import CheckinAnswer, PairingStatus, StoryStatus
from conversations.messages import mention
from tests.unit.engine_harness import ADMIN, Harness, paired_harness


async def the_pairing(h: Harness):
    (pairing,) = (await h.store.pairings()).values()
    return pairing


async def test_round_pairs_with_reasons_and_introduces_in_one_group_dm() -> None:
    h = await paired_harness()
    pairing = await the_pairing(h)
    assert pairing.leader == h.user("lea") and pairing.mentor == h.user("max")
    assert any("generative ai" in r.lower() for r in pairing.reasons)
    intros = [s for s in h.chat.transcript if s.message.title == "Meet your mentoring partner"]
    assert len(intros) == 1 and set(intros[0].recipients) == {"lea", "max"}
    assert "Why you two" in dict(intros[0].message.fields)


async def test_without_group_dms_each_side_gets_an_intro_naming_the_other() -> None:
    h = await paired_harness(group_dm=False)
    intros = [s for s in h.chat.transcript if s.message.title == "Meet your mentoring partner"]
    assert sorted(s.recipients for s in intros) == [("lea",), ("max",)]
    to_lea = next(s for s in intros if s.recipients == ("lea",))
    assert mention("max") in to_lea.message.text
    # The mention shows the name on both platforms: repeating it in brackets read "Meet Max (Max)".
    assert "(Max)" not in to_lea.message.text


async def test_dry_run_changes_nothing_and_explains() -> None:
    h = Harness()
    await h.join("lea", "leader", level="5", goals=("Generative AI",))
    await h.join("max", "mentor", level="1")
    joined = await h.store.deliveries()  # the onboarding each person got on joining
    reply = await h.say(ADMIN, "pair --dry-run")
    assert "Preview" in reply.message.text and "Lea (leader) + Max (mentor)" in reply.message.plain_text()
    assert not await h.store.pairings() and await h.store.deliveries() == joined


async def test_unpaired_people_are_told_why() -> None:
    h = Harness()
    await h.join("lea", "leader", level="5")
    await h.join("lia", "leader", level="5")
    await h.join("max", "mentor", level="1")
    await h.pair_up()
    waitlisted = [s for s in h.chat.transcript if s.message.title == "You're on the waitlist"]
    assert len(waitlisted) == 1 and "Why:" in waitlisted[0].message.text


async def test_nobody_is_paired_twice_by_a_second_round() -> None:
    h = await paired_harness()
    await h.pair_up()
    assert len(await h.store.pairings()) == 1


async def weekly_checkin(h: Harness, user_id: str):
    h.advance(days=7)  # next Monday, past 10:00 local in London
    h.advance(hours=3)
    await h.bot.jobs.tick()
    return [s for s in h.sent_to(user_id) if s.message.title == "Weekly check-in"]


async def test_weekly_checkin_once_per_person_and_week_with_prompts() -> None:
    h = await paired_harness()
    sent = await weekly_checkin(h, "lea")
    assert len(sent) == 1
    assert "Ideas for this week" in dict(sent[0].message.fields)
    await h.bot.jobs.tick()
    await h.bot.jobs.tick()
    assert len([s for s in h.sent_to("lea") if s.message.title == "Weekly check-in"]) == 1
    assert len([c for c in (await h.store.checkins()).values()]) == 2


async def test_checkin_click_records_once_and_refuses_forgeries() -> None:
    h = await paired_harness()
    (msg,) = await weekly_checkin(h, "lea")
    met = next(b for b in msg.message.buttons if b.value.endswith(":met"))
    forged = await h.click("max", "checkin_answer", met.value)
    assert "someone else" in forged.message.text
    outsider = await h.click("eve", "checkin_answer", met.value)
    assert "someone else" in outsider.message.text
    assert all(c.answer is None for c in (await h.store.checkins()).values())
    first = await h.click("lea", "checkin_answer", met.value)
    assert "recorded" in first.message.text and first.replace_original
    checkin_id = met.value.split(":")[0]
    answered_at = (await h.store.checkins())[checkin_id].answered_at
    again = await h.click("lea", "checkin_answer", met.value.replace(":met", ":not_yet"))
    assert "already answered" in again.message.text
    stored = (await h.store.checkins())[checkin_id]
    assert stored.answer is CheckinAnswer.MET and stored.answered_at == answered_at
    await h.click("lea", "checkin_rating", f"{checkin_id}:4")
    await h.click("lea", "checkin_rating", f"{checkin_id}:1")
    assert (await h.store.checkins())[checkin_id].rating == 4
    bad = await h.click("lea", "checkin_rating", f"{checkin_id}:9")
    assert "1 to 5" in bad.message.text


async def test_need_help_reaches_admins_privately_never_the_partner() -> None:
    h = await paired_harness()
    (msg,) = await weekly_checkin(h, "lea")
    checkin_id = msg.message.buttons[0].value.split(":")[0]
    await h.click("lea", "checkin_answer", f"{checkin_id}:need_help")
    form = (await h.click("lea", "checkin_note_form", checkin_id)).message.form
    assert form is not None and form.context == checkin_id
    await h.submit("lea", "checkin_note", {"note": "we keep missing each other"}, context=checkin_id)
    await h.bot.jobs.deliver_due()
    to_admin = [s for s in h.sent_to(ADMIN) if "Private" in (s.message.title or "")]
    assert to_admin and any("missing each other" in s.message.text for s in to_admin)
    assert not any(
        "missing each other" in s.message.text or "help" in (s.message.title or "").lower()
        for s in h.sent_to("max")
    )
    assert all("missing each other" not in repr(c) for c in h.prompts.contexts)


async def test_checkin_by_text_command() -> None:
    h = await paired_harness()
    reply = await h.say("max", "checkin met 5 brilliant session")
    assert "recorded" in reply.message.text
    (c,) = [c for c in (await h.store.checkins()).values() if c.user == h.user("max")]
    assert c.answer is CheckinAnswer.MET and c.rating == 5 and c.note == "brilliant session"
    assert "met" in (await h.say("max", "checkin wobble")).message.text


async def test_two_way_goals_progress_and_done() -> None:
    h = await paired_harness()
    await h.say("lea", "goals add use an AI assistant for my weekly update")
    await h.say("max", "goals add understand how budgets are set")
    await h.say("lea", "goals progress 1 60")
    await h.say("max", "goals done 1")
    goals = sorted((await h.store.goals()).values(), key=lambda g: g.side.value)
    assert [(g.side.value, g.progress, g.done) for g in goals] == [
        ("leader", 60, False),
        ("mentor", 100, True),
    ]
    shown = await h.say("lea", "goals")
    fields = dict(shown.message.fields)
    assert "60%" in fields["My goals"].items[0] and "done" in fields["Max's goals"].items[0]
    assert "0 to 100" in (await h.say("lea", "goals progress 1 150")).message.text
    assert "number" in (await h.say("lea", "goals done 7")).message.text


async def test_goal_form_rejects_other_pairings() -> None:
    h = await paired_harness()
    pairing = await the_pairing(h)
    assert (await h.click("max", "goal_add_form", pairing.id)).message.form is not None
    assert "own active pairing" in (await h.click("eve", "goal_add_form", pairing.id)).message.text
    reply = await h.submit("max", "goal_add", {"goal": ""}, context=pairing.id)
    assert "goal" in reply.form_errors


async def test_nudges_fire_only_when_their_rule_holds_and_only_once() -> None:
    h = await paired_harness()
    await h.bot.jobs.tick()
    assert not [s for s in h.chat.transcript if s.message.title in ("Set your goals", "Time to catch up?")]
    await h.say("lea", "goals add learn prompt writing")
    h.advance(days=8)
    await h.bot.jobs.tick()
    goal_nudges = [s for s in h.chat.transcript if s.message.title == "Set your goals"]
    assert [s.recipients for s in goal_nudges] == [("max",)]
    h.advance(days=2, hours=1)  # check-in unanswered for more than 48 hours
    await h.bot.jobs.tick()
    reminders = [s for s in h.chat.transcript if s.message.title == "Quick reminder"]
    assert sorted(s.recipients for s in reminders) == [("lea",), ("max",)]
    h.advance(days=5)  # two weeks, never met
    await h.bot.jobs.tick()
    await h.bot.jobs.tick()
    assert len([s for s in h.chat.transcript if s.message.title == "Time to catch up?"]) == 2
    assert len([s for s in h.chat.transcript if s.message.title == "Set your goals"]) == 1


async def test_paused_person_gets_no_checkins() -> None:
    h = await paired_harness()
    await h.say("max", "pause until 2026-02-20")
    await weekly_checkin(h, "lea")
    assert not [s for s in h.sent_to("max") if s.message.title == "Weekly check-in"]


async def test_story_needs_the_partners_approval_before_posting() -> None:
    h = await paired_harness()
    await h.say("max", "story Lea now drafts her board notes with an AI assistant in half the time")
    await h.bot.jobs.deliver_due()
    ask = next(s for s in h.sent_to("lea") if s.message.title == "May we share your story?")
    approve = next(b for b in ask.message.buttons if b.value.endswith(":approve"))
    assert "Only the other person" in (await h.click("max", "story_decide", approve.value)).message.text
    assert not [s for s in h.chat.transcript if s.conversation == "CSTORIES"]
    await h.click("lea", "story_decide", approve.value)
    await h.bot.jobs.deliver_due()
    posted = [s for s in h.chat.transcript if s.conversation == "CSTORIES"]
    assert len(posted) == 1 and "board notes" in (posted[0].message.quote or "")
    assert list((await h.store.stories()).values())[0].status is StoryStatus.APPROVED


async def test_no_fault_end_and_rematch_next_round_with_someone_new() -> None:
    h = await paired_harness()
    await h.join("mia", "mentor", skills=("Generative AI",), level="2")
    reply = await h.say("lea", "end schedules never fit")
    assert "no fault" in reply.message.text
    assert (await the_pairing(h)).status is PairingStatus.ENDED
    await h.bot.jobs.deliver_due()
    assert any(s.message.title == "Your pairing has ended" for s in h.sent_to("max"))
    await h.pair_up()
    active = [p for p in (await h.store.pairings()).values() if p.status is PairingStatus.ACTIVE]
    assert len(active) == 1 and active[0].mentor == h.user("mia")


async def test_stats_and_export_never_show_private_notes_and_hide_small_groups() -> None:
    h = await paired_harness()
    for i in range(5):
        await h.join(f"eng{i}", "mentor", level="1", department="Engineering")
    await h.say("lea", "checkin need-help 2 secret-note-text")
    await h.say("lea", "assess before 2")
    await h.say("lea", "assess after 4")
    stats = await h.say(ADMIN, "stats")
    fields = dict(stats.message.fields)
    assert "Engineering 6" in fields["By department"] and "Finance" not in fields["By department"]
    assert "Other (groups under 5) 1" in fields["By department"]
    assert fields["At-risk pairs"] == "1"
    assert "+2.0" in fields["Leaders' AI confidence change"]
    export = (await h.say(ADMIN, "export")).message.attachment
    assert export is not None and export.content.startswith(b"cycle,pairing_id")
    assert b"secret-note-text" not in export.content and "secret-note-text" not in repr(stats)


async def test_leaving_with_deletion_erases_personal_data_and_tells_the_partner() -> None:
    h = await paired_harness()
    await h.say("max", "goals add learn budgeting")
    await h.say("max", "checkin met 4 private thing")
    await h.click("max", "leave", "delete")
    assert h.user("max") not in await h.store.participants()
    assert not [g for g in (await h.store.goals()).values() if g.owner == h.user("max")]
    assert not [c for c in (await h.store.checkins()).values() if c.user == h.user("max")]
    assert all(h.user("max") not in p.members() for p in (await h.store.pairings()).values())
    await h.bot.jobs.deliver_due()
    assert any(s.message.title == "Your pairing has ended" for s in h.sent_to("lea"))


async def test_status_names_the_partner_and_the_next_checkin() -> None:
    h = await paired_harness()
    fields = dict((await h.say("lea", "status")).message.fields)
    assert fields["Paired with"] == mention("max")
    assert fields["Next check-in"].startswith("Monday 12 January, 10:00 (Europe/London)")


async def test_rounds_close_and_the_next_starts_by_itself_without_repeat_pairs() -> None:
    from dataclasses import replace

    h = Harness()
    h.config = replace(h.config, cycle_weeks=2)
    h.__post_init__()
    for user_id, role, level in (
        ("lea", "leader", "5"),
        ("lia", "leader", "5"),
        ("max", "mentor", "1"),
        ("mia", "mentor", "1"),
    ):
        await h.join(user_id, role, level=level)
    await h.pair_up()
    first = {(p.leader.user_id, p.mentor.user_id) for p in (await h.store.pairings()).values()}
    assert len(first) == 2
    h.advance(weeks=2, hours=1)
    report = await h.bot.jobs.tick()
    assert report.ended_pairs == 2 and report.rounds_started == 0
    assert len([s for s in h.chat.transcript if "Now that the round is over" in s.message.text]) == 4
    h.advance(days=7)
    report = await h.bot.jobs.tick()
    assert report.rounds_started == 1
    second = {
        (p.leader.user_id, p.mentor.user_id)
        for p in (await h.store.pairings()).values()
        if p.status is PairingStatus.ACTIVE
    }
    assert len(second) == 2 and not second & first
    assert (await h.bot.jobs.tick()).rounds_started == 0


async def test_a_round_started_elsewhere_at_the_same_moment_changes_nothing(monkeypatch) -> None:
    from storage.repositories import SqlCycles

    async def another_replica_won(self, cycle) -> bool:  # type: ignore[no-untyped-def]
        return False

    h = Harness()
    await h.join("lea", "leader", level="5")
    await h.join("max", "mentor", level="1")
    monkeypatch.setattr(SqlCycles, "start", another_replica_won)
    joined = await h.store.deliveries()  # the onboarding each person got on joining
    reply = await h.say(ADMIN, "pair")
    assert "started at the same moment" in reply.message.text
    assert not await h.store.pairings() and await h.store.deliveries() == joined
