"""The whole program in Slack over real HTTP: join via modal, admin pairs, intro in a group DM,
check-in click, stats in the channel."""

from __future__ import annotations

from datetime import timedelta

from conversations.domain import CheckinAnswer
from tests.integration.slack.conftest import ADMIN, SlackDriver, button
from tests.integration.slack.program import EVE, LEA, MAX, join, profile_answers, user


async def test_join_pair_intro_checkin_and_stats(slack: SlackDriver) -> None:
    fake = slack.fake
    fake.add_user(LEA, "Lea Leader", tz="America/New_York")

    # join: the modal opens with the Slack timezone preselected, and errors come back inline
    await slack.command(LEA, "join")
    view = slack.last_opened_view()
    assert view["type"] == "modal" and view["callback_id"] == "mentorbot_form"
    timezone_block = next(b for b in view["blocks"] if b.get("block_id") == "timezone")
    assert timezone_block["element"]["initial_option"]["value"] == "America/New_York"
    skills = next(b for b in view["blocks"] if b.get("block_id") == "skills")
    assert skills["element"]["type"] == "multi_static_select"

    incomplete = profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "")
    refused = await slack.submit(LEA, view, incomplete)
    assert refused.status == 200
    assert refused.json()["response_action"] == "errors"
    assert "department" in refused.json()["errors"]
    assert user(LEA) not in await slack.store.participants()

    answer = await slack.submit(
        LEA, view, profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance")
    )
    assert answer.json()["response_action"] == "update"
    assert "Welcome" in str(answer.json()["view"]["blocks"])
    welcome = await join(
        slack, MAX, profile_answers("mentor", ["Generative AI"], ["Company strategy"], "1", "Engineering")
    )
    assert welcome["response_action"] == "update"

    # admin pairs: the summary comes back privately, the intro goes to one group DM with both
    fake.clear()
    await slack.command(ADMIN, "pair")
    (summary,) = fake.responses
    assert summary["response_type"] == "ephemeral"
    await slack.engine.jobs.deliver_due()
    (opened,) = fake.successful("conversations.open")
    assert sorted(opened.args["users"].split(",")) == sorted([LEA, MAX])
    group = opened.response["channel"]["id"]
    intro = [c for c in fake.successful("chat.postMessage") if c.args["channel"] == group]
    assert len(intro) == 1 and intro[0].response["ok"]
    assert f"<@{MAX}>" in str(intro[0].args["blocks"]) or f"<@{LEA}>" in str(intro[0].args["blocks"])

    # the weekly check-in arrives as a DM with buttons; a click is recorded and the message replaced
    fake.clear()
    slack.clock.advance(timedelta(days=7, hours=3))
    await slack.engine.jobs.tick()
    to_lea = [c for c in fake.successful("chat.postMessage") if c.args["channel"] == LEA and c.response["ok"]]
    checkin_message = next(c for c in to_lea if "check-in" in c.args["text"].lower())
    clicked = await slack.click(
        LEA, button(checkin_message.args["blocks"], CheckinAnswer.MET.label), checkin_message
    )
    assert clicked.status == 200
    (replaced,) = fake.responses
    assert replaced["replace_original"] is True
    ideas = [b for b in checkin_message.args["blocks"] if "Ideas for this week" in str(b.get("text"))]
    assert ideas and all(block in replaced["blocks"] for block in ideas), "the week's ideas stay"
    assert not any("checkin_answer" in str(b) for b in replaced["blocks"] if b["type"] == "actions")
    (checkin,) = [c for c in (await slack.store.checkins()).values() if c.user == user(LEA)]
    assert checkin.answer is CheckinAnswer.MET

    # stats: posted in the channel for an admin, refused privately for anyone else
    fake.clear()
    await slack.command(ADMIN, "stats", channel_id="C0ADMINS", channel_name="mentoring-admins")
    (stats,) = fake.responses
    assert stats["response_type"] == "in_channel"
    await slack.command(EVE, "stats")
    refusal = fake.responses[-1]
    assert refusal["response_type"] == "ephemeral" and "admins" in refusal["text"]
