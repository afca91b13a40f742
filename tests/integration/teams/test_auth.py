"""Only activities carrying a valid channel JWT are processed; every bad token is a 401, never a 500."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.teams.app import TeamsIntegration
from adapters.teams.translate import TENANT_REF_USER_ID
from bot.settings import Settings
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.domain import UserRef
from conversations.services.context import ProgramConfig
from tests.integration.teams.conftest import ADMIN, APP_ID, START, FixedPrompts, TeamsBot
from tests.integration.teams.fake_bot_framework import CHANNEL_KID, FakeBotFramework, new_key
from tests.support.greedy_matcher import GreedyMatcher
from tests.support.stores import TestStore
from tests.unit.teams.activities import TENANT, personal_conversation, personal_message
from tests.unit.teams.card_validation import assert_valid_activity


async def nothing_processed(bot: TeamsBot, user_id: str) -> bool:
    async with bot.uow_factory() as uow:
        refs = [
            await uow.conversation_refs.get(UserRef("teams", TENANT, user_id)),
            await uow.conversation_refs.get(UserRef("teams", TENANT, TENANT_REF_USER_ID)),
        ]
    return refs == [None, None] and not bot.framework.sent


async def test_a_valid_token_is_handled_and_the_reply_reaches_the_connector_with_a_bearer_token(
    teams_bot: TeamsBot,
) -> None:
    framework = teams_bot.framework
    status, body = await teams_bot.post(personal_message("29:ada", "help", framework.service_url))
    assert status == 200, body
    [reply] = framework.sent
    assert reply.conversation_id == personal_conversation("29:ada")["id"]
    assert "join" in reply.card_text
    assert_valid_activity(reply.activity)
    assert framework.tokens_issued >= 1 and framework.rejected_calls == 0
    async with teams_bot.uow_factory() as uow:
        saved = await uow.conversation_refs.get(UserRef("teams", TENANT, "29:ada"))
    assert saved is not None and saved.data["serviceUrl"] == framework.service_url


def forged_tokens(bot: TeamsBot) -> dict[str, str | None]:
    framework = bot.framework
    return {
        "no token": None,
        "not a JWT": "definitely-not-a-jwt",
        "wrong audience": framework.channel_token(audience="11111111-2222-3333-4444-555555555555"),
        "unknown key": framework.channel_token(kid="someone-elses-key", key=new_key()),
        "known key id, wrong signature": framework.channel_token(kid=CHANNEL_KID, key=new_key()),
        "expired": framework.channel_token(expires_in=-3600),
        "wrong issuer": framework.channel_token(issuer="https://issuer.example.test"),
        "another service URL": framework.channel_token(service_url="https://elsewhere.example.test/"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no token",
        "not a JWT",
        "wrong audience",
        "unknown key",
        "known key id, wrong signature",
        "expired",
        "wrong issuer",
        "another service URL",
    ],
)
async def test_a_bad_token_is_refused_with_401_and_nothing_is_processed(
    teams_bot: TeamsBot, case: str
) -> None:
    token = forged_tokens(teams_bot)[case]
    activity = personal_message("29:ada", "help", teams_bot.framework.service_url)
    status, body = await teams_bot.post(activity, token=token)
    assert status == 401, body
    assert "Traceback" not in body and "Error:" not in body
    assert await nothing_processed(teams_bot, "29:ada")


async def test_a_token_in_another_scheme_is_refused(teams_bot: TeamsBot) -> None:
    token = teams_bot.framework.channel_token()
    activity = personal_message("29:ada", "help", teams_bot.framework.service_url)
    status, _ = await teams_bot.post(activity, token=None, headers={"Authorization": f"Basic {token}"})
    assert status == 401
    assert await nothing_processed(teams_bot, "29:ada")


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain", "help", 415),
        ("application/json", "{not json", 400),
        ("application/json", "[1, 2]", 400),
        ("application/json", "{}", 400),
    ],
)
async def test_malformed_requests_are_4xx(
    teams_bot: TeamsBot, content_type: str, body: str, expected: int
) -> None:
    """With a valid token the body's faults are named; without one nothing is parsed at all (401)."""
    token = teams_bot.framework.channel_token(audience=APP_ID)
    signed = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
    async with teams_bot.session.post(teams_bot.url, data=body, headers=signed) as response:
        assert response.status == expected
        assert "Traceback" not in await response.text()
    async with teams_bot.session.post(
        teams_bot.url, data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == (415 if expected == 415 else 401)


async def test_the_bot_app_id_is_the_audience_the_channel_signs_for(teams_bot: TeamsBot) -> None:
    """The positive case of the audience check, spelled out: the token names this bot's app id."""
    token = teams_bot.framework.channel_token(audience=APP_ID)
    status, _ = await teams_bot.post(
        personal_message("29:ada", "help", teams_bot.framework.service_url), token=token
    )
    assert status == 200


async def test_without_an_app_id_the_bot_runs_unauthenticated_like_the_emulator_expects(
    framework: FakeBotFramework,
) -> None:
    framework.require_auth = False
    store = TestStore()
    settings = Settings(admins=frozenset({ADMIN}))
    engine = Mentorbot(store, ManualClock(START), GreedyMatcher(), FixedPrompts(), ProgramConfig())
    integration = TeamsIntegration(settings, store)
    assert integration.emulator_mode
    engine.register_chat(integration.chat)
    app = web.Application()
    integration.attach(app, engine)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            activity = personal_message("29:ada", "help", framework.service_url)
            activity["channelId"] = "emulator"
            async with session.post(server.make_url("/api/messages"), json=activity) as response:
                assert response.status == 200
    finally:
        await server.close()
    [reply] = framework.sent
    assert reply.authorization == "" and "join" in reply.card_text


async def test_without_an_app_id_only_a_local_emulator_is_answered(framework: FakeBotFramework) -> None:
    """Unauthenticated mode must not let anyone on the network act as an admin and collect the answers."""
    store = TestStore()
    engine = Mentorbot(store, ManualClock(START), GreedyMatcher(), FixedPrompts(), ProgramConfig())
    integration = TeamsIntegration(Settings(admins=frozenset({ADMIN})), store)
    engine.register_chat(integration.chat)
    app = web.Application()
    integration.attach(app, engine)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            activity = personal_message(ADMIN, "export", "https://attacker.example.test/")
            async with session.post(server.make_url("/api/messages"), json=activity) as response:
                assert response.status == 401
    finally:
        await server.close()
    async with store() as uow:
        assert await uow.conversation_refs.get(UserRef("teams", TENANT, ADMIN)) is None
