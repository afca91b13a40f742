"""A request whose gate closed (a 429) while it waited for a worker thread is not sent."""

from __future__ import annotations

import asyncio
import threading

import pytest

from adapters.teams.resilience import ConnectorCalls, PacingPolicy
from adapters.teams.threads import RequestHeldBack, RequestThreads, WireSpacer, hold_while


async def test_a_held_request_never_runs_and_an_open_one_does() -> None:
    loop = asyncio.get_running_loop()
    executor = RequestThreads(max_workers=2)
    ran: list[str] = []
    try:
        with hold_while(lambda: True), pytest.raises(RequestHeldBack):
            await loop.run_in_executor(executor, ran.append, "held")
        with hold_while(lambda: False):
            await loop.run_in_executor(executor, ran.append, "open")
        await loop.run_in_executor(executor, ran.append, "no hold")
    finally:
        executor.shutdown()
    assert ran == ["open", "no hold"]


async def test_only_the_first_job_of_a_send_is_checked() -> None:
    """Later jobs read the answer of a request already on the wire: stopping them would lose it."""
    loop = asyncio.get_running_loop()
    executor = RequestThreads(max_workers=2)
    paused = False
    ran: list[str] = []
    try:
        with hold_while(lambda: paused):
            await loop.run_in_executor(executor, ran.append, "request")
            paused = True
            await loop.run_in_executor(executor, ran.append, "reading the answer")
    finally:
        executor.shutdown()
    assert ran == ["request", "reading the answer"]


async def test_a_call_waiting_for_a_thread_when_a_429_arrives_goes_after_the_pause() -> None:
    """The call passed its gate, then waited for the only worker thread; meanwhile the tenant was told
    to wait. It must not reach the wire before the pause ends, and must still be sent once."""
    loop = asyncio.get_running_loop()
    executor = RequestThreads(max_workers=1)
    calls = ConnectorCalls(pacing=PacingPolicy(per_tenant_per_second=1000, per_conversation_per_second=1000))
    tenant_gate = calls._gates("tenant", "conversation")[0]
    worker_free = threading.Event()
    pause_left_when_sent: list[float] = []

    def request() -> str:
        pause_left_when_sent.append(tenant_gate.paused_for)
        return "sent"

    async def call() -> str:
        return await loop.run_in_executor(executor, request)

    try:
        busy = loop.run_in_executor(executor, worker_free.wait)
        sending = asyncio.ensure_future(calls.run("tenant", "conversation", call))
        await asyncio.sleep(0.05)  # through the gate, queued behind the busy worker
        tenant_gate.pause(0.2)
        worker_free.set()
        await busy
        assert await sending == "sent"
    finally:
        worker_free.set()
        executor.shutdown()
    assert pause_left_when_sent == [0.0]


def test_requests_leave_the_spacer_one_interval_apart_however_they_arrive() -> None:
    now = [100.0]
    slept: list[float] = []
    spacer = WireSpacer(20, clock=lambda: now[0], sleep=slept.append)
    for _ in range(3):  # three requests reach their threads at the same instant
        spacer.wait()
    assert slept == pytest.approx([0.05, 0.1])
    now[0] += 1.0  # a quiet second: the next one goes at once
    spacer.wait()
    assert len(slept) == 2
