"""Each person's resources for the week are picked before the check-in fan-out, never in the send loop.

Picks are stored as they are made: a second run (a retried tick, another replica) finds them and shows
the same ones, and the stored picks are the round's memory of what was already shown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from conversations.domain import Pairing, Participant, Side, UserRef
from conversations.growth.picks import PickHistory, ResourceLibrary, ResourcePick, history_of, side_of
from conversations.growth.ranking import RankingRequest, ResourceRanker, apply_ranking
from conversations.growth.resource_catalogue import Resource
from conversations.i18n import negotiate
from conversations.ports import UnitOfWorkFactory

logger = logging.getLogger(__name__)

RANKING_CONCURRENCY = 16
"""Ranking requests in flight at once, as for discussion prompts."""

PickKey = tuple[str, UserRef, str]
"""(pairing id, person, week)."""
TopicTerms = Callable[[Participant, str], Sequence[str]]
"""A person's current subjects in a week (a development path's milestone, say); none by default."""


def no_topic_terms(person: Participant, week: str) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class _Wanted:
    key: PickKey
    person: Participant
    side: Side
    history: PickHistory
    topic_terms: tuple[str, ...]


class ResourcePreparation:
    def __init__(
        self,
        library: ResourceLibrary,
        ranker: ResourceRanker | None = None,
        topic_terms: TopicTerms = no_topic_terms,
        concurrency: int = RANKING_CONCURRENCY,
    ) -> None:
        self.library = library
        self.ranker = ranker
        self.topic_terms = topic_terms
        self._concurrency = concurrency

    async def prepare(
        self,
        uow_factory: UnitOfWorkFactory,
        due: Sequence[tuple[Pairing, UserRef, str]],
        people: Mapping[UserRef, Participant],
        now: datetime,
    ) -> dict[PickKey, tuple[Resource, ...]]:
        """The resources of each (pairing, person, week) in `due`: those already stored, else new picks,
        ranked by the model when there is one, stored before they are returned."""
        async with uow_factory() as uow:
            stored = await uow.resource_picks.for_users({member for _pairing, member, _week in due})
        ready: dict[PickKey, tuple[Resource, ...]] = {}
        wanted: list[_Wanted] = []
        for pairing, member, week in due:
            person = people.get(member)
            if person is None:
                continue
            key = (pairing.id, member, week)
            mine = stored.get(member, [])
            this_week = [p for p in mine if p.pairing_id == pairing.id and p.week == week]
            if this_week:
                ready[key] = self._resources(this_week)
                continue
            wanted.append(
                _Wanted(
                    key,
                    person,
                    side_of(person, pairing.side_of(member)),
                    history_of(mine, pairing.id),
                    tuple(self.topic_terms(person, week)),
                )
            )
        if not wanted:
            return ready
        made = await self._pick_all(wanted)
        picks = [
            ResourcePick(pairing_id, member, week, resource.id, position, now)
            for (pairing_id, member, week), resources in made.items()
            for position, resource in enumerate(resources)
        ]
        async with uow_factory() as uow:
            added = await uow.resource_picks.add_many(picks)
            if added != len(picks):  # another run stored some first: theirs are the ones shown
                again = await uow.resource_picks.for_users({w.key[1] for w in wanted})
                for key in made:
                    pairing_id, member, week = key
                    theirs = [
                        p for p in again.get(member, []) if p.pairing_id == pairing_id and p.week == week
                    ]
                    made[key] = self._resources(theirs)
            await uow.commit()
        ready.update(made)
        return ready

    def _resources(self, picks: Sequence[ResourcePick]) -> tuple[Resource, ...]:
        ordered = sorted(picks, key=lambda p: p.position)
        found = (self.library.catalogue.get(p.resource_id) for p in ordered)
        return tuple(r for r in found if r is not None)

    async def _pick_all(self, wanted: Sequence[_Wanted]) -> dict[PickKey, tuple[Resource, ...]]:
        if self.ranker is None:
            return {w.key: self._deterministic(w) for w in wanted}
        semaphore = asyncio.Semaphore(self._concurrency)

        async def pick(item: _Wanted) -> tuple[Resource, ...]:
            async with semaphore:
                return await self._ranked(item)

        made = await asyncio.gather(*(pick(w) for w in wanted))
        return {w.key: resources for w, resources in zip(wanted, made, strict=True)}

    def _deterministic(self, item: _Wanted) -> tuple[Resource, ...]:
        week = item.key[2]
        return self.library.resources_for(
            item.person, week, item.topic_terms, side=item.side, history=item.history
        )

    async def _ranked(self, item: _Wanted) -> tuple[Resource, ...]:
        """The model's choice from the shortlist; the shortlist's own order when it fails."""
        assert self.ranker is not None
        week = item.key[2]
        shortlist = self.library.shortlist(
            item.person, week, item.topic_terms, side=item.side, history=item.history
        )
        if len(shortlist) <= self.library.per_week:
            return shortlist
        catalogue = self.library.catalogue
        request = RankingRequest(
            side=item.side.value,
            learning_goals=item.person.learning_goals,
            topic_terms=item.topic_terms,
            language=negotiate(item.person.language),
            candidates=shortlist,
            liked=tuple(r.title for r in (catalogue.get(i) for i in sorted(item.history.liked)) if r),
            disliked=tuple(r.title for r in (catalogue.get(i) for i in sorted(item.history.disliked)) if r),
            count=self.library.per_week,
        )
        try:
            ranked = await self.ranker.rank(request)
        except Exception:  # noqa: BLE001 - the deterministic picks stand in for any failure
            logger.info("resource ranking failed; deterministic picks for %s", item.key[0], exc_info=True)
            return shortlist[: self.library.per_week]
        return apply_ranking(ranked, shortlist, self.library.per_week)
