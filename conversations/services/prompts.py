"""Discussion prompts for a pair: built from both people's goals, never from private notes."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace

from conversations.buttons import PROMPT_RATE, PROMPTS_REFRESH, ButtonValue
from conversations.clock import weeks_before
from conversations.domain import Pairing, PairingStatus, Participant, PromptRating, UserRef, new_id
from conversations.errors import InvalidInput, NotAllowed
from conversations.i18n import DEFAULT_LOCALE, _, common_language
from conversations.messages import FieldValue, ItemList, OutgoingMessage, Reply
from conversations.ports import PairContext, PromptSet
from conversations.prompts.catalogue import ideas_language_note
from conversations.prompts.steering import topic_preferences
from conversations.services.context import Ctx

logger = logging.getLogger(__name__)

RECENT_WEEKS = 3
"""Prompts shown this many weeks back are not suggested again."""
OUTCOMES_SHOWN = 4
"""The latest check-ins whose answers a suggester sees."""


async def pair_context(ctx: Ctx, pairing: Pairing, week: str) -> PairContext:
    return (await pair_contexts(ctx, [(pairing, week)]))[0]


async def pair_contexts(
    ctx: Ctx, pairs: Sequence[tuple[Pairing, str]], people: Mapping[UserRef, Participant] | None = None
) -> list[PairContext]:
    """`pair_context` for each (pairing, week), read in a handful of queries whatever their number,
    so preparing a fan-out's prompts costs no round trip per pair.

    `people`: participants the caller has just read (the tick's plan); only the others are read here.
    """
    if not pairs:
        return []
    uow = ctx.uow
    ids = list(dict.fromkeys(pairing.id for pairing, _week in pairs))
    members = {user for pairing, _week in pairs for user in (pairing.leader, pairing.mentor)}
    known = {user: people[user] for user in members if user in people} if people else {}
    unknown = members - known.keys()
    found = {**known, **(await uow.participants.get_many(unknown) if unknown else {})}
    goals = await uow.goals.for_pairings(ids)
    latest = await uow.checkins.latest_for_pairings(ids, OUTCOMES_SHOWN)
    ratings = await uow.prompt_ratings.for_pairings(ids)
    earlier_weeks = {
        week: [weeks_before(week, back) for back in range(1, RECENT_WEEKS + 1)]
        for week in {week for _pairing, week in pairs}
    }
    shown = await uow.prompt_cache.get_many(
        {(pairing.id, w) for pairing, week in pairs for w in earlier_weeks[week]}
    )
    contexts = []
    for pairing, week in pairs:
        use_model = (await ctx.config_for(pairing.leader)).ai_prompts
        leader, mentor = found.get(pairing.leader), found.get(pairing.mentor)
        liked, disliked = topic_preferences((r.topic, r.vote) for r in ratings.get(pairing.id, ()))
        recent: list[str] = []
        for earlier in earlier_weeks[week]:
            before = shown.get((pairing.id, earlier))
            if before is not None:
                recent += before.prompts
        contexts.append(
            PairContext(
                pairing_id=pairing.id,
                week=week,
                leader_name=leader.display_name if leader else "the leader",
                mentor_name=mentor.display_name if mentor else "the mentor",
                leader_skills=leader.skills if leader else (),
                mentor_skills=mentor.skills if mentor else (),
                leader_goals=leader.learning_goals if leader else (),
                mentor_goals=mentor.learning_goals if mentor else (),
                goal_progress=tuple(
                    (g.side.value, g.text, g.progress, g.done) for g in goals.get(pairing.id, ())
                ),
                recent_outcomes=tuple(
                    c.answer.value for c in latest.get(pairing.id, ()) if c.answer is not None
                ),
                language=common_language(
                    leader.language if leader else None, mentor.language if mentor else None
                ),
                liked_topics=liked,
                disliked_topics=disliked,
                recent_prompts=tuple(recent),
                use_model=use_model,
            )
        )
    return contexts


async def prompts_for(ctx: Ctx, pairing: Pairing, week: str) -> PromptSet:
    """This week's prompts from the cache; made here only if preparing them beforehand failed."""
    current = await ctx.uow.prompt_cache.get(pairing.id, week)
    if current is not None:
        return current
    prompts = await ctx.prompts.suggest(await pair_context(ctx, pairing, week))
    await ctx.uow.prompt_cache.save(pairing.id, week, prompts)
    return prompts


def prompts_message(
    pairing: Pairing, week: str, prompts: PromptSet, pair_language: str = DEFAULT_LOCALE
) -> OutgoingMessage:
    fields: list[tuple[str, FieldValue]] = [(_("Talk about"), ItemList(prompts.prompts, numbered=True))]
    if prompts.task:
        fields.append((_("Try this together"), prompts.task))
    fields += [(_("Language"), note) for note in [ideas_language_note(prompts.source, pair_language)] if note]
    votes = [
        PROMPT_RATE.button(f"{thumb} {i}", pairing.id, week, str(i - 1), value)
        for i in range(1, len(prompts.prompts) + 1)
        for thumb, value in (("👍", "up"), ("👎", "down"))
    ]
    return OutgoingMessage(
        title=_("Ideas for your next conversation"),
        text=_(
            "Pick one or two; they're suggestions, not homework. Rate them and later weeks follow your taste."
        ),
        fields=tuple(fields),
        buttons=(*votes, PROMPTS_REFRESH.button(_("Fresh ideas"), pairing.id)),
    )


async def _my_pairing(ctx: Ctx, actor: UserRef, pairing_id: str | None) -> Pairing:
    await ctx.participant(actor)
    if pairing_id is not None:
        pairing = await ctx.uow.pairings.get(pairing_id)
        if pairing is None or pairing.side_of(actor) is None:
            raise NotAllowed(_("Those prompts belong to another pairing."))
        return pairing
    pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    if not pairings:
        raise InvalidInput(_("You're not paired yet; prompts come with your partner."))
    return pairings[-1]


async def prompt_request(ctx: Ctx, actor: UserRef, pairing_id: str | None, fresh: bool) -> PairContext | None:
    """What to ask the suggester for, before any transaction; None when this week's are ready."""
    pairing = await _my_pairing(ctx, actor, pairing_id)
    week = ctx.local_week(await ctx.participant(actor))
    current = await ctx.uow.prompt_cache.get(pairing.id, week)
    if current is not None and not fresh:
        return None
    context = await pair_context(ctx, pairing, week)
    if current is not None:
        seen = (*context.recent_prompts, *current.prompts, current.task)
        context = replace(context, recent_prompts=tuple(dict.fromkeys(seen)))
    return context


async def prompts_command(
    ctx: Ctx, actor: UserRef, pairing_id: str | None = None, fresh: bool = False
) -> Reply:
    """This week's prompts, made beforehand by `Mentorbot` outside the transaction when they were missing."""
    pairing = await _my_pairing(ctx, actor, pairing_id)
    week = ctx.local_week(await ctx.participant(actor))
    prompts = await prompts_for(ctx, pairing, week)
    people = await ctx.uow.participants.get_many(pairing.members())
    shared = common_language(*(people[m].language if m in people else None for m in pairing.members()))
    return Reply(prompts_message(pairing, week, prompts, shared), replace_original=fresh)


async def rate_prompt(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `PROMPT_RATE` button (`pairing id`, week, prompt index, up|down)."""
    week, raw_index, thumb = value.choice
    pairing = await _my_pairing(ctx, actor, value.id)
    shown = await ctx.uow.prompt_cache.get(pairing.id, week)
    index = int(raw_index)
    if shown is None or index >= len(shown.prompts):
        raise InvalidInput(_("That rating doesn't match a prompt you were shown; nothing was recorded."))
    topic = shown.topics[index] if index < len(shown.topics) else ""
    rating = PromptRating(
        new_id(), pairing.id, actor, week, index, topic, 1 if thumb == "up" else -1, ctx.now
    )
    if not await ctx.uow.prompt_ratings.add(rating):
        return Reply.text(_("You already rated that idea. Thanks!"))
    return Reply.text(
        _("Thanks! Later weeks will lean towards what you like.")
        if thumb == "up"
        else _("Noted: fewer ideas like that one.")
    )
