"""The outbox: every message the engine sends is recorded here before it goes out.

A unique idempotency key makes a second enqueue of the same message (a retried tick, a second replica,
a double click) a no-op; the sender then claims rows with a lease so a crash repeats at most what was
in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.domain import Delivery, Destination, UserRef, new_id
from conversations.errors import DeliveryError
from conversations.messages import OutgoingMessage, message_from_dict
from conversations.ports import ChatPort, Clock, UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


class Outbox:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now

    async def send(
        self, key: str, destination: Destination, message: OutgoingMessage, not_before: datetime | None = None
    ) -> bool:
        """Record a message to send; False when this key was already recorded."""
        delivery = Delivery(
            id=new_id(),
            idempotency_key=key,
            destination=destination,
            message=message.to_dict(),
            created_at=self._now,
            not_before=not_before or self._now,
        )
        return await self._uow.deliveries.enqueue(delivery)

    async def dm(self, key: str, user: UserRef, message: OutgoingMessage) -> bool:
        return await self.send(key, Destination.dm(user), message)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(self.sent + other.sent, self.retried + other.retried, self.failed + other.failed)


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    wait = min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait


async def send_one(chat: ChatPort, delivery: Delivery) -> str:
    """Send through the platform; a group goes to one group conversation where the platform has them."""
    message = message_from_dict(delivery.message)
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


async def send_due(
    uow_factory: UnitOfWorkFactory,
    chats: Mapping[str, ChatPort],
    clock: Clock,
    platform: str | None = None,
    limit: int = 200,
) -> SendReport:
    """Claim one batch of due deliveries, send them, and record each outcome."""
    now = clock.now()
    async with uow_factory() as uow:
        batch = await uow.deliveries.claim_due(now, now + LEASE, limit, platform)
        await uow.commit()
    if not batch:
        return SendReport()
    outcomes: list[tuple[Delivery, str | None, DeliveryError | None]] = []
    for delivery in batch:
        chat = chats.get(delivery.destination.platform)
        if chat is None:
            outcomes.append((delivery, None, DeliveryError(f"no {delivery.destination.platform} connection")))
            continue
        try:
            outcomes.append((delivery, await send_one(chat, delivery), None))
        except DeliveryError as error:
            outcomes.append((delivery, None, error))
        except Exception as error:  # an adapter bug must not lose the message: retry it later
            logger.exception("sending delivery %s failed", delivery.idempotency_key)
            outcomes.append((delivery, None, DeliveryError(f"{type(error).__name__}: {error}")))
    sent = retried = failed = 0
    done = clock.now()
    async with uow_factory() as uow:
        for delivery, message_id, error in outcomes:
            if error is None:
                await uow.deliveries.mark_sent(delivery.id, message_id, done)
                sent += 1
            elif error.permanent or delivery.attempts >= MAX_ATTEMPTS:
                await uow.deliveries.mark_failed(delivery.id, str(error)[:500])
                failed += 1
            else:
                wait = backoff(delivery.attempts, error.retry_after)
                await uow.deliveries.mark_retry(delivery.id, str(error)[:500], done + wait)
                retried += 1
        await uow.commit()
    return SendReport(sent, retried, failed)
