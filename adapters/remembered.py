"""A bounded memory of values by key: the adapters' caches and their per-scope pacing state.

A long-running `serve` meets every workspace, tenant, conversation and person of the organisation, so
whatever an adapter keeps per key must forget the least recently used, or it grows for as long as the
process runs. Entries may also expire (`ttl`), for what the platform may change (a person's name or
time zone, the account behind an email).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """At most `limit` values; with `ttl`, each is forgotten that many seconds after it was put."""

    def __init__(
        self, limit: int, ttl: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError("remember at least one value")
        self._limit = limit
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        expires = float("inf") if self._ttl is None else self._clock() + self._ttl
        self._entries[key] = (expires, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        value = self.get(key)
        return self.put(key, make()) if value is None else value
