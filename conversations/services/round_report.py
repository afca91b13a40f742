"""The round's report for the program admins, sent when the survey window closes and on `report`.

It covers one workspace or tenant (a pair counts where either person is), and holds numbers only:
nothing anyone wrote (notes, what they learned, stories) and no names. A figure that rests on fewer
than five people or answers is not shown, since a small group's average can point at a person.

The survey window closes seven days after the round, or as soon as everyone asked has answered,
whichever comes first. Then each pair still without its round celebration gets it, and the admins of
every workspace or tenant the round had people in get the report.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from statistics import mean

from conversations.domain import (
    Assessment,
    CheckinAnswer,
    Cycle,
    Pairing,
    Side,
    StoryStatus,
    SurveyAnswer,
    UserRef,
)
from conversations.i18n import _
from conversations.messages import OutgoingMessage
from conversations.services import celebrations
from conversations.services.at_risk import in_scope
from conversations.services.context import EVERYTHING, AdminScope, Ctx
from conversations.services.program_chart import MIN_GROUP

logger = logging.getLogger(__name__)

SURVEY_WINDOW = timedelta(days=7)
REPORT_LOOKBACK = timedelta(days=35)
"""The clock reports rounds closed this recently: one closed long before (or before reports existed)
is left to the `report` command rather than reported late."""
PROMOTER, DETRACTOR = 9, 6


@dataclass(frozen=True)
class RoundReport:
    round_number: int
    scope: AdminScope
    pairs: int
    people: int
    people_by_side: dict[Side, int]
    meeting_rate: float | None
    checkin_response_rate: float | None
    answers: int
    nps: int | None
    again_rate: float | None
    goals_set: dict[Side, int]
    goals_done: dict[Side, int]
    confidence_change: dict[Side, float | None]
    """Mean after-minus-before self-assessment per side, of the people who answered both."""
    measured: dict[Side, int]
    stories_shared: int


def net_promoter_score(scores: list[int]) -> int | None:
    """Promoters (9-10) minus detractors (0-6), as a percentage of everyone who answered."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= PROMOTER)
    detractors = sum(1 for s in scores if s <= DETRACTOR)
    return round(100 * (promoters - detractors) / len(scores))


def _changes(assessments: list[Assessment], side: Side) -> list[int]:
    before = {(a.pairing_id, a.user): a.score for a in assessments if a.side is side and a.phase == "before"}
    return [
        a.score - before[(a.pairing_id, a.user)]
        for a in assessments
        if a.side is side and a.phase == "after" and (a.pairing_id, a.user) in before
    ]


async def compute_report(ctx: Ctx, cycle: Cycle, scope: AdminScope = EVERYTHING) -> RoundReport:
    uow = ctx.uow
    pairings = [p for p in await uow.pairings.list(cycle_id=cycle.id) if in_scope(p, scope)]
    ids = {p.id for p in pairings}
    people = {m for p in pairings for m in p.members() if scope.covers(m)}
    sides = Counter(p.side_of(m) for p in pairings for m in p.members() if scope.covers(m))
    checkins = [c for c in await uow.checkins.list(since=cycle.started_at) if c.pairing_id in ids]
    met = {c.pairing_id for c in checkins if c.answer is CheckinAnswer.MET}
    goals = [g for found in (await uow.goals.for_pairings(ids)).values() for g in found]
    assessments = [a for a in await uow.assessments.list() if a.pairing_id in ids and scope.covers(a.user)]
    answers: list[SurveyAnswer] = [a for a in await uow.round_end.answers(cycle.id) if scope.covers(a.user)]
    shared = [s for s in await uow.stories.list() if s.pairing_id in ids and s.status is StoryStatus.APPROVED]
    changes = {side: _changes(assessments, side) for side in Side}
    return RoundReport(
        round_number=cycle.number,
        scope=scope,
        pairs=len(pairings),
        people=len(people),
        people_by_side={side: sides.get(side, 0) for side in Side},
        meeting_rate=len(met) / len(pairings) if pairings else None,
        checkin_response_rate=(
            sum(1 for c in checkins if c.answer is not None) / len(checkins) if checkins else None
        ),
        answers=len(answers),
        nps=net_promoter_score([a.recommend for a in answers]),
        again_rate=sum(1 for a in answers if a.again) / len(answers) if answers else None,
        goals_set={side: sum(1 for g in goals if g.side is side) for side in Side},
        goals_done={side: sum(1 for g in goals if g.side is side and g.done) for side in Side},
        confidence_change={side: mean(found) if found else None for side, found in changes.items()},
        measured={side: len(found) for side, found in changes.items()},
        stories_shared=len(shared),
    )


