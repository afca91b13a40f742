"""Development paths in Slack over real HTTP: the offer by DM after the introduction, Edit in a modal
(cleaned), Accept, the check-in's milestone ticked off, and the progress in status."""

from __future__ import annotations

from conversations.growth import LibraryPathSuggester
from tests.integration.slack.conftest import SlackDriver, button
from tests.integration.slack.fake_slack import Call
from tests.integration.slack.program import LEA, pair_lea_and_max, weekly_checkin_to


def offers_to(slack: SlackDriver, user_id: str) -> list[Call]:
    return [
        c
        for c in slack.fake.successful("chat.postMessage")
        if c.args["channel"] == user_id
        and c.response.get("ok")
        and "Your path for this round" in c.args["text"]
    ]


def shown(slack: SlackDriver) -> str:
    """The last reply the bot gave through a response URL, as text."""
    return str(slack.fake.responses[-1])


async def test_a_path_offered_edited_accepted_and_ticked_off_in_slack(slack: SlackDriver) -> None:
    slack.engine.jobs.paths = LibraryPathSuggester()
    await pair_lea_and_max(slack)
    await slack.engine.jobs.tick()
    (offer,) = offers_to(slack, LEA)
    assert [b["text"]["text"] for b in offer.args["blocks"][-1]["elements"]] == [
        "Accept",
        "Edit",
        "Ask again",
    ]

    await slack.click(LEA, button(offer.args["blocks"], "Edit"), offer)
    view = slack.last_opened_view()
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == [f"milestone_{n}" for n in range(1, 6)]
    saved = await slack.submit(
        LEA,
        view,
        {
            "milestone_1": "Try an AI assistant on my board notes <!channel>",
            "milestone_2": "Visit https://evil.example.com for a free course",
            "milestone_3": "Automate one weekly report with my mentor",
        },
    )
    assert saved.status == 200
    await slack.command(LEA, "status")
    assert "0 of 3 milestones done" in shown(slack)

    checkin = await weekly_checkin_to(slack, LEA)
    blocks = str(checkin.args["blocks"])
    assert "Try an AI assistant on my board notes" in blocks and "<!channel>" not in blocks
    await slack.click(LEA, button(checkin.args["blocks"], "Milestone done"), checkin)
    assert "1 of 3 milestones done" in shown(slack)
    await slack.command(LEA, "status")
    assert "1 of 3 milestones done" in shown(slack)
    assert len(offers_to(slack, LEA)) == 1
