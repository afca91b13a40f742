"""An optional language model reorders a person's shortlist. It answers with catalogue ids only; ids it
invents, or that were not on the shortlist, are dropped and the deterministic order fills the gap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from conversations.growth.resource_catalogue import Resource


@dataclass(frozen=True)
class RankingRequest:
    """Everything a model may know to rank (see `conversations.privacy.RESOURCE_RANKING`)."""

    side: str
    learning_goals: tuple[str, ...]
    topic_terms: tuple[str, ...]
    language: str
    candidates: tuple[Resource, ...]
    liked: tuple[str, ...] = ()
    """Titles of resources the person gave a 👍."""
    disliked: tuple[str, ...] = ()
    count: int = 2


class ResourceRanker(Protocol):
    async def rank(self, request: RankingRequest) -> Sequence[str]:
        """Candidate ids, best first; raises when the model cannot answer."""
        ...


def apply_ranking(
    ranked_ids: Sequence[object], shortlist: Sequence[Resource], count: int
) -> tuple[Resource, ...]:
    """The model's choices that are on the shortlist, in its order, topped up from the shortlist's."""
    by_id = {r.id: r for r in shortlist}
    chosen: list[Resource] = []
    for resource_id in ranked_ids:
        resource = by_id.get(resource_id) if isinstance(resource_id, str) else None
        if resource is not None and resource not in chosen:
            chosen.append(resource)
    for resource in shortlist:
        if resource not in chosen:
            chosen.append(resource)
    return tuple(chosen[:count])