def _few_people() -> str:
    return _("fewer than 5 people")


def _few_answers() -> str:
    return _("fewer than 5 answers")


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _change(value: float | None) -> str:
    return "—" if value is None else _("{change:+.1f} points (1-5 scale)", change=value)


def report_message(report: RoundReport) -> OutgoingMessage:
    few_people = report.people < MIN_GROUP
    few_answers = report.answers < MIN_GROUP

    def goals(side: Side) -> str:
        if report.people_by_side[side] < MIN_GROUP:
            return _few_people()
        return _("{done} of {total}", done=report.goals_done[side], total=report.goals_set[side])

    def change(side: Side) -> str:
        return (
            _few_answers() if report.measured[side] < MIN_GROUP else _change(report.confidence_change[side])
        )

    nps = "—" if report.nps is None else f"{report.nps:+d}"
    return OutgoingMessage(
        title=_("Reverse mentoring: round {number} report", number=report.round_number),
        text=_(
            "Covers {scope}. Pairs: {pairs}; people: {people}; survey answers: {answers}. Numbers only: "
            "no names, no notes and nothing people wrote in the survey; a figure resting on fewer than 5 "
            "people or answers is not shown. Meeting rate: pairs that met at least once. NPS: promoters "
            "(9-10) minus detractors (0-6), -100 to +100. Growth: the mean change from the before to the "
            "after self-assessment (1-5).",
            scope=report.scope.describe(),
            pairs=report.pairs,
            people=report.people,
            answers=report.answers,
        ),
        fields=(
            (_("Meeting rate"), _few_people() if few_people else _rate(report.meeting_rate)),
            (
                _("Check-in response rate"),
                _few_people() if few_people else _rate(report.checkin_response_rate),
            ),
            (_("Net Promoter Score"), _few_answers() if few_answers else nps),
            (_("Would do it again"), _few_answers() if few_answers else _rate(report.again_rate)),
            (_("Goals done (leaders)"), goals(Side.LEADER)),
            (_("Goals done (mentors)"), goals(Side.MENTOR)),
            (_("Leaders' confidence change"), change(Side.LEADER)),
            (_("Mentors' own growth"), change(Side.MENTOR)),
            (_("Stories shared"), str(report.stories_shared)),
        ),
    )


async def last_closed_round(ctx: Ctx) -> Cycle | None:
    closed = [c for c in await ctx.uow.cycles.list() if c.closed_at is not None]
    return max(closed, key=lambda c: c.number, default=None)


async def send_due_reports(ctx: Ctx) -> int:
    """Close the survey window of every recently closed round whose window is due; how many closed.

    Safe to run on every replica and every tick: the celebrations and reports have outbox keys, and a
    round is marked reported in the same transaction."""
    since = ctx.now - REPORT_LOOKBACK
    recent = [c for c in await ctx.uow.cycles.list() if c.closed_at is not None and c.closed_at >= since]
    reported = await ctx.uow.round_end.reported([c.id for c in recent])
    closed = 0
    for cycle in recent:
        if cycle.id in reported or cycle.closed_at is None:
            continue
        pairings = await ctx.uow.pairings.list(cycle_id=cycle.id)
        finished = [p for p in pairings if celebrations.round_finished_by(p)]
        if ctx.now < cycle.closed_at + SURVEY_WINDOW and not await _everyone_answered(ctx, cycle, finished):
            continue
        for pairing in finished:
            await celebrations.celebrate_round(ctx, pairing, cycle.number)
        await _report_to_admins(ctx, cycle, pairings)
        await ctx.uow.round_end.mark_reported(cycle.id, ctx.now)
        closed += 1
        logger.info("round %s: survey window closed, report sent", cycle.number)
    return closed


async def _everyone_answered(ctx: Ctx, cycle: Cycle, finished: list[Pairing]) -> bool:
    answered = {(a.pairing_id, a.user) for a in await ctx.uow.round_end.answers(cycle.id)}
    return all((p.id, member) in answered for p in finished for member in p.members())


async def _report_to_admins(ctx: Ctx, cycle: Cycle, pairings: list[Pairing]) -> None:
    """One report per workspace or tenant, over its own people, to its own admins only."""
    workspaces = sorted({(m.platform, m.workspace_id) for p in pairings for m in p.members()})
    for platform, workspace_id in workspaces:
        admins = ctx.admins_of(UserRef(platform, workspace_id, ""))
        if not admins:
            continue
        report = await compute_report(ctx, cycle, AdminScope(platform, workspace_id))
        message = report_message(report)
        for admin in admins:
            await ctx.outbox.dm(f"round:report:{cycle.id}:{admin.key}", admin, message)
