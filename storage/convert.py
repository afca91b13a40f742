"""Rows to domain dataclasses and back; the only place that knows both shapes.

`to_*` functions give the column values for an insert or update; `*_from` functions rebuild the
engine's dataclass from a result row's mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

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
)
from conversations.ports import PromptSet

Values = dict[str, Any]
Row = Mapping[str, Any]

_E = TypeVar("_E", bound=Enum)

# A tick reads every participant and pairing of the program, so the per-row conversions below are
# paid tens of thousands of times: enum members come from a dict, and people from a cache of `UserRef`
# (frozen, so one instance can stand for a person in every row that names them).


def _members(enum: type[_E]) -> Callable[[Any], _E]:
    """`enum(value)` by a dict lookup; a value that is not a member still raises as `enum(value)` does."""
    by_value = {member.value: member for member in enum}

    def member(value: Any) -> _E:
        found = by_value.get(value)
        return found if found is not None else enum(value)

    return member


_role = _members(Role)
_participant_status = _members(ParticipantStatus)
_pairing_status = _members(PairingStatus)
_answer = _members(CheckinAnswer)
_side = _members(Side)
_delivery_status = _members(DeliveryStatus)
_priority = _members(DeliveryPriority)
_user = lru_cache(maxsize=1 << 16)(UserRef.from_key)


def participant_values(p: Participant) -> Values:
    return {
        "user_key": p.user.key,
        "platform": p.user.platform,
        "workspace_id": p.user.workspace_id,
        "display_name": p.display_name,
        "role": p.role.value,
        "department": p.department,
        "seniority": p.seniority,
        "timezone": p.timezone,
        "skills": list(p.skills),
        "learning_goals": list(p.learning_goals),
        "manager_id": p.manager_id,
        "language": p.language,
        "status": p.status.value,
        "paused_until": p.paused_until,
        "joined_at": p.joined_at,
    }


def participant_from(row: Row) -> Participant:
    return Participant(
        user=_user(row["user_key"]),
        display_name=row["display_name"],
        role=_role(row["role"]),
        department=row["department"],
        seniority=row["seniority"],
        timezone=row["timezone"],
        skills=tuple(row["skills"] or ()),
        learning_goals=tuple(row["learning_goals"] or ()),
        manager_id=row["manager_id"],
        language=row["language"],
        status=_participant_status(row["status"]),
        paused_until=row["paused_until"],
        joined_at=row["joined_at"],
    )


def cycle_values(c: Cycle) -> Values:
    return {
        "id": c.id,
        "number": c.number,
        "started_at": c.started_at,
        "weeks": c.weeks,
        "closed_at": c.closed_at,
        "matchings": c.matchings,
    }


def cycle_from(row: Row) -> Cycle:
    return Cycle(
        id=row["id"],
        number=row["number"],
        started_at=row["started_at"],
        weeks=row["weeks"],
        closed_at=row["closed_at"],
        matchings=row["matchings"],
    )


def pairing_values(p: Pairing) -> Values:
    return {
        "id": p.id,
        "cycle_id": p.cycle_id,
        "leader_key": p.leader.key,
        "mentor_key": p.mentor.key,
        "score": p.score,
        "reasons": list(p.reasons),
        "created_at": p.created_at,
        "status": p.status.value,
        "ended_at": p.ended_at,
        "end_reason": p.end_reason,
    }


def pairing_from(row: Row) -> Pairing:
    return Pairing(
        id=row["id"],
        cycle_id=row["cycle_id"],
        leader=_user(row["leader_key"]),
        mentor=_user(row["mentor_key"]),
        score=row["score"],
        reasons=tuple(row["reasons"] or ()),
        created_at=row["created_at"],
        status=_pairing_status(row["status"]),
        ended_at=row["ended_at"],
        end_reason=row["end_reason"],
    )


def goal_values(g: Goal) -> Values:
    return {
        "id": g.id,
        "pairing_id": g.pairing_id,
        "owner_key": g.owner.key,
        "side": g.side.value,
        "text": g.text,
        "created_at": g.created_at,
        "progress": g.progress,
        "done_at": g.done_at,
    }


def goal_from(row: Row) -> Goal:
    return Goal(
        id=row["id"],
        pairing_id=row["pairing_id"],
        owner=_user(row["owner_key"]),
        side=_side(row["side"]),
        text=row["text"],
        created_at=row["created_at"],
        progress=row["progress"],
        done_at=row["done_at"],
    )


def checkin_values(c: Checkin) -> Values:
    return {
        "id": c.id,
        "pairing_id": c.pairing_id,
        "user_key": c.user.key,
        "week": c.week,
        "sent_at": c.sent_at,
        "answer": c.answer.value if c.answer is not None else None,
        "rating": c.rating,
        "note": c.note,
        "answered_at": c.answered_at,
    }


def checkin_from(row: Row) -> Checkin:
    return Checkin(
        id=row["id"],
        pairing_id=row["pairing_id"],
        user=_user(row["user_key"]),
        week=row["week"],
        sent_at=row["sent_at"],
        answer=_answer(row["answer"]) if row["answer"] is not None else None,
        rating=row["rating"],
        note=row["note"],
        answered_at=row["answered_at"],
    )


def assessment_values(a: Assessment) -> Values:
    return {
        "id": a.id,
        "pairing_id": a.pairing_id,
        "user_key": a.user.key,
        "side": a.side.value,
        "phase": a.phase,
        "score": a.score,
        "created_at": a.created_at,
    }


def assessment_from(row: Row) -> Assessment:
    return Assessment(
        id=row["id"],
        pairing_id=row["pairing_id"],
        user=_user(row["user_key"]),
        side=_side(row["side"]),
        phase=row["phase"],
        score=row["score"],
        created_at=row["created_at"],
    )


def story_values(s: Story) -> Values:
    return {
        "id": s.id,
        "pairing_id": s.pairing_id,
        "proposer_key": s.proposer.key,
        "text": s.text,
        "created_at": s.created_at,
        "status": s.status.value,
        "decided_at": s.decided_at,
    }


def story_from(row: Row) -> Story:
    return Story(
        id=row["id"],
        pairing_id=row["pairing_id"],
        proposer=_user(row["proposer_key"]),
        text=row["text"],
        created_at=row["created_at"],
        status=StoryStatus(row["status"]),
        decided_at=row["decided_at"],
    )


def delivery_values(d: Delivery) -> Values:
    return {
        "id": d.id,
        "idempotency_key": d.idempotency_key,
        "platform": d.destination.platform,
        "workspace_id": d.destination.workspace_id,
        "users": list(d.destination.users),
        "channel_id": d.destination.channel_id,
        "message": d.message,
        "created_at": d.created_at,
        "not_before": d.not_before,
        "status": d.status.value,
        "attempts": d.attempts,
        "lease_until": d.lease_until,
        "last_error": d.last_error,
        "platform_message_id": d.platform_message_id,
        "sent_at": d.sent_at,
        "priority": int(d.priority),
    }


def delivery_from(row: Row) -> Delivery:
    return Delivery(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        destination=Destination(
            platform=row["platform"],
            workspace_id=row["workspace_id"],
            users=tuple(row["users"] or ()),
            channel_id=row["channel_id"],
        ),
        message=row["message"],
        created_at=row["created_at"],
        not_before=row["not_before"],
        status=_delivery_status(row["status"]),
        attempts=row["attempts"],
        lease_until=row["lease_until"],
        last_error=row["last_error"],
        platform_message_id=row["platform_message_id"],
        sent_at=row["sent_at"],
        priority=_priority(row["priority"]),
    )


def conversation_ref_from(row: Row) -> ConversationRef:
    return ConversationRef(user=_user(row["user_key"]), data=dict(row["data"] or {}))


def prompt_set_values(pairing_id: str, week: str, prompts: PromptSet) -> Values:
    return {
        "pairing_id": pairing_id,
        "week": week,
        "prompts": list(prompts.prompts),
        "task": prompts.task,
        "source": prompts.source,
        "topics": list(prompts.topics),
    }


def prompt_set_from(row: Row) -> PromptSet:
    return PromptSet(
        prompts=tuple(row["prompts"] or ()),
        task=row["task"],
        source=row["source"],
        topics=tuple(row["topics"] or ()),
    )


def prompt_rating_values(r: PromptRating) -> Values:
    return {
        "id": r.id,
        "pairing_id": r.pairing_id,
        "user_key": r.user.key,
        "week": r.week,
        "prompt_index": r.prompt_index,
        "topic": r.topic,
        "vote": r.vote,
        "created_at": r.created_at,
    }


def prompt_rating_from(row: Row) -> PromptRating:
    return PromptRating(
        id=row["id"],
        pairing_id=row["pairing_id"],
        user=_user(row["user_key"]),
        week=row["week"],
        prompt_index=row["prompt_index"],
        topic=row["topic"],
        vote=row["vote"],
        created_at=row["created_at"],
    )
