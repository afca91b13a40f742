"""At-risk pairs an admin can act on: which pairs show signs of trouble, and the admin's four actions.

The signals are read from stored state only (check-ins and their answers, ratings and help requests),
never from the private notes, and the thresholds are the program's nudge rules, so an admin sees a pair
as at risk when its people are being nudged. `stats` counts the same pairs.

Every click is authorised here: button values come from the client, so the clicker must be an admin
whose scope covers the pair, whatever the value says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from conversations.buttons import AT_RISK, ButtonValue
from conversations.domain import Checkin, Pairing, PairingStatus, PairSignals, UserRef, new_id
from conversations.errors import NotAllowed
from conversations.i18n import _
from conversations.messages import Button, ButtonStyle, ItemList, OutgoingMessage, Reply, mention
from conversations.services.checkins import answer_buttons, local_week_and_slot, meeting_offers
from conversations.services.context import ADMIN_ONLY, AdminScope, Ctx
from conversations.services.pairing import end_pairing, ways_out

LOW_RATING = 2.0
"""An average rating at or below this, over the window, is a signal."""
MAX_LISTED = 10
"""Pairs listed with a button each: a message stays readable and within both platforms' limits."""
ENDED_BY_ADMIN = "ended by an admin"


@dataclass(frozen=True)
class AtRiskPair:
    pairing: Pairing
    no_meeting_days: int | None = None
    """The no-meeting threshold in days, when no meeting was logged for that long; None otherwise."""
    unanswered: int = 0
    """Check-ins in the window still unanswered after the reminder wait."""
    asked_for_help: tuple[UserRef, ...] = ()
    average_rating: float | None = None
    """The average rating in the window, when it is low."""

    def signals(self) -> tuple[str, ...]:
        found: list[str] = []
        if self.no_meeting_days is not None:
            found.append(_("no meeting logged in {days} days", days=self.no_meeting_days))
        if self.unanswered:
            found.append(
                _("{count} check-in unanswered", count=self.unanswered)
                if self.unanswered == 1
                else _("{count} check-ins unanswered", count=self.unanswered)
            )
        for person in self.asked_for_help:
            found.append(_("{person} asked for help", person=mention(person.user_id)))
        if self.average_rating is not None:
            found.append(_("low ratings (average {rating:.1f} / 5)", rating=self.average_rating))
        return tuple(found)


def in_scope(pairing: Pairing, scope: AdminScope) -> bool:
    """A pair belongs to a workspace's program when either person is in it."""
    return scope.covers(pairing.leader) or scope.covers(pairing.mentor)


async def at_risk_pairs(
    ctx: Ctx, scope: AdminScope, pairings: Sequence[Pairing] | None = None
) -> list[AtRiskPair]:
    """The active pairs of `scope` showing at least one signal, the most signals first (`pairings`:
    the scope's pairs when the caller has them already)."""
    if pairings is None:
        pairings = await ctx.uow.pairings.list(status=PairingStatus.ACTIVE)
    active = [p for p in pairings if p.status is PairingStatus.ACTIVE and in_scope(p, scope)]
    if not active:
        return []
    # Each pair by its own workspace's thresholds (`Ctx.config_for`).
    rules_of = {p.id: (await ctx.config_for(p.leader)).nudges for p in active}
    widest = max(rules.no_meeting_after for rules in rules_of.values())
    # A check-in sent a little before the window can still have been answered inside it.
    sent_from = ctx.now - widest - timedelta(days=7)
    # The database reduces the check-ins once per set of thresholds (one, unless workspaces differ).
    signals_by_rules: dict[tuple[timedelta, timedelta], dict[str, PairSignals]] = {}
    for rules in rules_of.values():
        key = (rules.no_meeting_after, rules.checkin_unanswered_after)
        if key not in signals_by_rules:
            signals_by_rules[key] = await ctx.uow.checkins.pair_signals(
                sent_from, ctx.now - key[0], ctx.now - key[1]
            )
    found: list[tuple[int, AtRiskPair]] = []
    for pairing in active:
        rules = rules_of[pairing.id]
        window = rules.no_meeting_after
        mine = signals_by_rules[(window, rules.checkin_unanswered_after)].get(pairing.id)
        quiet = ctx.now - pairing.created_at >= window and not (mine and mine.met)
        average = mine.rating_sum / mine.rating_count if mine and mine.rating_count else None
        low = average if average is not None and average <= LOW_RATING else None
        pair = AtRiskPair(
            pairing,
            window.days if quiet else None,
            mine.unanswered if mine else 0,
            mine.asked_for_help if mine else (),
            low,
        )
        if signals := len(pair.signals()):
            found.append((-signals, pair))
    found.sort(key=lambda item: (item[0], item[1].pairing.created_at, item[1].pairing.id))
    return [pair for _count, pair in found]


