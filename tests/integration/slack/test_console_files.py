"""An admin's export and the stats chart in Slack: uploaded whole as files, where they belong."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import matplotlib.image

from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.fake_slack import TEAM_ID
from tests.integration.slack.program import EVE
from tests.support.program_history import NOTE, ROUND_START, seed_history

PAIRS = 60


async def seeded(slack: SlackDriver, **options: object) -> None:
    await seed_history(
        slack.store, participants=2 * PAIRS + 4, pairs=PAIRS, weeks=6, workspace_id=TEAM_ID, **options
    )  # type: ignore[arg-type]
    slack.clock.set(ROUND_START + timedelta(weeks=6, days=2))
    slack.fake.clear()


async def test_export_typed_in_a_channel_arrives_whole_in_the_admins_dm(slack: SlackDriver) -> None:
    await seeded(slack)
    await slack.command(ADMIN, "export", channel_id="C0ADMINS", channel_name="mentoring-admins")

    (notice,) = slack.fake.responses
    assert notice["response_type"] == "ephemeral" and "direct messages" in notice["text"]
    (file,) = slack.fake.shared_files()
    assert file.channel == "D" + ADMIN[1:] and file.filename.endswith(".csv")
    assert file.data is not None
    (announced,) = slack.fake.successful("files.getUploadURLExternal")
    assert int(announced.args["length"]) == len(file.data) > 3_000
    rows = list(csv.DictReader(io.StringIO(file.data.decode())))
    assert len(rows) == PAIRS
    assert {"help_requests", "end_reason", "leader_assessment_after", "mentor_assessment_before"} <= set(
        rows[0]
    )
    assert any(row["end_reason"] == "moved to another team" for row in rows)
    assert NOTE.encode() not in file.data
    (message,) = [c for c in slack.fake.successful("chat.postMessage") if c.args["channel"] == ADMIN]
    assert "pairings" in message.args["text"] and "a,b" not in message.args["text"]


async def test_stats_share_their_chart_in_the_channel_they_were_asked_in(slack: SlackDriver) -> None:
    await seeded(slack)
    await slack.command(ADMIN, "stats", channel_id="C0ADMINS", channel_name="mentoring-admins")

    (stats,) = slack.fake.responses
    assert stats["response_type"] == "in_channel"
    (chart,) = slack.fake.shared_files()
    assert chart.channel == "C0ADMINS" and chart.filename.endswith(".png")
    assert chart.data is not None and chart.alt_txt and "week by week" in chart.alt_txt
    picture = matplotlib.image.imread(io.BytesIO(chart.data), format="png")
    assert picture.shape[0] > 400 and picture.shape[1] > 800


async def test_a_chart_for_a_channel_the_bot_is_not_in_goes_to_the_dm(slack: SlackDriver) -> None:
    await seeded(slack)
    await slack.command(ADMIN, "stats", channel_id="CNOTIN001", channel_name="elsewhere")

    refused = [c for c in slack.fake.of("files.completeUploadExternal") if not c.response.get("ok")]
    assert [c.response["error"] for c in refused] == ["not_in_channel"]
    (chart,) = slack.fake.shared_files()
    assert chart.channel == "D" + ADMIN[1:]


async def test_people_who_are_not_admins_get_no_file(slack: SlackDriver) -> None:
    await seeded(slack)
    await slack.command(EVE, "export")
    await slack.command(EVE, "stats")

    assert slack.fake.shared_files() == []
    assert slack.fake.of("files.getUploadURLExternal") == []
    assert all("admins" in r["text"] for r in slack.fake.responses)
