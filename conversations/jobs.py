"""What the clock makes happen, with no inbound event behind it: wake paused people, close rounds and
start the next, re-match people waiting during a round (daily), offer new pairs' development paths,
enqueue check-ins, nudges and the admins' daily digest, forget old inbound event ids, and drain the
outbox.

`scheduler` decides when these run; each one derives what is due from the database, so running one
twice, or on two replicas at once, enqueues nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from conversations.domain import DeliveryStatus, Pairing, Participant, UserRef
from conversations.errors import RoundAlreadyStarted
from conversations.growth.preparation import prepare_paths
from conversations.growth.resource_catalogue import Resource
from conversations.growth.resource_preparation import PickKey, ResourcePreparation
from conversations.matching.model import TermVectors
from conversations.ports import (
    ChatPort,
    Clock,
    PairContext,
    PathSuggester,
    PromptSet,
    PromptSuggester,
    UnitOfWork,
    UnitOfWorkFactory,
)
from conversations.prompts.preparation import DEFAULT_CONCURRENCY as PROMPT_CONCURRENCY
from conversations.sender import OutboxSender, SenderOptions, SendReport
from conversations.services import checkins, digest, nudges, pairing, participants, prompts, round_report
from conversations.services.context import Ctx

logger = logging.getLogger(__name__)

CHECKIN_CHUNK = 1000
"""Check-ins enqueued per transaction in a tick. A chunk costs about ten statements whatever its size
(its pairs' context reads, one write of new prompts, one insert of check-ins, one of deliveries)."""
HOURLY = timedelta(hours=1)
INBOUND_MEMORY = timedelta(days=7)
"""How long inbound event ids are kept to recognise redeliveries (platforms retry within minutes)."""


@dataclass(frozen=True)
class TickReport:
    woken: int = 0
    ended_pairs: int = 0
    checkins: int = 0
    nudges: int = 0
    delivered: SendReport = SendReport()
    rounds_started: int = 0
    rematched_pairs: int = 0
    digests: int = 0
    paths: int = 0


class Jobs:
    """The clock's side of the engine; `Mentorbot` answers the inbound events."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        contexts: Callable[[UnitOfWork], Ctx],
        prompts: PromptSuggester,
        chats: Mapping[str, ChatPort],
        sender_options: SenderOptions | None = None,
        term_vectors: Callable[[], Awaitable[TermVectors | None]] | None = None,
        paths: PathSuggester | None = None,
        resources: ResourcePreparation | None = None,
    ) -> None:
        """`contexts` opens the engine's context on a unit of work, with the program's rules as known
        at that moment (a Slack home workspace is learned after start); `chats` may gain platforms
        later, as they connect. `term_vectors` fetches the embeddings a round is matched with. `paths` makes each person's development path
        after their pair is introduced; None offers none."""
        self.uow_factory = uow_factory
        self.clock = clock
        self._ctx = contexts
        self.prompts = prompts
        self.chats = chats
        self.sender_options = sender_options or SenderOptions()
        self._hourly_ran_at: datetime | None = None
        self._term_vectors = term_vectors
        self.paths = paths
        self.resources = resources

    async def tick(self) -> TickReport:
        report = await self.enqueue_due()
        delivered = await self.deliver_due()
        return replace(report, delivered=delivered)

    async def enqueue_due(self) -> TickReport:
        """Everything the clock makes due: wake paused people, close rounds, check-ins, nudges.

        Check-ins go in chunks, each with its prompts prepared first and its own commit, so a fan-out
        of thousands holds little in memory and the senders can start on the first chunk at once.
        """
        async with self.uow_factory() as uow:
            ctx = self._ctx(uow)
            woken = await participants.wake_paused(ctx)
            ended = await pairing.close_finished_cycles(ctx)
            await uow.commit()
        rounds = await self._start_next_round_if_due()
        rematched = await self._rematch()
        offered = await self._prepare_paths()
        async with self.uow_factory() as uow:
            plan = await checkins.plan_checkins(self._ctx(uow))
        due = plan.due
        enqueued = 0
        for start in range(0, len(due), CHECKIN_CHUNK):
            chunk = due[start : start + CHECKIN_CHUNK]
            pairs = {(d.pairing.id, d.week): (d.pairing, d.week) for d in chunk}
            prepared = await self._prepare_prompts(pairs, plan.people)
            resources = await self._prepare_resources(chunk, plan.people)
            async with self.uow_factory() as uow:
                enqueued += await checkins.enqueue_checkins(self._ctx(uow), chunk, prepared, resources)
                await uow.commit()
        nudged, digests = await self._hourly()
        return TickReport(
            woken,
            ended,
            enqueued,
            nudged,
            rounds_started=rounds,
            rematched_pairs=rematched,
            digests=digests,
            paths=offered,
        )

    async def _prepare_paths(self) -> int:
        """Development paths for the people introduced since the last tick, made outside any transaction
        and before this tick's check-ins, so a new pair's first check-in can already show a milestone."""
        if self.paths is None:
            return 0
        report = await prepare_paths(self.uow_factory, self._ctx, self.paths)
        return report.people - report.failed

    async def _hourly(self) -> tuple[int, int]:
        """The jobs measured in days run once an hour: every tick would re-offer tens of thousands of
        already-queued nudges to the outbox at scale. Returns how many nudges and digests were enqueued."""
        now = self.clock.now()
        if self._hourly_ran_at is not None and timedelta(0) <= now - self._hourly_ran_at < HOURLY:
            return 0, 0
        nudged = await self._enqueue_nudges()
        digests = await self._enqueue_digests()
        await self._close_survey_windows()
        await self._forget_old_inbound_events(now)
        self._hourly_ran_at = now
        return nudged, digests

    async def _enqueue_digests(self) -> int:
        async with self.uow_factory() as uow:
            enqueued = await digest.enqueue_digests(self._ctx(uow))
            await uow.commit()
        return enqueued

    async def _rematch(self) -> int:
        """The daily rolling re-match (`pairing.rematch`); its claim on the day makes repeats no-ops."""
        async with self.uow_factory() as uow:
            try:
                report = await pairing.rematch(self._ctx(uow))
            except RoundAlreadyStarted:
                return 0  # a matching of the round ran at the same moment; tomorrow's re-match follows it
            await uow.commit()
        if report.pairs or report.newly_waiting:
            logger.info(
                "re-match: %s new pairs, %s newly waiting", len(report.pairs), len(report.newly_waiting)
            )
        return len(report.pairs)

    async def _enqueue_nudges(self) -> int:
        async with self.uow_factory() as uow:
            nudged = await nudges.enqueue_nudges(self._ctx(uow))
            await uow.commit()
        return nudged

    async def _close_survey_windows(self) -> None:
        """A round's survey window is measured in days, like the nudges: an hour late changes nothing."""
        async with self.uow_factory() as uow:
            await round_report.send_due_reports(self._ctx(uow))
            await uow.commit()

    async def _forget_old_inbound_events(self, now: datetime) -> None:
        """Inbound event ids are only kept to drop a platform's redelivery, which comes within minutes."""
        async with self.uow_factory() as uow:
            await uow.inbound_events.forget_before(now - INBOUND_MEMORY)
            await uow.commit()

    async def _start_next_round_if_due(self) -> int:
        async with self.uow_factory() as uow:
            if not await self._workspaces_due(self._ctx(uow)):
                return 0
        # Fetched between the two transactions: a slow embeddings model holds no database connection.
        meanings = await self._term_vectors() if self._term_vectors is not None else None
        async with self.uow_factory() as uow:
            ctx = self._ctx(uow)
            due = await self._workspaces_due(ctx)
            if not due:
                return 0
            try:
                report = await pairing.run_round(ctx, dry_run=False, workspaces=due, meanings=meanings)
            except RoundAlreadyStarted:
                return 0  # another replica won the race; its round is the one
            await uow.commit()
        logger.info("round %s started by the clock: %s pairs", report.cycle_number, len(report.pairs))
        return 1

    @staticmethod
    async def _workspaces_due(ctx: Ctx) -> frozenset[pairing.Workspace]:
        """The workspaces whose next round is due and that have people enough to pair."""
        due = await pairing.workspaces_due_a_round(ctx)
        if not due or len(await pairing.pool_for_round(ctx, due)) < 2:
            return frozenset()
        return due

    async def _prepare_prompts(
        self, pairs: Mapping[tuple[str, str], tuple[Pairing, str]], people: Mapping[UserRef, Participant]
    ) -> dict[tuple[str, str], PromptSet]:
        """Prompts for the pairs about to be asked, keyed (pairing id, week), made before the fan-out
        so sending never waits on an LLM.

        Like `prepare_weekly_prompts`, but with a few set-based queries per chunk rather than several
        per pair: the cached sets are read at once, contexts are built only for the pairs without one,
        the suggester runs outside any transaction, and the new sets are stored together, the first
        stored set winning (another replica may have prepared the same pair meanwhile). A pair whose
        suggestion fails is asked without prompts.
        """
        async with self.uow_factory() as uow:
            ready = await uow.prompt_cache.get_many(pairs.keys())
            missing = [pair for key, pair in pairs.items() if key not in ready]
            contexts = await prompts.pair_contexts(self._ctx(uow), missing, people)
        if not contexts:
            return ready
        made = await self._suggest_all(contexts)
        logger.info(
            "prompts for %s pairs: %s cached, %s made, %s failed",
            len(pairs),
            len(ready),
            len(made),
            len(contexts) - len(made),
        )
        if made:
            async with self.uow_factory() as uow:
                stored = await uow.prompt_cache.add_many([(c.pairing_id, c.week, p) for c, p in made])
                if stored == len(made):
                    ready.update(((c.pairing_id, c.week), p) for c, p in made)
                else:  # someone else stored some of them first: theirs are the ones to show
                    ready.update(await uow.prompt_cache.get_many([(c.pairing_id, c.week) for c, _ in made]))
                await uow.commit()
        return ready

    async def _prepare_resources(
        self, chunk: Sequence[checkins.DueCheckin], people: Mapping[UserRef, Participant]
    ) -> dict[PickKey, tuple[Resource, ...]]:
        """Each person's learning resources of the week, picked (and ranked, with a model) before the
        fan-out like the prompts; a failure sends the check-ins without resources rather than none."""
        if self.resources is None:
            return {}
        due = [(item.pairing, item.member, item.week) for item in chunk]
        try:
            return await self.resources.prepare(self.uow_factory, due, people, self.clock.now())
        except Exception:  # noqa: BLE001 - resources are a bonus; the check-in itself must go out
            logger.exception("no learning resources for %s check-ins", len(due))
            return {}

    async def _suggest_all(self, contexts: list[PairContext]) -> list[tuple[PairContext, PromptSet]]:
        semaphore = asyncio.Semaphore(PROMPT_CONCURRENCY)

        async def suggest(context: PairContext) -> PromptSet | None:
            async with semaphore:
                try:
                    return await self.prompts.suggest(context)
                except Exception:  # noqa: BLE001 - one pair's failure must not stop the others
                    logger.exception("no prompts for pairing %s in %s", context.pairing_id, context.week)
                    return None

        made = await asyncio.gather(*(suggest(c) for c in contexts))
        return [(c, p) for c, p in zip(contexts, made, strict=True) if p is not None]

    async def deliver_due(self, platform: str | None = None) -> SendReport:
        """Send everything due on the platforms connected here (or just `platform`)."""
        return await OutboxSender(self.uow_factory, self.chats, self.clock, self.sender_options).drain(
            platform
        )

    async def deliver_until_done(
        self, deadline_seconds: float, poll_seconds: float = 0.5
    ) -> tuple[SendReport, int]:
        """Deliver, and keep delivering what becomes due (a Retry-After running out, a lease of a dead
        sender ending), until the outbox has nothing pending or `deadline_seconds` have passed.

        Returns what was delivered and how many messages are still waiting. A one-shot `mentorbot tick`
        uses this, so a 429 in the middle of a fan-out delays it instead of leaving it to the next cron run.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_seconds
        total = SendReport()
        while True:
            report = await self.deliver_due()
            total += report
            remaining = await self._waiting_deliveries()
            if not remaining or loop.time() >= deadline:
                return total, remaining
            if not report.handled:
                await asyncio.sleep(min(poll_seconds, max(0.0, deadline - loop.time())))

    async def _waiting_deliveries(self) -> int:
        """Messages pending or leased, on any platform."""
        async with self.uow_factory() as uow:
            counts = await uow.deliveries.count_by_status()
        return counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0)
