"""Proactive delivery: saved references, new 1:1 chats, channel posts, throttling and refusals."""

from __future__ import annotations

import pytest

from adapters.teams.translate import TENANT_REF_USER_ID
from conversations.domain import DeliveryStatus, UserRef
from conversations.errors import DeliveryError
from conversations.messages import OutgoingMessage, mention
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.journey import (
    LEADER,
    MENTOR,
    NAMES,
    all_valid,
    dm_conversation,
    install_everyone,
    join_via_card,
    say,
)
from tests.unit.teams.activities import TENANT, channel_mention, personal_install, team_install

CHANNEL = "19:general@thread.tacv2"


def person(user_id: str, tenant: str = TENANT) -> UserRef:
    return UserRef("teams", tenant, user_id)


async def test_a_429_is_retried_and_nothing_is_lost(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    await join_via_card(bot, LEADER, "leader")
    await join_via_card(bot, MENTOR, "mentor")
    await say(bot, ADMIN, "pair")
    bot.framework.fail_next(429, count=3, headers={"Retry-After": "1"})
    report = await bot.engine.jobs.deliver_due("teams")
    assert (report.failed, report.retried) == (0, 0)
    assert bot.framework.failed_calls == 3 and bot.integration.chat.calls.retries == 3
    for user_id in (LEADER, MENTOR):
        intros = [s for s in bot.framework.sent_to(dm_conversation(user_id)) if "Meet your" in s.card_text]
        assert len(intros) == 1, "each intro arrives exactly once"
    async with bot.uow_factory() as uow:
        counts = await uow.deliveries.count_by_status()
    assert counts.get(DeliveryStatus.SENT, 0) == report.sent and not counts.get(DeliveryStatus.PENDING)


async def test_a_throttled_reply_inside_a_turn_is_retried(teams_bot: TeamsBot) -> None:
    teams_bot.framework.fail_next(503, count=1)
    teams_bot.framework.fail_next(429, count=1, headers={"Retry-After": "0"})
    answer = await say(teams_bot, LEADER, "help")
    assert "join" in answer.card_text
    assert len(teams_bot.framework.sent_to(dm_conversation(LEADER))) == 1


async def test_someone_without_a_chat_gets_a_new_one_in_the_same_tenant(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    chat = bot.integration.chat
    newcomer = person("29:newcomer")
    first = await chat.send_dm(newcomer, OutgoingMessage(text="Welcome aboard"))
    second = await chat.send_dm(newcomer, OutgoingMessage(text="Second message"))
    [created] = bot.framework.created
    assert created["channelData"]["tenant"]["id"] == TENANT, "Teams reads the tenant from channelData"
    assert created["members"] == [{"id": "29:newcomer"}] and created["bot"]["id"] == "28:bot-app-id"
    sent = bot.framework.sent_to("a:created-29:newcomer")
    assert [s.activity_id for s in sent] == [first, second]
    assert all(s.reply_to is None for s in sent), "proactive messages are new messages, not replies"
    async with bot.uow_factory() as uow:
        saved = await uow.conversation_refs.get(newcomer)
    assert saved is not None and saved.data["conversation"]["id"] == "a:created-29:newcomer"


async def test_someone_the_bot_cannot_reach_is_a_permanent_failure_that_says_why(teams_bot: TeamsBot) -> None:
    chat = teams_bot.integration.chat
    with pytest.raises(DeliveryError) as raised:
        await chat.send_dm(person("29:stranger", tenant="other-tenant"), OutgoingMessage(text="hi"))
    assert raised.value.permanent
    assert "29:stranger" in str(raised.value) and "install" in str(raised.value)
    assert not teams_bot.framework.sent and not teams_bot.framework.created


async def test_unreachable_people_are_marked_failed_for_the_admins(teams_bot: TeamsBot) -> None:
    """Through the outbox: the delivery is failed (counted in stats), never silently dropped."""
    from conversations.domain import Destination
    from conversations.outbox import Outbox

    bot = teams_bot
    async with bot.uow_factory() as uow:
        await Outbox(uow, bot.clock.now()).send(
            "test:unreachable",
            Destination.dm(person("29:stranger", "other-tenant")),
            OutgoingMessage(text="hi"),
        )
        await uow.commit()
    report = await bot.engine.jobs.deliver_due("teams")
    assert report.failed == 1
    async with bot.uow_factory() as uow:
        [failed] = await uow.deliveries.list_failed()
    assert "29:stranger" in (failed.last_error or "")


async def test_a_bot_blocked_by_the_person_is_a_permanent_failure(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await install_everyone(bot)
    bot.framework.blocked_conversations.add(dm_conversation(LEADER))
    with pytest.raises(DeliveryError) as raised:
        await bot.integration.chat.send_dm(person(LEADER), OutgoingMessage(text="hi"))
    assert raised.value.permanent and "403" in str(raised.value)


async def test_channel_posts_and_profiles(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    status, _ = await bot.post(team_install("29:owner", bot.framework.service_url, CHANNEL))
    assert status == 200
    bot.framework.names[LEADER] = NAMES[LEADER]
    chat = bot.integration.chat
    message_id = await chat.post_to_channel(
        TENANT, CHANNEL, OutgoingMessage(text=f"Congrats {mention(LEADER)}")
    )
    [post] = [s for s in bot.framework.sent_to(CHANNEL) if s.activity_id == message_id]
    assert post.reply_to is None, "a channel post starts a new thread"
    await bot.post(personal_install(LEADER, bot.framework.service_url))
    profile = await chat.get_profile(person(LEADER))
    assert profile.display_name == NAMES[LEADER] and profile.email == "lee@example.test"
    all_valid(bot)


async def test_a_private_answer_to_a_channel_mention_goes_to_the_1_1_chat(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await bot.post(personal_install(LEADER, bot.framework.service_url))
    status, _ = await bot.post(channel_mention(LEADER, "join", bot.framework.service_url, CHANNEL))
    assert status == 200
    form = bot.framework.sent_to(dm_conversation(LEADER))[-1]
    assert form.card and form.card["actions"][-1]["data"]["form_id"] == "join"
    assert not [s for s in bot.framework.sent if s.conversation_id.startswith(CHANNEL)]
    async with bot.uow_factory() as uow:
        channel_ref = await uow.conversation_refs.get(person(CHANNEL))
        tenant_ref = await uow.conversation_refs.get(person(TENANT_REF_USER_ID))
    assert channel_ref is not None and tenant_ref is not None


async def test_admin_commands_answer_in_the_channel_where_they_were_asked(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    status, _ = await bot.post(channel_mention(ADMIN, "stats", bot.framework.service_url, CHANNEL))
    assert status == 200
    [answer] = bot.framework.sent
    assert answer.conversation_id.startswith(CHANNEL) and "program stats" in answer.card_text


async def test_uninstalling_forgets_the_saved_chat(teams_bot: TeamsBot) -> None:
    bot = teams_bot
    await bot.post(personal_install(LEADER, bot.framework.service_url))
    uninstall = personal_install(LEADER, bot.framework.service_url)
    uninstall.update(type="installationUpdate", action="remove")
    del uninstall["membersAdded"]
    status, _ = await bot.post(uninstall)
    assert status == 200
    async with bot.uow_factory() as uow:
        assert await uow.conversation_refs.get(person(LEADER)) is None
