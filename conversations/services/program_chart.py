"""The program's figures week by week over one round, and the picture `stats` attaches.

A week's point is drawn only when at least `MIN_GROUP` people stand behind it (the people in the pairs
counted, the people who were asked or who answered), so no chart can single anyone out. The picture
is drawn with matplotlib's object API on an Agg canvas: no pyplot, whose global figure state is not
safe in a server answering several admins at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from conversations.domain import Cycle, GoalTotals, Pairing, ScoreTotals, Side, UserRef, WeekTotals
from conversations.i18n import _

MIN_GROUP = 5
"""The smallest group a figure may describe."""
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class RoundWeeks:
    """One round's figures; a None is a week whose group was under `MIN_GROUP` people (or empty)."""

    cycle_number: int
    starts: tuple[datetime, ...]
    active_pairs: tuple[int | None, ...]
    meeting_rate: tuple[float | None, ...]
    response_rate: tuple[float | None, ...]
    average_rating: tuple[float | None, ...]
    goals_done: dict[str, tuple[int | None, ...]]
    """Goals done so far, by side, at the end of each week."""
    assessment: dict[str, tuple[float | None, float | None]]
    """Each side's average self-assessment, before and after."""
    closed: bool

    @property
    def weeks(self) -> int:
        return len(self.starts)


def _shown(value: float | None, people: int) -> float | None:
    return value if people >= MIN_GROUP else None


def _enough_people(pairings: Sequence[Pairing]) -> bool:
    """Whether at least `MIN_GROUP` different people are in `pairings`; stops counting there, since a
    round's weeks each hold thousands of pairs."""
    seen: set[UserRef] = set()
    for pairing in pairings:
        seen.update(pairing.members())
        if len(seen) >= MIN_GROUP:
            return True
    return False


