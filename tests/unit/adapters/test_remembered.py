"""The adapters' bounded memory: least recently used values go first, expired ones are not returned."""

from __future__ import annotations

import pytest

from adapters.remembered import Remembered


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_forgets_the_least_recently_used_beyond_the_limit() -> None:
    memory: Remembered[str, int] = Remembered(2)
    memory.put("a", 1)
    memory.put("b", 2)
    assert memory.get("a") == 1  # "a" is now the most recently used
    memory.put("c", 3)
    assert memory.get("b") is None
    assert (memory.get("a"), memory.get("c"), len(memory)) == (1, 3, 2)


def test_entries_expire_after_their_ttl() -> None:
    clock = FakeClock()
    memory: Remembered[str, str] = Remembered(10, ttl=60, clock=clock)
    memory.put("U1", "Ada")
    clock.now += 59.9
    assert memory.get("U1") == "Ada"
    clock.now += 0.2
    assert memory.get("U1") is None
    assert len(memory) == 0


def test_get_or_make_makes_once_per_key() -> None:
    made: list[str] = []
    memory: Remembered[str, str] = Remembered(10)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert memory.get_or_make("x", lambda: make("x")) == "X"
    assert memory.get_or_make("x", lambda: make("x")) == "X"
    assert made == ["x"]


def test_a_memory_must_hold_something() -> None:
    with pytest.raises(ValueError):
        Remembered(0)
