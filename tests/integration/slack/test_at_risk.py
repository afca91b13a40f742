"""An admin's `at-risk` in Slack over real HTTP: the list, a pair's card, each button clicked (ending
behind Slack's confirm dialog), what the people receive, and the re-match the next day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conversations.domain import PairingStatus
from tests.integration.slack.conftest import ADMIN, SlackDriver, button, buttons_in
from tests.integration.slack.fake_slack import Call
from tests.integration.slack.program import EVE, LEA, MAX, join, pair_lea_and_max, profile_answers, user
from tests.integration.slack.validate import check_blocks

MIA = "UMIA00001"


def as_message(answer: dict[str, Any], ts: str) -> Call:
    """An answer on the response_url as the message it became, for clicking its buttons."""
    return Call("chat.postMessage", answer, 200, 0.0, {"ok": True, "channel": "D0ADMIN01", "ts": ts})


def dms_titled(slack: SlackDriver, user_id: str, title: str) -> list[Call]:
    return [
        c
        for c in slack.fake.successful("chat.postMessage")
        if c.args["channel"] == user_id and c.response.get("ok") and c.args["text"].startswith(f"*{title}*")
    ]


async def test_an_admin_acts_on_an_at_risk_pair_with_its_buttons(slack: SlackDriver) -> None:
    fake = slack.fake
    await pair_lea_and_max(slack)
    await slack.command(LEA, "checkin need-help private-words")

    await slack.command(EVE, "at-risk")
    assert "admins" in fake.responses[-1]["text"]

    await slack.command(ADMIN, "at-risk")
    listed = fake.responses[-1]
    assert check_blocks(listed["blocks"], 50) == []
    assert "asked for help" in str(listed["blocks"]) and "private-words" not in str(listed)
    await slack.click(ADMIN, button(listed["blocks"], "Open pair 1"), as_message(listed, "1.000001"))
    card = fake.responses[-1]
    assert [b["text"]["text"] for b in buttons_in(card["blocks"])] == [
        "Nudge both",
        "Ask the leader privately",
        "Ask the mentor privately",
        "End and re-match",
    ]
    end = button(card["blocks"], "End and re-match")
    assert end["style"] == "danger" and end["confirm"]["style"] == "danger"
    assert "End this pairing now?" in end["confirm"]["text"]["text"]
    message = as_message(card, "1.000002")

    await slack.click(ADMIN, button(card["blocks"], "Nudge both"), message)
    assert "Nudged both" in fake.responses[-1]["text"]
    await slack.click(ADMIN, button(card["blocks"], "Ask the leader privately"), message)
    await slack.engine.jobs.deliver_due()
    assert len(dms_titled(slack, LEA, "Time to catch up?")) == 1
    assert len(dms_titled(slack, MAX, "Time to catch up?")) == 1
    (asked,) = dms_titled(slack, LEA, "How is it going?")
    assert "Need help" in [b["text"]["text"] for b in buttons_in(asked.args["blocks"])]
    assert not dms_titled(slack, MAX, "How is it going?")

    await slack.click(EVE, end, message)  # the same button, forged by someone who is no admin
    assert "admins" in fake.responses[-1]["text"]
    (pairing,) = (await slack.store.pairings()).values()
    assert pairing.status is PairingStatus.ACTIVE

    await join(slack, MIA, profile_answers("mentor", ["Generative AI"], ["Company strategy"], "2", "Data"))
    await slack.click(ADMIN, end, message)  # Slack sends the click once its confirm dialog was accepted
    assert fake.responses[-1]["replace_original"] is True
    (ended,) = (await slack.store.pairings()).values()
    assert ended.status is PairingStatus.ENDED and ended.end_reason == "ended by an admin"
    await slack.engine.jobs.deliver_due()
    assert dms_titled(slack, LEA, "Your pairing has ended") and dms_titled(
        slack, MAX, "Your pairing has ended"
    )

    slack.clock.advance(timedelta(days=1))
    await slack.engine.jobs.tick()
    active = [p for p in (await slack.store.pairings()).values() if p.status is PairingStatus.ACTIVE]
    assert [(p.leader, p.mentor) for p in active] == [(user(LEA), user(MIA))]
    assert not fake.problems, "the bot sent what Slack would refuse:\n" + "\n".join(fake.problems)