def week_starts(cycle: Cycle, now: datetime) -> tuple[datetime, ...]:
    """The starts of the round's weeks so far: from its start to its close (or to now)."""
    end = min(cycle.closed_at or now, now)
    count = max(1, min(cycle.weeks, -(-(end - cycle.started_at) // WEEK)))
    return tuple(cycle.started_at + i * WEEK for i in range(count))


def round_weeks(
    cycle: Cycle,
    pairings: Sequence[Pairing],
    totals: Sequence[WeekTotals],
    goals: Mapping[Side, GoalTotals],
    assessments: Mapping[tuple[Side, str], ScoreTotals],
    now: datetime,
) -> RoundWeeks:
    """Figures for `cycle` from its own pairs' records, counted by the store: `goals` with one
    `done_before` per week end of `week_starts`, `assessments` by side and phase."""
    mine = {p.id: p for p in pairings if p.cycle_id == cycle.id}
    starts = week_starts(cycle, now)
    count = len(starts)
    first_day = cycle.started_at.date()

    def week_of(iso_week: str) -> int | None:
        """The round's week an ISO week falls in; a round starting midweek counts its first days as
        its first week."""
        try:
            year, number = iso_week.split("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            return None
        index = ((monday - first_day).days + 3) // 7
        return index if 0 <= index < count else None

    by_week = {index: t for t in totals if (index := week_of(t.week)) is not None}
    empty = WeekTotals("", 0, 0, 0, 0, 0, 0, 0)
    weekly = [by_week.get(i, empty) for i in range(count)]

    active: list[int | None] = []
    meeting: list[float | None] = []
    for start in starts:
        running = [
            p
            for p in mine.values()
            if p.created_at < start + WEEK and (p.ended_at is None or p.ended_at >= start)
        ]
        enough = _enough_people(running)
        index = len(active)
        active.append(len(running) if enough else None)
        # A week before the first check-in went out says nothing about meetings, so it is left blank.
        week = weekly[index]
        rate = min(1.0, week.pairs_met / len(running)) if running and week.asked else None
        meeting.append(rate if enough else None)

    done_by_side: dict[str, tuple[int | None, ...]] = {}
    for side in Side:
        side_goals = goals.get(side, GoalTotals(0, 0, 0, (0,) * count))
        done_by_side[side.value] = tuple(
            done if side_goals.owners >= MIN_GROUP else None for done in side_goals.done_before
        )

    no_scores = ScoreTotals(0, 0)
    assessment_means: dict[str, tuple[float | None, float | None]] = {}
    for side in Side:
        before = assessments.get((side, "before"), no_scores)
        after = assessments.get((side, "after"), no_scores)
        assessment_means[side.value] = (
            _shown(before.mean, before.count),
            _shown(after.mean, after.count),
        )

    return RoundWeeks(
        cycle_number=cycle.number,
        starts=starts,
        active_pairs=tuple(active),
        meeting_rate=tuple(meeting),
        response_rate=tuple(
            _shown(w.answered / w.asked if w.asked else None, w.people_asked) for w in weekly
        ),
        average_rating=tuple(
            _shown(w.rating_sum / w.rating_count if w.rating_count else None, w.raters) for w in weekly
        ),
        goals_done=done_by_side,
        assessment=assessment_means,
        closed=cycle.closed_at is not None and cycle.closed_at <= now,
    )


COLOURS = {"leader": "#2f5d62", "mentor": "#e07a5f", "rate": "#3d405b", "other": "#81b29a"}


def chart_png(weeks: RoundWeeks) -> bytes:
    """The round's figures as one PNG: six small panels sharing the weeks of the round."""
    figure = Figure(figsize=(12, 7), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    state = _("closed") if weeks.closed else _("running")
    figure.suptitle(
        _("Reverse mentoring, round {number} ({state})", number=weeks.cycle_number, state=state)
        + "\n"
        + _("Weeks with fewer than {minimum} people behind a figure are not drawn.", minimum=MIN_GROUP),
        fontsize=12,
    )
    numbers = list(range(1, weeks.weeks + 1))
    panels = figure.subplots(2, 3)
    _line(panels[0][0], numbers, {_("active pairs"): weeks.active_pairs}, _("Active pairs"))
    _line(
        panels[0][1],
        numbers,
        {_("met this week"): _percent(weeks.meeting_rate)},
        _("Weekly meeting rate (%)"),
        top=100,
    )
    _line(
        panels[0][2],
        numbers,
        {_("check-ins answered"): _percent(weeks.response_rate)},
        _("Check-in response rate (%)"),
        top=100,
    )
    _line(panels[1][0], numbers, {_("average"): weeks.average_rating}, _("Average rating (1-5)"), top=5)
    _line(
        panels[1][1],
        numbers,
        {_("leaders"): weeks.goals_done["leader"], _("mentors"): weeks.goals_done["mentor"]},
        _("Goals done so far, by side"),
    )
    _assessment_bars(panels[1][2], weeks.assessment)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _percent(values: tuple[float | None, ...]) -> tuple[float | None, ...]:
    return tuple(None if v is None else 100 * v for v in values)


def _line(
    axes: Axes,
    weeks: list[int],
    series: dict[str, tuple[int | None, ...] | tuple[float | None, ...]],
    title: str,
    top: float | None = None,
) -> None:
    """Each series as a line over the weeks; suppressed weeks leave a gap, never a zero."""
    colours = iter((COLOURS["leader"], COLOURS["mentor"], COLOURS["rate"]))
    drawn = False
    for label, values in series.items():
        if any(v is not None for v in values):
            drawn = True
            ys = [float("nan") if v is None else float(v) for v in values]
            axes.plot(weeks, ys, marker="o", label=label, color=next(colours))
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(_("week of the round"), fontsize=8)
    axes.set_xlim(0.5, max(weeks) + 0.5)
    axes.set_xticks(weeks)
    axes.tick_params(labelsize=8)
    highest = max((float(v) for values in series.values() for v in values if v is not None), default=1.0)
    axes.set_ylim(0, (top or highest or 1.0) * 1.1)
    if not drawn:
        axes.text(
            0.5, 0.5, _("not enough people to show"), ha="center", va="center", transform=axes.transAxes
        )
    elif len(series) > 1:
        axes.legend(fontsize=8)


def _assessment_bars(axes: Axes, means: dict[str, tuple[float | None, float | None]]) -> None:
    """Before and after side by side for each side; a bar from under five people is left out."""
    sides = [("leader", _("leaders")), ("mentor", _("mentors"))]
    drawn = False
    for offset, (phase, label, colour) in enumerate(
        ((0, _("before"), COLOURS["other"]), (1, _("after"), COLOURS["rate"]))
    ):
        xs = [i + (offset - 0.5) * 0.38 for i in range(len(sides))]
        ys = [means[side][phase] for side, _label in sides]
        shown = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        if shown:
            drawn = True
            axes.bar([x for x, _y in shown], [y for _x, y in shown], width=0.36, label=label, color=colour)
    axes.set_xticks(range(len(sides)), [label for _side, label in sides])
    axes.set_ylim(0, 5.25)
    axes.set_title(_("Self-assessment (1-5), before and after"), fontsize=10)
    axes.tick_params(labelsize=8)
    if drawn:
        axes.legend(fontsize=8)
    else:
        axes.text(
            0.5, 0.5, _("not enough people to show"), ha="center", va="center", transform=axes.transAxes
        )
