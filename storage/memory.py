"""An in-memory unit of work with the same contract as the SQL one.

Unit tests of the engine run on it, and the repository contract tests run it beside SQLite and
PostgreSQL so the fake can never drift from the real stores.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from conversations.domain import (
    Assessment,
    Checkin,
    CheckinAnswer,
    ConversationRef,
    Cycle,
    Delivery,
    DeliveryStatus,
    Goal,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
    PromptRating,
    Story,
    UserRef,
)
from conversations.ports import PromptSet


@dataclass
class MemoryData:
    participants: dict[UserRef, Participant] = field(default_factory=dict)
    cycles: dict[str, Cycle] = field(default_factory=dict)
    pairings: dict[str, Pairing] = field(default_factory=dict)
    goals: dict[str, Goal] = field(default_factory=dict)
    checkins: dict[str, Checkin] = field(default_factory=dict)
    assessments: dict[tuple[str, UserRef, str], Assessment] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    inbound_events: dict[str, datetime] = field(default_factory=dict)
    conversation_refs: dict[UserRef, ConversationRef] = field(default_factory=dict)
    prompt_cache: dict[tuple[str, str], PromptSet] = field(default_factory=dict)
    prompt_ratings: dict[tuple[str, UserRef, str, int], PromptRating] = field(default_factory=dict)


def _involves(user: UserRef, *refs: UserRef) -> bool:
    return user in refs


class _Repo:
    def __init__(self, data: MemoryData) -> None:
        self.data = data


class MemoryParticipants(_Repo):
    async def get(self, user: UserRef) -> Participant | None:
        p = self.data.participants.get(user)
        return copy.deepcopy(p)

    async def save(self, participant: Participant) -> None:
        self.data.participants[participant.user] = copy.deepcopy(participant)

    async def delete(self, user: UserRef) -> None:
        self.data.participants.pop(user, None)

    async def list(
        self, platform: str | None = None, workspace_id: str | None = None, status: ParticipantStatus | None = None
    ) -> list[Participant]:
        return [
            copy.deepcopy(p)
            for p in self.data.participants.values()
            if (status is None or p.status is status)
            and (platform is None or p.user.platform == platform)
            and (workspace_id is None or p.user.workspace_id == workspace_id)
        ]

    async def get_many(self, users: Collection[UserRef]) -> dict[UserRef, Participant]:
        return {u: copy.deepcopy(self.data.participants[u]) for u in set(users) if u in self.data.participants}


class MemoryCycles(_Repo):
    async def add(self, cycle: Cycle) -> None:
        self.data.cycles[cycle.id] = copy.deepcopy(cycle)

    save = add

    async def begin_matching(self, cycle: Cycle) -> bool:
        stored = self.data.cycles.get(cycle.id)
        if stored is None or stored.matchings != cycle.matchings:
            return False
        stored.matchings += 1
        return True

    async def start(self, cycle: Cycle) -> bool:
        if any(c.number == cycle.number for c in self.data.cycles.values()):
            return False
        await self.add(cycle)
        return True

    async def get(self, cycle_id: str) -> Cycle | None:
        return copy.deepcopy(self.data.cycles.get(cycle_id))

    async def latest(self) -> Cycle | None:
        cycles = sorted(self.data.cycles.values(), key=lambda c: c.number)
        return copy.deepcopy(cycles[-1]) if cycles else None

    async def list(self) -> list[Cycle]:
        return [copy.deepcopy(c) for c in sorted(self.data.cycles.values(), key=lambda c: c.number)]


class MemoryPairings(_Repo):
    async def add(self, pairing: Pairing) -> None:
        self.data.pairings[pairing.id] = copy.deepcopy(pairing)

    save = add

    async def get(self, pairing_id: str) -> Pairing | None:
        return copy.deepcopy(self.data.pairings.get(pairing_id))

    async def for_user(self, user: UserRef, status: PairingStatus | None = None) -> list[Pairing]:
        return [
            copy.deepcopy(p)
            for p in sorted(self.data.pairings.values(), key=lambda p: p.created_at)
            if _involves(user, p.leader, p.mentor) and (status is None or p.status is status)
        ]

    async def list(self, status: PairingStatus | None = None, cycle_id: str | None = None) -> list[Pairing]:
        return [
            copy.deepcopy(p)
            for p in sorted(self.data.pairings.values(), key=lambda p: p.created_at)
            if (status is None or p.status is status) and (cycle_id is None or p.cycle_id == cycle_id)
        ]


class MemoryGoals(_Repo):
    async def add(self, goal: Goal) -> None:
        self.data.goals[goal.id] = copy.deepcopy(goal)

    save = add

    async def get(self, goal_id: str) -> Goal | None:
        return copy.deepcopy(self.data.goals.get(goal_id))

    async def for_pairing(self, pairing_id: str) -> list[Goal]:
        return [
            copy.deepcopy(g)
            for g in sorted(self.data.goals.values(), key=lambda g: g.created_at)
            if g.pairing_id == pairing_id
        ]

    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[Goal]]:
        wanted = set(pairing_ids)
        found: dict[str, list[Goal]] = {}
        for g in sorted(self.data.goals.values(), key=lambda g: g.created_at):
            if g.pairing_id in wanted:
                found.setdefault(g.pairing_id, []).append(copy.deepcopy(g))
        return found

    async def list(self) -> list[Goal]:
        return [copy.deepcopy(g) for g in sorted(self.data.goals.values(), key=lambda g: g.created_at)]

    async def delete_for_user(self, user: UserRef) -> None:
        for gid in [g.id for g in self.data.goals.values() if g.owner == user]:
            del self.data.goals[gid]


class MemoryCheckins(_Repo):
    async def add(self, checkin: Checkin) -> bool:
        if await self.find(checkin.pairing_id, checkin.user, checkin.week):
            return False
        self.data.checkins[checkin.id] = copy.deepcopy(checkin)
        return True

    async def add_many(self, checkins: Sequence[Checkin]) -> list[Checkin]:
        taken = {(c.pairing_id, c.user, c.week) for c in self.data.checkins.values()}
        stored: list[Checkin] = []
        for checkin in checkins:
            key = (checkin.pairing_id, checkin.user, checkin.week)
            if key in taken or checkin.id in self.data.checkins:
                continue
            taken.add(key)
            self.data.checkins[checkin.id] = copy.deepcopy(checkin)
            stored.append(checkin)
        return stored

    async def save(self, checkin: Checkin) -> None:
        self.data.checkins[checkin.id] = copy.deepcopy(checkin)

    async def get(self, checkin_id: str) -> Checkin | None:
        return copy.deepcopy(self.data.checkins.get(checkin_id))

    async def find(self, pairing_id: str, user: UserRef, week: str) -> Checkin | None:
        for c in self.data.checkins.values():
            if c.pairing_id == pairing_id and c.user == user and c.week == week:
                return copy.deepcopy(c)
        return None

    async def for_pairing(self, pairing_id: str) -> list[Checkin]:
        return [
            copy.deepcopy(c)
            for c in sorted(self.data.checkins.values(), key=lambda c: c.sent_at)
            if c.pairing_id == pairing_id
        ]

    async def latest_for_pairings(self, pairing_ids: Collection[str], limit: int) -> dict[str, list[Checkin]]:
        if limit <= 0:
            return {}
        wanted = set(pairing_ids)
        found: dict[str, list[Checkin]] = {}
        for c in sorted(self.data.checkins.values(), key=lambda c: c.sent_at):
            if c.pairing_id in wanted:
                found.setdefault(c.pairing_id, []).append(c)
        return {pairing_id: [copy.deepcopy(c) for c in found[pairing_id][-limit:]] for pairing_id in found}

    async def list(self, since: datetime | None = None) -> list[Checkin]:
        return [
            copy.deepcopy(c)
            for c in sorted(self.data.checkins.values(), key=lambda c: c.sent_at)
            if since is None or c.sent_at >= since
        ]

    async def unanswered(self, sent_from: datetime, sent_until: datetime) -> list[Checkin]:
        return [
            copy.deepcopy(c)
            for c in sorted(self.data.checkins.values(), key=lambda c: c.sent_at)
            if c.answer is None and sent_from <= c.sent_at <= sent_until
        ]

    async def pairings_answered(
        self, answer: CheckinAnswer, answered_since: datetime, sent_from: datetime
    ) -> set[str]:
        return {
            c.pairing_id
            for c in self.data.checkins.values()
            if c.answer is answer
            and c.answered_at is not None
            and c.answered_at >= answered_since
            and c.sent_at >= sent_from
        }

    async def delete_for_user(self, user: UserRef) -> None:
        for cid in [c.id for c in self.data.checkins.values() if c.user == user]:
            del self.data.checkins[cid]


class MemoryAssessments(_Repo):
    async def save(self, assessment: Assessment) -> None:
        key = (assessment.pairing_id, assessment.user, assessment.phase)
        existing = self.data.assessments.get(key)
        stored = replace(assessment, id=existing.id) if existing else assessment
        self.data.assessments[key] = copy.deepcopy(stored)

    async def for_pairing(self, pairing_id: str) -> list[Assessment]:
        return [copy.deepcopy(a) for a in self.data.assessments.values() if a.pairing_id == pairing_id]

    async def list(self) -> list[Assessment]:
        return [copy.deepcopy(a) for a in self.data.assessments.values()]

    async def delete_for_user(self, user: UserRef) -> None:
        for key in [k for k, a in self.data.assessments.items() if a.user == user]:
            del self.data.assessments[key]


class MemoryStories(_Repo):
    async def add(self, story: Story) -> None:
        self.data.stories[story.id] = copy.deepcopy(story)

    save = add

    async def get(self, story_id: str) -> Story | None:
        return copy.deepcopy(self.data.stories.get(story_id))

    async def list(self) -> list[Story]:
        return [copy.deepcopy(s) for s in sorted(self.data.stories.values(), key=lambda s: s.created_at)]

    async def delete_for_user(self, user: UserRef) -> None:
        for sid in [s.id for s in self.data.stories.values() if s.proposer == user]:
            del self.data.stories[sid]


class MemoryDeliveries(_Repo):
    async def enqueue(self, delivery: Delivery) -> bool:
        if any(d.idempotency_key == delivery.idempotency_key for d in self.data.deliveries.values()):
            return False
        self.data.deliveries[delivery.id] = copy.deepcopy(delivery)
        return True

    async def enqueue_many(self, deliveries: Sequence[Delivery]) -> int:
        taken = {d.idempotency_key for d in self.data.deliveries.values()}
        added = 0
        for delivery in deliveries:
            if delivery.idempotency_key in taken or delivery.id in self.data.deliveries:
                continue
            taken.add(delivery.idempotency_key)
            self.data.deliveries[delivery.id] = copy.deepcopy(delivery)
            added += 1
        return added

    async def get_by_key(self, idempotency_key: str) -> Delivery | None:
        for d in self.data.deliveries.values():
            if d.idempotency_key == idempotency_key:
                return copy.deepcopy(d)
        return None

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, platform: str | None = None
    ) -> list[Delivery]:
        due = [
            d
            for d in sorted(self.data.deliveries.values(), key=lambda d: (d.priority, d.not_before, d.created_at))
            if (platform is None or d.destination.platform == platform)
            and (
                (d.status is DeliveryStatus.PENDING and d.not_before <= now)
                or (d.status is DeliveryStatus.SENDING and d.lease_until is not None and d.lease_until <= now)
            )
        ][:limit]
        for d in due:
            d.status = DeliveryStatus.SENDING
            d.lease_until = lease_until
            d.attempts += 1
        return [copy.deepcopy(d) for d in due]

    async def mark_sent(self, delivery_id: str, platform_message_id: str | None, at: datetime) -> None:
        d = self.data.deliveries[delivery_id]
        d.status, d.platform_message_id, d.sent_at, d.lease_until = DeliveryStatus.SENT, platform_message_id, at, None

    async def mark_retry(self, delivery_id: str, error: str, not_before: datetime) -> None:
        d = self.data.deliveries[delivery_id]
        d.status, d.last_error, d.not_before, d.lease_until = DeliveryStatus.PENDING, error, not_before, None

    async def mark_failed(self, delivery_id: str, error: str) -> None:
        d = self.data.deliveries[delivery_id]
        d.status, d.last_error, d.lease_until = DeliveryStatus.FAILED, error, None

    async def count_by_status(self) -> dict[DeliveryStatus, int]:
        counts: dict[DeliveryStatus, int] = {}
        for d in self.data.deliveries.values():
            counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    async def sent_times(self, keys: Collection[str]) -> dict[str, datetime]:
        wanted = set(keys)
        return {
            d.idempotency_key: d.sent_at
            for d in self.data.deliveries.values()
            if d.idempotency_key in wanted and d.status is DeliveryStatus.SENT and d.sent_at is not None
        }

    async def list_failed(self, limit: int = 20) -> list[Delivery]:
        failed = [d for d in self.data.deliveries.values() if d.status is DeliveryStatus.FAILED]
        return [copy.deepcopy(d) for d in sorted(failed, key=lambda d: d.created_at)[:limit]]

    async def cancel_for_user(self, user: UserRef) -> int:
        doomed = [
            d.id
            for d in self.data.deliveries.values()
            if d.status is DeliveryStatus.PENDING
            and d.destination.platform == user.platform
            and d.destination.workspace_id == user.workspace_id
            and user.user_id in d.destination.users
        ]
        for did in doomed:
            del self.data.deliveries[did]
        return len(doomed)


class MemoryInboundEvents(_Repo):
    async def remember(self, event_id: str, at: datetime) -> bool:
        if event_id in self.data.inbound_events:
            return False
        self.data.inbound_events[event_id] = at
        return True

    async def forget_before(self, at: datetime) -> int:
        old = [event_id for event_id, seen in self.data.inbound_events.items() if seen < at]
        for event_id in old:
            del self.data.inbound_events[event_id]
        return len(old)


class MemoryConversationRefs(_Repo):
    async def save(self, ref: ConversationRef) -> None:
        self.data.conversation_refs[ref.user] = copy.deepcopy(ref)

    async def get(self, user: UserRef) -> ConversationRef | None:
        return copy.deepcopy(self.data.conversation_refs.get(user))

    async def delete(self, user: UserRef) -> None:
        self.data.conversation_refs.pop(user, None)


class MemoryPromptCache(_Repo):
    async def get(self, pairing_id: str, week: str) -> PromptSet | None:
        return self.data.prompt_cache.get((pairing_id, week))

    async def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], PromptSet]:
        return {key: self.data.prompt_cache[key] for key in set(keys) if key in self.data.prompt_cache}

    async def save(self, pairing_id: str, week: str, prompts: PromptSet) -> None:
        self.data.prompt_cache[(pairing_id, week)] = prompts

    async def add_many(self, entries: Sequence[tuple[str, str, PromptSet]]) -> int:
        added = 0
        for pairing_id, week, prompts in entries:
            if (pairing_id, week) not in self.data.prompt_cache:
                self.data.prompt_cache[(pairing_id, week)] = prompts
                added += 1
        return added


class MemoryPromptRatings(_Repo):
    async def add(self, rating: PromptRating) -> bool:
        key = (rating.pairing_id, rating.user, rating.week, rating.prompt_index)
        if key in self.data.prompt_ratings:
            return False
        self.data.prompt_ratings[key] = rating
        return True

    async def for_pairing(self, pairing_id: str) -> list[PromptRating]:
        found = [r for r in self.data.prompt_ratings.values() if r.pairing_id == pairing_id]
        return sorted(found, key=lambda r: r.created_at)

    async def for_pairings(self, pairing_ids: Collection[str]) -> dict[str, list[PromptRating]]:
        wanted = set(pairing_ids)
        found: dict[str, list[PromptRating]] = {}
        for r in sorted(self.data.prompt_ratings.values(), key=lambda r: r.created_at):
            if r.pairing_id in wanted:
                found.setdefault(r.pairing_id, []).append(r)
        return found

    async def delete_for_user(self, user: UserRef) -> None:
        for key in [k for k, r in self.data.prompt_ratings.items() if r.user == user]:
            del self.data.prompt_ratings[key]


class MemoryUnitOfWork:
    """Works on a private copy of the data and publishes it on commit, like a transaction."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    def _begin(self) -> None:
        """Start from a fresh copy of the store; repositories must see the new copy, not the old."""
        self._data = copy.deepcopy(self._store.data)
        d = self._data
        self.participants = MemoryParticipants(d)
        self.cycles = MemoryCycles(d)
        self.pairings = MemoryPairings(d)
        self.goals = MemoryGoals(d)
        self.checkins = MemoryCheckins(d)
        self.assessments = MemoryAssessments(d)
        self.stories = MemoryStories(d)
        self.deliveries = MemoryDeliveries(d)
        self.inbound_events = MemoryInboundEvents(d)
        self.conversation_refs = MemoryConversationRefs(d)
        self.prompt_cache = MemoryPromptCache(d)
        self.prompt_ratings = MemoryPromptRatings(d)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._begin()

    async def commit(self) -> None:
        self._store.data = copy.deepcopy(self._data)

    async def rollback(self) -> None:
        self._begin()


class MemoryStore:
    def __init__(self) -> None:
        self.data = MemoryData()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)
