"""Embeddings of the pool's skill and goal terms, fetched before a round is matched.

Matching itself never waits on the network: the round's runner first gathers the distinct terms of the
pool, reads the vectors already cached for the configured model, asks the embeddings model only for the
missing ones (in batches, within one deadline), checks every vector (one per term, same dimension as the
rest, finite, not zero) and stores them. Any failure - a timeout, an error, a wrong dimension, a NaN -
means the round is matched on the vocabulary alone, exactly as without a model; vectors fetched before
the failure stay cached for the next round.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable, Sequence
from datetime import datetime

from conversations.domain import Participant
from conversations.matching.model import TermVectors
from conversations.matching.vocabulary import DEFAULT_VOCABULARY, Vocabulary
from conversations.ports import TermEmbedder, UnitOfWorkFactory
from conversations.privacy import MEANING_MATCHING, texts_for

logger = logging.getLogger(__name__)

EMBEDDING_BATCH = 256
"""Terms per request to the embeddings model."""
EMBEDDING_DEADLINE = 20.0
"""Seconds all requests of one round may take together; beyond it the vocabulary decides alone."""
MAX_TERM_CHARS = 200
"""Longer "terms" are sentences, not skills: they are matched on the vocabulary only, never sent."""


class VectorsInvalid(ValueError):
    """The model answered, but not with one usable vector per term."""


def pool_terms(people: Iterable[Participant], vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> list[str]:
    """The distinct terms matching compares, as the vocabulary's keys (what is embedded and cached)."""
    keys = {vocabulary.canonical(text) for person in people for text in texts_for(MEANING_MATCHING, person)}
    return sorted(key for key in keys if key and len(key) <= MAX_TERM_CHARS)


def _checked(terms: Sequence[str], vectors: Sequence[Sequence[float]], dimensions: int | None) -> int:
    """The vectors' common dimension; raises when any vector is missing, of another size or not finite."""
    if len(vectors) != len(terms):
        raise VectorsInvalid(f"{len(vectors)} vectors for {len(terms)} terms")
    for vector in vectors:
        size = len(vector)
        if size == 0 or (dimensions is not None and size != dimensions):
            raise VectorsInvalid(f"a vector of {size} dimensions where {dimensions} were expected")
        dimensions = size
        if not all(math.isfinite(x) for x in vector) or not any(vector):
            raise VectorsInvalid("a vector that is not finite, or zero")
    if dimensions is None:
        raise VectorsInvalid("no vectors")
    return dimensions


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def term_vectors(
    uow_factory: UnitOfWorkFactory,
    embedder: TermEmbedder | None,
    terms: Sequence[str],
    now: datetime,
    deadline: float = EMBEDDING_DEADLINE,
) -> TermVectors | None:
    """The vectors of `terms`, or None: no model, or the model failed and the vocabulary decides alone."""
    if embedder is None or not terms:
        return None
    model = embedder.model
    async with uow_factory() as uow:
        known = await uow.term_vectors.get_many(model, terms)
    sizes = {len(v) for v in known.values()}
    if len(sizes) > 1:
        logger.warning(
            "cached vectors of model %s differ in dimension: matching on the vocabulary alone", model
        )
        return None
    dimensions = next(iter(sizes), None)
    missing = [t for t in terms if t not in known]
    ends_at = asyncio.get_running_loop().time() + deadline
    try:
        for batch in _batches(missing, EMBEDDING_BATCH):
            async with asyncio.timeout_at(ends_at):
                vectors = await embedder.embed(batch)
            dimensions = _checked(batch, vectors, dimensions)
            fresh = {
                term: tuple(float(x) for x in vector) for term, vector in zip(batch, vectors, strict=True)
            }
            async with uow_factory() as uow:
                await uow.term_vectors.add_many(model, fresh, now)
                await uow.commit()
            known.update(fresh)
    except Exception as error:  # noqa: BLE001 - every failure has the same remedy: the vocabulary alone
        logger.warning("embeddings model %s failed, matching on the vocabulary alone: %r", model, error)
        return None
    if missing:
        logger.info(
            "embedded %d new terms with %s (%d cached)", len(missing), model, len(terms) - len(missing)
        )
    return TermVectors(model, known)
