"""`invite` in Teams against the fake Bot Framework: people known only by email are found in the roster
of a team the bot is in (read once per few minutes per tenant), get a valid card in a new 1:1 chat,
and Join opens the join card; an email nobody in the roster has fails that one delivery."""

from __future__ import annotations

from adapters.teams.chat import ROSTER
from adapters.teams.translate import TENANT_REF_USER_ID
from conversations.domain import DeliveryStatus, InvitationStatus, UserRef
from conversations.services.org import changes, parse_org_csv
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import all_valid, button_data, click, install_everyone, say, submit_data
from tests.unit.teams.activities import TENANT, channel_mention

TEAM_CHANNEL = "19:general@thread.tacv2"
NIA = "29:nia"
NIA_EMAIL = "nia@example.test"  # what the fake gives as Nia's email when asked for her profile
GHOST = "ghost@example.test"


async def import_chart(bot: TeamsBot) -> None:
    chart = (
        "email,name,department,level,manager_email,timezone\n"
        "boss@example.test,Bo Boss,Board,6,,\n"
        f"{NIA_EMAIL},Nia Newbie,Sales,1,boss@example.test,\n"
        f"{GHOST},Gus Ghost,Sales,1,boss@example.test,\n"
    ).encode()
    async with bot.uow_factory() as uow:
        await uow.org_chart.apply(changes([], parse_org_csv(chart)), bot.clock.now())
        await uow.commit()


async def test_invitations_find_people_in_the_team_roster_and_join_opens_the_card(
    teams_bot: TeamsBot,
) -> None:
    bot, framework = teams_bot, teams_bot.framework
    await install_everyone(bot)
    framework.names[NIA] = "Nia Newbie"
    framework.add_member(TEAM_CHANNEL, "29:boss", "Bo Boss", "BOSS@Example.test")
    framework.add_member(TEAM_CHANNEL, NIA, "Nia Newbie", NIA_EMAIL)
    status, body = await bot.post(channel_mention(ADMIN, "help", framework.service_url, TEAM_CHANNEL))
    assert status == 200, body
    await say(bot, ADMIN, "status")  # a 1:1 message afterwards must not make the tenant forget its team
    async with bot.uow_factory() as uow:
        tenant = await uow.conversation_refs.get(UserRef("teams", TENANT, TENANT_REF_USER_ID))
    assert tenant is not None and tenant.data[ROSTER] == TEAM_CHANNEL
    await import_chart(bot)

    answer = await say(bot, ADMIN, "invite")
    assert "Invited 3 people; 0 already joined" in answer.card_text + str(answer.activity.get("text"))
    report = await bot.engine.jobs.deliver_due("teams")
    assert (report.sent, report.failed) == (2, 1)
    assert [(cid, size) for cid, size, _ in framework.roster_pages] == [(TEAM_CHANNEL, 500)]  # cached
    assert sorted(c["members"][0]["id"] for c in framework.created) == ["29:boss", NIA]
    all_valid(bot)
    (card,) = framework.sent_to(f"a:created-{NIA}")
    assert "reverse-mentoring program" in card.card_text
    async with bot.uow_factory() as uow:
        failed = [d for d in await uow.deliveries.list_failed() if d.status is DeliveryStatus.FAILED]
    assert [d.idempotency_key for d in failed] == [f"invite:teams:{TENANT}:{GHOST}:1"]
    assert GHOST in (failed[0].last_error or "")

    status, answers = await click(bot, NIA, card, button_data(card, "invitation", ":join"))
    assert status == 200 and answers
    form = answers[-1]
    assert form.card and any(a.get("data", {}).get("form_id") == "join" for a in form.card["actions"])
    async with bot.uow_factory() as uow:
        assert await uow.participants.get(UserRef("teams", TENANT, NIA)) is None

    skills = [c["value"] for c in next(e for e in form.card["body"] if e.get("id") == "skills")["choices"]]
    data = submit_data(
        form,
        {
            "role": "mentor",
            "skills": [skills[0]],
            "learning_goals": [skills[1]],
            "department": "Sales",
            "seniority": "1",
            "timezone": "Europe/London",
        },
    )
    status, _ = await click(bot, NIA, form, data)
    assert status == 200
    async with bot.uow_factory() as uow:
        assert await uow.participants.get(UserRef("teams", TENANT, NIA)) is not None
        invitations = await uow.invitations.in_workspace("teams", TENANT)
    assert invitations[NIA_EMAIL].status is InvitationStatus.JOINED
    all_valid(bot)


async def test_without_a_team_nobody_can_be_found_by_email_and_the_admin_is_told_why(
    teams_bot: TeamsBot,
) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await import_chart(bot)
    await say(bot, ADMIN, "invite")
    report = await bot.engine.jobs.deliver_due("teams")
    assert (report.sent, report.failed, report.retried) == (0, 0, 3)
    async with bot.uow_factory() as uow:
        pending = await uow.deliveries.get_by_key(f"invite:teams:{TENANT}:{NIA_EMAIL}:1")
    assert pending is not None and "in no team" in (pending.last_error or "")


async def test_invite_here_in_a_team_channel_writes_to_its_members_but_not_the_admin(
    teams_bot: TeamsBot,
) -> None:
    bot, framework = teams_bot, teams_bot.framework
    await install_everyone(bot)
    framework.add_member(TEAM_CHANNEL, ADMIN, "Ada Admin", "ada@example.test")
    framework.add_member(TEAM_CHANNEL, NIA, "Nia Newbie", NIA_EMAIL)
    framework.add_member(TEAM_CHANNEL, "29:omar", "Omar Otieno", "omar@example.test")

    before = len(framework.sent)
    status, body = await bot.post(channel_mention(ADMIN, "invite here", framework.service_url, TEAM_CHANNEL))
    assert status == 200, body
    (answer,) = framework.sent[before:]
    assert "Invited 2 people; 0 already joined" in answer.card_text + str(answer.activity.get("text"))
    assert [cid for cid, _, _ in framework.roster_pages] == [TEAM_CHANNEL]

    report = await bot.engine.jobs.deliver_due("teams")
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(c["members"][0]["id"] for c in framework.created) == sorted(["29:omar", NIA])
    (card,) = framework.sent_to(f"a:created-{NIA}")
    assert "reverse-mentoring program" in card.card_text
    async with bot.uow_factory() as uow:
        invitations = await uow.invitations.in_workspace("teams", TENANT)
    assert sorted(invitations) == sorted([NIA_EMAIL, "omar@example.test"])
    all_valid(bot)
