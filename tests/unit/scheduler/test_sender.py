"""The outbox sender with fakes: concurrency per workspace, each outcome recorded as soon as the platform
answers, what is retried, what fails, and what is handed back when a lease is about to run out."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from conversations.clock import ManualClock
from conversations.domain import Delivery, DeliveryStatus, Profile, UserRef
from conversations.errors import DeliveryError
from conversations.in_flight import request_started
from conversations.messages import OutgoingMessage
from conversations.outbox import Outbox
from conversations.sender import MAX_ATTEMPTS, RELEASE_PAUSE, OutboxSender, SenderOptions
from storage import tables
from tests.support.stores import TestStore

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


class FakeChat:
    """Records sends and how many were awaiting an answer at once, per workspace."""

    supports_group_dm = True

    def __init__(self, platform: str = "slack", answer=None) -> None:  # type: ignore[no-untyped-def]
        self.platform = platform
        self.answer = answer
        self.sent: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        ws = user.workspace_id
        self.in_flight[ws] += 1
        self.most_in_flight[ws] = max(self.most_in_flight[ws], self.in_flight[ws])
        request_started()
        try:
            for _ in range(3):  # a round trip: let the other sends run
                await asyncio.sleep(0)
            if self.answer is not None:
                await self.answer(user)
            self.sent[user.user_id] += 1
            return f"m-{user.user_id}"
        finally:
            self.in_flight[ws] -= 1

    async def open_group_dm(self, users: Sequence[UserRef]) -> str:
        return "group"

    async def post_to_channel(self, workspace_id: str, channel_id: str, message: OutgoingMessage) -> str:
        return "posted"

    async def get_profile(self, user: UserRef) -> Profile:
        return Profile(user.user_id)


class CountingStore:
    """The test store, counting committed units of work."""

    def __init__(self) -> None:
        self.store = TestStore()
        self.commits = 0

    def __call__(self):  # type: ignore[no-untyped-def]
        uow = self.store()
        commit = uow.commit

        async def counted() -> None:
            self.commits += 1
            await commit()

        uow.commit = counted  # type: ignore[method-assign]
        return uow

    async def deliveries(self) -> list[Delivery]:
        return list((await self.store.deliveries()).values())


async def enqueue(store, users: list[UserRef], at: datetime = NOW) -> None:  # type: ignore[no-untyped-def]
    async with store() as uow:
        for user in users:
            await Outbox(uow, at).dm(f"test:{user.key}", user, OutgoingMessage(text="hello"))
        await uow.commit()


def people(platform: str, workspace: str, count: int) -> list[UserRef]:
    return [UserRef(platform, workspace, f"U{workspace}{n:03d}") for n in range(count)]


async def test_sends_run_concurrently_up_to_the_limit_in_each_workspace() -> None:
    store = CountingStore()
    everyone = people("slack", "TA", 30) + people("slack", "TB", 30)
    await enqueue(store, everyone)
    chat = FakeChat()
    options = SenderOptions(in_flight_per_workspace=4, claim_size=50)

    report = await OutboxSender(store, {"slack": chat}, ManualClock(NOW), options).drain()

    assert report.sent == 60 and (report.retried, report.failed) == (0, 0)
    assert chat.most_in_flight == Counter({"TA": 4, "TB": 4})
    assert set(chat.sent.values()) == {1} and len(chat.sent) == 60
    assert {d.status for d in await store.deliveries()} == {DeliveryStatus.SENT}
    assert all(d.platform_message_id == f"m-{d.destination.users[0]}" for d in await store.deliveries())


async def test_each_outcome_is_recorded_before_the_next_send_starts_in_a_single_lane() -> None:
    """A crash can then repeat only the request on the wire, never one the platform already answered."""
    store = TestStore()
    everyone = people("slack", "TA", 6)
    await enqueue(store, everyone)
    unrecorded_at_each_send: list[int] = []

    async def look(_user: UserRef) -> None:
        answered = sum(chat.sent.values())
        recorded = sum(1 for d in (await store.deliveries()).values() if d.status is DeliveryStatus.SENT)
        unrecorded_at_each_send.append(answered - recorded)

    chat = FakeChat(answer=look)
    options = SenderOptions(in_flight_per_workspace=1, claim_size=50)
    report = await OutboxSender(store, {"slack": chat}, ManualClock(NOW), options).drain()
    assert report.sent == 6
    assert unrecorded_at_each_send == [0] * 6


async def test_each_platform_is_drained_only_by_a_sender_that_can_reach_it() -> None:
    store = TestStore()
    await enqueue(store, people("slack", "TA", 3) + people("teams", "tenant", 2))
    slack = FakeChat("slack")
    report = await OutboxSender(store, {"slack": slack}, ManualClock(NOW)).drain()
    assert report.sent == 3
    waiting = [d for d in (await store.deliveries()).values() if d.destination.platform == "teams"]
    assert [(d.status, d.attempts) for d in waiting] == [(DeliveryStatus.PENDING, 0)] * 2, (
        "left for another replica"
    )


async def test_a_sender_claims_the_oldest_rows_first_and_holds_no_more_than_its_claim_size() -> None:
    store = TestStore()
    slack = people("slack", "TA", 5)
    for age, user in zip(range(5, 0, -1), slack, strict=True):
        await enqueue(store, [user], at=NOW - timedelta(seconds=age))
    await enqueue(store, people("teams", "tenant", 1), at=NOW - timedelta(seconds=10))  # oldest of all
    leased_at_each_send: list[set[str]] = []

    async def look(_user: UserRef) -> None:
        deliveries = (await store.deliveries()).values()
        leased_at_each_send.append(
            {d.destination.users[0] for d in deliveries if d.status is DeliveryStatus.SENDING}
        )

    options = SenderOptions(in_flight_per_workspace=1, claim_size=4)
    report = await OutboxSender(store, {"slack": FakeChat(answer=look)}, ManualClock(NOW), options).drain()

    assert (report.sent, report.handled) == (5, 5)
    assert len(leased_at_each_send) == 5
    assert leased_at_each_send[0] == {u.user_id for u in slack[:4]}, "one claim: the four oldest it can send"
    assert max(len(leased) for leased in leased_at_each_send) == 4
    [unreachable] = [d for d in (await store.deliveries()).values() if d.destination.platform == "teams"]
    assert (unreachable.status, unreachable.attempts) == (DeliveryStatus.PENDING, 0)


@pytest.mark.parametrize(
    ("error", "status", "delay"),
    [
        (DeliveryError("user_not_found", permanent=True), DeliveryStatus.FAILED, None),
        (DeliveryError("server error"), DeliveryStatus.PENDING, timedelta(seconds=30)),
        (DeliveryError("ratelimited", retry_after=7), DeliveryStatus.PENDING, timedelta(seconds=7)),
        (RuntimeError("adapter bug"), DeliveryStatus.PENDING, timedelta(seconds=30)),
    ],
    ids=["permanent", "transient", "rate-limited", "unexpected"],
)
async def test_a_failed_send_is_failed_or_retried_as_the_error_says(
    error: Exception, status: DeliveryStatus, delay: timedelta | None
) -> None:
    store = TestStore()
    await enqueue(store, people("slack", "TA", 1))

    async def refuse(_user: UserRef) -> None:
        raise error

    report = await OutboxSender(store, {"slack": FakeChat(answer=refuse)}, ManualClock(NOW)).drain()
    [delivery] = (await store.deliveries()).values()
    assert delivery.status is status and delivery.attempts == 1 and delivery.last_error
    if delay is not None:
        assert delivery.not_before == NOW + delay
        assert report.retried == 1 and report.rate_limited == (1 if "ratelimited" in str(error) else 0)
    else:
        assert report.failed == 1


async def test_transient_errors_give_up_after_the_last_attempt_but_rate_limits_never_do() -> None:
    store = TestStore()
    transient, throttled = people("slack", "TA", 2)
    await enqueue(store, [transient, throttled])
    await store.execute(tables.deliveries.update().values(attempts=MAX_ATTEMPTS - 1))

    async def refuse(user: UserRef) -> None:
        if user == transient:
            raise DeliveryError("server error")
        raise DeliveryError("ratelimited", retry_after=1)

    report = await OutboxSender(store, {"slack": FakeChat(answer=refuse)}, ManualClock(NOW)).drain()
    by_user = {d.destination.users[0]: d for d in (await store.deliveries()).values()}
    assert by_user[transient.user_id].status is DeliveryStatus.FAILED
    assert by_user[throttled.user_id].status is DeliveryStatus.PENDING, "a 429 storm never drops a message"
    assert (report.failed, report.rate_limited) == (1, 1)


async def test_a_send_not_started_in_time_is_handed_back_and_one_stuck_on_the_wire_stays_in_doubt() -> None:
    """The queued send never reached the platform: handing it back repeats nothing. The stuck one did:
    it stays leased, like a send a crash interrupted, and is tried again only after the lease."""
    store = TestStore()
    stuck, queued = people("slack", "TA", 2)
    await enqueue(store, [stuck, queued])
    never = asyncio.Event()

    async def hang(_user: UserRef) -> None:
        await never.wait()

    options = SenderOptions(in_flight_per_workspace=1, lease=timedelta(seconds=0.4))
    assert options.start_deadline() < options.finish_deadline() < options.lease.total_seconds()
    report = await OutboxSender(store, {"slack": FakeChat(answer=hang)}, ManualClock(NOW), options).drain()

    assert (report.retried, report.released, report.in_doubt, report.sent) == (1, 1, 1, 0)
    rows = sorted((await store.deliveries()).values(), key=lambda d: d.status.value)
    waiting, on_the_wire = rows  # whichever was claimed first took the one lane and hung there
    assert {waiting.destination.users[0], on_the_wire.destination.users[0]} == {stuck.user_id, queued.user_id}
    assert waiting.status is DeliveryStatus.PENDING and waiting.lease_until is None
    assert waiting.not_before == NOW + RELEASE_PAUSE
    assert waiting.last_error == "the send was not started within the lease"
    assert on_the_wire.status is DeliveryStatus.SENDING
    assert on_the_wire.lease_until == NOW + options.lease


async def test_a_claim_left_by_a_crashed_sender_is_sent_after_its_lease() -> None:
    store = TestStore()
    await enqueue(store, people("slack", "TA", 3))
    clock = ManualClock(NOW)
    async with store() as uow:  # a sender claims, then dies before sending or recording anything
        claimed = await uow.deliveries.claim_due(NOW, NOW + timedelta(minutes=2), 2)
        await uow.commit()
    assert len(claimed) == 2

    chat = FakeChat()
    report = await OutboxSender(store, {"slack": chat}, clock).drain()
    assert report.sent == 1, "leased rows are not touched while the lease runs"
    clock.advance(timedelta(minutes=2))
    report = await OutboxSender(store, {"slack": chat}, clock).drain()
    assert report.sent == 2 and set(chat.sent.values()) == {1} and len(chat.sent) == 3
