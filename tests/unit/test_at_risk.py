"""`at-risk` and its four actions, through the engine: signals without notes, admins only and only in
their own workspace, nudges and private questions once a day, and an ending that re-matches."""

from __future__ import annotations

from conversations.buttons import AT_RISK
from conversations.domain import Checkin, CheckinAnswer, PairingStatus, UserRef
from conversations.events import ButtonClicked, CommandReceived
from conversations.messages import Button, Reply, mention
from conversations.services.context import ADMIN_ONLY, ProgramConfig
from tests.unit.engine_harness import ADMIN, Harness, paired_harness
from tests.unit.test_admin_scope import BOSS, HOME, OTHER, seed_pair, slack


async def the_pairing(h: Harness):
    (pairing,) = (await h.store.pairings()).values()
    return pairing


def button(reply: Reply, label: str) -> Button:
    assert reply.message is not None
    return next(b for b in reply.message.buttons if b.label == label)


async def open_first_pair(h: Harness) -> Reply:
    listed = await h.say(ADMIN, "at-risk")
    return await h.click(ADMIN, AT_RISK.action_id, button(listed, "Open pair 1").value)


async def test_a_pair_that_asked_for_help_is_listed_with_its_signal_and_never_its_note() -> None:
    h = await paired_harness()
    assert "No pair" in (await h.say(ADMIN, "at-risk")).message.text
    await h.say("lea", "checkin need-help my-secret-note")
    listed = await h.say(ADMIN, "at-risk")
    (pair,) = dict(listed.message.fields)["Pairs"].items  # type: ignore[union-attr]
    assert f"{mention('lea')} asked for help" in pair
    assert "my-secret-note" not in repr(listed)
    assert [b.label for b in listed.message.buttons] == ["Open pair 1"]
    card = await open_first_pair(h)
    assert [b.label for b in card.message.buttons] == [
        "Nudge both",
        "Ask the leader privately",
        "Ask the mentor privately",
        "End and re-match",
    ]
    assert "my-secret-note" not in repr(card)
    assert button(card, "End and re-match").confirm, "ending asks for confirmation first"


async def test_quiet_pairs_unanswered_checkins_and_low_ratings_are_signals_from_the_nudge_rules() -> None:
    h = await paired_harness()
    h.advance(days=7, hours=3)
    await h.bot.jobs.tick()  # this week's check-ins go out, Monday 10:00 in London
    h.advance(days=3)
    await h.say("max", "checkin rescheduled 1")
    h.advance(days=4, hours=1)
    (entry,) = dict((await h.say(ADMIN, "at-risk")).message.fields)["Pairs"].items  # type: ignore[union-attr]
    assert "no meeting logged in 14 days" in entry
    assert "1 check-in unanswered" in entry
    assert "low ratings (average 1.0 / 5)" in entry
    assert dict((await h.say(ADMIN, "stats")).message.fields)["At-risk pairs"] == "1"


async def test_only_admins_see_at_risk_and_click_its_buttons() -> None:
    h = await paired_harness()
    await h.say("lea", "checkin need-help")
    card = await open_first_pair(h)
    assert (await h.say("lea", "at-risk")).message.text == ADMIN_ONLY
    reply = await h.click("lea", AT_RISK.action_id, button(card, "End and re-match").value)
    assert reply.message.text == ADMIN_ONLY
    assert (await the_pairing(h)).status is PairingStatus.ACTIVE


