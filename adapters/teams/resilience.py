"""Pacing, retries and error mapping for calls to the Bot Connector.

botbuilder retries no 429 and paces nothing, while Teams throttles at about 50 requests/s per app per
tenant and 7 messages/s (1,800/hour) per conversation. Every outbound call goes through `ConnectorCalls.run`
so replies and proactive messages share one budget.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from aiolimiter import AsyncLimiter
from msrest.exceptions import ClientRequestError, HttpOperationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from adapters.remembered import Remembered
from adapters.retry_after import seconds_to_wait
from adapters.send_gate import Budgets, Gate
from adapters.teams.threads import RequestHeldBack, WireSpacer, hold_while
from conversations.errors import DeliveryError

logger = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({412, 429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    initial_wait: float = 0.5
    max_wait: float = 30.0
    """A Retry-After longer than this is not slept through: the outbox retries the message later."""


@dataclass(frozen=True)
class PacingPolicy:
    per_tenant_per_second: float = 50
    per_conversation_per_second: float = 7
    per_conversation_per_hour: float = 1800
    remembered_conversations: int = 10_000


def status_of(error: BaseException) -> int | None:
    if isinstance(error, HttpOperationError):
        status = getattr(error.response, "status_code", None)
        return status if isinstance(status, int) else None
    return None


def retry_after_of(error: BaseException, now: datetime | None = None) -> float | None:
    """Seconds the connector asked us to wait, from `Retry-After` as seconds or as an HTTP date."""
    if not isinstance(error, HttpOperationError):
        return None
    headers = getattr(error.response, "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    return seconds_to_wait(raw, now)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, ClientRequestError) or status_of(error) in TRANSIENT_STATUSES


def backoff_seconds(policy: RetryPolicy, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never shorter than what the server asked for."""
    ceiling = min(policy.max_wait, policy.initial_wait * (2 ** max(0, attempt - 1)))
    jittered = random.uniform(ceiling / 2, ceiling)
    if retry_after is None:
        return jittered
    return retry_after + random.uniform(0, policy.initial_wait)


def delivery_error(error: BaseException, what: str) -> DeliveryError:
    """The engine's view of a failed call: permanent when no retry can ever help."""
    if isinstance(error, DeliveryError):
        return error
    status = status_of(error)
    if status == 403:
        return DeliveryError(
            f"{what}: Teams refused (403): the bot was blocked, removed, or is not installed there",
            permanent=True,
        )
    if status == 404:
        return DeliveryError(f"{what}: Teams has no such conversation (404)", permanent=True)
    if status == 400:
        return DeliveryError(f"{what}: Teams rejected the message as invalid (400)", permanent=True)
    if status == 401:
        return DeliveryError(
            f"{what}: Teams did not accept the bot's credentials (401); check MICROSOFT_APP_ID and "
            "MICROSOFT_APP_PASSWORD"
        )
    if status is not None:
        return DeliveryError(f"{what}: Teams answered {status}", retry_after=retry_after_of(error))
    return DeliveryError(f"{what}: {type(error).__name__}: {error}")


class ConnectorCalls:
    """Runs connector calls within the tenant's and the conversation's budgets, retrying throttling.

    The per-second budgets are shared gates: smooth pacing, and a 429 pauses every call to that tenant
    or conversation for its Retry-After. The hourly budget per conversation is a plain limiter, whose
    burst is harmless behind the per-second gate.
    """

    def __init__(self, retry: RetryPolicy | None = None, pacing: PacingPolicy | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self.pacing = pacing or PacingPolicy()
        remembered = self.pacing.remembered_conversations
        self._budgets = Budgets(
            {
                "tenant": self.pacing.per_tenant_per_second,
                "conversation": self.pacing.per_conversation_per_second,
            },
            longest_wait=self.retry.max_wait,
            remembered=remembered,
        )
        self._hourly: Remembered[str, AsyncLimiter] = Remembered(remembered)
        self._spacers: Remembered[str, WireSpacer] = Remembered(remembered)
        self.retries = 0
        """Calls repeated after a transient failure since start; operators read it in logs and tests."""

    async def run(self, tenant_id: str, conversation_id: str, call: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            retry=retry_if_exception(self._should_retry),
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                tenant, conversation, hourly = self._gates(tenant_id, conversation_id)
                async with hourly:
                    return await self._through_gates(tenant, conversation, call, self._spacer(tenant_id))
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _through_gates(
        self, tenant: Gate, conversation: Gate, call: Callable[[], Awaitable[T]], spacer: WireSpacer
    ) -> T:
        """One attempt: wait for both gates, then call. msrest makes the request on a worker thread;
        `adapters.teams.threads` marks it started when that thread picks it up, not while it waits for
        a free one, and holds it back if a 429 closed a gate in the meantime."""
        while True:
            await self._budgets.wait_turn((tenant, conversation), "teams", mark_started=False)
            try:
                with hold_while(lambda: tenant.paused_for > 0 or conversation.paused_for > 0, spacer):
                    return await call()
            except RequestHeldBack:
                continue
            except Exception as error:
                self._pause_if_throttled(error, tenant, conversation)
                raise

    def _should_retry(self, error: BaseException) -> bool:
        if not is_transient(error):
            return False
        retry_after = retry_after_of(error)
        return retry_after is None or retry_after <= self.retry.max_wait

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = retry_after_of(error) if error else None
        return backoff_seconds(self.retry, state.attempt_number, retry_after)

    def _log_retry(self, state: RetryCallState) -> None:
        self.retries += 1
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            "Teams call failed (%s), retry %d in %.2fs",
            status_of(error) if error else None,
            state.attempt_number,
            state.next_action.sleep if state.next_action else 0.0,
        )

    def _pause_if_throttled(self, error: BaseException, tenant: Gate, conversation: Gate) -> None:
        """A 429 holds every call to that tenant (or conversation) until Retry-After, not just this one."""
        if status_of(error) != 429:
            return
        wait = retry_after_of(error)
        wait = self.retry.initial_wait if wait is None else wait
        scope = conversation if _conversation_scoped(error) else tenant
        scope.pause(wait)

    def _spacer(self, tenant_id: str) -> WireSpacer:
        return self._spacers.get_or_make(tenant_id, lambda: WireSpacer(self.pacing.per_tenant_per_second))

    def _gates(self, tenant_id: str, conversation_id: str) -> tuple[Gate, Gate, AsyncLimiter]:
        hourly = self._hourly.get_or_make(
            conversation_id, lambda: AsyncLimiter(self.pacing.per_conversation_per_hour, 3600)
        )
        return (
            self._budgets.gate("tenant", tenant_id),
            self._budgets.gate("conversation", conversation_id),
            hourly,
        )


def _conversation_scoped(error: BaseException) -> bool:
    """Whether a 429 names the conversation's budget rather than the tenant's; the tenant's when unsure."""
    response = getattr(error, "response", None)
    text = str(getattr(response, "text", "") or "")
    return "conversation" in text.lower() and "tenant" not in text.lower()
