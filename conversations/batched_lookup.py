"""Lookups that arrive together become one query.

The sender starts a whole window of sends at once, and each Teams send looks up its conversation and
the names it mentions. Read one at a time, those lookups take every database connection just when the
sender needs one to record what was sent, and outcomes are written late. Callers that ask in the same
turn of the event loop share one batched read instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BatchedLookup(Generic[K, V]):
    def __init__(self, fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]]) -> None:
        self._fetch = fetch
        self._batch: dict[K, None] | None = None
        self._result: asyncio.Future[Mapping[K, V]] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def get_many(self, keys: Collection[K]) -> dict[K, V]:
        """The values found for `keys`; keys with none are left out."""
        if not keys:
            return {}
        loop = asyncio.get_running_loop()
        if self._batch is None or self._result is None:
            self._batch, self._result = {}, loop.create_future()
            loop.call_soon(self._start)  # runs after every caller ready in this turn has asked
        self._batch.update(dict.fromkeys(keys))
        found = await asyncio.shield(self._result)
        return {key: found[key] for key in keys if key in found}

    async def get(self, key: K) -> V | None:
        return (await self.get_many((key,))).get(key)

    def _start(self) -> None:
        batch, result = self._batch, self._result
        self._batch = self._result = None
        if batch is None or result is None:
            return
        task = asyncio.ensure_future(self._run(list(batch), result))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, keys: list[K], result: asyncio.Future[Mapping[K, V]]) -> None:
        try:
            found = await self._fetch(keys)
        except BaseException as error:  # every waiter sees the failure, as a lone read would
            if not result.done():
                result.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            if not result.done():
                result.set_result(found)
