"""`invite` in Slack over real HTTP: each invitation finds its person with users.lookupByEmail and
arrives as a DM with valid Block Kit buttons; Join opens the join modal and only submitting it enrols."""

from __future__ import annotations

from conversations.domain import DeliveryStatus, InvitationStatus
from conversations.services.org import changes, parse_org_csv
from tests.integration.slack.conftest import ADMIN, SlackDriver, button
from tests.integration.slack.fake_slack import TEAM_ID, fake_email
from tests.integration.slack.program import EVE, LEA, MENTOR_ANSWERS, user

GHOST = "ghost@acme.test"


async def import_chart(slack: SlackDriver) -> None:
    chart = (
        "email,name,department,level,manager_email,timezone\n"
        f"{fake_email(LEA)},Lea Leader,Finance,5,,\n"
        f"{fake_email(EVE)},Eve Outsider,Sales,1,{fake_email(LEA)},\n"
        f"{GHOST},Gus Ghost,Sales,1,{fake_email(LEA)},\n"
    ).encode()
    async with slack.store() as uow:
        await uow.org_chart.apply(changes([], parse_org_csv(chart)), slack.clock.now())
        await uow.commit()


async def test_invitations_find_people_by_email_and_join_opens_the_modal(slack: SlackDriver) -> None:
    fake = slack.fake
    await import_chart(slack)

    await slack.command(ADMIN, "invite")
    (answer,) = fake.responses
    assert answer["text"] == "Invited 3 people; 0 already joined, 0 said never, 0 were invited recently."
    report = await slack.engine.jobs.deliver_due()
    assert (report.sent, report.failed) == (2, 1)

    looked_up = sorted(c.args["email"] for c in fake.of("users.lookupByEmail"))
    assert looked_up == sorted([fake_email(LEA), fake_email(EVE), GHOST])
    to_lea = [c for c in fake.successful("chat.postMessage") if c.args["channel"] == LEA]
    (invitation,) = to_lea
    assert invitation.response["ok"] and "reverse-mentoring program" in invitation.args["text"]
    labels = [
        b["text"]["text"] for b in invitation.args["blocks"] if b["type"] == "actions" for b in b["elements"]
    ]
    assert labels == ["Join", "Not now", "Never"]
    (failed,) = [d for d in (await slack.store.deliveries()).values() if d.status is DeliveryStatus.FAILED]
    assert GHOST in (failed.last_error or "") and TEAM_ID in (failed.last_error or "")

    fake.clear()
    await slack.click(LEA, button(invitation.args["blocks"], "Join"), invitation)
    view = slack.last_opened_view()
    assert view["callback_id"] == "mentorbot_form"
    assert user(LEA) not in await slack.store.participants()

    submitted = await slack.submit(LEA, view, MENTOR_ANSWERS)
    assert submitted.json()["response_action"] == "update"
    assert user(LEA) in await slack.store.participants()
    async with slack.store() as uow:
        invitations = await uow.invitations.in_workspace("slack", TEAM_ID)
    assert invitations[fake_email(LEA)].status is InvitationStatus.JOINED
    assert invitations[fake_email(EVE)].status is InvitationStatus.INVITED


async def test_never_in_slack_replaces_the_invitation_and_is_respected(slack: SlackDriver) -> None:
    fake = slack.fake
    await import_chart(slack)
    await slack.command(ADMIN, "invite")
    await slack.engine.jobs.deliver_due()
    (invitation,) = [c for c in fake.successful("chat.postMessage") if c.args["channel"] == EVE]

    fake.clear()
    await slack.click(EVE, button(invitation.args["blocks"], "Never"), invitation)
    (replaced,) = fake.responses
    assert replaced["replace_original"] is True and "won't be invited again" in replaced["text"]

    fake.clear()
    await slack.command(ADMIN, "invite")
    (answer,) = fake.responses
    assert answer["text"] == "Invited 0 people; 0 already joined, 1 said never, 2 were invited recently."
