"""Program statistics and the CSV export for admins; private notes never appear in either."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import mean
from typing import TypeVar

from conversations.domain import (
    Checkin,
    CheckinAnswer,
    DeliveryStatus,
    Goal,
    InvitationStatus,
    Pairing,
    PairingStatus,
    ParticipantStatus,
    Role,
    Side,
    role_name,
    status_name,
)
from conversations.i18n import _
from conversations.messages import Attachment, OutgoingMessage
from conversations.services.context import EVERYTHING, AdminScope, Ctx

MIN_GROUP = 5
WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class ProgramStats:
    by_role: dict[str, int]
    by_status: dict[str, int]
    by_department: dict[str, int]
    active_pairs: int
    meeting_rate: float | None
    average_rating: float | None
    goals_set: dict[str, int]
    goals_done: dict[str, int]
    at_risk: int
    leader_assessment_change: float | None
    undeliverable: int | None = 0
    """None when the stats cover one workspace: the delivery counts are only kept program-wide."""
    pending_deliveries: int | None = 0
    waitlisted: int = 0
    latest_round_pairs: int = 0
    invitations: dict[str, int] = field(default_factory=dict)
    """Invitations by what became of them: invited (no answer yet), joined, declined (not now or never)."""
    notes: list[str] = field(default_factory=list)
    scope: AdminScope = EVERYTHING


T = TypeVar("T", Checkin, Goal)


def group_by_pairing(items: list[T]) -> dict[str, list[T]]:
    """One pass instead of a scan per pairing: stats over 10,000 pairs must not stall the bot."""
    grouped: dict[str, list[T]] = defaultdict(list)
    for item in items:
        grouped[item.pairing_id].append(item)
    return grouped


def small_groups_hidden(counts: Counter[str]) -> dict[str, int]:
    """Departments under five people are merged so nobody can be singled out."""
    shown = {k: v for k, v in counts.items() if v >= MIN_GROUP}
    hidden = sum(v for v in counts.values() if v < MIN_GROUP)
    if hidden:
        shown[_("Other (groups under 5)")] = hidden
    return dict(sorted(shown.items(), key=lambda kv: (-kv[1], kv[0])))


def in_scope(pairing: Pairing, scope: AdminScope) -> bool:
    """A pair belongs to a workspace's program when either person is in it."""
    return scope.covers(pairing.leader) or scope.covers(pairing.mentor)


