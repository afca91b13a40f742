"""The outbox: every message the engine sends is recorded here before it goes out.

Services write rows through `Outbox` inside their own unit of work, so a message exists exactly when
the change that caused it was committed. A unique idempotency key makes a second enqueue of the same
message (a retried tick, a second replica, a double click) a no-op. Sending is `conversations.sender`'s
job.
"""

from __future__ import annotations

from datetime import datetime

from conversations.domain import Delivery, DeliveryPriority, Destination, UserRef, new_id
from conversations.i18n import DEFAULT_LOCALE, current_locale
from conversations.messages import OutgoingMessage
from conversations.ports import UnitOfWork

LANGUAGE_KEY = "language"
"""Where a queued message says the language it was written in (absent: English)."""


class Outbox:
    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now

    def row(
        self,
        key: str,
        destination: Destination,
        message: OutgoingMessage,
        *,
        not_before: datetime | None = None,
        priority: DeliveryPriority = DeliveryPriority.NORMAL,
    ) -> Delivery:
        """The outbox row for a message, for `send` or for a bulk `deliveries.enqueue_many`.

        The language the message is written in travels with it, so what the platform's renderer adds
        when it is sent (a meeting slot's day and date) is in the same language.
        """
        stored = message.to_dict()
        language = current_locale()
        if language != DEFAULT_LOCALE:
            stored[LANGUAGE_KEY] = language
        return Delivery(
            id=new_id(),
            idempotency_key=key,
            destination=destination,
            message=stored,
            created_at=self._now,
            not_before=not_before or self._now,
            priority=priority,
        )

    async def send(
        self,
        key: str,
        destination: Destination,
        message: OutgoingMessage,
        not_before: datetime | None = None,
        priority: DeliveryPriority = DeliveryPriority.NORMAL,
    ) -> bool:
        """Record a message to send; False when this key was already recorded."""
        return await self._uow.deliveries.enqueue(
            self.row(key, destination, message, not_before=not_before, priority=priority)
        )

    async def dm(
        self,
        key: str,
        user: UserRef,
        message: OutgoingMessage,
        priority: DeliveryPriority = DeliveryPriority.NORMAL,
    ) -> bool:
        return await self.send(key, Destination.dm(user), message, priority=priority)
