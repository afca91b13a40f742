"""Steps of the program played through Slack, shared by the tests that need a pair in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conversations.domain import UserRef
from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.fake_slack import TEAM_ID, Call

LEA, MAX, EVE = "ULEA00001", "UMAX00001", "UEVE00001"


def user(user_id: str) -> UserRef:
    return UserRef("slack", TEAM_ID, user_id)


def profile_answers(
    role: str, skills: list[str], goals: list[str], level: str, department: str
) -> dict[str, Any]:
    return {
        "role": role,
        "skills": skills,
        "skills_other": "",
        "learning_goals": goals,
        "learning_goals_other": "",
        "department": department,
        "seniority": level,
        "timezone": "Europe/London",
        "manager": "",
    }


LEADER_ANSWERS = profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance")
MENTOR_ANSWERS = profile_answers("mentor", ["Generative AI"], ["Company strategy"], "1", "Engineering")


async def join(slack: SlackDriver, user_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    sent = await slack.command(user_id, "join")
    assert sent.status == 200
    submitted = await slack.submit(user_id, slack.last_opened_view(), answers)
    assert submitted.status == 200
    return submitted.json()


async def pair_lea_and_max(slack: SlackDriver) -> None:
    await join(slack, LEA, LEADER_ANSWERS)
    await join(slack, MAX, MENTOR_ANSWERS)
    await slack.command(ADMIN, "pair")
    await slack.engine.jobs.deliver_due()


async def weekly_checkin_to(slack: SlackDriver, user_id: str) -> Call:
    """Move the clock past the check-in slot, tick, and return the check-in DM sent to `user_id`."""
    slack.clock.advance(timedelta(days=7, hours=3))
    await slack.engine.jobs.tick()
    return next(
        c
        for c in slack.fake.successful("chat.postMessage")
        if c.args["channel"] == user_id
        and c.response.get("ok")
        and c.args["text"].startswith("*Weekly check-in*")
    )
