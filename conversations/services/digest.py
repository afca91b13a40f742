"""The admins' daily digest: what changed in their workspace or tenant yesterday (UTC), once a day, and
only on a day when something did. Counts and names only: never a note, never the reason someone typed
when they ended a pairing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from conversations.domain import Pairing, ParticipantStatus, UserRef
from conversations.i18n import _
from conversations.messages import OutgoingMessage, command, mention
from conversations.services.at_risk import ENDED_BY_ADMIN, in_scope
from conversations.services.context import AdminScope, Ctx

DIGEST_JOB = "digest"
MAX_NAMED = 10
"""New pairs named one by one; beyond this the digest gives their number only."""


@dataclass(frozen=True)
class DayChanges:
    day: date
    new_pairs: tuple[Pairing, ...]
    ended_pairs: tuple[Pairing, ...]
    joined: int
    newly_waiting: int
    waiting: int

    @property
    def anything(self) -> bool:
        return bool(self.new_pairs or self.ended_pairs or self.joined or self.newly_waiting)


def _ended_how(pairing: Pairing) -> str:
    reason = pairing.end_reason or ""
    if reason == ENDED_BY_ADMIN:
        return _("by an admin")
    if reason == "round finished":
        return _("at the round's end")
    if reason == "left the program":
        return _("on someone leaving")
    return _("by one of the two")


def digest_message(changes: DayChanges, scope: AdminScope) -> OutgoingMessage:
    named = changes.new_pairs[:MAX_NAMED]
    pairs = "\n".join(
        _(
            "• {leader} (leader) and {mentor} (mentor)",
            leader=mention(p.leader.user_id),
            mentor=mention(p.mentor.user_id),
        )
        for p in named
    )
    if len(changes.new_pairs) > len(named):
        pairs += "\n" + _("… and {count} more", count=len(changes.new_pairs) - len(named))
    how = Counter(_ended_how(p) for p in changes.ended_pairs)
    if len(how) == 1:
        ended = f"{len(changes.ended_pairs)} {next(iter(how))}"
    else:
        parts = ", ".join(f"{count} {reason}" for reason, count in sorted(how.items()))
        ended = f"{len(changes.ended_pairs)}" + (f": {parts}" if parts else "")
    fields = [
        (_("New pairs"), f"{len(changes.new_pairs)}" + (f"\n{pairs}" if pairs else "")),
        (_("Ended pairs"), ended),
        (_("New joins"), str(changes.joined)),
        (
            _("Waitlist"),
            _(
                "{waiting} waiting, {new} of them since yesterday",
                waiting=changes.waiting,
                new=changes.newly_waiting,
            ),
        ),
    ]
    return OutgoingMessage(
        title=_("Mentoring program: what changed on {day}", day=changes.day.isoformat()),
        text=_(
            "Covers {scope}. People waiting are matched every day while a round runs; "
            "{at_risk} lists the pairs that need attention.",
            scope=scope.describe(),
            at_risk=command("at-risk"),
        ),
        fields=tuple(fields),
        mentions=tuple(dict.fromkeys(u.user_id for p in named for u in p.members())),
    )


async def enqueue_digests(ctx: Ctx) -> int:
    """Yesterday's digest to the admins of each workspace or tenant where something changed, worked out
    by the first run of the day (its claim on the day is in the same transaction); the outbox key names
    the day as well, so nothing is sent twice even so."""
    today = ctx.now.astimezone(UTC).date()
    if not await ctx.uow.daily_runs.claim(DIGEST_JOB, today, ctx.now):
        return 0  # today's digests were already worked out: the hourly job need not read everything again
    day = today - timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=UTC)
    end = start + timedelta(days=1)

    def on_the_day(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    people = {p.user: p for p in await ctx.uow.participants.list()}
    pairings = await ctx.uow.pairings.list()
    waiting = {
        user: since
        for user, since in (await ctx.uow.waitlist.since()).items()
        if user in people and people[user].status is not ParticipantStatus.LEFT
    }
    enqueued = 0
    for platform, workspace in sorted({(u.platform, u.workspace_id) for u in people}):
        scope = AdminScope(platform, workspace)
        admins = ctx.admins_of(UserRef(platform, workspace, ""))
        if not admins:
            continue
        mine = [p for p in pairings if in_scope(p, scope)]
        changes = DayChanges(
            day=day,
            new_pairs=tuple(p for p in mine if on_the_day(p.created_at)),
            ended_pairs=tuple(p for p in mine if on_the_day(p.ended_at)),
            joined=sum(1 for p in people.values() if scope.covers(p.user) and on_the_day(p.joined_at)),
            newly_waiting=sum(1 for u, since in waiting.items() if scope.covers(u) and on_the_day(since)),
            waiting=sum(1 for u in waiting if scope.covers(u)),
        )
        if not changes.anything:
            continue
        message = digest_message(changes, scope)
        for admin in admins:
            key = f"digest:{platform}:{workspace}:{day.isoformat()}:{admin.key}"
            enqueued += await ctx.outbox.dm(key, admin, message)
    return enqueued
