"""Discussion prompts for a pair: built from both people's goals, never from private notes."""

from __future__ import annotations

import logging

from conversations.clock import iso_week
from conversations.domain import Pairing, PairingStatus, UserRef
from conversations.errors import InvalidInput, NotAllowed
from conversations.messages import Button, OutgoingMessage, Reply
from conversations.ports import PairContext, PromptSet
from conversations.services.context import Ctx

logger = logging.getLogger(__name__)


async def pair_context(ctx: Ctx, pairing: Pairing, week: str) -> PairContext:
    leader = await ctx.uow.participants.get(pairing.leader)
    mentor = await ctx.uow.participants.get(pairing.mentor)
    goals = await ctx.uow.goals.for_pairing(pairing.id)
    checkins = await ctx.uow.checkins.for_pairing(pairing.id)
    outcomes = tuple(c.answer.value for c in checkins[-4:] if c.answer is not None)
    return PairContext(
        pairing_id=pairing.id,
        week=week,
        leader_name=leader.display_name if leader else "the leader",
        mentor_name=mentor.display_name if mentor else "the mentor",
        leader_skills=leader.skills if leader else (),
        mentor_skills=mentor.skills if mentor else (),
        leader_goals=leader.learning_goals if leader else (),
        mentor_goals=mentor.learning_goals if mentor else (),
        goal_progress=tuple((g.side.value, g.text, g.progress, g.done) for g in goals),
        recent_outcomes=outcomes,
        language=(leader.language if leader else None) or (mentor.language if mentor else None),
    )


async def prompts_for(ctx: Ctx, pairing: Pairing, week: str, fresh: bool = False) -> PromptSet:
    """This week's prompts: from the cache prepared ahead of the fan-out, or made now and cached."""
    if not fresh:
        cached = await ctx.uow.prompt_cache.get(pairing.id, week)
        if cached is not None:
            return cached
    context = await pair_context(ctx, pairing, week if not fresh else f"{week}:{ctx.now.isoformat()}")
    prompts = await ctx.prompts.suggest(context)
    await ctx.uow.prompt_cache.save(pairing.id, week, prompts)
    return prompts


def prompts_message(pairing: Pairing, prompts: PromptSet) -> OutgoingMessage:
    fields: list[tuple[str, str]] = [("Talk about", "\n".join(f"• {p}" for p in prompts.prompts))]
    if prompts.task:
        fields.append(("Try this together", prompts.task))
    return OutgoingMessage(
        title="Ideas for your next conversation",
        text="Pick one or two; they're suggestions, not homework.",
        fields=tuple(fields),
        buttons=(Button("Fresh ideas", "prompts_refresh", pairing.id),),
    )


async def prompts_command(ctx: Ctx, actor: UserRef, fresh_for: str | None = None) -> Reply:
    await ctx.participant(actor)
    if fresh_for is not None:
        pairing = await ctx.uow.pairings.get(fresh_for)
        if pairing is None or pairing.side_of(actor) is None:
            raise NotAllowed("Those prompts belong to another pairing.")
    else:
        pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
        if not pairings:
            raise InvalidInput("You're not paired yet; prompts come with your partner.")
        pairing = pairings[-1]
    prompts = await prompts_for(ctx, pairing, iso_week(ctx.now), fresh=fresh_for is not None)
    return Reply(prompts_message(pairing, prompts), replace_original=fresh_for is not None)
