"""Lookups asked for in the same turn of the event loop are read with one query."""

from __future__ import annotations

import asyncio

import pytest

from conversations.batched_lookup import BatchedLookup


class Table:
    def __init__(self, rows: dict[str, int]) -> None:
        self.rows = rows
        self.queries: list[list[str]] = []
        self.fail = False

    async def fetch(self, keys: list[str]) -> dict[str, int]:
        self.queries.append(sorted(keys))
        await asyncio.sleep(0)
        if self.fail:
            raise RuntimeError("database gone")
        return {key: self.rows[key] for key in keys if key in self.rows}


async def test_callers_asking_together_share_one_query() -> None:
    table = Table({"a": 1, "b": 2, "c": 3})
    lookup = BatchedLookup(table.fetch)
    results = await asyncio.gather(
        lookup.get("a"), lookup.get("b"), lookup.get_many(["c", "missing"]), lookup.get("a")
    )
    assert results == [1, 2, {"c": 3}, 1]
    assert table.queries == [["a", "b", "c", "missing"]]


async def test_callers_in_later_turns_get_queries_of_their_own() -> None:
    table = Table({"a": 1, "b": 2})
    lookup = BatchedLookup(table.fetch)
    assert await lookup.get("a") == 1
    assert await lookup.get("b") == 2
    assert await lookup.get("nobody") is None
    assert table.queries == [["a"], ["b"], ["nobody"]]
    assert await lookup.get_many([]) == {}
    assert len(table.queries) == 3, "asking for nothing reads nothing"


async def test_a_failed_query_fails_every_caller_of_the_batch_and_not_the_next() -> None:
    table = Table({"a": 1})
    lookup = BatchedLookup(table.fetch)
    table.fail = True
    results = await asyncio.gather(lookup.get("a"), lookup.get("b"), return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
    table.fail = False
    assert await lookup.get("a") == 1


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    table = Table({"a": 1, "b": 2})
    lookup = BatchedLookup(table.fetch)
    doomed = asyncio.ensure_future(lookup.get("a"))
    survivor = asyncio.ensure_future(lookup.get("b"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    doomed.cancel()
    assert await survivor == 2
    with pytest.raises(asyncio.CancelledError):
        await doomed
