"""`invite`: one DM to each person of the org chart who has not joined, and nobody enrolled without the form.

Who is left out (members, people who said never, people asked recently), that a second `invite` sends
nothing new, what the buttons do, and what `stats` counts.
"""

from __future__ import annotations

from datetime import timedelta

from adapters.console import Sent
from conversations import buttons
from conversations.domain import DeliveryStatus, Destination, Invitation, InvitationStatus, UserRef, new_id
from conversations.errors import DeliveryError
from conversations.events import ButtonClicked, CommandReceived, Where
from conversations.messages import ButtonStyle
from conversations.ports import Person
from conversations.services.context import ProgramConfig
from conversations.services.invitations import MEMBERS_UNKNOWN, NOT_YOURS, gone, here_only_in_a_channel
from conversations.services.org import changes, parse_org_csv
from tests.unit.engine_harness import ADMIN, START, Harness

CHART = b"""email,name,department,level,manager_email,timezone
boss@x.org,Bo Boss,Board,6,,Europe/London
ann@x.org,Ann Ames,Finance,1,boss@x.org,
bob@x.org,Bob Burr,Sales,2,boss@x.org,
cy@x.org,Cy Cole,Sales,2,boss@x.org,
dee@x.org,Dee Dunn,Sales,3,boss@x.org,
eve@x.org,Eve Egan,Legal,4,boss@x.org,
"""
EMAILS = {f"{name}@x.org": name for name in ("boss", "ann", "bob", "cy", "dee", "eve")}
PROFILE_FIELDS: dict[str, str | list[str]] = {
    "role": "mentor",
    "skills": ["Generative AI"],
    "skills_other": "",
    "learning_goals": ["Company strategy"],
    "learning_goals_other": "",
    "department": "Sales",
    "seniority": "2",
    "timezone": "Europe/London",
    "manager": "",
}


async def chart_harness(admins: str = ADMIN) -> Harness:
    h = Harness(config=ProgramConfig(admins=frozenset({admins})))
    h.chat.emails.update(EMAILS)
    async with h.store() as uow:
        await uow.org_chart.apply(changes([], parse_org_csv(CHART)), START)
        await uow.commit()
    return h


async def seed(h: Harness, email: str, status: InvitationStatus, answered_days_ago: float | None) -> None:
    answered = START - timedelta(days=answered_days_ago) if answered_days_ago is not None else None
    invited_at = START - timedelta(days=60)
    async with h.store() as uow:
        await uow.invitations.save_many(
            [Invitation(new_id(), email, "console", "T1", status, invited_at, answered_at=answered)]
        )
        await uow.commit()


def invitations_to(h: Harness, user_id: str) -> list[Sent]:
    return [
        s
        for s in h.sent_to(user_id)
        if s.message.buttons and s.message.buttons[0].action_id == buttons.INVITATION.action_id
    ]


def invitation_id(sent: Sent) -> str:
    return buttons.INVITATION.decode(sent.message.buttons[0].value).id


async def invited(h: Harness) -> dict[str, Invitation]:
    async with h.store() as uow:
        return await uow.invitations.in_workspace("console", "T1")


