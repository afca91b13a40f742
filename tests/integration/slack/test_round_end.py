"""The end of a round in Slack over real HTTP: a goal done celebrated in the pair's group DM, the
round-end survey modal answered with a story, the round's celebration, and the admins' round report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.integration.slack.conftest import ADMIN, START, SlackDriver, button
from tests.integration.slack.fake_slack import Call
from tests.integration.slack.program import LEA, MAX, pair_lea_and_max

STORY = "Max showed me how to turn my meeting notes into a board summary with an assistant."


def posted(slack: SlackDriver, words: str) -> list[Call]:
    return [
        c
        for c in slack.fake.successful("chat.postMessage")
        if c.response.get("ok") and words in str(c.args.get("blocks")) + c.args.get("text", "")
    ]


def group_of(slack: SlackDriver) -> str:
    opened = [c for c in slack.fake.successful("conversations.open") if "," in c.args["users"]]
    assert opened and sorted(opened[-1].args["users"].split(",")) == sorted([LEA, MAX])
    return str(opened[-1].response["channel"]["id"])


def survey_answers(story: str = "", recommend: str = "10") -> dict[str, Any]:
    return {"recommend": recommend, "learned": "Prompting", "again": "yes", "story": story}


async def test_goal_done_survey_celebration_and_report(slack: SlackDriver) -> None:
    await pair_lea_and_max(slack)
    group = group_of(slack)

    await slack.command(LEA, "assess before 2")
    await slack.command(LEA, "goals add use an AI assistant for my weekly update")
    await slack.command(LEA, "goals done 1")
    await slack.engine.jobs.deliver_due()
    (goal_done,) = posted(slack, "A goal is done")
    assert goal_done.args["channel"] == group
    assert f"<@{LEA}>" in str(goal_done.args["blocks"]) and "weekly update" in str(goal_done.args["blocks"])

    # the round ends: each person gets the survey in a DM, and its button opens a modal
    slack.clock.set(START + timedelta(weeks=12, hours=2))
    await slack.engine.jobs.tick()
    asks = posted(slack, "four quick questions")
    assert sorted(c.args["channel"] for c in asks) == sorted([LEA, MAX])
    ask = next(c for c in asks if c.args["channel"] == LEA)
    await slack.click(LEA, button(ask.args["blocks"], "Answer the survey"), ask)
    view = slack.last_opened_view()
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "recommend",
        "learned",
        "again",
        "story",
    ]
    refused = await slack.submit(LEA, view, survey_answers(story="too short"))
    assert refused.json()["response_action"] == "errors" and "story" in refused.json()["errors"]
    saved = await slack.submit(LEA, view, survey_answers(story=STORY))
    assert saved.status == 200 and "partner to approve" in saved.text
    await slack.engine.jobs.deliver_due()
    (approval,) = posted(slack, "May we share your story?")
    assert approval.args["channel"] == MAX and STORY in str(approval.args["blocks"])

    # both after answers: the round's celebration in the pair's group DM
    await slack.command(LEA, "assess after 4")
    await slack.command(MAX, "assess after 3")
    await slack.engine.jobs.deliver_due()
    (celebration,) = posted(slack, "Round 1 is complete")
    assert celebration.args["channel"] == group
    assert "2/5 → 4/5 (+2)" in str(celebration.args["blocks"])

    # the report: on demand in the admins' channel, then by DM when the survey window closes
    slack.fake.clear()
    await slack.command(ADMIN, "report", channel_id="C0ADMINS", channel_name="mentoring-admins")
    (shown,) = slack.fake.responses
    assert shown["response_type"] == "in_channel" and "round 1 report" in str(shown)
    await slack.command(LEA, "report")
    assert "admins only" in slack.fake.responses[-1]["text"]
    slack.clock.set(START + timedelta(weeks=13, hours=3))
    await slack.engine.jobs.tick()
    (report,) = posted(slack, "round 1 report")
    assert report.args["channel"] == ADMIN
    assert "fewer than 5 answers" in str(report.args["blocks"])
    assert "Prompting" not in str(report.args) and STORY not in str(report.args)
