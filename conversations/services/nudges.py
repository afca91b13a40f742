"""Nudges decided from stored state, so a restarted or late scheduler still sends the right ones once.

Every due nudge is offered to the outbox in one batch, and only the people a rule names are read, so
an hourly run costs a few statements however large the program; the keys of nudges already queued
make the repeats no-ops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from functools import partial

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
from conversations.i18n import _, speaking
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

    # (person, idempotency key, message) for every nudge a rule calls for; only reachable people get theirs,
    # each message written when its reader's language is known
    wanted: list[tuple[UserRef, str, Callable[[], OutgoingMessage]]] = []
    for pairing in active:
        age = ctx.now - pairing.created_at

        if age >= rules.no_meeting_after and pairing.id not in met:
            for member in pairing.members():
                wanted.append(
                    (
                        member,
                        f"nudge:no-meeting:{pairing.id}:{iso_week(ctx.now)}:{member.key}",
                        partial(
                            _no_meeting_nudge,
                            pairing.other(member),
                            pairing.id in ever_met,
                            rules.no_meeting_after,
                        ),
                    )
                )

        if age >= rules.goals_missing_after:
            for member in pairing.members():
                if (pairing.id, member) not in goal_owners:
                    wanted.append(
                        (
                            member,
                            f"nudge:goals:{pairing.id}:{member.key}",
                            _goals_nudge,
                        )
                    )

        for checkin in unanswered.get(pairing.id, ()):
            wanted.append(
                (
                    checkin.user,
                    f"nudge:checkin:{checkin.id}",
                    partial(_checkin_reminder, checkin.week),
                )
            )
    if not wanted:
        return 0

    people = await ctx.uow.participants.get_many({user for user, *_rest in wanted})

    def reachable(user: UserRef) -> bool:
        person = people.get(user)
        return person is not None and person.status is ParticipantStatus.ACTIVE

    offered = []
    for user, key, message in wanted:
        if reachable(user):
            with speaking(people[user].language):
                offered.append(
                    ctx.outbox.row(key, Destination.dm(user), message(), priority=DeliveryPriority.REMINDER)
                )
    return await ctx.uow.deliveries.enqueue_many(offered)


def _no_meeting_nudge(other: UserRef, ever_met: bool, quiet_for: timedelta) -> OutgoingMessage:
    if ever_met:
        text = _(
            "No meeting with {partner} logged in the last {days} days. "
            "A 20-minute call keeps the momentum. Pick one idea from your last check-in to talk about.",
            partner=mention(other.user_id),
            days=quiet_for.days,
        )
    else:
        text = _(
            "No meeting with {partner} logged yet. A first 20-minute call is all it "
            "takes: {not_yet} shows three times that suit you both.",
            partner=mention(other.user_id),
            not_yet=command("checkin not-yet"),
        )
    return OutgoingMessage(title=_("Time to catch up?"), text=text, mentions=(other.user_id,))


def _goals_nudge() -> OutgoingMessage:
    example = _("use an AI assistant to summarise long documents")
    return OutgoingMessage(
        title=_("Set your goals"),
        text=_(
            "You haven't set any goals for this pairing yet. Two or three are plenty, e.g. {example}.",
            example=command("goals add " + example),
        ),
    )


def _checkin_reminder(week: str) -> OutgoingMessage:
    return OutgoingMessage(
        title=_("Quick reminder"),
        text=_(
            "Your check-in for {week} is still open: one click is enough. {checkin} shows it again.",
            week=week_label(week),
            checkin=command("checkin"),
        ),
    )
