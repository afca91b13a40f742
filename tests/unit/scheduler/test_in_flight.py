"""Whether a send reached the wire is decided once: a request cannot begin after the send was handed back."""

from __future__ import annotations

import asyncio

import pytest

from conversations.in_flight import SendAbandoned, SendStart, request_started, watch_requests


async def test_a_request_that_begins_first_wins_and_cannot_be_abandoned() -> None:
    start = SendStart()
    assert start.begin() and start.started
    assert not start.abandon(), "a request on the wire runs to its end"
    assert start.begin(), "a second request of the same send (a retry) may go too"
    await asyncio.wait_for(start.wait(), 1)


async def test_a_worker_thread_picking_up_an_abandoned_send_is_refused() -> None:
    start = SendStart()
    outcome: list[str] = []

    async def send() -> None:
        watch_requests(start)

        def on_worker_thread() -> None:
            request_started()
            outcome.append("request made")

        await asyncio.to_thread(on_worker_thread)  # runs in a copy of this task's context

    assert start.abandon()
    with pytest.raises(SendAbandoned):
        await asyncio.create_task(send())
    assert outcome == [] and not start.started


async def test_a_start_from_a_worker_thread_wakes_the_sender() -> None:
    start = SendStart()

    async def send() -> None:
        watch_requests(start)
        await asyncio.to_thread(request_started)

    await asyncio.create_task(send())
    await asyncio.wait_for(start.wait(), 1)
    assert start.started and not start.abandon()


def test_outside_a_watched_send_nothing_happens() -> None:
    request_started()
