"""`stats` attaches the round's chart: a PNG of its weeks, with no figure drawn from under five people;
after the round closes, stats and the chart describe the closed round. `export` holds the assessments,
help requests and end reasons, never a note, and only the admin's own workspace."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import matplotlib.image

from conversations.domain import UserRef
from conversations.events import CommandReceived
from conversations.services import stats
from conversations.services.context import ProgramConfig
from conversations.services.program_chart import MIN_GROUP, RoundWeeks, chart_png
from tests.support.program_history import END_REASON, NOTE, ROUND_START, seed_history
from tests.unit.engine_harness import ADMIN, Harness


async def harness_with(
    pairs: int, participants: int | None = None, closed: bool = False, weeks: int = 6
) -> Harness:
    h = Harness()
    await seed_history(
        h.store,
        participants=participants or 2 * pairs,
        pairs=pairs,
        weeks=weeks,
        platform="console",
        workspace_id="T1",
        closed=closed,
    )
    h.clock.set(ROUND_START + timedelta(weeks=weeks, days=2))
    return h


async def weeks_of(h: Harness) -> RoundWeeks:
    async with h.store() as uow:
        weeks = await stats.round_figures(h.bot._ctx(uow))
    assert weeks is not None
    return weeks


async def test_stats_attach_a_png_of_the_rounds_weeks() -> None:
    h = await harness_with(pairs=20)
    reply = await h.say(ADMIN, "stats")
    chart = reply.message.attachment if reply.message else None
    assert chart is not None and chart.mime_type == "image/png"
    picture = matplotlib.image.imread(io.BytesIO(chart.content), format="png")
    assert picture.shape[:2] == (700, 1200)
    weeks = await weeks_of(h)
    assert weeks.weeks == 6 and all(v == 20 for v in weeks.active_pairs)
    assert all(v is not None for v in weeks.meeting_rate + weeks.response_rate + weeks.average_rating)
    assert all(v is not None for side in weeks.assessment.values() for v in side)


async def test_a_group_of_four_people_is_not_drawn() -> None:
    h = await harness_with(pairs=2)  # four people
    weeks = await weeks_of(h)
    assert 2 * 2 < MIN_GROUP
    assert set(weeks.active_pairs) == {None}
    assert set(weeks.meeting_rate + weeks.response_rate + weeks.average_rating) == {None}
    assert set(weeks.goals_done["leader"] + weeks.goals_done["mentor"]) == {None}
    assert weeks.assessment == {"leader": (None, None), "mentor": (None, None)}
    chart_png(weeks)  # an empty chart still draws, saying there is not enough to show

    bigger = await weeks_of(await harness_with(pairs=3))  # six people
    assert set(bigger.active_pairs) == {3}


async def test_after_the_round_closes_stats_show_that_round() -> None:
    h = await harness_with(pairs=10, closed=True)
    reply = await h.say(ADMIN, "stats")
    assert reply.message is not None
    fields = dict(reply.message.fields)
    assert "Active pairs" not in fields
    assert fields["Round 1"] == f"closed on {(ROUND_START + timedelta(weeks=6)).date().isoformat()}, 10 pairs"
    assert fields["Meeting rate, last 2 weeks of the round"] != "—"
    assert reply.message.attachment is not None
    weeks = await weeks_of(h)
    assert weeks.closed and weeks.weeks == 6 and set(weeks.active_pairs) == {10}


async def test_the_export_holds_assessments_help_requests_and_end_reasons_but_no_notes() -> None:
    h = await harness_with(pairs=50)
    reply = await h.say(ADMIN, "export")
    assert reply.message is not None and reply.message.attachment is not None
    content = reply.message.attachment.content
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert len(rows) == 50
    ended = [r for r in rows if r["end_reason"] == END_REASON]
    assert len(ended) == 1 and ended[0]["leader_assessment_after"] == ""
    assert all(r["leader_assessment_before"] and r["mentor_assessment_before"] for r in rows)
    assert sum(int(r["help_requests"]) for r in rows) > 0
    assert NOTE.encode() not in content


async def test_stats_and_export_are_for_admins_only() -> None:
    h = await harness_with(pairs=10)
    for command in ("stats", "export"):
        reply = await h.say("U0000002", command)
        assert reply.message is not None and reply.message.attachment is None
        assert "admins only" in reply.message.text


async def test_a_workspace_admin_sees_only_their_workspace_in_chart_and_export() -> None:
    home_admin = UserRef("slack", "T0HOME01", "U0BOSS01")
    h = Harness(config=ProgramConfig(admins=frozenset({"slack:T0HOME01/U0BOSS01"})))
    home = await seed_history(
        h.store, participants=12, pairs=6, weeks=4, workspace_id="T0HOME01", user_prefix="UH"
    )
    await seed_history(
        h.store,
        participants=40,
        pairs=20,
        weeks=4,
        workspace_id="T0OTHER1",
        user_prefix="UO",
        cycle=home.cycle,
    )
    h.clock.set(ROUND_START + timedelta(weeks=4, days=2))

    export = await h.bot.handle(CommandReceived(home_admin, "export", "scope-export"))
    assert export is not None and export.message is not None and export.message.attachment is not None
    rows = list(csv.DictReader(io.StringIO(export.message.attachment.content.decode())))
    assert len(rows) == 6 and all(r["leader"].startswith("Person") for r in rows)
    answer = await h.bot.handle(CommandReceived(home_admin, "stats", "scope-stats"))
    assert answer is not None and answer.message is not None
    assert dict(answer.message.fields)["Active pairs"] == "6"
    async with h.store() as uow:
        scope = h.bot._ctx(uow).admin_scope(home_admin)
        assert scope is not None
        weeks = await stats.round_figures(h.bot._ctx(uow), scope)
        everything = await stats.round_figures(h.bot._ctx(uow))
    assert weeks is not None and set(weeks.active_pairs) == {6}
    assert everything is not None and set(everything.active_pairs) == {26}