async def compute_stats(ctx: Ctx, scope: AdminScope = EVERYTHING) -> ProgramStats:
    """The program's numbers over `scope`: an admin sees their own workspace or tenant only."""
    uow = ctx.uow
    if scope.org_wide:
        people = await uow.participants.list()
    else:
        people = await uow.participants.list(platform=scope.platform, workspace_id=scope.workspace_id)
    pairings = [p for p in await uow.pairings.list() if in_scope(p, scope)]
    pairing_ids = {p.id for p in pairings}
    active = [p for p in pairings if p.status is PairingStatus.ACTIVE]
    since = ctx.now - WINDOW
    # A check-in sent a little before the window can still have been answered inside it.
    around = await uow.checkins.list(since=since - timedelta(days=7))
    around = [c for c in around if c.pairing_id in pairing_ids]
    recent = [c for c in around if c.sent_at >= since]
    goals = [g for g in await uow.goals.list() if g.pairing_id in pairing_ids]
    assessments = [a for a in await uow.assessments.list() if a.pairing_id in pairing_ids]

    # Pairs that ran during the window count, even if the round closed since: a rate over a
    # finished round is what an admin reviewing it wants to see.
    window_pairs = [
        p for p in pairings if p.status is PairingStatus.ACTIVE or (p.ended_at and p.ended_at >= since)
    ]
    met_pairs = {c.pairing_id for c in recent if c.answer is CheckinAnswer.MET}
    eligible = {
        p.id for p in window_pairs if (p.ended_at or ctx.now) - p.created_at >= timedelta(days=7)
    } or {p.id for p in window_pairs}
    meeting_rate = len(met_pairs & eligible) / len(eligible) if eligible else None
    ratings = [c.rating for c in recent if c.rating is not None]
    latest_cycle = await uow.cycles.latest()
    latest_round = sum(1 for p in pairings if latest_cycle and p.cycle_id == latest_cycle.id)

    around_by_pair = group_by_pairing(around)
    at_risk = 0
    for pairing in active:
        mine = around_by_pair.get(pairing.id, [])
        old_enough = ctx.now - pairing.created_at >= WINDOW
        no_meeting = old_enough and not any(
            c.answer is CheckinAnswer.MET and c.answered_at and c.answered_at >= since for c in mine
        )
        needs_help = any(c.answer is CheckinAnswer.NEED_HELP and c.sent_at >= since for c in mine)
        low = [c.rating for c in mine if c.rating is not None and c.sent_at >= since]
        if no_meeting or needs_help or (low and mean(low) <= 2):
            at_risk += 1

    before = {
        (a.pairing_id, a.user): a.score for a in assessments if a.side is Side.LEADER and a.phase == "before"
    }
    changes = [
        a.score - before[(a.pairing_id, a.user)]
        for a in assessments
        if a.side is Side.LEADER and a.phase == "after" and (a.pairing_id, a.user) in before
    ]
    deliveries = await uow.deliveries.count_by_status() if scope.org_wide else None
    invited = await uow.invitations.counts(scope.platform, scope.workspace_id)
    paired = {u for p in active for u in p.members()}
    waiting = sum(1 for p in people if p.status is ParticipantStatus.ACTIVE and p.user not in paired)
    return ProgramStats(
        by_role=dict(Counter(p.role.value for p in people if p.status is not ParticipantStatus.LEFT)),
        by_status=dict(Counter(p.status.value for p in people)),
        by_department=small_groups_hidden(
            Counter(p.department for p in people if p.status is not ParticipantStatus.LEFT)
        ),
        active_pairs=len(active),
        meeting_rate=meeting_rate,
        average_rating=mean(ratings) if ratings else None,
        goals_set={s.value: sum(1 for g in goals if g.side is s) for s in Side},
        goals_done={s.value: sum(1 for g in goals if g.side is s and g.done) for s in Side},
        at_risk=at_risk,
        leader_assessment_change=mean(changes) if changes else None,
        undeliverable=deliveries.get(DeliveryStatus.FAILED, 0) if deliveries is not None else None,
        pending_deliveries=(
            deliveries.get(DeliveryStatus.PENDING, 0) + deliveries.get(DeliveryStatus.SENDING, 0)
            if deliveries is not None
            else None
        ),
        waitlisted=waiting,
        latest_round_pairs=latest_round,
        invitations={
            "invited": invited.get(InvitationStatus.INVITED, 0),
            "joined": invited.get(InvitationStatus.JOINED, 0),
            "declined": invited.get(InvitationStatus.NOT_NOW, 0) + invited.get(InvitationStatus.NEVER, 0),
        },
        scope=scope,
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _invitations(counts: dict[str, int]) -> str:
    return " / ".join(str(counts.get(k, 0)) for k in ("invited", "joined", "declined"))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "—"


def stats_message(stats: ProgramStats) -> OutgoingMessage:
    change = stats.leader_assessment_change
    undeliverable = stats.undeliverable
    return OutgoingMessage(
        title=_("Reverse mentoring: program stats"),
        text=_(
            "Covers {scope}. Private notes are never included; departments under 5 people are grouped.",
            scope=stats.scope.describe(),
        ),
        fields=(
            (_("Participants by role"), _counts({role_name(r): stats.by_role.get(r.value, 0) for r in Role})),
            (
                _("By status"),
                _counts({status_name(s): stats.by_status.get(s.value, 0) for s in ParticipantStatus}),
            ),
            (_("By department"), _counts(stats.by_department)),
            (_("Active pairs"), str(stats.active_pairs)),
            (_("Pairs in the latest round"), str(stats.latest_round_pairs)),
            (_("Active but unpaired"), str(stats.waitlisted)),
            (_("Invitations: invited / joined / declined"), _invitations(stats.invitations)),
            (_("Meeting rate, last 2 weeks"), _pct(stats.meeting_rate)),
            (
                _("Average rating, last 2 weeks"),
                "—" if stats.average_rating is None else f"{stats.average_rating:.1f} / 5",
            ),
            (_("Goals set / done (leaders)"), f"{stats.goals_set['leader']} / {stats.goals_done['leader']}"),
            (_("Goals set / done (mentors)"), f"{stats.goals_set['mentor']} / {stats.goals_done['mentor']}"),
            (_("At-risk pairs"), str(stats.at_risk)),
            (
                _("Leaders' AI confidence change"),
                "—" if change is None else _("{change} points (1-5 scale)", change=format(change, "+.1f")),
            ),
            (
                _("Undeliverable messages"),
                _("— (org-wide admins only)") if undeliverable is None else str(undeliverable),
            ),
        ),
    )


EXPORT_COLUMNS = (
    "cycle",
    "pairing_id",
    "status",
    "started",
    "ended",
    "leader",
    "leader_department",
    "mentor",
    "mentor_department",
    "match_score",
    "checkins_answered",
    "meetings",
    "average_rating",
    "leader_goals",
    "leader_goals_done",
    "mentor_goals",
    "mentor_goals_done",
)


async def export_csv(ctx: Ctx, scope: AdminScope = EVERYTHING) -> OutgoingMessage:
    """The pairs of `scope` (a partner in another workspace is named in their pair's row)."""
    uow = ctx.uow
    people = {p.user: p for p in await uow.participants.list()}
    cycles = {c.id: c.number for c in await uow.cycles.list()}
    checkins_by_pair = group_by_pairing(await uow.checkins.list())
    goals_by_pair = group_by_pairing(await uow.goals.list())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for pairing in await uow.pairings.list():
        if not in_scope(pairing, scope):
            continue
        mine = checkins_by_pair.get(pairing.id, [])
        ratings = [c.rating for c in mine if c.rating is not None]
        pg = goals_by_pair.get(pairing.id, [])
        leader, mentor = people.get(pairing.leader), people.get(pairing.mentor)
        writer.writerow(
            [
                cycles.get(pairing.cycle_id, ""),
                pairing.id,
                pairing.status.value,
                pairing.created_at.date().isoformat(),
                pairing.ended_at.date().isoformat() if pairing.ended_at else "",
                _safe(leader.display_name if leader else "(deleted)"),
                _safe(leader.department if leader else ""),
                _safe(mentor.display_name if mentor else "(deleted)"),
                _safe(mentor.department if mentor else ""),
                f"{pairing.score:.2f}",
                sum(1 for c in mine if c.answer is not None),
                sum(1 for c in mine if c.answer is CheckinAnswer.MET),
                f"{mean(ratings):.2f}" if ratings else "",
                sum(1 for g in pg if g.side is Side.LEADER),
                sum(1 for g in pg if g.side is Side.LEADER and g.done),
                sum(1 for g in pg if g.side is Side.MENTOR),
                sum(1 for g in pg if g.side is Side.MENTOR and g.done),
            ]
        )
        rows += 1
    return OutgoingMessage(
        title=_("Program export"),
        text=f"{rows} pairings of {scope.describe()} exported as CSV (no private notes).",
        attachment=Attachment(f"mentorbot-export-{ctx.now.date().isoformat()}.csv", out.getvalue()),
    )


def _safe(value: str) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas; quote them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
