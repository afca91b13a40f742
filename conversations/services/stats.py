"""Program statistics and the CSV export for admins; private notes never appear in either."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from conversations.domain import (
    CheckinTally,
    Cycle,
    DeliveryStatus,
    GoalTotals,
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
from conversations.services.at_risk import at_risk_pairs, in_scope
from conversations.services.context import EVERYTHING, AdminScope, Ctx
from conversations.services.insights import biggest_gap_for
from conversations.services.program_chart import (
    MIN_GROUP,
    WEEK,
    RoundWeeks,
    chart_png,
    round_weeks,
    week_starts,
)

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
    closed_round: Cycle | None = None
    """The round the figures describe when no pair is active and the latest round has been closed."""
    biggest_gap: str = ""
    """`insights`' one line: the theme most people want that nobody on the other side offers."""
    path_completion: dict[str, float | None] = field(default_factory=dict)
    """By side: the share of accepted paths' milestones marked done; None under `MIN_GROUP` people."""


def small_groups_hidden(counts: Counter[str]) -> dict[str, int]:
    """Departments under five people are merged so nobody can be singled out."""
    shown = {k: v for k, v in counts.items() if v >= MIN_GROUP}
    hidden = sum(v for v in counts.values() if v < MIN_GROUP)
    if hidden:
        shown[_("Other (groups under 5)")] = hidden
    return dict(sorted(shown.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class ScopedRecords:
    """The pairs of an admin's scope, read once for both the figures and the chart of one `stats`;
    everything else is counted by the database."""

    pairings: list[Pairing]


async def scoped_records(ctx: Ctx, scope: AdminScope = EVERYTHING) -> ScopedRecords:
    return ScopedRecords([p for p in await ctx.uow.pairings.list() if in_scope(p, scope)])


async def compute_stats(
    ctx: Ctx, scope: AdminScope = EVERYTHING, records: ScopedRecords | None = None
) -> ProgramStats:
    """The program's numbers over `scope`: an admin sees their own workspace or tenant only."""
    uow = ctx.uow
    records = records or await scoped_records(ctx, scope)
    workspace = scope.workspace
    heads = await uow.participants.head_counts(workspace)
    pairings = records.pairings
    active = [p for p in pairings if p.status is PairingStatus.ACTIVE]
    latest_cycle = await uow.cycles.latest()
    closed_round = _closed_round(latest_cycle, active, ctx)
    # After a round has closed, its last two weeks are what an admin reviewing it wants to see.
    until = closed_round.closed_at if closed_round and closed_round.closed_at else ctx.now
    since = until - WINDOW
    recent = await uow.checkins.window_totals(since, until, workspace)

    # Pairs that ran during the window count, even if the round closed since: a rate over a
    # finished round is what an admin reviewing it wants to see.
    window_pairs = [
        p for p in pairings if p.status is PairingStatus.ACTIVE or (p.ended_at and p.ended_at >= since)
    ]
    eligible = {
        p.id for p in window_pairs if (p.ended_at or ctx.now) - p.created_at >= timedelta(days=7)
    } or {p.id for p in window_pairs}
    meeting_rate = len(recent.met_pairings & eligible) / len(eligible) if eligible else None
    latest_round = sum(1 for p in pairings if latest_cycle and p.cycle_id == latest_cycle.id)

    at_risk = len(await at_risk_pairs(ctx, scope, active))
    path_completion = await _path_completion(ctx, active)

    goals = await uow.goals.totals(workspace)
    no_goals = GoalTotals(0, 0, 0)
    change = await uow.assessments.change(Side.LEADER, workspace)
    deliveries = await uow.deliveries.count_by_status() if scope.org_wide else None
    invited = await uow.invitations.counts(scope.platform, scope.workspace_id)
    waiting = await uow.participants.unpaired(workspace)
    by_role: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_department: Counter[str] = Counter()
    for head in heads:
        by_status[head.status.value] += head.people
        if head.status is not ParticipantStatus.LEFT:
            by_role[head.role.value] += head.people
            by_department[head.department] += head.people
    return ProgramStats(
        by_role=dict(by_role),
        by_status=dict(by_status),
        by_department=small_groups_hidden(by_department),
        active_pairs=len(active),
        meeting_rate=meeting_rate,
        average_rating=recent.rating_sum / recent.rating_count if recent.rating_count else None,
        goals_set={s.value: goals.get(s, no_goals).goals for s in Side},
        goals_done={s.value: goals.get(s, no_goals).done for s in Side},
        at_risk=at_risk,
        leader_assessment_change=change.mean,
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
        closed_round=closed_round,
        biggest_gap=await biggest_gap_for(ctx, scope),
        path_completion=path_completion,
    )


async def _path_completion(ctx: Ctx, pairings: list[Pairing]) -> dict[str, float | None]:
    """Per side, milestones done over milestones in the accepted paths of the pairs: counts only, and
    nothing for a side with fewer than `MIN_GROUP` people, who could be told apart."""
    paths = await ctx.uow.development_paths.for_pairings([p.id for p in pairings])
    accepted = [path for found in paths.values() for path in found if path.accepted_at is not None]
    completion: dict[str, float | None] = {}
    for side in Side:
        mine = [path for path in accepted if path.side is side]
        milestones = sum(len(path.milestones) for path in mine)
        completion[side.value] = (
            sum(path.done_count for path in mine) / milestones
            if len(mine) >= MIN_GROUP and milestones
            else None
        )
    return completion


def _completion(stats: ProgramStats, side: Side) -> str:
    value = stats.path_completion.get(side.value)
    return _("— (fewer than {count} people)", count=MIN_GROUP) if value is None else _pct(value)


def _closed_round(latest: Cycle | None, active: list[Pairing], ctx: Ctx) -> Cycle | None:
    if latest is None or active or latest.closed_at is None or latest.closed_at > ctx.now:
        return None
    return latest


async def _round_to_chart(ctx: Ctx) -> Cycle | None:
    """The running round, or the last one closed: the first round not closed yet, else the latest."""
    cycles = await ctx.uow.cycles.list()
    started = [c for c in cycles if c.started_at <= ctx.now]
    running = [c for c in started if c.closed_at is None or c.closed_at > ctx.now]
    if running:
        return running[-1]
    return started[-1] if started else None


async def round_figures(
    ctx: Ctx, scope: AdminScope = EVERYTHING, records: ScopedRecords | None = None
) -> RoundWeeks | None:
    """The running round's (or the last closed one's) figures week by week, over `scope`; None before
    any round has started."""
    cycle = await _round_to_chart(ctx)
    if cycle is None:
        return None
    records = records or await scoped_records(ctx, scope)
    pairings = [p for p in records.pairings if p.cycle_id == cycle.id]
    workspace = scope.workspace
    totals = await ctx.uow.checkins.week_totals(cycle.id, workspace)
    week_ends = [start + WEEK for start in week_starts(cycle, ctx.now)]
    goals = await ctx.uow.goals.totals(workspace, cycle.id, week_ends)
    assessments = await ctx.uow.assessments.phase_totals(cycle.id, workspace)
    return round_weeks(cycle, pairings, totals, goals, assessments, ctx.now)


async def stats_with_chart(
    ctx: Ctx, scope: AdminScope = EVERYTHING
) -> tuple[ProgramStats, Attachment | None]:
    """One `stats`: the chart is drawn in a worker thread while the database counts the figures, so the
    bot keeps answering meanwhile and the admin waits for the longer of the two rather than both."""
    records = await scoped_records(ctx, scope)
    weeks = await round_figures(ctx, scope, records)
    drawing = asyncio.ensure_future(asyncio.to_thread(chart_png, weeks)) if weeks else None
    try:
        report = await compute_stats(ctx, scope, records)
    except BaseException:
        if drawing:
            drawing.cancel()
        raise
    if weeks is None or drawing is None:
        return report, None
    return report, _chart_attachment(ctx, weeks, await drawing)


def _chart_attachment(ctx: Ctx, weeks: RoundWeeks, png: bytes) -> Attachment:
    return Attachment(
        f"mentorbot-round-{weeks.cycle_number}-{ctx.now.date().isoformat()}.png",
        png,
        "image/png",
        _(
            "Round {number} week by week: active pairs, meeting rate, check-in response rate, average "
            "rating, goals done by side and self-assessment before and after",
            number=weeks.cycle_number,
        ),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _invitations(counts: dict[str, int]) -> str:
    return " / ".join(str(counts.get(k, 0)) for k in ("invited", "joined", "declined"))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "—"


def _pairs_fields(stats: ProgramStats) -> tuple[tuple[str, str], ...]:
    """Active pairs while a round runs; once it has closed, the round itself rather than a bare 0."""
    closed = stats.closed_round
    if closed is None or closed.closed_at is None:
        return (("Active pairs", str(stats.active_pairs)),)
    return (
        (
            _("Round {number}", number=closed.number),
            _(
                "closed on {date}, {pairs} pairs",
                date=closed.closed_at.date().isoformat(),
                pairs=stats.latest_round_pairs,
            ),
        ),
    )


def stats_message(stats: ProgramStats, chart: Attachment | None = None) -> OutgoingMessage:
    change = stats.leader_assessment_change
    undeliverable = stats.undeliverable
    closed = stats.closed_round is not None
    window = _("last 2 weeks of the round") if closed else _("last 2 weeks")
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
            *_pairs_fields(stats),
            (_("Pairs in the latest round"), str(stats.latest_round_pairs)),
            (_("Active but unpaired"), str(stats.waitlisted)),
            (_("Invitations: invited / joined / declined"), _invitations(stats.invitations)),
            (_("Meeting rate, {window}", window=window), _pct(stats.meeting_rate)),
            (
                _("Average rating, {window}", window=window),
                "—" if stats.average_rating is None else f"{stats.average_rating:.1f} / 5",
            ),
            (_("Goals set / done (leaders)"), f"{stats.goals_set['leader']} / {stats.goals_done['leader']}"),
            (_("Goals set / done (mentors)"), f"{stats.goals_set['mentor']} / {stats.goals_done['mentor']}"),
            (_("Path milestones done (leaders)"), _completion(stats, Side.LEADER)),
            (_("Path milestones done (mentors)"), _completion(stats, Side.MENTOR)),
            (_("At-risk pairs"), str(stats.at_risk)),
            (_("Biggest skills gap"), stats.biggest_gap or "—"),
            (
                _("Leaders' AI confidence change"),
                "—" if change is None else _("{change} points (1-5 scale)", change=format(change, "+.1f")),
            ),
            (
                _("Undeliverable messages"),
                _("— (org-wide admins only)") if undeliverable is None else str(undeliverable),
            ),
        ),
        attachment=chart,
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
    "help_requests",
    "end_reason",
    "leader_assessment_before",
    "leader_assessment_after",
    "mentor_assessment_before",
    "mentor_assessment_after",
)
"""Private notes are never a column, and nothing is derived from them."""


async def export_csv(ctx: Ctx, scope: AdminScope = EVERYTHING) -> OutgoingMessage:
    """The pairs of `scope` (a partner in another workspace is named in their pair's row)."""
    uow = ctx.uow
    people = await uow.participants.labels()
    cycles = {c.id: c.number for c in await uow.cycles.list()}
    tallies_by_pair: dict[str, list[CheckinTally]] = defaultdict(list)
    for tally in await uow.checkins.tallies():
        tallies_by_pair[tally.pairing_id].append(tally)
    goals = await uow.goals.counts_by_pairing()
    scores = await uow.assessments.scores()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for pairing in await uow.pairings.list():
        if not in_scope(pairing, scope):
            continue
        mine = tallies_by_pair.get(pairing.id, [])
        rating_count = sum(t.rating_count for t in mine)
        leader_goals = goals.get((pairing.id, Side.LEADER), (0, 0))
        mentor_goals = goals.get((pairing.id, Side.MENTOR), (0, 0))
        leader, mentor = people.get(pairing.leader.key), people.get(pairing.mentor.key)
        writer.writerow(
            [
                cycles.get(pairing.cycle_id, ""),
                pairing.id,
                pairing.status.value,
                pairing.created_at.date().isoformat(),
                pairing.ended_at.date().isoformat() if pairing.ended_at else "",
                _safe(leader[0] if leader else "(deleted)"),
                _safe(leader[1] if leader else ""),
                _safe(mentor[0] if mentor else "(deleted)"),
                _safe(mentor[1] if mentor else ""),
                f"{pairing.score:.2f}",
                sum(t.answered for t in mine),
                sum(t.met for t in mine),
                f"{sum(t.rating_sum for t in mine) / rating_count:.2f}" if rating_count else "",
                *leader_goals,
                *mentor_goals,
                sum(t.need_help for t in mine),
                _safe(pairing.end_reason or ""),
                *(
                    scores.get((pairing.id, side, phase), "")
                    for side in (Side.LEADER, Side.MENTOR)
                    for phase in ("before", "after")
                ),
            ]
        )
        rows += 1
    return OutgoingMessage(
        title=_("Program export"),
        text=_(
            "{rows} pairings of {scope} exported as CSV (no private notes).",
            rows=rows,
            scope=scope.describe(),
        ),
        attachment=Attachment(
            f"mentorbot-export-{ctx.now.date().isoformat()}.csv",
            out.getvalue().encode("utf-8"),
            "text/csv",
            _("Pairings and progress, {rows} rows", rows=rows),
        ),
    )


def _safe(value: str) -> str:
    """Spreadsheet apps run cells starting with = + - @ as formulas; quote them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