async def test_invite_asks_only_who_has_not_joined_declined_or_been_asked_lately() -> None:
    h = await chart_harness()
    await h.join("ann", "mentor")  # linked to ann@x.org by the email the platform gives
    await seed(h, "bob@x.org", InvitationStatus.NEVER, 400)
    await seed(h, "cy@x.org", InvitationStatus.NOT_NOW, 29)
    await seed(h, "dee@x.org", InvitationStatus.NOT_NOW, 31)
    await seed(h, "eve@x.org", InvitationStatus.INVITED, None)

    reply = await h.say(ADMIN, "invite")
    assert reply.message is not None
    assert reply.message.text == (
        "Invited 2 people; 1 already joined, 1 said never, 2 were invited recently."
    )
    await h.bot.jobs.deliver_due()

    assert [len(invitations_to(h, who)) for who in ("boss", "ann", "bob", "cy", "dee", "eve")] == [
        1,
        0,
        0,
        0,
        1,
        0,
    ]
    (to_boss,) = invitations_to(h, "boss")
    message = to_boss.message
    assert "Hi Bo!" in message.text and "an hour every week or two" in message.text
    assert ADMIN in message.mentions
    assert [(b.label, b.style) for b in message.buttons] == [
        ("Join", ButtonStyle.PRIMARY),
        ("Not now", ButtonStyle.DEFAULT),
        ("Never", ButtonStyle.DEFAULT),
    ]
    deliveries = {d.idempotency_key: d for d in (await h.store.deliveries()).values()}
    assert {k for k in deliveries if k.startswith("invite:")} == {
        "invite:console:T1:boss@x.org:1",
        "invite:console:T1:dee@x.org:2",  # the second invitation ever sent to Dee here
    }
    now = await invited(h)
    assert (now["dee@x.org"].status, now["dee@x.org"].answered_at) == (InvitationStatus.INVITED, None)
    assert now["bob@x.org"].status is InvitationStatus.NEVER
    assert now["cy@x.org"].status is InvitationStatus.NOT_NOW


async def test_inviting_twice_sends_nothing_new() -> None:
    h = await chart_harness()
    first = await h.say(ADMIN, "invite")
    assert first.message is not None and first.message.text.startswith("Invited 6 people;")
    await h.bot.jobs.deliver_due()
    sent = len(h.chat.transcript)
    keys = set((await h.store.deliveries()).keys())

    again = await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    assert again.message is not None
    assert again.message.text == "Invited 0 people; 0 already joined, 0 said never, 6 were invited recently."
    assert len(h.chat.transcript) == sent
    assert set((await h.store.deliveries()).keys()) == keys


async def test_join_opens_the_join_form_and_only_submitting_it_enrols() -> None:
    h = await chart_harness()
    await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    (sent,) = invitations_to(h, "cy")
    value = sent.message.buttons[0].value

    reply = await h.click("cy", buttons.INVITATION.action_id, value)
    assert reply.message is not None and reply.message.form is not None
    assert reply.message.form.form_id == "join"
    assert h.user("cy") not in await h.store.participants()
    assert (await invited(h))["cy@x.org"].status is InvitationStatus.INVITED

    welcome = await h.submit("cy", "join", PROFILE_FIELDS, reply.message.form.context)
    assert welcome.message is not None and welcome.message.text.startswith("Welcome")
    assert h.user("cy") in await h.store.participants()
    cy = (await invited(h))["cy@x.org"]
    assert (cy.status, cy.user_key) == (InvitationStatus.JOINED, h.user("cy").key)

    stats = await h.say(ADMIN, "stats")
    assert stats.message is not None
    assert dict(stats.message.fields)["Invitations: invited / joined / declined"] == "5 / 1 / 0"


async def test_joining_by_command_answers_the_invitation_too() -> None:
    h = await chart_harness()
    await h.say(ADMIN, "invite")
    await h.join("dee", "leader")
    assert (await invited(h))["dee@x.org"].status is InvitationStatus.JOINED


async def test_a_member_the_chart_did_not_know_yet_answers_by_clicking_join() -> None:
    h = await chart_harness()
    email = h.chat.emails.pop("eve@x.org")  # joined while the platform gave no email: never linked
    await h.join("eve", "mentor")
    h.chat.emails["eve@x.org"] = email
    await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    (sent,) = invitations_to(h, "eve")

    reply = await h.click("eve", buttons.INVITATION.action_id, sent.message.buttons[0].value)
    assert reply.message is not None and "already in the program" in reply.message.text
    assert (await invited(h))["eve@x.org"].status is InvitationStatus.JOINED
    reply = await h.say(ADMIN, "invite")
    assert reply.message is not None and "1 already joined" in reply.message.text


