"""A round of the program with weeks of history, written straight through the repositories.

Used where `stats` and `export` must have something to show (the console tests, `bench/console.py`):
participants, one round of pairs, each person's weekly check-ins with answers and ratings, goals on
both sides (some done), before and after self-assessments, a few pairs ended with a reason, and a
private note on every answered check-in, so a test can check that no note leaks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    Cycle,
    Goal,
    Pairing,
    PairingStatus,
    Participant,
    Role,
    Side,
    UserRef,
    new_id,
)
from conversations.ports import UnitOfWorkFactory

ROUND_START = datetime(2026, 1, 5, 9, tzinfo=UTC)
"""A Monday: the round's weeks start here."""
NOTE = "private-note-never-exported"
END_REASON = "moved to another team"
DEPARTMENTS = ("Finance", "Engineering", "Sales", "Operations", "Marketing", "Legal")
CHUNK = 1_000
ANSWERS = (CheckinAnswer.MET,) * 5 + (
    CheckinAnswer.NOT_YET,
    CheckinAnswer.RESCHEDULED,
    CheckinAnswer.NEED_HELP,
)


@dataclass(frozen=True)
class History:
    cycle: Cycle
    pairs: int
    participants: int


async def seed_history(
    uow_factory: UnitOfWorkFactory,
    *,
    participants: int,
    pairs: int,
    weeks: int,
    platform: str = "slack",
    workspace_id: str = "T0MENTOR",
    user_prefix: str = "U",
    start: datetime = ROUND_START,
    closed: bool = False,
    seed: int = 7,
    cycle: Cycle | None = None,
) -> History:
    """`participants` people of one workspace, `pairs` of them paired (2 × pairs ≤ participants) for
    `weeks` weeks; the round is closed at its end when `closed`. Pass the `cycle` of an earlier call
    to add another workspace's people to the same round."""
    if 2 * pairs > participants:
        raise ValueError("each pair needs two participants")
    rng = random.Random(seed)
    if cycle is None:
        cycle = Cycle(new_id(), 1, start, weeks, closed_at=start + timedelta(weeks=weeks) if closed else None)
        async with uow_factory() as uow:
            await uow.cycles.add(cycle)
            await uow.commit()

    def user(number: int) -> UserRef:
        return UserRef(platform, workspace_id, f"{user_prefix}{number:07d}")

    for first in range(0, participants, CHUNK):
        async with uow_factory() as uow:
            for number in range(first, min(participants, first + CHUNK)):
                leader = number % 2 == 0
                await uow.participants.save(
                    Participant(
                        user(number),
                        f"Person {number}",
                        Role.LEADER if leader else Role.MENTOR,
                        DEPARTMENTS[number % len(DEPARTMENTS)],
                        5 if leader else 1,
                        "Europe/London",
                        ("Company strategy",) if leader else ("Generative AI",),
                        ("Generative AI",) if leader else ("Company strategy",),
                        joined_at=start - timedelta(days=7),
                    )
                )
            await uow.commit()

    for first in range(0, pairs, CHUNK):
        async with uow_factory() as uow:
            checkins: list[Checkin] = []
            for number in range(first, min(pairs, first + CHUNK)):
                leader, mentor = user(2 * number), user(2 * number + 1)
                ended = number % 50 == 49
                ended_at = start + timedelta(weeks=weeks // 2) if ended else None
                pairing = Pairing(
                    new_id(),
                    cycle.id,
                    leader,
                    mentor,
                    round(rng.uniform(2, 8), 2),
                    ("seeded",),
                    start,
                    status=PairingStatus.ENDED if ended or closed else PairingStatus.ACTIVE,
                    ended_at=ended_at or (cycle.closed_at if closed else None),
                    end_reason=END_REASON if ended else ("round finished" if closed else None),
                )
                await uow.pairings.add(pairing)
                last_week = weeks // 2 if ended else weeks
                for week in range(last_week):
                    sent_at = start + timedelta(weeks=week, hours=1)
                    for person in (leader, mentor):
                        answer = rng.choice(ANSWERS) if rng.random() < 0.8 else None
                        rated = answer in (CheckinAnswer.MET, CheckinAnswer.RESCHEDULED)
                        checkins.append(
                            Checkin(
                                new_id(),
                                pairing.id,
                                person,
                                f"{sent_at.isocalendar().year}-W{sent_at.isocalendar().week:02d}",
                                sent_at,
                                answer,
                                rng.randint(2, 5) if rated else None,
                                NOTE if answer is not None else None,
                                answered_at=sent_at + timedelta(hours=5) if answer is not None else None,
                            )
                        )
                for side, owner in ((Side.LEADER, leader), (Side.MENTOR, mentor)):
                    for goal_number in range(2):
                        done_week = rng.randint(1, weeks + 3)
                        await uow.goals.add(
                            Goal(
                                new_id(),
                                pairing.id,
                                owner,
                                side,
                                f"goal {goal_number + 1}",
                                start,
                                progress=100 if done_week <= weeks else 40,
                                done_at=start + timedelta(weeks=done_week) if done_week < weeks else None,
                            )
                        )
                    await uow.assessments.save(
                        Assessment(new_id(), pairing.id, owner, side, "before", rng.randint(1, 3), start)
                    )
                    if not ended:
                        await uow.assessments.save(
                            Assessment(
                                new_id(),
                                pairing.id,
                                owner,
                                side,
                                "after",
                                rng.randint(3, 5),
                                start + timedelta(weeks=weeks - 1),
                            )
                        )
            await uow.checkins.add_many(checkins)
            await uow.commit()
    return History(cycle, pairs, participants)
