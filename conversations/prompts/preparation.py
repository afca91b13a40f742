"""Prompts are computed ahead of the weekly fan-out and cached, so sending never waits on an LLM.

The send loop only reads the cache (`prompts_for_fanout`); a pair missing from it (paired after the
preparation ran) gets library prompts on the spot, which costs microseconds and no network.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from conversations.ports import PairContext, PromptSet, PromptSuggester, UnitOfWork, UnitOfWorkFactory
from conversations.prompts.library_suggester import LibrarySuggester

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 16
"""Requests in flight to the LLM at once: enough to hide latency, few enough to stay under rate limits."""
DEFAULT_BATCH_SIZE = 200
"""Cache writes per unit of work: one transaction per pair would dominate on a real database."""


@dataclass(frozen=True)
class PreparationReport:
    pairs: int
    already_cached: int
    prepared: int
    from_llm: int
    from_library: int
    failed: int


async def prepare_weekly_prompts(
    uow_factory: UnitOfWorkFactory,
    suggester: PromptSuggester,
    contexts: Sequence[PairContext],
    week: str,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PreparationReport:
    """Fill the prompt cache for `week`, skipping pairs that already have prompts.

    Safe to run again (a retried job, a second replica): cached pairs are skipped before any request
    and, at write time, the first stored set wins so every reader sees the same prompts.
    """
    if concurrency < 1 or batch_size < 1:
        raise ValueError("concurrency and batch_size must be at least 1")
    unique: dict[str, PairContext] = {}
    for context in contexts:
        unique.setdefault(
            context.pairing_id, context if context.week == week else replace(context, week=week)
        )

    async with uow_factory() as uow:
        missing = [c for c in unique.values() if await uow.prompt_cache.get(c.pairing_id, week) is None]
    already_cached = len(unique) - len(missing)

    semaphore = asyncio.Semaphore(concurrency)
    write_lock = asyncio.Lock()
    pending: list[tuple[str, PromptSet]] = []
    sources: dict[str, int] = {}
    failed = 0

    async def flush() -> None:
        async with write_lock:
            batch = pending[:]
            del pending[:]
            if batch:
                await _store(uow_factory, week, batch)

    async def prepare(context: PairContext) -> None:
        nonlocal failed
        async with semaphore:
            try:
                prompts = await suggester.suggest(context)
            except Exception:  # noqa: BLE001 - one pair's failure must not stop the others
                logger.exception("no prompts for pairing %s in %s", context.pairing_id, week)
                failed += 1
                return
        sources[prompts.source] = sources.get(prompts.source, 0) + 1
        pending.append((context.pairing_id, prompts))
        if len(pending) >= batch_size:
            await flush()

    async with asyncio.TaskGroup() as group:
        for context in missing:
            group.create_task(prepare(context))
    await flush()

    report = PreparationReport(
        pairs=len(unique),
        already_cached=already_cached,
        prepared=len(missing) - failed,
        from_llm=sources.get("llm", 0),
        from_library=sources.get("library", 0),
        failed=failed,
    )
    logger.info("prompts for %s: %s", week, report)
    return report


async def _store(uow_factory: UnitOfWorkFactory, week: str, batch: list[tuple[str, PromptSet]]) -> None:
    async with uow_factory() as uow:
        for pairing_id, prompts in batch:
            if await uow.prompt_cache.get(pairing_id, week) is None:
                await uow.prompt_cache.save(pairing_id, week, prompts)
        await uow.commit()


async def prompts_for_fanout(uow: UnitOfWork, library: LibrarySuggester, context: PairContext) -> PromptSet:
    """The cached prompts, or library prompts right away: the send loop never calls an LLM."""
    cached = await uow.prompt_cache.get(context.pairing_id, context.week)
    return cached if cached is not None else library.choose(context)
