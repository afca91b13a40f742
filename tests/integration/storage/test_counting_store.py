"""The repository contract for what `stats`, its chart, `at-risk` and `export` have the database count:
people by role, status and department; goals and self-assessments over an admin's pairs; a window's
check-ins; each pair's at-risk signals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    Goal,
    GoalTotals,
    HeadCount,
    Pairing,
    PairingStatus,
    PairSignals,
    Participant,
    ParticipantStatus,
    Role,
    ScoreTotals,
    Side,
    UserRef,
    WindowTotals,
    new_id,
)
from conversations.ports import UnitOfWork
from tests.integration.storage.conftest import StoreUnderTest, add_parents

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ANA = UserRef("slack", "T1", "UANA")
BEN = UserRef("slack", "T1", "UBEN")
FAY = UserRef("slack", "T1", "UFAY")
CAL = UserRef("slack", "T2", "UCAL")
EVE = UserRef("slack", "T2", "UEVE")
DEE = UserRef("teams", "tenant-1", "29:dee")
PEOPLE = (ANA, BEN, FAY, CAL, EVE, DEE)
T1 = ("slack", "T1")
T2 = ("slack", "T2")
TENANT = ("teams", "tenant-1")


def pair(pairing_id: str, leader: UserRef, mentor: UserRef, cycle_id: str = "cycle-1") -> Pairing:
    return Pairing(pairing_id, cycle_id, leader, mentor, 0.5, ("skills match",), T0)


PAIRINGS = (
    pair("p1", ANA, BEN),  # Slack T1 only
    pair("p2", CAL, DEE),  # Slack T2 and the Teams tenant
    pair("p3", ANA, CAL, "cycle-2"),  # T1 and T2, the next round
    pair("p4", ANA, DEE),  # T1 and the Teams tenant
)


async def program(store: StoreUnderTest, *rows: Goal | Assessment | Checkin) -> None:
    await add_parents(store, PEOPLE, cycles=("cycle-1", "cycle-2"))
    profiles = {
        ANA: (Role.LEADER, "Finance", ParticipantStatus.ACTIVE),
        BEN: (Role.MENTOR, "Engineering", ParticipantStatus.ACTIVE),
        FAY: (Role.MENTOR, "Engineering", ParticipantStatus.ACTIVE),
        CAL: (Role.LEADER, "Finance", ParticipantStatus.PAUSED),
        EVE: (Role.MENTOR, "=Engineering", ParticipantStatus.LEFT),
        DEE: (Role.BOTH, "Legal", ParticipantStatus.ACTIVE),
    }
    async with store.new_unit() as uow:
        for user, (role, department, status) in profiles.items():
            await uow.participants.save(
                Participant(user, f"Name {user.user_id}", role, department, 3, "UTC", status=status)
            )
        for pairing in PAIRINGS:
            await uow.pairings.add(pairing)
        await uow.commit()
    async with store.new_unit() as uow:
        for row in rows:
            if isinstance(row, Goal):
                await uow.goals.add(row)
            elif isinstance(row, Assessment):
                await uow.assessments.save(row)
            else:
                assert await uow.checkins.add(row)
        await uow.commit()


def reading(store: StoreUnderTest) -> UnitOfWork:
    return store.new_unit()


async def test_people_are_counted_by_role_status_department_and_pairing_per_workspace(
    store: StoreUnderTest,
) -> None:
    await program(store)
    async with reading(store) as uow:
        in_t1 = await uow.participants.head_counts(T1)
        everyone = await uow.participants.head_counts()
        nowhere = await uow.participants.head_counts(("slack", "T9"))
        unpaired = {where: await uow.participants.unpaired(where) for where in (T1, T2, TENANT, None)}
        labels = await uow.participants.labels()
        workspaces = await uow.participants.workspaces()
    assert sorted(in_t1, key=lambda h: h.role) == [
        HeadCount(Role.LEADER, ParticipantStatus.ACTIVE, "Finance", 1),
        HeadCount(Role.MENTOR, ParticipantStatus.ACTIVE, "Engineering", 2),
    ]
    assert len(everyone) == 5 and sum(h.people for h in everyone) == 6
    assert HeadCount(Role.MENTOR, ParticipantStatus.LEFT, "=Engineering", 1) in everyone
    assert nowhere == []
    # Ana leads and Dee mentors active pairs; Cal is paused and Eve has left: only Fay waits.
    assert unpaired == {T1: 1, T2: 0, TENANT: 0, None: 1}
    assert labels == {
        **{u.key: (f"Name {u.user_id}", "Engineering") for u in (BEN, FAY)},
        ANA.key: ("Name UANA", "Finance"),
        CAL.key: ("Name UCAL", "Finance"),
        EVE.key: ("Name UEVE", "=Engineering"),
        DEE.key: ("Name 29:dee", "Legal"),
    }
    assert workspaces == {T1, T2, TENANT}

    async with store.new_unit() as uow:
        await uow.pairings.save(replace(PAIRINGS[0], status=PairingStatus.ENDED, ended_at=T0))
        await uow.commit()
    async with reading(store) as uow:
        assert await uow.participants.unpaired(T1) == 2, "Ben's only pair has ended"
        assert await uow.participants.unpaired() == 2


def goal(pairing_id: str, owner: UserRef, side: Side, done_at: datetime | None = None) -> Goal:
    return Goal(new_id(), pairing_id, owner, side, "a goal", T0, 100 if done_at else 0, done_at)


async def test_goals_are_counted_per_side_over_a_workspace_and_a_round(store: StoreUnderTest) -> None:
    week = 7 * DAY
    await program(
        store,
        goal("p1", ANA, Side.LEADER, T0 + 3 * DAY),
        goal("p1", ANA, Side.LEADER),
        goal("p1", BEN, Side.MENTOR, T0 + week),  # done at the first week's end: not before it
        goal("p2", CAL, Side.LEADER, T0 + DAY),
        goal("p3", ANA, Side.LEADER, T0 + DAY),
    )
    async with reading(store) as uow:
        in_t1 = await uow.goals.totals(T1)
        round_in_t1 = await uow.goals.totals(T1, "cycle-1", (T0 + week, T0 + 2 * week))
        everywhere = await uow.goals.totals()
        in_tenant = await uow.goals.totals(TENANT)
        nowhere = await uow.goals.totals(("slack", "T9"))
        by_pairing = await uow.goals.counts_by_pairing()
    assert in_t1 == {Side.LEADER: GoalTotals(3, 2, 1), Side.MENTOR: GoalTotals(1, 1, 1)}, "p1 and p3"
    assert round_in_t1 == {
        Side.LEADER: GoalTotals(2, 1, 1, (1, 1)),
        Side.MENTOR: GoalTotals(1, 1, 1, (0, 1)),
    }
    assert everywhere == {Side.LEADER: GoalTotals(4, 3, 2), Side.MENTOR: GoalTotals(1, 1, 1)}
    assert in_tenant == {Side.LEADER: GoalTotals(1, 1, 1)}, "p2, through its mentor"
    assert nowhere == {}
    assert by_pairing == {
        ("p1", Side.LEADER): (2, 1),
        ("p1", Side.MENTOR): (1, 1),
        ("p2", Side.LEADER): (1, 1),
        ("p3", Side.LEADER): (1, 1),
    }


def assessment(
    pairing_id: str, user: UserRef, side: Side, phase: str, score: int, at: datetime
) -> Assessment:
    return Assessment(new_id(), pairing_id, user, side, phase, score, at)


async def test_assessments_are_summed_per_side_and_phase_and_changes_per_person(
    store: StoreUnderTest,
) -> None:
    await program(
        store,
        assessment("p1", ANA, Side.LEADER, "before", 2, T0),
        assessment("p1", ANA, Side.LEADER, "after", 5, T0 + 80 * DAY),
        assessment("p1", BEN, Side.MENTOR, "before", 1, T0),
        assessment("p1", BEN, Side.MENTOR, "after", 3, T0 + 80 * DAY),
        assessment("p2", CAL, Side.LEADER, "before", 4, T0),
        assessment("p3", ANA, Side.LEADER, "before", 3, T0 + 90 * DAY),
        assessment("p3", ANA, Side.LEADER, "after", 4, T0 + 170 * DAY),
        # Ana again in the same round, later: her latest score is the one the round counts.
        assessment("p4", ANA, Side.LEADER, "before", 1, T0 + DAY),
    )
    async with reading(store) as uow:
        scores = await uow.assessments.scores()
        leaders_t1 = await uow.assessments.change(Side.LEADER, T1)
        leaders = await uow.assessments.change(Side.LEADER)
        mentors = await uow.assessments.change(Side.MENTOR)
        leaders_tenant = await uow.assessments.change(Side.LEADER, TENANT)
        first_round = await uow.assessments.phase_totals("cycle-1")
        first_round_t2 = await uow.assessments.phase_totals("cycle-1", T2)
        second_round_tenant = await uow.assessments.phase_totals("cycle-2", TENANT)
    assert scores == {
        ("p1", Side.LEADER, "before"): 2,
        ("p1", Side.LEADER, "after"): 5,
        ("p1", Side.MENTOR, "before"): 1,
        ("p1", Side.MENTOR, "after"): 3,
        ("p2", Side.LEADER, "before"): 4,
        ("p3", Side.LEADER, "before"): 3,
        ("p3", Side.LEADER, "after"): 4,
        ("p4", Side.LEADER, "before"): 1,
    }
    assert leaders_t1 == ScoreTotals(3 + 1, 2) and leaders_t1.mean == 2.0
    assert leaders == ScoreTotals(4, 2), "Cal gave no second score"
    assert mentors == ScoreTotals(2, 1)
    assert leaders_tenant == ScoreTotals(0, 0) and leaders_tenant.mean is None
    assert first_round == {
        (Side.LEADER, "before"): ScoreTotals(1 + 4, 2),
        (Side.LEADER, "after"): ScoreTotals(5, 1),
        (Side.MENTOR, "before"): ScoreTotals(1, 1),
        (Side.MENTOR, "after"): ScoreTotals(3, 1),
    }
    assert first_round_t2 == {(Side.LEADER, "before"): ScoreTotals(4, 1)}
    assert second_round_tenant == {}


def checkin(
    pairing_id: str,
    user: UserRef,
    days: int,
    answer: CheckinAnswer | None = None,
    rating: int | None = None,
    answered_days: int | None = None,
) -> Checkin:
    sent = T0 + days * DAY
    answered = None if answer is None else T0 + (days if answered_days is None else answered_days) * DAY
    return Checkin(new_id(), pairing_id, user, f"week-{days}", sent, answer, rating, "private", answered)


CHECKINS = (
    checkin("p1", ANA, 1, CheckinAnswer.MET, 1, answered_days=8),
    checkin("p1", BEN, 8, CheckinAnswer.NEED_HELP, 2),
    checkin("p1", ANA, 9, CheckinAnswer.NEED_HELP, 1),
    checkin("p1", ANA, 10, CheckinAnswer.NEED_HELP),
    checkin("p1", ANA, 11),
    checkin("p1", BEN, 13),
    checkin("p2", CAL, 1, CheckinAnswer.MET, 5, answered_days=6),
    checkin("p2", DEE, 7),
    checkin("p2", CAL, 12),
    checkin("p3", ANA, -1, CheckinAnswer.MET, 4),
)


async def test_a_windows_checkins_are_counted_over_a_workspace(store: StoreUnderTest) -> None:
    await program(store, *CHECKINS)
    async with reading(store) as uow:
        everywhere = await uow.checkins.window_totals(T0, T0 + 12 * DAY)
        in_t1 = await uow.checkins.window_totals(T0, T0 + 12 * DAY, T1)
        in_tenant = await uow.checkins.window_totals(T0, T0 + 12 * DAY, TENANT)
        one_instant = await uow.checkins.window_totals(T0 + DAY, T0 + DAY)
        later = await uow.checkins.window_totals(T0 + 7 * DAY, T0 + 12 * DAY)
    assert everywhere == WindowTotals(frozenset({"p1", "p2"}), 1 + 2 + 1 + 5, 4), "p3's is too early"
    assert in_t1 == WindowTotals(frozenset({"p1"}), 4, 3)
    assert in_tenant == WindowTotals(frozenset({"p2"}), 5, 1)
    assert one_instant == WindowTotals(frozenset({"p1", "p2"}), 6, 2), "both ends are included"
    assert later == WindowTotals(frozenset(), 3, 2)


async def test_each_pairs_recent_checkins_are_reduced_to_at_risk_signals(store: StoreUnderTest) -> None:
    await program(store, *CHECKINS)
    async with reading(store) as uow:
        await uow.pairings.save(replace(PAIRINGS[1], status=PairingStatus.ENDED, ended_at=T0 + 12 * DAY))
        signals = await uow.checkins.pair_signals(T0, T0 + 7 * DAY, T0 + 12 * DAY)
    assert signals == {
        # Met: sent before the window but answered inside it. Help: each person once, in order.
        "p1": PairSignals("p1", True, 1, (BEN, ANA), 2 + 1, 2),
        # Met before the window opened; unanswered at both ends of the window; ended pairs too.
        "p2": PairSignals("p2", False, 2, (), 0, 0),
    }, "p3's only check-in was sent before `sent_from`"
