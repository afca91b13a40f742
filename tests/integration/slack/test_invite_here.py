"""`/mentor invite here` in Slack over real HTTP: the channel's people (conversations.members, matched
against users.list for names and emails) get one invitation DM each, straight to their account."""

from __future__ import annotations

from conversations.services.invitations import MEMBERS_UNKNOWN, here_only_in_a_channel
from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.fake_slack import TEAM_ID, fake_email

CHANNEL = "C0LEADERS"
ANA, BEN, BOT = "UANA00001", "UBEN00001", "UBOTTY001"


async def test_invite_here_writes_to_the_channels_people_and_not_to_apps_or_the_admin(
    slack: SlackDriver,
) -> None:
    fake = slack.fake
    fake.add_user(ANA, "Ana Silva")
    fake.add_user(BEN, "Ben Okafor")
    fake.add_user(BOT, "Some App", is_bot=True)
    fake.channels[CHANNEL] = [ADMIN, ANA, BEN, BOT]

    await slack.command(ADMIN, "invite here", channel_id=CHANNEL, channel_name="leaders")
    (answer,) = fake.responses
    assert answer["text"] == "Invited 2 people; 0 already joined, 0 said never, 0 were invited recently."
    assert [c.args["channel"] for c in fake.successful("conversations.members")] == [CHANNEL]

    report = await slack.engine.jobs.deliver_due()
    assert (report.sent, report.failed) == (2, 0)
    invited = sorted(c.args["channel"] for c in fake.successful("chat.postMessage"))
    assert invited == [ANA, BEN]
    assert fake.of("users.lookupByEmail") == []  # the account is known: no lookup at send time
    async with slack.store() as uow:
        stored = await uow.invitations.in_workspace("slack", TEAM_ID)
    assert sorted(stored) == sorted([fake_email(ANA), fake_email(BEN)])
    assert fake.problems == []


async def test_invite_here_where_the_bot_is_not_in_the_channel_invites_nobody(slack: SlackDriver) -> None:
    await slack.command(ADMIN, "invite here", channel_id="C0ELSEWHERE", channel_name="random")
    (answer,) = slack.fake.responses
    assert answer["text"] == MEMBERS_UNKNOWN
    async with slack.store() as uow:
        assert await uow.invitations.in_workspace("slack", TEAM_ID) == {}


async def test_invite_here_in_a_direct_message_says_where_it_works(slack: SlackDriver) -> None:
    await slack.command(ADMIN, "invite here", channel_id="D0ADMIN01", channel_name="directmessage")
    (answer,) = slack.fake.responses
    assert "channel" in answer["text"] and "/mentor invite here" in answer["text"]
    assert answer["text"] != here_only_in_a_channel()  # rendered: the command reference became Slack's own
