"""An admin's `insights` in Slack over real HTTP: five leaders who joined through the profile modal
want a theme no mentor offers, and the admin's private answer shows the gap in valid blocks; anyone
else is refused."""

from __future__ import annotations

from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.program import join, profile_answers
from tests.integration.slack.validate import check_blocks

LEADERS = ("ULEAD0001", "ULEAD0002", "ULEAD0003", "ULEAD0004", "ULEAD0005")


async def test_an_admin_reads_the_skills_gap_in_slack(slack: SlackDriver) -> None:
    fake = slack.fake
    for leader in LEADERS:
        await join(
            slack, leader, profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance")
        )

    await slack.command(LEADERS[0], "insights")
    assert "admins" in fake.responses[-1]["text"] and "Generative AI" not in str(fake.responses[-1])

    await slack.command(ADMIN, "insights")
    answer = fake.responses[-1]
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert check_blocks(answer["blocks"], 50) == []
    shown = str(answer["blocks"])
    assert "Leaders want, no mentor offers" in shown
    assert "Generative AI: 5 leaders" in shown
    assert "Recruit mentors who offer generative AI: 5 leaders want it." in shown
    assert not fake.problems, "the bot sent what Slack would refuse:\n" + "\n".join(fake.problems)
