"""Paths are made by the clock, never by a click: each tick finds the people of active pairings who
have no path yet (pairs introduced since the last tick, by the clock or by an admin's `pair`), asks
the suggester for theirs outside any transaction, stores them, and queues the offer.

Stored paths are the cache: a person with one is never asked for again, so the LLM sees at most one
request per person per round (the first stored path wins if two replicas race).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conversations.domain import DevelopmentPath, PairingStatus, ParticipantStatus, UserRef
from conversations.i18n import speaking
from conversations.ports import MilestoneSet, PathContext, PathSuggester, UnitOfWork, UnitOfWorkFactory
from conversations.services.context import Ctx
from conversations.services.paths import path_message

logger = logging.getLogger(__name__)

CONCURRENCY = 16
"""Requests in flight to the LLM at once, as for prompts."""
BATCH = 500
"""Paths stored (and offers queued) per transaction."""


@dataclass(frozen=True)
class PathReport:
    people: int = 0
    from_llm: int = 0
    from_library: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Wanted:
    """A person who needs a path, and what it is made from (all a model may see of them)."""

    user: UserRef
    context: PathContext


async def people_without_paths(ctx: Ctx) -> list[Wanted]:
    """Everyone of an active pairing who has no path for it yet (people who left excepted)."""
    pairings = await ctx.uow.pairings.list(status=PairingStatus.ACTIVE)
    if not pairings:
        return []
    existing = await ctx.uow.development_paths.owners([p.id for p in pairings])
    weeks: dict[str, int] = {}
    for cycle_id in {p.cycle_id for p in pairings}:
        cycle = await ctx.uow.cycles.get(cycle_id)
        weeks[cycle_id] = cycle.weeks if cycle is not None else 0
    missing = [
        (pairing, member)
        for pairing in pairings
        for member in pairing.members()
        if (pairing.id, member) not in existing and weeks[pairing.cycle_id] > 0
    ]
    people = await ctx.uow.participants.get_many({member for _pairing, member in missing})
    wanted = []
    for pairing, member in missing:
        person = people.get(member)
        side = pairing.side_of(member)
        if person is None or person.status is ParticipantStatus.LEFT or side is None:
            continue
        context = PathContext(
            pairing.id, side, person.skills, person.learning_goals, weeks[pairing.cycle_id], person.language
        )
        wanted.append(Wanted(member, context))
    return wanted


async def prepare_paths(
    uow_factory: UnitOfWorkFactory,
    contexts: Callable[[UnitOfWork], Ctx],
    suggester: PathSuggester,
    *,
    concurrency: int = CONCURRENCY,
) -> PathReport:
    """Make, store and offer the missing paths; safe to run again (stored paths are skipped)."""
    async with uow_factory() as uow:
        ctx = contexts(uow)
        wanted = await people_without_paths(ctx)
        now = ctx.now
    if not wanted:
        return PathReport()
    semaphore = asyncio.Semaphore(concurrency)

    async def suggest(context: PathContext) -> MilestoneSet | None:
        async with semaphore:
            try:
                return await suggester.suggest_path(context)
            except Exception:  # noqa: BLE001 - one person's failure must not stop the others
                logger.exception("no path for a person of pairing %s", context.pairing_id)
                return None

    made = await asyncio.gather(*(suggest(w.context) for w in wanted))
    sources: dict[str, int] = {}
    offers: list[tuple[DevelopmentPath, str | None]] = []
    for person, offered in zip(wanted, made, strict=True):
        if offered is None or not offered.milestones:
            continue
        sources[offered.source] = sources.get(offered.source, 0) + 1
        context = person.context
        path = DevelopmentPath(
            context.pairing_id, person.user, context.side, offered.milestones, offered.source, now
        )
        offers.append((path, context.language))
    await _store_and_offer(uow_factory, contexts, offers)
    report = PathReport(
        len(wanted), sources.get("llm", 0), sources.get("library", 0), len(wanted) - len(offers)
    )
    logger.info("development paths: %s", report)
    return report


async def _store_and_offer(
    uow_factory: UnitOfWorkFactory,
    contexts: Callable[[UnitOfWork], Ctx],
    offers: Sequence[tuple[DevelopmentPath, str | None]],
) -> None:
    for start in range(0, len(offers), BATCH):
        batch = offers[start : start + BATCH]
        language = {(path.pairing_id, path.user): lang for path, lang in batch}
        async with uow_factory() as uow:
            ctx = contexts(uow)
            for path in await uow.development_paths.add_many([path for path, _lang in batch]):
                with speaking(language[(path.pairing_id, path.user)]):
                    await ctx.outbox.dm(
                        f"path:{path.pairing_id}:{path.user.key}", path.user, path_message(path)
                    )
            await uow.commit()
