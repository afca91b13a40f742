"""Nudges decided from stored state, so a restarted or late scheduler still sends the right ones once.

Every due nudge is offered to the outbox in one batch, and only the people a rule names are read, so
an hourly run costs a few statements however large the program; the keys of nudges already queued
make the repeats no-ops.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from conversations.clock import iso_week
from conversations.domain import (
    Checkin,
    CheckinAnswer,
    DeliveryPriority,
    Destination,
    Pairing,
    PairingStatus,
    ParticipantStatus,
    UserRef,
)
from conversations.messages import OutgoingMessage, command, mention
from conversations.services.checkins import checkin_delivery_key, week_label
from conversations.services.context import Ctx, NudgeRules


async def enqueue_nudges(ctx: Ctx) -> int:
    """Each pairing nudged by its workspace's thresholds: one pass per distinct set of thresholds."""
    by_rules: dict[NudgeRules, list[Pairing]] = defaultdict(list)
    for pairing in await ctx.uow.pairings.list(status=PairingStatus.ACTIVE):
        by_rules[(await ctx.config_for(pairing.leader)).nudges].append(pairing)
    return sum([await _enqueue_nudges(ctx, rules, active) for rules, active in by_rules.items()])


async def _enqueue_nudges(ctx: Ctx, rules: NudgeRules, active: list[Pairing]) -> int:
    horizon = ctx.now - max(rules.no_meeting_after, rules.checkin_unanswered_after) - timedelta(days=7)
    # check-ins sent before the horizon count for no rule; only those a rule can use are read
    met = await ctx.uow.checkins.pairings_answered(
        CheckinAnswer.MET, ctx.now - rules.no_meeting_after, horizon
    )
    unanswered: dict[str, list[Checkin]] = defaultdict(list)
    open_checkins = await ctx.uow.checkins.unanswered(horizon, ctx.now - rules.checkin_unanswered_after)
    # A reminder only for a check-in its person has had for the whole wait: one still queued behind a
    # platform's rate limit, or delivered late, is not "still open" to them yet.
    delivered = await ctx.uow.deliveries.sent_times([checkin_delivery_key(c) for c in open_checkins])
    for checkin in open_checkins:
        sent_at = delivered.get(checkin_delivery_key(checkin))
        if sent_at is not None and sent_at <= ctx.now - rules.checkin_unanswered_after:
            unanswered[checkin.pairing_id].append(checkin)
    goal_owners = {(g.pairing_id, g.owner) for g in await ctx.uow.goals.list()}
    quiet = [p for p in active if ctx.now - p.created_at >= rules.no_meeting_after and p.id not in met]
    # A pair with no recent meeting may never have met at all: they are told so, not "since you last met".
    ever_met = (
        await ctx.uow.checkins.pairings_answered(
            CheckinAnswer.MET, min(p.created_at for p in quiet), min(p.created_at for p in quiet)
        )
        if quiet
        else set()
    )

    # (person, idempotency key, message) for every nudge a rule calls for; only reachable people get theirs
    wanted: list[tuple[UserRef, str, OutgoingMessage]] = []
    for pairing in active:
        age = ctx.now - pairing.created_at

        if age >= rules.no_meeting_after and pairing.id not in met:
            for member in pairing.members():
                other = pairing.other(member)
                if pairing.id in ever_met:
                    text = (
                        f"No meeting with {mention(other.user_id)} logged in the last {rules.no_meeting_after.days} days. "
                        "A 20-minute call keeps the momentum. Pick one idea from your last check-in to talk about."
                    )
                else:
                    text = (
                        f"No meeting with {mention(other.user_id)} logged yet. A first 20-minute call is all it "
                        f"takes: {command('checkin not-yet')} shows three times that suit you both."
                    )
                wanted.append(
                    (
                        member,
                        f"nudge:no-meeting:{pairing.id}:{iso_week(ctx.now)}:{member.key}",
                        OutgoingMessage(title="Time to catch up?", text=text, mentions=(other.user_id,)),
                    )
                )

        if age >= rules.goals_missing_after:
            for member in pairing.members():
                if (pairing.id, member) not in goal_owners:
                    wanted.append(
                        (
                            member,
                            f"nudge:goals:{pairing.id}:{member.key}",
                            OutgoingMessage(
                                title="Set your goals",
                                text=(
                                    "You haven't set any goals for this pairing yet. Two or three are plenty, "
                                    f"e.g. {command('goals add use an AI assistant to summarise long documents')}."
                                ),
                            ),
                        )
                    )

        for checkin in unanswered.get(pairing.id, ()):
            wanted.append(
                (
                    checkin.user,
                    f"nudge:checkin:{checkin.id}",
                    OutgoingMessage(
                        title="Quick reminder",
                        text=(
                            f"Your check-in for {week_label(checkin.week)} is still open: one click is enough. "
                            f"{command('checkin')} shows it again."
                        ),
                    ),
                )
            )
    if not wanted:
        return 0

    people = await ctx.uow.participants.get_many({user for user, _, _ in wanted})

    def reachable(user: UserRef) -> bool:
        person = people.get(user)
        return person is not None and person.status is ParticipantStatus.ACTIVE

    offered = [
        ctx.outbox.row(key, Destination.dm(user), message, priority=DeliveryPriority.REMINDER)
        for user, key, message in wanted
        if reachable(user)
    ]
    return await ctx.uow.deliveries.enqueue_many(offered)