def _who(pairing: Pairing) -> str:
    return _(
        "{leader} (leader) and {mentor} (mentor)",
        leader=mention(pairing.leader.user_id),
        mentor=mention(pairing.mentor.user_id),
    )


def _mentions(pairs: list[AtRiskPair]) -> tuple[str, ...]:
    ids: list[str] = []
    for pair in pairs:
        ids += [pair.pairing.leader.user_id, pair.pairing.mentor.user_id]
        ids += [u.user_id for u in pair.asked_for_help]
    return tuple(dict.fromkeys(ids))


def at_risk_message(pairs: list[AtRiskPair], scope: AdminScope) -> OutgoingMessage:
    """The list: one entry per pair with its signals, and a button to act on each."""
    if not pairs:
        return OutgoingMessage(
            title=_("At-risk pairs"),
            text=_("Covers {scope}. No pair shows a sign of trouble right now.", scope=scope.describe()),
        )
    listed = pairs[:MAX_LISTED]
    text = _(
        "Covers {scope}. {count} pairs show signs of trouble; private notes are never shown. "
        "Open a pair to nudge them, ask one of them privately, or end the pairing and re-match.",
        count=len(pairs),
        scope=scope.describe(),
    )
    if len(pairs) > len(listed):
        text += " " + _("The {shown} with the most signals are listed.", shown=len(listed))
    return OutgoingMessage(
        title=_("At-risk pairs"),
        text=text,
        fields=(
            (
                _("Pairs"),
                ItemList(
                    tuple(_who(p.pairing) + ": " + "; ".join(p.signals()) for p in listed), numbered=True
                ),
            ),
        ),
        buttons=tuple(
            AT_RISK.button(_("Open pair {number}", number=k), p.pairing.id, "open")
            for k, p in enumerate(listed, start=1)
        ),
        mentions=_mentions(listed),
    )


def pair_card(pair: AtRiskPair) -> OutgoingMessage:
    """One pair with its signals and the admin's four actions."""
    pairing = pair.pairing
    return OutgoingMessage(
        title=_("At-risk pair"),
        text=_(
            "{who}, paired on {date}.",
            who=_who(pairing),
            date=pairing.created_at.date().isoformat(),
        ),
        fields=((_("Signals"), "; ".join(pair.signals()) or _("none right now")),),
        buttons=action_buttons(pairing),
        mentions=_mentions([pair]),
    )


def action_buttons(pairing: Pairing) -> tuple[Button, ...]:
    return (
        AT_RISK.button(_("Nudge both"), pairing.id, "nudge", style=ButtonStyle.PRIMARY),
        AT_RISK.button(_("Ask the leader privately"), pairing.id, "ask_leader"),
        AT_RISK.button(_("Ask the mentor privately"), pairing.id, "ask_mentor"),
        Button(
            _("End and re-match"),
            AT_RISK.action_id,
            AT_RISK.encode(pairing.id, "end"),
            ButtonStyle.DANGER,
            confirm=_(
                "End this pairing now? Both people are told kindly, no fault of anyone's, and each is "
                "re-matched within a day when someone who fits is free."
            ),
        ),
    )


async def at_risk_command(ctx: Ctx, scope: AdminScope) -> Reply:
    return Reply(at_risk_message(await at_risk_pairs(ctx, scope), scope))