async def test_an_admin_sees_and_acts_only_on_pairs_of_their_own_workspace() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({f"slack:{HOME}/{BOSS}"})))
    boss = slack(HOME, BOSS)
    await seed_pair(h, slack(OTHER, "ULEA"), slack(OTHER, "UMAX"), ("Lea", "Max"))
    pairing = await the_pairing(h)
    async with h.store() as uow:  # the pair asked for help, in another workspace
        await uow.checkins.add(
            Checkin("c1", pairing.id, pairing.leader, "2026-W02", h.clock.now(), CheckinAnswer.NEED_HELP)
        )
        await uow.commit()
    listed = await h.bot.handle(CommandReceived(boss, "at-risk", "ev-scope-1"))
    assert listed is not None and "No pair" in listed.message.text
    end = AT_RISK.encode(pairing.id, "end")
    clicked = await h.bot.handle(ButtonClicked(boss, AT_RISK.action_id, end, "ev-scope-2"))
    assert clicked is not None and clicked.message.text == AT_RISK.invalid
    assert (await the_pairing(h)).status is PairingStatus.ACTIVE
    forged = await h.bot.handle(ButtonClicked(boss, AT_RISK.action_id, "nope:end", "ev-scope-3"))
    assert forged is not None and forged.message.text == AT_RISK.invalid


async def test_nudge_both_reaches_both_once_a_day() -> None:
    h = await paired_harness()
    await h.say("lea", "checkin need-help")
    card = await open_first_pair(h)
    nudge = button(card, "Nudge both").value
    assert "Nudged both" in (await h.click(ADMIN, AT_RISK.action_id, nudge)).message.text
    assert "already nudged today" in (await h.click(ADMIN, AT_RISK.action_id, nudge)).message.text
    await h.bot.jobs.deliver_due()
    nudged = [s for s in h.chat.transcript if s.message.title == "Time to catch up?"]
    assert sorted(s.recipients for s in nudged) == [("lea",), ("max",)]
    assert all(s.message.meetings for s in nudged), "with times to meet"
    h.advance(days=1)
    assert "Nudged both" in (await h.click(ADMIN, AT_RISK.action_id, nudge)).message.text


async def test_asking_one_privately_offers_need_help_which_reaches_the_admins_only() -> None:
    h = await paired_harness()
    await h.say("lea", "checkin need-help")
    card = await open_first_pair(h)
    reply = await h.click(ADMIN, AT_RISK.action_id, button(card, "Ask the mentor privately").value)
    assert mention("max") in reply.message.text
    await h.bot.jobs.deliver_due()
    (asked,) = [s for s in h.chat.transcript if s.message.title == "How is it going?"]
    assert asked.recipients == ("max",)
    assert "end" in dict(asked.message.fields)["If you need to"]
    need_help = next(b for b in asked.message.buttons if b.value.endswith(":need_help"))
    await h.click("max", need_help.action_id, need_help.value)
    await h.bot.jobs.deliver_due()
    helped = [s for s in h.chat.transcript if s.message.title == "Private: a participant asked for help"]
    assert [s.recipients for s in helped][-1] == (ADMIN,)
    assert not [s for s in h.sent_to("lea") if s.message.title == "How is it going?"]


async def test_end_and_rematch_ends_without_fault_tells_both_and_rematches_the_next_day() -> None:
    h = await paired_harness()
    await h.say("lea", "checkin need-help")
    card = await open_first_pair(h)
    await h.join("mia", "mentor", skills=("Generative AI",), level="2")
    reply = await h.click(ADMIN, AT_RISK.action_id, button(card, "End and re-match").value)
    assert "without fault" in reply.message.text and reply.replace_original
    ended = await the_pairing_by_people(h, "lea", "max")
    assert ended.status is PairingStatus.ENDED and ended.end_reason == "ended by an admin"
    await h.bot.jobs.deliver_due()
    told = [s.recipients for s in h.chat.transcript if s.message.title == "Your pairing has ended"]
    assert sorted(told) == [("lea",), ("max",)]
    again = await h.click(ADMIN, AT_RISK.action_id, button(card, "End and re-match").value)
    assert "already ended" in again.message.text
    h.advance(days=1)
    await h.bot.jobs.tick()
    active = [p for p in (await h.store.pairings()).values() if p.status is PairingStatus.ACTIVE]
    assert [(p.leader, p.mentor) for p in active] == [(h.user("lea"), h.user("mia"))]


async def the_pairing_by_people(h: Harness, leader: str, mentor: str):
    return next(
        p
        for p in (await h.store.pairings()).values()
        if (p.leader, p.mentor) == (UserRef("console", "T1", leader), UserRef("console", "T1", mentor))
    )