async def test_not_now_rests_a_month_and_never_is_final() -> None:
    h = await chart_harness()
    await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    bob = invitation_id(invitations_to(h, "bob")[0])
    cy = invitation_id(invitations_to(h, "cy")[0])

    declined = await h.click("bob", buttons.INVITATION.action_id, buttons.INVITATION.encode(bob, "never"))
    assert declined.replace_original and declined.message is not None
    assert "won't be invited again" in declined.message.text
    later = await h.click("cy", buttons.INVITATION.action_id, buttons.INVITATION.encode(cy, "not_now"))
    assert later.message is not None and "Thanks" in later.message.text
    now = await invited(h)
    assert (now["bob@x.org"].status, now["bob@x.org"].answered_at) == (InvitationStatus.NEVER, START)
    assert now["cy@x.org"].status is InvitationStatus.NOT_NOW
    assert h.user("bob") not in await h.store.participants()

    stats = await h.say(ADMIN, "stats")
    assert stats.message is not None
    assert dict(stats.message.fields)["Invitations: invited / joined / declined"] == "4 / 0 / 2"

    h.advance(days=20)
    reply = await h.say(ADMIN, "invite")
    assert reply.message is not None and reply.message.text.startswith("Invited 0 people;")

    h.advance(days=11)  # 31 days after Cy's "not now"
    reply = await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    assert reply.message is not None
    assert reply.message.text == "Invited 1 person; 0 already joined, 1 said never, 4 were invited recently."
    assert len(invitations_to(h, "cy")) == 2 and len(invitations_to(h, "bob")) == 1


async def test_only_the_person_invited_can_answer() -> None:
    h = await chart_harness()
    await h.say(ADMIN, "invite")
    await h.bot.jobs.deliver_due()
    eve = invitation_id(invitations_to(h, "eve")[0])
    never = buttons.INVITATION.encode(eve, "never")

    # the platform says the clicker's email is someone else's
    assert (await h.click("dee", "invitation", never)).message.text == NOT_YOURS  # type: ignore[union-attr]
    # an id nobody was sent, and a real one clicked from another workspace
    forged = buttons.INVITATION.encode(new_id(), "never")
    assert (await h.click("eve", "invitation", forged)).message.text == gone()  # type: ignore[union-attr]
    elsewhere = await h.bot.handle(
        ButtonClicked(UserRef("console", "T2", "eve"), "invitation", never, h.event_id())
    )
    assert elsewhere is not None and elsewhere.message is not None and elsewhere.message.text == gone()
    assert (await invited(h))["eve@x.org"].status is InvitationStatus.INVITED

    # once answered, the invitation is bound to the account that answered it
    await h.click("eve", "invitation", buttons.INVITATION.encode(eve, "not_now"))
    del h.chat.emails["dee@x.org"]  # the platform gives no email for Dee now
    assert (await h.click("dee", "invitation", never)).message.text == NOT_YOURS  # type: ignore[union-attr]
    assert (await invited(h))["eve@x.org"].status is InvitationStatus.NOT_NOW


async def test_an_email_nobody_has_fails_its_delivery_and_stats_count_it() -> None:
    h = await chart_harness(admins=f"org:{ADMIN}")  # undeliverable messages are counted program-wide
    del h.chat.emails["eve@x.org"]
    await h.say(ADMIN, "invite")
    report = await h.bot.jobs.deliver_due()
    assert (report.sent, report.failed) == (5, 1)
    failed = [d for d in (await h.store.deliveries()).values() if d.status is DeliveryStatus.FAILED]
    assert [d.idempotency_key for d in failed] == ["invite:console:T1:eve@x.org:1"]
    assert "nobody has the email eve@x.org" in (failed[0].last_error or "")
    stats = await h.say(ADMIN, "stats")
    assert stats.message is not None
    assert dict(stats.message.fields)["Undeliverable messages"] == "1"


async def test_invite_is_for_admins_only() -> None:
    h = await chart_harness()
    reply = await h.say("ann", "invite")
    assert reply.message is not None and "admins only" in reply.message.text
    assert await invited(h) == {}