async def clicked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on one of the at-risk buttons (`pairing id`, action), by an admin of that pair."""
    scope = ctx.admin_scope(actor)
    if scope is None:
        raise NotAllowed(_(ADMIN_ONLY))
    pairing = await ctx.uow.pairings.get(value.id)
    if pairing is None or not in_scope(pairing, scope):
        raise NotAllowed(AT_RISK.invalid)
    (action,) = value.choice
    if pairing.status is not PairingStatus.ACTIVE:
        return Reply.text(_("That pairing has already ended; nothing changed."), replace_original=True)
    if action == "open":
        current = next((p for p in await at_risk_pairs(ctx, scope) if p.pairing.id == pairing.id), None)
        return Reply(pair_card(current or AtRiskPair(pairing)))
    if action == "nudge":
        return await _nudge_both(ctx, pairing)
    if action in ("ask_leader", "ask_mentor"):
        return await _ask_privately(
            ctx, pairing, pairing.leader if action == "ask_leader" else pairing.mentor
        )
    return await _end_and_rematch(ctx, pairing)


async def _nudge_both(ctx: Ctx, pairing: Pairing) -> Reply:
    day = ctx.now.date().isoformat()
    sent = 0
    for member in pairing.members():
        other = pairing.other(member)
        offers = await meeting_offers(ctx, pairing, (member,))
        message = OutgoingMessage(
            title=_("Time to catch up?"),
            text=_(
                "The program team hopes your mentoring with {other} is going well. A 20-minute call this "
                "week keeps the momentum: pick one thing to try together, or one question to talk over.",
                other=mention(other.user_id),
            ),
            meetings=offers,
            mentions=(other.user_id,),
        )
        sent += await ctx.outbox.dm(f"admin-nudge:{pairing.id}:{day}:{member.key}", member, message)
    if not sent:
        return Reply.text(_("Both were already nudged today; nothing more was sent."))
    return Reply.text(_("Nudged both: {who}.", who=_who(pairing)))


async def _ask_privately(ctx: Ctx, pairing: Pairing, person: UserRef) -> Reply:
    """A kind, private question to one of the two, with this week's check-in answers: *Need help*
    reaches the admins privately, and the text names the no-fault `end`."""
    member = await ctx.uow.participants.get(person)
    if member is None:
        raise NotAllowed(AT_RISK.invalid)
    week, _slot = local_week_and_slot(ctx, member, await ctx.config_for(person))
    checkin = await ctx.uow.checkins.find(pairing.id, person, week)
    if checkin is None:
        checkin = Checkin(new_id(), pairing.id, person, week, sent_at=ctx.now)
        await ctx.uow.checkins.add(checkin)
    other = pairing.other(person)
    message = OutgoingMessage(
        title=_("How is it going?"),
        text=_(
            "Just checking in, privately: how is your mentoring with {other} going? Only you see this; "
            "{other} has not been asked about you. One click tells me, and if something isn't working, "
            "that's fine too.",
            other=mention(other.user_id),
        ),
        fields=((_("If you need to"), ways_out()),),
        buttons=answer_buttons(checkin.id),
        mentions=(other.user_id,),
    )
    day = ctx.now.date().isoformat()
    if not await ctx.outbox.dm(f"admin-ask:{pairing.id}:{day}:{person.key}", person, message):
        return Reply(
            OutgoingMessage(
                text=_(
                    "{person} was already asked today; nothing more was sent.", person=mention(person.user_id)
                ),
                mentions=(person.user_id,),
            )
        )
    return Reply(
        OutgoingMessage(
            text=_(
                "Asked {person} privately how it is going; {other} is not told.",
                person=mention(person.user_id),
                other=mention(other.user_id),
            ),
            mentions=(person.user_id, other.user_id),
        )
    )


async def _end_and_rematch(ctx: Ctx, pairing: Pairing) -> Reply:
    await end_pairing(ctx, pairing, None, ENDED_BY_ADMIN)
    return Reply(
        OutgoingMessage(
            text=_(
                "Ended the pairing of {who}, without fault. Both were told kindly, and each is re-matched "
                "within a day when someone who fits is free.",
                who=_who(pairing),
            ),
            mentions=(pairing.leader.user_id, pairing.mentor.user_id),
        ),
        replace_original=True,
    )
