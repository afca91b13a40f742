"""Settings reach botbuilder as it expects them, for the public cloud and for sovereign clouds."""

from __future__ import annotations

from aiohttp import web
from botframework.connector.auth import AuthenticationConstants

from adapters.teams.app import ROUTE, TeamsIntegration, bot_framework_configuration
from bot.settings import Settings
from tests.support.stores import TestStore

APP_ID = "0f3c8a52-7d4e-4b1f-9a6c-2e5d8b7f1a90"


class NoEngine:
    async def handle(self, event: object) -> None:
        raise AssertionError("not called here")


def test_without_overrides_botbuilder_uses_the_public_cloud() -> None:
    config = bot_framework_configuration(Settings(microsoft_app_id=APP_ID, microsoft_app_password="pw"))
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE) == (APP_ID, "pw", "MultiTenant")
    assert not hasattr(config, "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL")


def test_one_override_keeps_public_cloud_values_for_the_rest() -> None:
    """botbuilder's parameterised mode needs every endpoint; a missing one would break token checks."""
    settings = Settings(
        microsoft_app_id=APP_ID,
        microsoft_app_password="pw",
        bot_framework_overrides={"TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": "https://api.botframework.us"},
    )
    config = bot_framework_configuration(settings)
    assert config.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE == "https://api.botframework.us"
    assert config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER == AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
    assert config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL.startswith("https://")


def test_the_integration_adds_its_route_and_knows_its_mode() -> None:
    app = web.Application()
    integration = TeamsIntegration(
        Settings(microsoft_app_id=APP_ID, microsoft_app_password="pw"), TestStore()
    )
    integration.attach(app, NoEngine())
    assert not integration.emulator_mode
    assert integration.chat.platform == "teams" and integration.chat.supports_group_dm is False
    routes = [(r.method, r.resource.canonical) for r in app.router.routes() if r.resource is not None]
    assert ("POST", ROUTE) in routes
    assert TeamsIntegration(Settings(), TestStore()).emulator_mode
