"""The sender: claims due outbox rows, sends them, and records each outcome.

Senders claim rows with a lease, send them concurrently per workspace (the chat adapters pace
themselves to the platform's limits; the sender keeps enough requests in flight to use that budget), and
record each outcome as soon as the platform answers. A send that has not reached the wire by its
deadline is handed back; one that has is never abandoned. A sender killed at any moment leaves its
claimed rows leased; they are claimed again once the lease ends, so at most the requests that were on
the wire (or being recorded) at that instant can be sent twice, and none is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from conversations.domain import Delivery, Destination, UserRef
from conversations.errors import DeliveryError
from conversations.i18n import speaking
from conversations.in_flight import SendStart, watch_requests
from conversations.messages import OutgoingMessage, message_from_dict
from conversations.outbox import LANGUAGE_KEY
from conversations.ports import ChatPort, Clock, UnitOfWorkFactory

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)
RELEASE_PAUSE = timedelta(seconds=1)
"""A row handed back unsent waits this long, so a sender that cannot keep up does not re-claim it at once."""


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    rate_limited: int = 0
    """Of `retried`: sends the platform asked to slow down (429 with Retry-After); they never give up."""
    released: int = 0
    """Of `retried`: claimed rows handed back unsent because their lease was about to run out."""
    in_doubt: int = 0
    """Sends cut short unfinished near the end of their lease: their rows stay leased, in doubt, and
    are sent again once the lease has run out (the one case besides a crash that can repeat a message)."""

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
            self.rate_limited + other.rate_limited,
            self.released + other.released,
            self.in_doubt + other.in_doubt,
        )

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


@dataclass(frozen=True)
class SenderOptions:
    """How hard one process pushes; the platform's own limits live in the chat adapters' pacing."""

    in_flight_per_workspace: int = 32
    """Sends awaiting an answer at once per workspace (Slack) or tenant (Teams). At 50 requests/s and
    300 ms per request about 15 are needed to use the whole budget; more only queue in the adapter."""
    claim_size: int = 200
    """Rows claimed per database round trip; a platform never holds more than this many unsent claims."""
    lease: timedelta = LEASE
    """How long claimed rows stay ours. A send not finished well within it is handed back, so a slow
    sender never races another replica for the same row."""

    def start_deadline(self) -> float:
        """Seconds after claiming by which a send must be on the wire; one that is not is handed back
        unsent, so another replica never claims a row this one might still send."""
        return self.lease.total_seconds() / 2

    def finish_deadline(self) -> float:
        """Seconds after claiming by which a started send must have ended, leaving time to record it.
        The adapters' own HTTP timeouts end a send long before this with the default lease."""
        return self.lease.total_seconds() * 0.9


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    wait = min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait


async def send_one(chat: ChatPort, delivery: Delivery) -> str:
    """Send through the platform; a group goes to one group conversation where the platform has them."""
    message = message_from_dict(delivery.message)
    language = delivery.message.get(LANGUAGE_KEY)
    with speaking(language if isinstance(language, str) else None):
        return await _send_in_language(chat, delivery, message)


async def _send_in_language(chat: ChatPort, delivery: Delivery, message: OutgoingMessage) -> str:
    dest = delivery.destination
    if dest.channel_id is not None:
        return await chat.post_to_channel(dest.workspace_id, dest.channel_id, message)
    users = [UserRef(dest.platform, dest.workspace_id, u) for u in dest.users]
    if len(users) == 1:
        return await chat.send_dm(users[0], message)
    if not chat.supports_group_dm:
        raise DeliveryError("this platform cannot start a group conversation", permanent=True)
    conversation = await chat.open_group_dm(users)
    return await chat.post_to_channel(dest.workspace_id, conversation, message)


@dataclass(frozen=True)
class _Outcome:
    delivery: Delivery
    message_id: str | None = None
    error: DeliveryError | None = None
    released: bool = False