# --- `invite here`: the members of the channel it is typed in ------------------------------------------


async def say_in_channel(h: Harness, user_id: str, text: str, channel: str = "CGENERAL") -> str:
    reply = await h.bot.handle(
        CommandReceived(h.user(user_id), text, h.event_id(), Where(channel_id=channel, is_direct=False))
    )
    assert reply is not None and reply.message is not None
    return reply.message.text


async def test_invite_here_asks_the_channels_people_who_have_not_joined_not_the_admin() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({ADMIN})))
    h.chat.names.update({ADMIN: "Ada Admin", "ann": "Ann Ames", "gus": "Gus Gray", "hal": "Hal Hunt"})
    h.chat.emails.update({"ann@x.org": "ann", "gus@x.org": "gus", "admin@x.org": ADMIN})  # Hal has none
    await h.join("ann", "mentor")

    text = await say_in_channel(h, ADMIN, "invite here")
    await h.bot.jobs.deliver_due()

    assert text == (
        "Invited 1 person; 1 already joined, 0 said never, 0 were invited recently. "
        "1 without an email address I can see were left out."
    )
    assert [len(invitations_to(h, who)) for who in (ADMIN, "ann", "gus", "hal")] == [0, 0, 1, 0]
    (to_gus,) = invitations_to(h, "gus")
    assert "Hi Gus!" in to_gus.message.text
    assert set(await invited(h)) == {"gus@x.org"}
    # The DM went to Gus's account directly, not to an address looked up at send time.
    (delivery,) = [
        d for d in (await h.store.deliveries()).values() if d.idempotency_key.startswith("invite:")
    ]
    assert delivery.destination == Destination.dm(h.user("gus"))


async def test_invite_here_twice_sends_nothing_new_and_a_declined_person_stays_declined() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({ADMIN})))
    h.chat.names.update({"gus": "Gus Gray", "ivy": "Ivy Iles"})
    h.chat.emails.update({"gus@x.org": "gus", "ivy@x.org": "ivy"})
    await say_in_channel(h, ADMIN, "invite here")
    await h.bot.jobs.deliver_due()
    (to_ivy,) = invitations_to(h, "ivy")
    await h.click("ivy", buttons.INVITATION.action_id, to_ivy.message.buttons[2].value)  # Never

    again = await say_in_channel(h, ADMIN, "invite here")
    await h.bot.jobs.deliver_due()
    assert again == "Invited 0 people; 0 already joined, 1 said never, 1 were invited recently."
    assert (len(invitations_to(h, "gus")), len(invitations_to(h, "ivy"))) == (1, 1)


async def test_invite_here_in_a_direct_message_says_where_it_works_and_invites_nobody() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({ADMIN})))
    h.chat.names.update({"gus": "Gus Gray"})
    h.chat.emails.update({"gus@x.org": "gus"})
    reply = await h.say(ADMIN, "invite here")
    assert reply.message is not None and reply.message.text == here_only_in_a_channel()
    assert await invited(h) == {}


async def test_invite_here_when_the_channel_cannot_be_read_invites_nobody_and_says_so() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({ADMIN})))

    async def unreadable(workspace_id: str, channel_id: str) -> list[Person]:
        raise DeliveryError("slack: not_in_channel", permanent=True)

    h.chat.channel_members = unreadable  # type: ignore[method-assign]
    assert await say_in_channel(h, ADMIN, "invite here") == MEMBERS_UNKNOWN
    assert await invited(h) == {}


async def test_only_admins_may_invite_a_channel() -> None:
    h = Harness(config=ProgramConfig(admins=frozenset({ADMIN})))
    h.chat.names.update({"gus": "Gus Gray"})
    h.chat.emails.update({"gus@x.org": "gus"})
    text = await say_in_channel(h, "gus", "invite here")
    assert "admin" in text.lower()
    assert await invited(h) == {}
