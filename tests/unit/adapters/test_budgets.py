"""Both platforms' budgets: a send waits at its gates, or goes back to the outbox during a long pause."""

from __future__ import annotations

import pytest

from adapters.send_gate import Budgets
from conversations.errors import DeliveryError


async def test_a_short_pause_is_waited_out_at_the_gate() -> None:
    budgets = Budgets({"tenant": 1000.0}, longest_wait=5.0)
    gate = budgets.gate("tenant", "T1")
    gate.pause(0.01)
    await budgets.wait_turn([gate], "teams")
    assert gate.paused_for == 0.0


async def test_a_pause_longer_than_the_longest_wait_hands_the_send_back_with_its_retry_after() -> None:
    budgets = Budgets({"messages": 1000.0, "channel": 1000.0}, longest_wait=5.0)
    method = budgets.gate("messages", ("W1", "chat.postMessage"))
    channel = budgets.gate("channel", ("W1", "C1"))
    channel.pause(30)
    with pytest.raises(DeliveryError) as raised:
        await budgets.wait_turn([method, channel], "slack: chat.postMessage")
    assert raised.value.retry_after is not None and raised.value.retry_after > 29
    assert not raised.value.permanent


def test_each_scope_of_a_kind_has_its_own_gate() -> None:
    budgets = Budgets({"tenant": 50.0, "conversation": 7.0}, longest_wait=30.0)
    assert budgets.gate("tenant", "T1") is budgets.gate("tenant", "T1")
    assert budgets.gate("tenant", "T1") is not budgets.gate("tenant", "T2")
    assert budgets.gate("tenant", "T1") is not budgets.gate("conversation", "T1")
