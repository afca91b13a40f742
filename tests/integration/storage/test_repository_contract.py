"""The repository contract: SQLite and PostgreSQL behave the same, so unit tests on in-memory SQLite
hold for both.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    ConversationRef,
    Cycle,
    Delivery,
    DeliveryPriority,
    DeliveryStatus,
    Destination,
    Goal,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
    PromptRating,
    Role,
    Side,
    Story,
    StoryStatus,
    UserRef,
    new_id,
)
from conversations.ports import PromptSet, UnitOfWork
from storage.database import Database
from tests.integration.storage.conftest import StoreUnderTest, add_parents

T0 = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
ANA = UserRef("slack", "T1", "UANA")
BEN = UserRef("slack", "T1", "UBEN")
CAL = UserRef("slack", "T2", "UCAL")
DEE = UserRef("teams", "tenant-1", "29:dee")
PEOPLE = (ANA, BEN, CAL, DEE)
PAIRS = ("p1", "p2", "p3", "p4", "p5", "p6", "p7")


def person(user: UserRef, **changes: object) -> Participant:
    values: dict[str, object] = {
        "user": user,
        "display_name": f"Person {user.user_id}",
        "role": Role.MENTOR,
        "department": "Engineering",
        "seniority": 2,
        "timezone": "Europe/Berlin",
        "skills": ("prompting", "spreadsheets"),
        "learning_goals": ("strategy",),
        "joined_at": T0,
    }
    values.update(changes)
    return Participant(**values)  # type: ignore[arg-type]


def pairing(leader: UserRef = ANA, mentor: UserRef = BEN, **changes: object) -> Pairing:
    values: dict[str, object] = {
        "id": new_id(),
        "cycle_id": "cycle-1",
        "leader": leader,
        "mentor": mentor,
        "score": 0.75,
        "reasons": ("skills match", "different departments"),
        "created_at": T0,
    }
    values.update(changes)
    return Pairing(**values)  # type: ignore[arg-type]


def delivery(key: str, **changes: object) -> Delivery:
    values: dict[str, object] = {
        "id": new_id(),
        "idempotency_key": key,
        "destination": Destination.dm(ANA),
        "message": {"text": "Hello", "fields": [["Week", "2026-W10"]], "buttons": []},
        "created_at": T0,
        "not_before": T0,
    }
    values.update(changes)
    return Delivery(**values)  # type: ignore[arg-type]


async def write(store: StoreUnderTest, action) -> None:  # type: ignore[no-untyped-def]
    async with store.new_unit() as uow:
        await action(uow)
        await uow.commit()


def unit(store: StoreUnderTest) -> UnitOfWork:
    return store.new_unit()


# --- participants ---------------------------------------------------------------------------------


async def test_participant_round_trips_every_field(store: StoreUnderTest) -> None:
    ana = person(
        ANA,
        role=Role.BOTH,
        manager_id="UBOSS",
        language="de",
        status=ParticipantStatus.PAUSED,
        paused_until=date(2026, 4, 1),
    )
    await write(store, lambda uow: uow.participants.save(ana))
    async with unit(store) as uow:
        assert await uow.participants.get(ANA) == ana
        assert await uow.participants.get(BEN) is None


async def test_participant_save_updates_and_delete_removes(store: StoreUnderTest) -> None:
    await write(store, lambda uow: uow.participants.save(person(ANA)))
    changed = person(ANA, status=ParticipantStatus.LEFT, skills=(), learning_goals=(), joined_at=None)
    await write(store, lambda uow: uow.participants.save(changed))
    async with unit(store) as uow:
        assert await uow.participants.get(ANA) == changed
        await uow.participants.delete(ANA)
        await uow.participants.delete(BEN)  # absent: no error
        assert await uow.participants.get(ANA) is None
        await uow.commit()


async def test_participants_list_filters_by_platform_and_workspace(store: StoreUnderTest) -> None:
    async def add_all(uow: UnitOfWork) -> None:
        for user in (ANA, BEN, CAL, DEE):
            await uow.participants.save(person(user))

    await write(store, add_all)
    async with unit(store) as uow:

        def users(found: list[Participant]) -> set[UserRef]:
            return {p.user for p in found}

        assert users(await uow.participants.list()) == {ANA, BEN, CAL, DEE}
        assert users(await uow.participants.list(platform="slack")) == {ANA, BEN, CAL}
        assert users(await uow.participants.list(platform="slack", workspace_id="T1")) == {ANA, BEN}
        assert users(await uow.participants.list(workspace_id="tenant-1")) == {DEE}
        assert await uow.participants.list(platform="discord") == []


async def test_participants_list_filters_by_status(store: StoreUnderTest) -> None:
    async def add_all(uow: UnitOfWork) -> None:
        for user in (ANA, CAL):
            await uow.participants.save(person(user))
        await uow.participants.save(person(BEN, status=ParticipantStatus.PAUSED))

    await write(store, add_all)
    async with unit(store) as uow:
        paused = await uow.participants.list(status=ParticipantStatus.PAUSED)
        assert [p.user for p in paused] == [BEN]
        assert {p.user for p in await uow.participants.list(status=ParticipantStatus.ACTIVE)} == {ANA, CAL}
        assert await uow.participants.list(platform="teams", status=ParticipantStatus.PAUSED) == []


# --- cycles ---------------------------------------------------------------------------------------


async def test_cycles_add_get_latest_list_and_save(store: StoreUnderTest) -> None:
    first = Cycle("c1", 1, T0, 12)
    second = Cycle("c2", 2, T0 + timedelta(weeks=12), 8)
    async with unit(store) as uow:
        assert await uow.cycles.latest() is None
        await uow.cycles.add(second)
        await uow.cycles.add(first)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.cycles.get("c1") == first
        assert await uow.cycles.get("nope") is None
        assert await uow.cycles.latest() == second
        assert [c.id for c in await uow.cycles.list()] == ["c1", "c2"]
        first.closed_at = T0 + timedelta(weeks=12)
        await uow.cycles.save(first)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.cycles.get("c1") == first


# --- pairings -------------------------------------------------------------------------------------


async def test_pairings_round_trip_and_filter(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, cycles=("cycle-1", "cycle-2"))
    one = pairing(ANA, BEN, created_at=T0)
    two = pairing(CAL, ANA, cycle_id="cycle-2", created_at=T0 + timedelta(days=1))
    three = pairing(CAL, BEN, cycle_id="cycle-2", created_at=T0 + timedelta(days=2))

    async def add_all(uow: UnitOfWork) -> None:
        for p in (three, one, two):
            await uow.pairings.add(p)

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.pairings.get(one.id) == one
        assert await uow.pairings.get("missing") is None
        assert [p.id for p in await uow.pairings.for_user(ANA)] == [one.id, two.id]
        assert [p.id for p in await uow.pairings.for_user(BEN)] == [one.id, three.id]
        assert await uow.pairings.for_user(DEE) == []
        assert [p.id for p in await uow.pairings.list()] == [one.id, two.id, three.id]
        assert [p.id for p in await uow.pairings.list(cycle_id="cycle-2")] == [two.id, three.id]

        one.status, one.ended_at, one.end_reason = PairingStatus.ENDED, T0 + timedelta(weeks=3), "no fault"
        await uow.pairings.save(one)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.pairings.get(one.id) == one
        assert [p.id for p in await uow.pairings.for_user(ANA, PairingStatus.ACTIVE)] == [two.id]
        assert [p.id for p in await uow.pairings.for_user(ANA, PairingStatus.ENDED)] == [one.id]
        assert [p.id for p in await uow.pairings.list(status=PairingStatus.ACTIVE)] == [two.id, three.id]
        assert await uow.pairings.list(status=PairingStatus.ENDED, cycle_id="cycle-2") == []


# --- goals ----------------------------------------------------------------------------------------


async def test_goals_round_trip_progress_and_go_with_their_person(store: StoreUnderTest) -> None:
    p = pairing()
    await add_parents(store, PEOPLE, (p.id, "other-pairing"))
    leader_goal = Goal(new_id(), p.id, ANA, Side.LEADER, "Use an LLM weekly", T0)
    mentor_goal = Goal(new_id(), p.id, BEN, Side.MENTOR, "Learn how budgets are set", T0 + timedelta(hours=1))
    other = Goal(new_id(), "other-pairing", ANA, Side.LEADER, "Something else", T0 + timedelta(hours=2))

    async def add_all(uow: UnitOfWork) -> None:
        for g in (other, mentor_goal, leader_goal):
            await uow.goals.add(g)

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.goals.get(leader_goal.id) == leader_goal
        assert await uow.goals.get("missing") is None
        assert [g.id for g in await uow.goals.for_pairing(p.id)] == [leader_goal.id, mentor_goal.id]
        assert [g.id for g in await uow.goals.list()] == [leader_goal.id, mentor_goal.id, other.id]
        leader_goal.progress, leader_goal.done_at = 100, T0 + timedelta(days=20)
        await uow.goals.save(leader_goal)
        await uow.commit()
    async with unit(store) as uow:
        stored = await uow.goals.get(leader_goal.id)
        assert stored == leader_goal and stored is not None and stored.done
        await uow.participants.delete(ANA)  # their rows go with them
        await uow.commit()
    async with unit(store) as uow:
        assert [g.id for g in await uow.goals.list()] == [mentor_goal.id]


# --- check-ins ------------------------------------------------------------------------------------


async def test_checkin_add_is_once_per_pairing_person_and_week(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    first = Checkin(new_id(), "p1", ANA, "2026-W10", T0)
    again = Checkin(new_id(), "p1", ANA, "2026-W10", T0 + timedelta(hours=1))
    async with unit(store) as uow:
        assert await uow.checkins.add(first) is True
        assert await uow.checkins.add(again) is False
        assert await uow.checkins.add(Checkin(new_id(), "p1", BEN, "2026-W10", T0)) is True
        assert await uow.checkins.add(Checkin(new_id(), "p1", ANA, "2026-W11", T0)) is True
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.checkins.add(again) is False
        assert await uow.checkins.get(again.id) is None
        assert await uow.checkins.find("p1", ANA, "2026-W10") == first
        assert len(await uow.checkins.for_pairing("p1")) == 3


async def test_checkin_answer_find_list_and_go_with_their_person(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    week10 = Checkin(new_id(), "p1", ANA, "2026-W10", T0)
    week11 = Checkin(new_id(), "p1", ANA, "2026-W11", T0 + timedelta(weeks=1))
    bens = Checkin(new_id(), "p1", BEN, "2026-W11", T0 + timedelta(weeks=1, hours=1))
    elsewhere = Checkin(new_id(), "p2", CAL, "2026-W11", T0 + timedelta(weeks=1, hours=2))

    async def add_all(uow: UnitOfWork) -> None:
        for c in (elsewhere, bens, week11, week10):
            assert await uow.checkins.add(c)

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.checkins.find("p1", ANA, "2026-W12") is None
        week10.answer, week10.rating, week10.note = CheckinAnswer.NEED_HELP, 2, "private words"
        week10.answered_at = T0 + timedelta(days=1)
        await uow.checkins.save(week10)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.checkins.get(week10.id) == week10
        assert await uow.checkins.get("missing") is None
        assert [c.id for c in await uow.checkins.for_pairing("p1")] == [week10.id, week11.id, bens.id]
        assert [c.id for c in await uow.checkins.list()] == [week10.id, week11.id, bens.id, elsewhere.id]
        since = T0 + timedelta(weeks=1)
        assert [c.id for c in await uow.checkins.list(since=since)] == [week11.id, bens.id, elsewhere.id]
        await uow.participants.delete(ANA)  # their rows go with them
        await uow.commit()
    async with unit(store) as uow:
        assert [c.id for c in await uow.checkins.list()] == [bens.id, elsewhere.id]


# --- assessments ----------------------------------------------------------------------------------


async def test_assessment_save_upserts_by_pairing_person_and_phase(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    before = Assessment(new_id(), "p1", ANA, Side.LEADER, "before", 2, T0)
    await write(store, lambda uow: uow.assessments.save(before))
    revised = Assessment(new_id(), "p1", ANA, Side.LEADER, "before", 3, T0 + timedelta(hours=1))
    after = Assessment(new_id(), "p1", ANA, Side.LEADER, "after", 5, T0 + timedelta(weeks=12))
    mentor = Assessment(new_id(), "p1", BEN, Side.MENTOR, "before", 1, T0 + timedelta(hours=2))
    other = Assessment(new_id(), "p2", CAL, Side.LEADER, "before", 4, T0 + timedelta(hours=3))

    async def save_all(uow: UnitOfWork) -> None:
        for a in (revised, after, mentor, other):
            await uow.assessments.save(a)

    await write(store, save_all)
    async with unit(store) as uow:
        found = {(a.user, a.phase): a for a in await uow.assessments.for_pairing("p1")}
        assert set(found) == {(ANA, "before"), (ANA, "after"), (BEN, "before")}
        assert found[(ANA, "before")].score == 3
        assert found[(ANA, "before")].id == before.id, "the latest answer counts, under the first id"
        assert found[(ANA, "after")] == after
        assert len(await uow.assessments.list()) == 4
        await uow.participants.delete(ANA)  # their rows go with them
        await uow.commit()
    async with unit(store) as uow:
        assert {a.id for a in await uow.assessments.list()} == {mentor.id, other.id}


# --- stories --------------------------------------------------------------------------------------


async def test_stories_round_trip_decide_and_go_with_their_person(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    story = Story(new_id(), "p1", ANA, "We automated the weekly report together.", T0)
    later = Story(new_id(), "p2", CAL, "Strategy offsite, seen from the inside.", T0 + timedelta(days=1))

    async def add_all(uow: UnitOfWork) -> None:
        await uow.stories.add(later)
        await uow.stories.add(story)

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.stories.get(story.id) == story
        assert await uow.stories.get("missing") is None
        story.status, story.decided_at = StoryStatus.APPROVED, T0 + timedelta(hours=5)
        await uow.stories.save(story)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.stories.list() == [story, later]
        await uow.participants.delete(ANA)  # their rows go with them
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.stories.list() == [later]


# --- deliveries -----------------------------------------------------------------------------------


async def test_enqueue_is_a_no_op_when_the_key_exists(store: StoreUnderTest) -> None:
    original = delivery("checkin:p1:2026-W10:UANA")
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue(original) is True
        assert await uow.deliveries.enqueue(delivery("checkin:p1:2026-W10:UANA")) is False
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue(delivery("checkin:p1:2026-W10:UANA", message={})) is False
        # The transaction is still usable after a refused insert (PostgreSQL aborts on an error).
        assert await uow.deliveries.enqueue(delivery("checkin:p1:2026-W10:UBEN")) is True
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.get_by_key("checkin:p1:2026-W10:UANA") == original
        assert await uow.deliveries.get_by_key("checkin:p1:2026-W10:UBEN") is not None
        assert await uow.deliveries.get_by_key("nope") is None
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.PENDING: 2}


async def test_delivery_destinations_and_message_round_trip(store: StoreUnderTest) -> None:
    group = delivery(
        "intro:p1",
        destination=Destination.group((ANA, BEN)),
        message={"text": "Meet", "nested": {"n": 1, "ok": True, "none": None}, "list": [1, "two"]},
    )
    channel = delivery("story:s1", destination=Destination.channel("teams", "tenant-1", "19:general"))
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue(group)
        assert await uow.deliveries.enqueue(channel)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.get_by_key("intro:p1") == group
        assert await uow.deliveries.get_by_key("story:s1") == channel


async def test_claim_due_takes_due_rows_and_leases_them(store: StoreUnderTest) -> None:
    due = delivery("due", not_before=T0 - timedelta(minutes=1))
    due_now = delivery("due-now", not_before=T0)
    later = delivery("later", not_before=T0 + timedelta(seconds=1))
    lease = T0 + timedelta(minutes=5)

    async def add_all(uow: UnitOfWork) -> None:
        for d in (later, due_now, due):
            await uow.deliveries.enqueue(d)

    await write(store, add_all)
    async with unit(store) as uow:
        claimed = await uow.deliveries.claim_due(T0, lease, limit=10)
        assert [d.idempotency_key for d in claimed] == ["due", "due-now"]
        for d in claimed:
            assert d.status is DeliveryStatus.SENDING
            assert d.attempts == 1
            assert d.lease_until == lease
        await uow.commit()
    async with unit(store) as uow:
        # "later" is due by now; the two leased rows are not until their lease runs out.
        again = await uow.deliveries.claim_due(T0 + timedelta(minutes=4), lease, limit=10)
        assert [d.idempotency_key for d in again] == ["later"]
        stored = await uow.deliveries.get_by_key("due")
        assert stored is not None and stored.status is DeliveryStatus.SENDING and stored.attempts == 1
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.SENDING: 3}


async def test_claim_due_takes_urgent_rows_before_older_reminders(store: StoreUnderTest) -> None:
    """A check-in enqueued after a pile of reminders still goes first, and keeps its priority stored."""
    reminders = [
        delivery(f"nudge-{n}", not_before=T0 - timedelta(minutes=10 - n), priority=DeliveryPriority.REMINDER)
        for n in range(3)
    ]
    normal = delivery("story", not_before=T0 - timedelta(minutes=20))
    urgent = delivery("checkin", not_before=T0, priority=DeliveryPriority.URGENT)

    async def add_all(uow: UnitOfWork) -> None:
        for d in (*reminders, normal, urgent):
            await uow.deliveries.enqueue(d)

    await write(store, add_all)
    async with unit(store) as uow:
        first = await uow.deliveries.claim_due(T0, T0 + timedelta(minutes=5), limit=2)
        assert [d.idempotency_key for d in first] == ["checkin", "story"]
        assert first[0].priority is DeliveryPriority.URGENT
        rest = await uow.deliveries.claim_due(T0, T0 + timedelta(minutes=5), limit=10)
        assert [d.idempotency_key for d in rest] == ["nudge-0", "nudge-1", "nudge-2"]


async def test_sent_times_names_only_the_messages_delivered(store: StoreUnderTest) -> None:
    sent, pending, failed = delivery("sent"), delivery("pending"), delivery("failed")

    async def add_all(uow: UnitOfWork) -> None:
        for d in (sent, pending, failed):
            await uow.deliveries.enqueue(d)
        await uow.deliveries.mark_sent(sent.id, "m-1", T0 + timedelta(seconds=3))
        await uow.deliveries.mark_failed(failed.id, "user_not_found")

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.deliveries.sent_times(["sent", "pending", "failed", "unknown"]) == {
            "sent": T0 + timedelta(seconds=3)
        }
        assert await uow.deliveries.sent_times([]) == {}


async def test_an_expired_lease_is_claimed_again(store: StoreUnderTest) -> None:
    await write(store, lambda uow: uow.deliveries.enqueue(delivery("crashed")))
    first_lease = T0 + timedelta(minutes=5)
    async with unit(store) as uow:
        assert len(await uow.deliveries.claim_due(T0, first_lease, limit=1)) == 1
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.claim_due(first_lease - timedelta(microseconds=1), T0, limit=1) == []
        second_lease = first_lease + timedelta(minutes=5)
        [reclaimed] = await uow.deliveries.claim_due(first_lease, second_lease, limit=1)
        assert reclaimed.idempotency_key == "crashed"
        assert reclaimed.attempts == 2
        assert reclaimed.lease_until == second_lease
        await uow.commit()


async def test_claim_due_respects_limit_order_and_platform(store: StoreUnderTest) -> None:
    async def add_all(uow: UnitOfWork) -> None:
        for minute in (5, 1, 4, 2, 3):
            await uow.deliveries.enqueue(
                delivery(f"slack-{minute}", not_before=T0 - timedelta(minutes=10 - minute))
            )
        await uow.deliveries.enqueue(
            delivery("teams-1", destination=Destination.dm(DEE), not_before=T0 - timedelta(minutes=30))
        )
        # Same not_before: the older row goes first.
        await uow.deliveries.enqueue(
            delivery("tie-new", created_at=T0, not_before=T0 - timedelta(minutes=60))
        )
        await uow.deliveries.enqueue(
            delivery("tie-old", created_at=T0 - timedelta(hours=1), not_before=T0 - timedelta(minutes=60))
        )

    await write(store, add_all)
    lease = T0 + timedelta(minutes=1)
    async with unit(store) as uow:
        first = await uow.deliveries.claim_due(T0, lease, limit=3, platform="slack")
        assert [d.idempotency_key for d in first] == ["tie-old", "tie-new", "slack-1"]
        rest = await uow.deliveries.claim_due(T0, lease, limit=100, platform="slack")
        assert [d.idempotency_key for d in rest] == ["slack-2", "slack-3", "slack-4", "slack-5"]
        assert await uow.deliveries.claim_due(T0, lease, limit=0) == []
        teams = await uow.deliveries.claim_due(T0, lease, limit=100)
        assert [d.idempotency_key for d in teams] == ["teams-1"]
        await uow.commit()


async def test_mark_sent_retry_and_failed(store: StoreUnderTest) -> None:
    keys = ("sent", "retry", "failed-1", "failed-2")

    async def add_all(uow: UnitOfWork) -> None:
        for offset, key in enumerate(keys):
            await uow.deliveries.enqueue(delivery(key, created_at=T0 + timedelta(seconds=offset)))

    await write(store, add_all)
    lease = T0 + timedelta(minutes=5)
    async with unit(store) as uow:
        by_key = {d.idempotency_key: d for d in await uow.deliveries.claim_due(T0, lease, limit=10)}
        await uow.deliveries.mark_sent(by_key["sent"].id, "1700000000.000100", T0 + timedelta(seconds=2))
        await uow.deliveries.mark_retry(by_key["retry"].id, "429 rate limited", T0 + timedelta(seconds=30))
        await uow.deliveries.mark_failed(by_key["failed-2"].id, "user_not_found")
        await uow.deliveries.mark_failed(by_key["failed-1"].id, "account_inactive")
        await uow.commit()
    async with unit(store) as uow:
        sent = await uow.deliveries.get_by_key("sent")
        assert sent is not None
        assert (sent.status, sent.platform_message_id, sent.sent_at, sent.lease_until) == (
            DeliveryStatus.SENT,
            "1700000000.000100",
            T0 + timedelta(seconds=2),
            None,
        )
        retry = await uow.deliveries.get_by_key("retry")
        assert retry is not None
        assert (retry.status, retry.last_error, retry.not_before, retry.lease_until, retry.attempts) == (
            DeliveryStatus.PENDING,
            "429 rate limited",
            T0 + timedelta(seconds=30),
            None,
            1,
        )
        assert await uow.deliveries.count_by_status() == {
            DeliveryStatus.SENT: 1,
            DeliveryStatus.PENDING: 1,
            DeliveryStatus.FAILED: 2,
        }
        failed = await uow.deliveries.list_failed()
        assert [(d.idempotency_key, d.last_error) for d in failed] == [
            ("failed-1", "account_inactive"),
            ("failed-2", "user_not_found"),
        ]
        assert [d.idempotency_key for d in await uow.deliveries.list_failed(limit=1)] == ["failed-1"]
        # A retry waits for its new time, then counts as a second attempt.
        assert await uow.deliveries.claim_due(T0 + timedelta(seconds=29), lease, limit=10) == []
        [again] = await uow.deliveries.claim_due(T0 + timedelta(seconds=30), lease, limit=10)
        assert again.idempotency_key == "retry" and again.attempts == 2


async def test_cancel_for_user_drops_only_their_pending_deliveries(store: StoreUnderTest) -> None:
    odd = UserRef("slack", "T1", 'U%_"odd')

    async def add_all(uow: UnitOfWork) -> None:
        await uow.deliveries.enqueue(delivery("ana-dm"))
        await uow.deliveries.enqueue(delivery("ana-group", destination=Destination.group((BEN, ANA))))
        await uow.deliveries.enqueue(delivery("ana-sent"))
        await uow.deliveries.enqueue(delivery("ben-dm", destination=Destination.dm(BEN)))
        await uow.deliveries.enqueue(
            delivery("other-ws", destination=Destination.dm(UserRef("slack", "T9", "UANA")))
        )
        await uow.deliveries.enqueue(
            delivery("prefix", destination=Destination.dm(UserRef("slack", "T1", "UANAX")))
        )
        await uow.deliveries.enqueue(
            delivery("channel", destination=Destination.channel("slack", "T1", "UANA"))
        )
        await uow.deliveries.enqueue(delivery("odd-dm", destination=Destination.dm(odd)))

    await write(store, add_all)
    async with unit(store) as uow:
        sent = await uow.deliveries.get_by_key("ana-sent")
        assert sent is not None
        await uow.deliveries.mark_sent(sent.id, "m1", T0)
        assert await uow.deliveries.cancel_for_user(ANA) == 2
        assert await uow.deliveries.cancel_for_user(odd) == 1
        assert await uow.deliveries.cancel_for_user(DEE) == 0
        await uow.commit()
    async with unit(store) as uow:
        for gone in ("ana-dm", "ana-group", "odd-dm"):
            assert await uow.deliveries.get_by_key(gone) is None
        for kept in ("ana-sent", "ben-dm", "other-ws", "prefix", "channel"):
            assert await uow.deliveries.get_by_key(kept) is not None, kept


# --- inbound events, conversation refs, prompt cache ----------------------------------------------


async def test_inbound_events_are_remembered_once(store: StoreUnderTest) -> None:
    async with unit(store) as uow:
        assert await uow.inbound_events.remember("Ev1", T0) is True
        assert await uow.inbound_events.remember("Ev1", T0 + timedelta(seconds=3)) is False
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.inbound_events.remember("Ev1", T0) is False
        assert await uow.inbound_events.remember("Ev2", T0) is True


async def test_conversation_refs_save_get_replace_delete(store: StoreUnderTest) -> None:
    ref = ConversationRef(DEE, {"serviceUrl": "https://smba.example/emea/", "conversation": {"id": "a:1"}})
    await write(store, lambda uow: uow.conversation_refs.save(ref))
    async with unit(store) as uow:
        assert await uow.conversation_refs.get(DEE) == ref
        assert await uow.conversation_refs.get(ANA) is None
        replaced = ConversationRef(DEE, {"conversation": {"id": "a:2"}})
        await uow.conversation_refs.save(replaced)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.conversation_refs.get(DEE) == replaced
        await uow.conversation_refs.delete(DEE)
        await uow.conversation_refs.delete(ANA)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.conversation_refs.get(DEE) is None


async def test_prompt_cache_by_pairing_and_week(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    prompts = PromptSet(
        ("What surprised you this week?", "Show one tool you use daily."), "Try it live", "llm"
    )
    async with unit(store) as uow:
        assert await uow.prompt_cache.get("p1", "2026-W10") is None
        await uow.prompt_cache.save("p1", "2026-W10", prompts)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.prompt_cache.get("p1", "2026-W10") == prompts
        assert await uow.prompt_cache.get("p1", "2026-W11") is None
        assert await uow.prompt_cache.get("p2", "2026-W10") is None
        fallback = PromptSet(("A curated prompt",), "A curated task", "library")
        await uow.prompt_cache.save("p1", "2026-W10", fallback)
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.prompt_cache.get("p1", "2026-W10") == fallback


# --- batches: a tick's fan-out reads and writes per chunk, not per pair ----------------------------


async def test_participants_get_many_returns_the_stored_ones(store: StoreUnderTest) -> None:
    ana, cal = person(ANA, language="de"), person(CAL, role=Role.LEADER)

    async def add_all(uow: UnitOfWork) -> None:
        for p in (ana, person(BEN), cal):
            await uow.participants.save(p)

    await write(store, add_all)
    async with unit(store) as uow:
        assert await uow.participants.get_many([ANA, CAL, DEE, ANA]) == {ANA: ana, CAL: cal}
        assert await uow.participants.get_many(set()) == {}
        many = await uow.participants.get_many(
            {UserRef("slack", "T1", f"U{n:05d}") for n in range(2500)} | {BEN}
        )
        assert list(many) == [BEN], "lists longer than one IN (...) batch"


async def test_goals_and_prompt_ratings_for_many_pairings(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    goals = [
        Goal(new_id(), "p1", ANA, Side.LEADER, "Use an LLM weekly", T0 + timedelta(hours=2)),
        Goal(new_id(), "p2", CAL, Side.LEADER, "Automate a report", T0),
        Goal(new_id(), "p1", BEN, Side.MENTOR, "Learn budgeting", T0 + timedelta(hours=1)),
    ]
    ratings = [
        PromptRating(new_id(), "p1", ANA, "2026-W10", 0, "ai_tools", 1, T0 + timedelta(minutes=5)),
        PromptRating(new_id(), "p1", BEN, "2026-W10", 1, "strategy", -1, T0),
        PromptRating(new_id(), "p3", CAL, "2026-W10", 0, "ai_tools", 1, T0),
    ]

    async def add_all(uow: UnitOfWork) -> None:
        for g in goals:
            await uow.goals.add(g)
        for r in ratings:
            assert await uow.prompt_ratings.add(r)

    await write(store, add_all)
    async with unit(store) as uow:
        found = await uow.goals.for_pairings(["p1", "p2", "p9"])
        assert found == {"p1": await uow.goals.for_pairing("p1"), "p2": await uow.goals.for_pairing("p2")}
        assert [g.owner for g in found["p1"]] == [BEN, ANA]
        assert await uow.goals.for_pairings([]) == {}
        voted = await uow.prompt_ratings.for_pairings({"p1", "p2"})
        assert voted == {"p1": await uow.prompt_ratings.for_pairing("p1")}
        assert [r.user for r in voted["p1"]] == [BEN, ANA]


async def test_latest_checkins_of_many_pairings(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    week = [
        Checkin(new_id(), "p1", ANA if n % 2 else BEN, f"2026-W{10 + n:02d}", T0 + timedelta(weeks=n))
        for n in range(6)
    ]
    week[4].answer, week[4].answered_at = CheckinAnswer.MET, T0 + timedelta(weeks=4, hours=3)
    single = Checkin(new_id(), "p2", CAL, "2026-W10", T0)

    async def add_all(uow: UnitOfWork) -> None:
        for c in (*reversed(week), single):
            assert await uow.checkins.add(c)

    await write(store, add_all)
    async with unit(store) as uow:
        latest = await uow.checkins.latest_for_pairings(["p1", "p2", "p3"], 4)
        assert latest == {"p1": (await uow.checkins.for_pairing("p1"))[-4:], "p2": [single]}
        assert [c.id for c in latest["p1"]] == [c.id for c in week[2:]], "the newest four, oldest first"
        assert latest["p1"][2].answer is CheckinAnswer.MET
        assert await uow.checkins.latest_for_pairings(["p1"], 1) == {"p1": [week[5]]}
        assert await uow.checkins.latest_for_pairings(["p1"], 0) == {}
        assert await uow.checkins.latest_for_pairings([], 4) == {}


async def test_unanswered_checkins_and_pairings_answered_within_a_window(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)

    def sent(
        pairing_id: str, user: UserRef, hours: int, answer: CheckinAnswer | None = None, answered: int = 0
    ) -> Checkin:
        checkin = Checkin(
            new_id(), pairing_id, user, f"2026-W{10 + hours // 168:02d}", T0 + timedelta(hours=hours)
        )
        if answer is not None:
            checkin.answer, checkin.answered_at = answer, T0 + timedelta(hours=answered)
        return checkin

    too_old = sent("p1", ANA, -1)
    open_early = sent("p1", BEN, 0)
    open_late = sent("p2", CAL, 48)
    too_new = sent("p2", DEE, 49)
    met_in_time = sent("p3", ANA, 10, CheckinAnswer.MET, answered=100)
    met_too_early = sent("p4", ANA, 10, CheckinAnswer.MET, answered=99)
    met_but_sent_too_early = sent("p5", ANA, -1, CheckinAnswer.MET, answered=200)
    not_yet = sent("p6", ANA, 10, CheckinAnswer.NOT_YET, answered=150)
    met_twice = [
        sent("p7", ANA, 10, CheckinAnswer.MET, answered=120),
        sent("p7", BEN, 10, CheckinAnswer.MET, answered=130),
    ]

    async def add_all(uow: UnitOfWork) -> None:
        for c in (
            too_new,
            met_in_time,
            open_late,
            too_old,
            met_too_early,
            open_early,
            met_but_sent_too_early,
            not_yet,
            *met_twice,
        ):
            assert await uow.checkins.add(c)

    await write(store, add_all)
    async with unit(store) as uow:
        window = (T0, T0 + timedelta(hours=48))
        assert await uow.checkins.unanswered(*window) == [open_early, open_late], (
            "both ends included, oldest first"
        )
        assert await uow.checkins.unanswered(T0 + timedelta(hours=1), T0 + timedelta(hours=47)) == []
        answered = await uow.checkins.pairings_answered(CheckinAnswer.MET, T0 + timedelta(hours=100), T0)
        assert answered == {"p3", "p7"}
        assert await uow.checkins.pairings_answered(CheckinAnswer.NOT_YET, T0, T0) == {"p6"}
        assert await uow.checkins.pairings_answered(CheckinAnswer.NEED_HELP, T0, T0) == set()


async def test_checkin_tallies_and_week_totals_count_without_reading_notes(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)

    def sent(
        pairing_id: str, user: UserRef, week: int, answer: CheckinAnswer | None, rating: int | None
    ) -> Checkin:
        at = T0 + timedelta(weeks=week)
        return Checkin(new_id(), pairing_id, user, f"2026-W{10 + week:02d}", at, answer, rating, "a note", at)

    checkins = [
        sent("p1", ANA, 0, CheckinAnswer.MET, 4),
        sent("p1", BEN, 0, CheckinAnswer.NEED_HELP, None),
        sent("p1", ANA, 1, None, None),
        sent("p1", BEN, 1, CheckinAnswer.RESCHEDULED, 2),
        sent("p2", CAL, 0, CheckinAnswer.MET, 5),
        sent("p3", ANA, -1, CheckinAnswer.MET, 3),
        sent("p4", ANA, 0, CheckinAnswer.NOT_YET, None),
    ]

    async def add_all(uow: UnitOfWork) -> None:
        assert await uow.checkins.add_many(checkins) == checkins

    await write(store, add_all)
    async with unit(store) as uow:
        tallies = {t.pairing_id: t for t in await uow.checkins.tallies(since=T0)}
        everything = await uow.checkins.tallies()
        weeks = {w.week: w for w in await uow.checkins.week_totals("cycle-1")}
        in_t1 = await uow.checkins.week_totals("cycle-1", ("slack", "T1"))
        elsewhere = await uow.checkins.week_totals("cycle-1", ("slack", "T2"))
        no_round = await uow.checkins.week_totals("cycle-2")
    assert set(tallies) == {"p1", "p2", "p4"}, "p3 was sent before"
    assert len(everything) == 4
    p1 = tallies["p1"]
    assert (p1.asked, p1.answered, p1.met, p1.need_help, p1.rating_sum, p1.rating_count) == (4, 3, 1, 1, 6, 2)
    assert sorted(p1.asked_keys) == sorted(p1.rater_keys) == sorted([ANA.key, BEN.key])
    assert tallies["p2"].asked_keys == (CAL.key,) and tallies["p4"].rater_keys == ()

    assert set(weeks) == {"2026-W09", "2026-W10", "2026-W11"}
    w10 = weeks["2026-W10"]
    assert (w10.asked, w10.answered, w10.people_asked, w10.pairs_met) == (4, 4, 3, 2), "Ana counts once"
    assert (w10.rating_sum, w10.rating_count, w10.raters) == (9, 2, 2)
    w11 = weeks["2026-W11"]
    assert (w11.asked, w11.answered, w11.people_asked, w11.pairs_met, w11.raters) == (2, 1, 2, 0, 1)
    assert sorted(in_t1, key=lambda w: w.week) == sorted(weeks.values(), key=lambda w: w.week)
    assert elsewhere == [] and no_round == []


async def test_checkin_add_many_stores_each_pairing_person_and_week_once(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    earlier = Checkin(new_id(), "p1", ANA, "2026-W10", T0)
    await write(store, lambda uow: uow.checkins.add(earlier))
    batch = [
        Checkin(new_id(), "p1", BEN, "2026-W10", T0),
        Checkin(new_id(), "p1", ANA, "2026-W10", T0 + timedelta(hours=1)),  # already stored
        Checkin(new_id(), "p2", CAL, "2026-W10", T0),
        Checkin(new_id(), "p2", CAL, "2026-W10", T0 + timedelta(hours=2)),  # twice in the batch
        Checkin(new_id(), "p1", ANA, "2026-W11", T0),
    ]
    async with unit(store) as uow:
        assert await uow.checkins.add_many(batch) == [batch[0], batch[2], batch[4]]
        # The transaction is still usable after refused rows (PostgreSQL aborts on an error).
        assert await uow.checkins.add(Checkin(new_id(), "p3", DEE, "2026-W10", T0))
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.checkins.add_many([]) == []
        again = [Checkin(new_id(), c.pairing_id, c.user, c.week, T0) for c in batch]
        assert await uow.checkins.add_many(again) == [], "a second enqueue stores nothing"
        assert await uow.checkins.find("p2", CAL, "2026-W10") == batch[2]
        assert await uow.checkins.find("p1", ANA, "2026-W10") == earlier
        assert len(await uow.checkins.list()) == 5


async def test_enqueue_many_skips_keys_that_exist(store: StoreUnderTest) -> None:
    first = delivery("checkin:p1:2026-W10:UANA")
    await write(store, lambda uow: uow.deliveries.enqueue(first))
    batch = [
        delivery("checkin:p1:2026-W10:UBEN", destination=Destination.dm(BEN)),
        delivery("checkin:p1:2026-W10:UANA", message={"text": "a copy"}),  # already queued
        delivery(
            "intro:p1",
            destination=Destination.group((ANA, BEN)),
            message={"nested": {"n": 1}, "list": [1, "two"]},
        ),
        delivery("intro:p1", message={"text": "same key, later in the batch"}),
        delivery(
            "story:s1",
            destination=Destination.channel("teams", "tenant-1", "19:general"),
            not_before=T0 + timedelta(hours=1),
        ),
    ]
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue_many(batch) == 3
        assert await uow.deliveries.enqueue(delivery("after")) is True, "the transaction is still usable"
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue_many([]) == 0
        assert await uow.deliveries.enqueue_many([delivery(d.idempotency_key) for d in batch]) == 0
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.get_by_key("checkin:p1:2026-W10:UANA") == first
        for kept in (batch[0], batch[2], batch[4]):
            assert await uow.deliveries.get_by_key(kept.idempotency_key) == kept
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.PENDING: 5}


async def test_enqueue_many_takes_a_whole_chunk_at_once(store: StoreUnderTest) -> None:
    """More rows than one multi-row INSERT holds (bound-parameter limits): all in, each once."""
    keys = [f"checkin:p{n}:2026-W10:U{n}" for n in range(2500)]
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue_many([delivery(k) for k in keys[:1000]]) == 1000
        assert await uow.deliveries.enqueue_many([delivery(k) for k in keys]) == 1500
        await uow.commit()
    async with unit(store) as uow:
        assert await uow.deliveries.enqueue_many([delivery(k) for k in reversed(keys)]) == 0
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.PENDING: 2500}
        claimed = await uow.deliveries.claim_due(T0, T0 + timedelta(minutes=1), limit=3000)
        assert sorted(d.idempotency_key for d in claimed) == sorted(keys)


async def test_prompt_cache_get_many_and_add_many_keep_the_first_set(store: StoreUnderTest) -> None:
    await add_parents(store, PEOPLE, PAIRS)
    llm = PromptSet(("What surprised you?",), "Try it live", "llm", topics=("ai_tools",))
    library = PromptSet(("A curated prompt",), "A curated task", "library")
    other = PromptSet(("Another",), "", "library")
    await write(store, lambda uow: uow.prompt_cache.save("p1", "2026-W10", llm))
    async with unit(store) as uow:
        stored = await uow.prompt_cache.add_many(
            [
                ("p1", "2026-W10", library),
                ("p2", "2026-W10", library),
                ("p2", "2026-W10", other),
                ("p1", "2026-W11", other),
            ]
        )
        assert stored == 2
        await uow.commit()
    async with unit(store) as uow:
        keys = [
            ("p1", "2026-W10"),
            ("p2", "2026-W10"),
            ("p1", "2026-W11"),
            ("p2", "2026-W11"),
            ("p9", "2026-W10"),
        ]
        assert await uow.prompt_cache.get_many(keys) == {
            ("p1", "2026-W10"): llm,
            ("p2", "2026-W10"): library,
            ("p1", "2026-W11"): other,
        }
        assert await uow.prompt_cache.get_many([]) == {}
        assert await uow.prompt_cache.add_many([]) == 0


# --- the unit of work -----------------------------------------------------------------------------


async def test_leaving_without_commit_rolls_back(store: StoreUnderTest) -> None:
    async with unit(store) as uow:
        await uow.participants.save(person(ANA))
        await uow.deliveries.enqueue(delivery("k1"))
        assert await uow.participants.get(ANA) is not None, "a unit sees its own writes"
    async with unit(store) as uow:
        assert await uow.participants.get(ANA) is None
        assert await uow.deliveries.get_by_key("k1") is None


async def test_an_exception_rolls_back(store: StoreUnderTest) -> None:
    with pytest.raises(RuntimeError):
        async with unit(store) as uow:
            await uow.participants.save(person(ANA))
            raise RuntimeError("boom")
    async with unit(store) as uow:
        assert await uow.participants.get(ANA) is None


async def test_rollback_discards_and_the_unit_stays_usable(store: StoreUnderTest) -> None:
    async with unit(store) as uow:
        await uow.participants.save(person(ANA))
        await uow.rollback()
        assert await uow.participants.get(ANA) is None
        await uow.participants.save(person(BEN))
        await uow.commit()
        await uow.participants.save(person(CAL))
        await uow.commit()
    async with unit(store) as uow:
        assert {p.user for p in await uow.participants.list()} == {BEN, CAL}


async def test_uncommitted_work_is_invisible_to_other_units(store: StoreUnderTest) -> None:
    async with unit(store) as writer:
        await writer.participants.save(person(ANA))
        async with unit(store) as reader:
            assert await reader.participants.get(ANA) is None
        await writer.commit()
    async with unit(store) as reader:
        assert await reader.participants.get(ANA) is not None


# --- what belongs to what -------------------------------------------------------------------------


async def test_a_round_and_a_pairing_take_what_belongs_to_them_and_a_person_leaves_pairings(
    store: StoreUnderTest,
) -> None:
    """The store cascades: rounds own pairings; pairings own goals, check-ins, assessments, stories,
    prompts and votes. Deleting a person leaves the pairings they were in (the engine renames them)."""
    await add_parents(store, PEOPLE, ("p1", "p2"), cycles=("cycle-1", "cycle-2"))

    async def add_all(uow: UnitOfWork) -> None:
        await uow.pairings.add(pairing(CAL, DEE, id="p3", cycle_id="cycle-2"))
        for pairing_id in ("p1", "p2", "p3"):
            leader = CAL if pairing_id == "p3" else ANA
            await uow.goals.add(Goal(new_id(), pairing_id, leader, Side.LEADER, "A goal", T0))
            await uow.checkins.add(Checkin(new_id(), pairing_id, leader, "2026-W10", T0))
            await uow.assessments.save(Assessment(new_id(), pairing_id, leader, Side.LEADER, "before", 3, T0))
            await uow.stories.add(Story(new_id(), pairing_id, leader, "A story", T0))
            await uow.prompt_cache.save(pairing_id, "2026-W10", PromptSet(("a",), "task", "library"))
            await uow.prompt_ratings.add(
                PromptRating(new_id(), pairing_id, leader, "2026-W10", 0, "ai_tools", 1, T0)
            )

    await write(store, add_all)
    async with store.database.engine.begin() as connection:
        await connection.exec_driver_sql("DELETE FROM pairings WHERE id = 'p1'")
        await connection.exec_driver_sql("DELETE FROM cycles WHERE id = 'cycle-2'")
    async with unit(store) as uow:
        assert [p.id for p in await uow.pairings.list()] == ["p2"]
        assert {g.pairing_id for g in await uow.goals.list()} == {"p2"}
        assert {c.pairing_id for c in await uow.checkins.list()} == {"p2"}
        assert {a.pairing_id for a in await uow.assessments.list()} == {"p2"}
        assert {s.pairing_id for s in await uow.stories.list()} == {"p2"}
        assert set(await uow.prompt_cache.get_many([(p, "2026-W10") for p in ("p1", "p2", "p3")])) == {
            ("p2", "2026-W10")
        }
        assert set(await uow.prompt_ratings.for_pairings(["p1", "p2", "p3"])) == {"p2"}
        await uow.participants.delete(ANA)
        await uow.commit()
    async with unit(store) as uow:
        assert [p.id for p in await uow.pairings.list()] == ["p2"], "pairings outlive a person"
        assert await uow.goals.list() == [] and await uow.checkins.list() == []
        assert await uow.assessments.list() == [] and await uow.stories.list() == []
        assert await uow.prompt_ratings.for_pairings(["p2"]) == {}
        assert await uow.prompt_cache.get("p2", "2026-W10") is not None, (
            "a pair's prompts are not the person's"
        )


# --- time -----------------------------------------------------------------------------------------


async def test_datetimes_come_back_aware_and_equal(store: StoreUnderTest) -> None:
    berlin = timezone(timedelta(hours=1))
    started = datetime(2026, 1, 5, 10, 30, 15, 999999, tzinfo=berlin)
    await write(store, lambda uow: uow.cycles.add(Cycle("c1", 1, started, 12, closed_at=T0)))
    async with unit(store) as uow:
        cycle = await uow.cycles.get("c1")
    assert cycle is not None
    assert cycle.started_at == started and cycle.started_at.utcoffset() is not None
    assert cycle.closed_at == T0 and cycle.closed_at.utcoffset() == timedelta(0)
    assert cycle.started_at.tzinfo is UTC, "SQL stores hand back UTC"


async def test_claim_due_compares_instants_across_offsets(store: StoreUnderTest) -> None:
    """`now` given in another zone is still the same instant (SQLite compares stored UTC text)."""
    await write(store, lambda uow: uow.deliveries.enqueue(delivery("k", not_before=T0)))
    plus_five = timezone(timedelta(hours=5))
    async with unit(store) as uow:
        just_before = (T0 - timedelta(microseconds=1)).astimezone(plus_five)
        assert await uow.deliveries.claim_due(just_before, T0 + timedelta(minutes=1), limit=5) == []
        assert (
            len(await uow.deliveries.claim_due(T0.astimezone(plus_five), T0 + timedelta(minutes=1), limit=5))
            == 1
        )


# --- concurrency ----------------------------------------------------------------------------------


async def test_concurrent_claimers_never_share_a_row(sql_database: Database) -> None:
    """Several senders drain one outbox together: every row is claimed exactly once."""
    total, claimers, batch = 200, 6, 7
    async with sql_database.unit_of_work() as uow:
        for n in range(total):
            await uow.deliveries.enqueue(delivery(f"fanout:{n:03}", not_before=T0 - timedelta(seconds=n)))
        await uow.commit()

    lease = T0 + timedelta(minutes=5)

    async def drain(claims: list[Delivery]) -> None:
        while True:
            async with sql_database.unit_of_work() as uow:
                claimed = await uow.deliveries.claim_due(T0, lease, limit=batch)
                await asyncio.sleep(0)  # let the other claimers run while these rows are held
                await uow.commit()
            if not claimed:
                return
            claims.extend(claimed)

    results: list[list[Delivery]] = [[] for _ in range(claimers)]
    await asyncio.gather(*(drain(claims) for claims in results))

    every_claim = [d.idempotency_key for claims in results for d in claims]
    assert len(every_claim) == len(set(every_claim)), "a row was claimed twice"
    assert set(every_claim) == {f"fanout:{n:03}" for n in range(total)}
    async with sql_database.unit_of_work() as uow:
        assert await uow.deliveries.count_by_status() == {DeliveryStatus.SENDING: total}
    assert {d.attempts for claims in results for d in claims} == {1}
