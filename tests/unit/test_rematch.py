"""The rolling re-match and the admins' daily digest, through the engine and its clock: late joiners and
people whose pairing ended are paired within a day under the round's hard rules, the longest-waiting
first; nothing happens twice when the job runs twice; the digest comes once, and only after a change."""

from __future__ import annotations

from conversations.app import Mentorbot
from conversations.domain import PairingStatus
from tests.support.greedy_matcher import GreedyMatcher
from tests.unit.engine_harness import ADMIN, Harness, paired_harness

INTRO = "Meet your mentoring partner"
WAITLIST = "You're on the waitlist"


async def active_pairs(h: Harness) -> set[tuple[str, str]]:
    return {
        (p.leader.user_id, p.mentor.user_id)
        for p in (await h.store.pairings()).values()
        if p.status is PairingStatus.ACTIVE
    }


def titled(h: Harness, title: str, user_id: str | None = None) -> list:
    return [
        s
        for s in h.chat.transcript
        if s.message.title == title and (user_id is None or user_id in s.recipients)
    ]


async def next_day(h: Harness) -> None:
    h.advance(days=1)
    await h.bot.jobs.tick()


async def test_someone_joining_mid_round_is_paired_and_introduced_by_the_next_days_tick() -> None:
    h = await paired_harness()
    await h.bot.jobs.tick()  # the day's re-match runs with the day's first tick
    await h.join("leo", "leader", goals=("Generative AI",), level="5")
    await h.join("mia", "mentor", skills=("Generative AI",), level="2")
    await h.bot.jobs.tick()
    assert ("leo", "mia") not in await active_pairs(h), "once a day"
    await next_day(h)
    assert await active_pairs(h) == {("lea", "max"), ("leo", "mia")}
    assert len(titled(h, INTRO, "leo")) == 1 and len(titled(h, INTRO, "mia")) == 1
    cycles = {p.cycle_id for p in (await h.store.pairings()).values()}
    assert len(cycles) == 1, "re-matched into the running round"


async def test_a_second_replica_or_a_retried_tick_pairs_and_tells_nobody_twice() -> None:
    h = await paired_harness()
    await h.join("leo", "leader", goals=("Generative AI",), level="5")
    await h.join("mia", "mentor", skills=("Generative AI",), level="2")
    await h.join("lia", "leader", level="5")
    h.advance(days=1)
    replica = Mentorbot(h.store, h.clock, GreedyMatcher(), h.prompts, h.config, {"console": h.chat})
    await h.bot.jobs.tick()
    await replica.jobs.tick()
    await h.bot.jobs.tick()
    assert len(await h.store.pairings()) == 2
    assert len(titled(h, INTRO, "mia")) == 1
    assert len(titled(h, WAITLIST, "lia")) == 1, "waitlisted once, told once"
    await next_day(h)
    await next_day(h)
    assert len(titled(h, WAITLIST, "lia")) == 1, "not told again every day"


async def test_a_rematch_never_breaks_a_hard_rule() -> None:
    """Every mentor free mid-round is ruled out for the one leader free by a different hard rule."""
    h = await paired_harness()
    await h.join("boss", "leader", goals=("Generative AI",), level="5")
    await h.join("rep", "mentor", skills=("Generative AI",), level="1", manager="boss")  # reporting line
    await h.join("peer", "mentor", skills=("Generative AI",), level="5")  # no seniority gap
    await h.join("far", "mentor", skills=("Generative AI",), level="1", timezone="Pacific/Auckland")  # hours
    await h.join("shy", "mentor", skills=("Generative AI",), level="1")
    await h.say("shy", "avoid boss")  # the private list
    for _ in range(3):
        await next_day(h)
    assert await active_pairs(h) == {("lea", "max")}
    assert len(titled(h, WAITLIST, "boss")) == 1 and len(titled(h, WAITLIST, "shy")) == 1


async def test_a_pair_that_ended_is_not_matched_again_in_the_same_round() -> None:
    h = await paired_harness()
    await h.say("lea", "end")
    for _ in range(2):
        await next_day(h)
    assert await active_pairs(h) == set()
    assert titled(h, WAITLIST, "lea") and titled(h, WAITLIST, "max")


async def test_the_longest_waiting_is_paired_first() -> None:
    h = Harness()
    await h.join("lea", "leader", goals=("Generative AI",), level="5")
    await h.join("lia", "leader", goals=("Public speaking",), level="5")  # no shared term with Mia
    await h.join("max", "mentor", skills=("Generative AI",), level="1")
    await h.pair_up()
    assert await active_pairs(h) == {("lea", "max")} and titled(h, WAITLIST, "lia")
    h.advance(days=2)
    await h.join("leo", "leader", goals=("Generative AI",), level="5")  # a better fit for Mia
    await next_day(h)  # nobody for Leo: he waits from today, Lia from the round's start
    assert titled(h, WAITLIST, "leo")
    await h.join("mia", "mentor", skills=("Generative AI",), level="1")
    await next_day(h)
    assert await active_pairs(h) == {("lea", "max"), ("lia", "mia")}


async def test_admins_get_one_digest_a_day_and_none_after_a_quiet_day() -> None:
    h = await paired_harness()
    await h.join("leo", "leader", goals=("Generative AI",), level="5")
    await h.join("mia", "mentor", skills=("Generative AI",), level="2")
    await h.join("lia", "leader", level="5")
    await h.say("lea", "end")
    await next_day(h)  # yesterday: a pair made and ended, four joins
    h.advance(hours=2)
    await h.bot.jobs.tick()
    await h.bot.jobs.deliver_due()
    digests = [
        s for s in h.chat.transcript if s.message.title and s.message.title.startswith("Mentoring program")
    ]
    assert [s.recipients for s in digests] == [(ADMIN,)]
    fields = dict(digests[0].message.fields)
    assert fields["New pairs"].startswith("1") and fields["Ended pairs"] == "1 by one of the two"
    assert fields["New joins"] == "5"
    assert "ended" not in repr(digests[0].message.text)
    await next_day(h)  # yesterday: the re-match paired two of the three leaders with Max and Mia
    await h.bot.jobs.deliver_due()
    second = [
        s for s in h.chat.transcript if s.message.title and s.message.title.startswith("Mentoring program")
    ]
    assert len(second) == 2
    fields = dict(second[1].message.fields)
    assert (
        fields["New pairs"].startswith("2") and fields["Waitlist"] == "1 waiting, 1 of them since yesterday"
    )
    await next_day(h)
    await next_day(h)  # a day with no change
    await h.bot.jobs.deliver_due()
    quiet = [
        s for s in h.chat.transcript if s.message.title and s.message.title.startswith("Mentoring program")
    ]
    assert len(quiet) == 2


async def test_the_next_round_pairs_the_waitlisted_before_newcomers() -> None:
    h = Harness()
    await h.join("lea", "leader", goals=("Generative AI",), level="5")
    await h.join("lia", "leader", goals=("Public speaking",), level="5")  # no shared term with Max
    await h.join("max", "mentor", skills=("Generative AI",), level="1")
    await h.pair_up()
    assert titled(h, WAITLIST, "lia")
    h.advance(weeks=12)
    await h.bot.jobs.tick()  # the round closes
    await h.join("leo", "leader", goals=("Generative AI",), level="5")  # a better fit for Max
    h.advance(days=7)
    await h.bot.jobs.tick()  # the next round starts by itself
    assert await active_pairs(h) == {("lia", "max")}, "Lea and Max were paired last round"