class _OutcomeLog:
    """Records each outcome as soon as the platform has answered.

    One write runs at a time; outcomes that arrive while it runs go together in the next one (a group
    commit), so at 50 messages a second nothing waits longer than one commit, and a crash can repeat only
    the sends that were on the wire or being recorded at that instant.
    """

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._pending: list[_Outcome] = []
        self._lock = asyncio.Lock()
        self.report = SendReport()

    async def add(self, outcome: _Outcome) -> None:
        self._pending.append(outcome)
        await asyncio.shield(self.flush())  # a write once begun is finished, even if we are cancelled

    async def close(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Write what the platforms answered first, in its own short transaction, then the rows handed
        back unsent: a crash during a long hand-back must not take the sent ones down with it."""
        async with self._lock:
            batch, self._pending = self._pending, []
            parts = [[o for o in batch if not o.released], [o for o in batch if o.released]]
            while parts:
                part = parts[0]
                if part:
                    try:
                        self.report += await self._write(part)
                    except Exception:
                        # Keep them for the next write; if the database stays away the leases run out
                        # and the rows are sent again, the one case where a sent message may repeat.
                        logger.exception("recording %d delivery outcomes failed; will retry", len(part))
                        self._pending = [o for unwritten in parts for o in unwritten] + self._pending
                        return
                parts.pop(0)

    async def _write(self, batch: list[_Outcome]) -> SendReport:
        sent = retried = failed = rate_limited = released = 0
        done = self._clock.now()
        async with self._uow_factory() as uow:
            for outcome in batch:
                delivery, error = outcome.delivery, outcome.error
                if error is None:
                    await uow.deliveries.mark_sent(delivery.id, outcome.message_id, done)
                    sent += 1
                elif outcome.released:
                    await uow.deliveries.mark_retry(delivery.id, str(error)[:500], done + RELEASE_PAUSE)
                    retried += 1
                    released += 1
                elif error.permanent or (error.retry_after is None and delivery.attempts >= MAX_ATTEMPTS):
                    # A platform that says when to come back (429, a revoked token being fixed) is
                    # never given up on: those rows wait, they do not fail.
                    await uow.deliveries.mark_failed(delivery.id, str(error)[:500])
                    failed += 1
                elif error.retry_after is not None:
                    wait = timedelta(seconds=max(error.retry_after, 0.0))
                    await uow.deliveries.mark_retry(delivery.id, str(error)[:500], done + wait)
                    retried += 1
                    rate_limited += 1
                else:
                    wait = backoff(delivery.attempts, None)
                    await uow.deliveries.mark_retry(delivery.id, str(error)[:500], done + wait)
                    retried += 1
            await uow.commit()
        return SendReport(sent, retried, failed, rate_limited, released)


@dataclass
class _Lanes:
    """One semaphore per (platform, workspace): a slow or throttled workspace never starves another."""

    size: int
    lanes: dict[tuple[str, str], asyncio.Semaphore] = field(default_factory=dict)

    def of(self, destination: Destination) -> asyncio.Semaphore:
        key = (destination.platform, destination.workspace_id)
        lane = self.lanes.get(key)
        if lane is None:
            lane = self.lanes[key] = asyncio.Semaphore(self.size)
        return lane


class OutboxSender:
    """Claims due deliveries, sends them concurrently per workspace, and records every outcome."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        chats: Mapping[str, ChatPort],
        clock: Clock,
        options: SenderOptions | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._chats = chats
        self._clock = clock
        self.options = options or SenderOptions()
        self._lanes = _Lanes(self.options.in_flight_per_workspace)

    async def drain(self, platform: str | None = None) -> SendReport:
        """Send everything due now on the platforms this process can reach (or just `platform`).

        Rows for a platform without a chat port here are left alone for a replica that has one.
        """
        platforms = [platform] if platform is not None else sorted(self._chats)
        platforms = [p for p in platforms if p in self._chats]
        if not platforms:
            return SendReport()
        log = _OutcomeLog(self._uow_factory, self._clock)
        try:
            await asyncio.gather(*(self._drain_platform(p, log) for p in platforms))
        finally:
            await log.close()
        return log.report

    async def _drain_platform(self, platform: str, log: _OutcomeLog) -> None:
        """Keep up to `claim_size` claimed rows moving; claim more as soon as half have gone out."""
        chat = self._chats[platform]
        window = self.options.claim_size
        loop = asyncio.get_running_loop()
        running: set[asyncio.Task[None]] = set()
        backlog = True
        """False once a claim came back short: ask again only when the sends under way are done."""
        try:
            while True:
                room = window - len(running)
                if (backlog and room >= max(1, window // 2)) or not running:
                    batch = await self._claim(platform, room)
                    backlog = len(batch) == room
                    claimed_at = loop.time()
                    running.update(
                        asyncio.create_task(self._deliver(chat, d, claimed_at, log)) for d in batch
                    )
                    if not running:
                        return
                _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def _claim(self, platform: str, limit: int) -> list[Delivery]:
        if limit <= 0:
            return []
        now = self._clock.now()
        async with self._uow_factory() as uow:
            batch = await uow.deliveries.claim_due(now, now + self.options.lease, limit, platform)
            await uow.commit()
        return batch

    async def _deliver(self, chat: ChatPort, delivery: Delivery, claimed_at: float, log: _OutcomeLog) -> None:
        """Send one row. Until it reaches the wire it may be abandoned and handed back, which repeats
        nothing; once on the wire it runs to its end. Only a send still unfinished near the end of the
        lease (far past the adapters' HTTP timeouts) is cut short; its row stays leased, in doubt like
        one a crash interrupted, and is sent again only when the lease has run out."""
        start = SendStart()
        sending = asyncio.create_task(self._send(chat, delivery, start))
        try:
            try:
                await _until_started(sending, start, claimed_at + self.options.start_deadline())
            except TimeoutError:
                if start.abandon():
                    logger.warning(
                        "delivery %s was not started within its lease; handing it back",
                        delivery.idempotency_key,
                    )
                    await _cancel(sending)
                    error = DeliveryError("the send was not started within the lease")
                    await log.add(_Outcome(delivery, error=error, released=True))
                    return
            async with asyncio.timeout_at(claimed_at + self.options.finish_deadline()):
                message_id = await asyncio.shield(sending)
        except TimeoutError:
            logger.warning(
                "delivery %s did not finish within its lease; it stays leased and may be sent again",
                delivery.idempotency_key,
            )
            await _cancel(sending)
            log.report += SendReport(in_doubt=1)
        except DeliveryError as error:
            await log.add(_Outcome(delivery, error=error))
        except asyncio.CancelledError:
            sending.cancel()
            raise
        except Exception as error:  # an adapter bug must not lose the message: retry it later
            logger.exception("sending delivery %s failed", delivery.idempotency_key)
            await log.add(_Outcome(delivery, error=DeliveryError(f"{type(error).__name__}: {error}")))
        else:
            await log.add(_Outcome(delivery, message_id=message_id))

    async def _send(self, chat: ChatPort, delivery: Delivery, start: SendStart) -> str:
        watch_requests(start)
        async with self._lanes.of(delivery.destination):
            return await send_one(chat, delivery)


async def _cancel(sending: asyncio.Task[str]) -> None:
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)


async def _until_started(sending: asyncio.Task[str], start: SendStart, deadline: float) -> None:
    """Wait until the send is on the wire or over, or raise TimeoutError at `deadline` if neither."""
    waiting = asyncio.ensure_future(start.wait())
    try:
        async with asyncio.timeout_at(deadline):
            await asyncio.wait({sending, waiting}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiting.cancel()
