"""Celebrations sent to a pair: a goal one of them finished, and the round they finished together.

Both go to the two people of the pair and nobody else: a round's celebration shows each side's
before/after self-assessment, which is theirs to see, never the program's to publish. Each is one outbox
message with its own key, so marking a goal done twice, or a second trigger of the round's
celebration (an after-assessment and the survey window closing), sends it once.
"""

from __future__ import annotations

from conversations.domain import (
    ROUND_FINISHED,
    Assessment,
    CheckinAnswer,
    Destination,
    Goal,
    Pairing,
    PairingStatus,
    Side,
    UserRef,
)
from conversations.i18n import _
from conversations.messages import OutgoingMessage, mention
from conversations.services.context import Ctx


async def to_pair(ctx: Ctx, key: str, pairing: Pairing, message: OutgoingMessage) -> None:
    """One message both people see together where the platform has group DMs, else one DM each."""
    if ctx.supports_group_dm(pairing.leader.platform):
        await ctx.outbox.send(key, Destination.group(pairing.members()), message)
        return
    for member in pairing.members():
        await ctx.outbox.dm(f"{key}:{member.key}", member, message)


def goal_done_message(goal: Goal) -> OutgoingMessage:
    return OutgoingMessage(
        title=_("🎉 A goal is done!"),
        text=_(
            "{person} has reached one of their goals for this round: _{goal}_\n"
            "Learning goes both ways, so this one belongs to you both. Well done!",
            person=mention(goal.owner.user_id),
            goal=goal.text,
        ),
        mentions=(goal.owner.user_id,),
    )


async def celebrate_goal(ctx: Ctx, pairing: Pairing, goal: Goal) -> None:
    """Called once a goal becomes done, however it was marked."""
    await to_pair(ctx, f"celebrate:goal:{goal.id}", pairing, goal_done_message(goal))


def round_finished_by(pairing: Pairing) -> bool:
    """The pair stayed together until the round closed: only they get the round's celebration and survey."""
    return pairing.status is PairingStatus.ENDED and pairing.end_reason == ROUND_FINISHED


def both_answered_after(pairing: Pairing, assessments: list[Assessment]) -> bool:
    after = {a.user for a in assessments if a.phase == "after"}
    return all(member in after for member in pairing.members())


async def celebrate_round_once_both_answered(ctx: Ctx, pairing: Pairing, round_number: int) -> None:
    """The round's celebration shows both people's before and after, so it waits for the second after
    answer (the survey window's end sends it to the pairs still missing one)."""
    if both_answered_after(pairing, await ctx.uow.assessments.for_pairing(pairing.id)):
        await celebrate_round(ctx, pairing, round_number)


async def celebrate_round(ctx: Ctx, pairing: Pairing, round_number: int) -> None:
    """The pair's growth over the round they finished: meetings, goals done and before/after scores."""
    goals = await ctx.uow.goals.for_pairing(pairing.id)
    assessments = await ctx.uow.assessments.for_pairing(pairing.id)
    checkins = await ctx.uow.checkins.for_pairing(pairing.id)
    meetings = len({c.week for c in checkins if c.answer is CheckinAnswer.MET})
    message = OutgoingMessage(
        title=_("🎉 Round {number} is complete: congratulations!", number=round_number),
        text=_(
            "{leader} and {mentor}, you finished the round together. Here is how you both grew; "
            "only the two of you see this.",
            leader=mention(pairing.leader.user_id),
            mentor=mention(pairing.mentor.user_id),
        ),
        fields=(
            (_("Meetings logged"), str(meetings)),
            *(_side_fields(pairing, side, goals, assessments) for side in Side),
        ),
        mentions=(pairing.leader.user_id, pairing.mentor.user_id),
    )
    await to_pair(ctx, f"celebrate:round:{pairing.id}", pairing, message)


def _side_fields(
    pairing: Pairing, side: Side, goals: list[Goal], assessments: list[Assessment]
) -> tuple[str, str]:
    person = pairing.leader if side is Side.LEADER else pairing.mentor
    theirs = [g for g in goals if g.owner == person]
    if side is Side.LEADER:
        label, topic = _("The leader's growth"), _("Confidence with AI and digital tools")
    else:
        label, topic = _("The mentor's growth"), _("Exposure to leadership and strategy")
    return (
        label,
        _(
            "{person}: {done} of {total} goals done. {topic}: {growth}.",
            person=mention(person.user_id),
            done=sum(1 for g in theirs if g.done),
            total=len(theirs),
            topic=topic,
            growth=growth_text(_score(assessments, person, "before"), _score(assessments, person, "after")),
        ),
    )


def _score(assessments: list[Assessment], person: UserRef, phase: str) -> int | None:
    return next((a.score for a in assessments if a.user == person and a.phase == phase), None)


def growth_text(before: int | None, after: int | None) -> str:
    """A person's self-assessment over the round, on the 1-5 scale both questions use."""
    if before is not None and after is not None:
        return _("{before}/5 → {after}/5 ({change:+d})", before=before, after=after, change=after - before)
    if before is not None:
        return _("{before}/5 before, no after answer yet", before=before)
    if after is not None:
        return _("{after}/5 after, no before answer", after=after)
    return _("not answered")
