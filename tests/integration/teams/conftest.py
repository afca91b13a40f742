"""The Teams adapter served over real HTTP on 127.0.0.1, against the fake Bot Framework."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestServer
from botframework.connector.auth import (
    AppCredentials,
    MicrosoftAppCredentials,
    PasswordServiceClientCredentialFactory,
)

from adapters.teams.app import TeamsIntegration
from adapters.teams.resilience import RetryPolicy
from bot.settings import Settings
from conversations.app import Mentorbot
from conversations.clock import ManualClock
from conversations.ports import PairContext, PromptSet, UnitOfWorkFactory
from conversations.services.context import ProgramConfig
from storage.database import Database
from tests.integration.teams.fake_bot_framework import FakeBotFramework
from tests.support.greedy_matcher import GreedyMatcher

APP_ID = "0f3c8a52-7d4e-4b1f-9a6c-2e5d8b7f1a90"
APP_PASSWORD = "not-a-real-secret"
ADMIN = "29:admin"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday morning


class IssuerCredentials(AppCredentials):
    """Outbound tokens from the fake issuer's token endpoint (MSAL insists on https authorities)."""

    def __init__(self, app_id: str, password: str, login_endpoint: str, scope: str) -> None:
        super().__init__(app_id, oauth_scope=scope)
        self._password = password
        self._token_url = login_endpoint.rstrip("/") + "/oauth2/v2.0/token"
        self._token: str | None = None

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self._token is None or force_refresh:
            response = requests.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.microsoft_app_id,
                    "client_secret": self._password,
                    "scope": f"{self.oauth_scope}/.default",
                },
                timeout=5,
            )
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return self._token


class IssuerCredentialsFactory(PasswordServiceClientCredentialFactory):
    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if await self.is_authentication_disabled():
            return MicrosoftAppCredentials.empty()
        if not await self.is_valid_app_id(app_id):
            raise PermissionError("Invalid app_id")
        return IssuerCredentials(app_id, self.password, login_endpoint, oauth_scope)


class FixedPrompts:
    async def suggest(self, context: PairContext) -> PromptSet:
        return PromptSet(
            ("What tool saved you time this week?",), "Draft an update with an AI assistant.", "library"
        )


@dataclass
class TeamsBot:
    """The whole bot as Teams sees it: a URL taking activities, and the engine behind it."""

    framework: FakeBotFramework
    integration: TeamsIntegration
    engine: Mentorbot
    clock: ManualClock
    uow_factory: UnitOfWorkFactory
    url: str
    session: aiohttp.ClientSession

    async def post(
        self, activity: dict[str, Any], token: str | None = "valid", headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """Posts as Teams does: a JSON activity with the channel's Bearer token."""
        all_headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.framework.channel_token(service_url=activity.get("serviceUrl"))
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        async with self.session.post(self.url, data=json.dumps(activity), headers=all_headers) as response:
            return response.status, await response.text()


@pytest.fixture
def framework() -> Iterator[FakeBotFramework]:
    fake = FakeBotFramework(APP_ID, APP_PASSWORD)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
async def uow_factory(tmp_path: Path) -> AsyncIterator[UnitOfWorkFactory]:
    """A migrated SQLite file: turns overlap, so in-memory SQLite (one shared connection) will not do."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}")
    await database.migrate()
    try:
        yield database.unit_of_work
    finally:
        await database.dispose()


def teams_settings(framework: FakeBotFramework, **changes: Any) -> Settings:
    return Settings(
        microsoft_app_id=APP_ID,
        microsoft_app_password=APP_PASSWORD,
        microsoft_app_type="MultiTenant",
        bot_framework_overrides=framework.overrides(),
        admins=frozenset({ADMIN}),
        **changes,
    )


@pytest.fixture
async def teams_bot(framework: FakeBotFramework, uow_factory: UnitOfWorkFactory) -> AsyncIterator[TeamsBot]:
    settings = teams_settings(framework)
    clock = ManualClock(START)
    engine = Mentorbot(
        uow_factory, clock, GreedyMatcher(), FixedPrompts(), ProgramConfig(admins=settings.admins)
    )
    integration = TeamsIntegration(
        settings,
        uow_factory,
        credentials_factory=IssuerCredentialsFactory(APP_ID, APP_PASSWORD),
        retry=RetryPolicy(attempts=4, initial_wait=0.01, max_wait=2.0),
    )
    engine.register_chat(integration.chat)
    app = web.Application()
    integration.attach(app, engine)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield TeamsBot(
            framework, integration, engine, clock, uow_factory, str(server.make_url("/api/messages")), session
        )
    await server.close()
