"""Nudges decided from stored state, so a restarted or late scheduler still sends the right ones once."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from conversations.clock import iso_week
from conversations.domain import Checkin, CheckinAnswer, PairingStatus, ParticipantStatus
from conversations.messages import OutgoingMessage, mention
from conversations.services.context import Ctx


async def enqueue_nudges(ctx: Ctx) -> int:
    rules = ctx.config.nudges
    people = {p.user: p for p in await ctx.uow.participants.list()}
    def reachable(user: object) -> bool:
        person = people.get(user)  # type: ignore[arg-type]
        return person is not None and person.status is ParticipantStatus.ACTIVE

    horizon = ctx.now - max(rules.no_meeting_after, rules.checkin_unanswered_after) - timedelta(days=7)
    checkins_by_pair: dict[str, list[Checkin]] = defaultdict(list)
    for checkin in await ctx.uow.checkins.list(since=horizon):
        checkins_by_pair[checkin.pairing_id].append(checkin)
    goal_owners = {(g.pairing_id, g.owner) for g in await ctx.uow.goals.list()}

    queued = 0
    for pairing in await ctx.uow.pairings.list(status=PairingStatus.ACTIVE):
        age = ctx.now - pairing.created_at
        checkins = checkins_by_pair.get(pairing.id, [])

        if age >= rules.no_meeting_after:
            since = ctx.now - rules.no_meeting_after
            met = any(c.answer is CheckinAnswer.MET and c.answered_at and c.answered_at >= since for c in checkins)
            if not met:
                for member in pairing.members():
                    if reachable(member):
                        other = pairing.other(member)
                        queued += await ctx.outbox.dm(
                            f"nudge:no-meeting:{pairing.id}:{iso_week(ctx.now)}:{member.key}",
                            member,
                            OutgoingMessage(
                                title="Time to catch up?",
                                text=(
                                    f"It's been {rules.no_meeting_after.days} days since you and {mention(other.user_id)} last met. "
                                    "A 20-minute call keeps the momentum. Pick one idea from your last check-in to talk about."
                                ),
                                mentions=(other.user_id,),
                            ),
                        )

        if age >= rules.goals_missing_after:
            for member in pairing.members():
                if reachable(member) and (pairing.id, member) not in goal_owners:
                    queued += await ctx.outbox.dm(
                        f"nudge:goals:{pairing.id}:{member.key}",
                        member,
                        OutgoingMessage(
                            title="Set your goals",
                            text=(
                                "You haven't set any goals for this pairing yet. Two or three are plenty, "
                                "e.g. `goals add use an AI assistant to summarise long documents`."
                            ),
                        ),
                    )

        for checkin in checkins:
            if checkin.answer is None and ctx.now - checkin.sent_at >= rules.checkin_unanswered_after and reachable(checkin.user):
                queued += await ctx.outbox.dm(
                    f"nudge:checkin:{checkin.id}",
                    checkin.user,
                    OutgoingMessage(
                        title="Quick reminder",
                        text=f"This week's check-in ({checkin.week}) is still open: one click is enough. Type `checkin` to see it.",
                    ),
                )
    return queued
