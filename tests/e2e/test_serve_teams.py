"""`mentorbot serve` as a subprocess answering Teams at /api/messages, over real HTTP.

With no MICROSOFT_APP_ID the bot runs in emulator mode (as the Bot Framework does): it takes
activities without a token, and only from a local serviceUrl, where the fake connector stands.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import aiohttp
import pytest

from tests.e2e.conftest import ROOT, clean_env, free_port
from tests.e2e.test_serve import wait_for
from tests.integration.teams.fake_bot_framework import FakeBotFramework
from tests.unit.teams.activities import personal_message
from tests.unit.teams.card_validation import assert_valid_activity

USER = "29:lee"


@pytest.fixture
def connector() -> Iterator[FakeBotFramework]:
    fake = FakeBotFramework("", "")
    fake.require_auth = False
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def served(sqlite_url: str) -> Iterator[str]:
    port = free_port()
    env = clean_env(DATABASE_URL=sqlite_url, PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        yield f"http://127.0.0.1:{port}/api/messages"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        assert "Traceback" not in err, err[-3000:]
    assert process.returncode == 0


async def answers_after(connector: FakeBotFramework, before: int, seconds: float = 20.0) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(connector.sent) > before:
            return connector.sent[before:]
        await asyncio.sleep(0.1)
    raise AssertionError("the bot sent nothing to the connector")


async def test_help_and_join_card_through_a_served_bot(connector: FakeBotFramework, served: str) -> None:
    async with aiohttp.ClientSession() as session:

        async def post(activity: dict) -> int:  # type: ignore[type-arg]
            async with session.post(
                served, data=json.dumps(activity), headers={"Content-Type": "application/json"}
            ) as r:
                await r.read()
                return r.status

        before = len(connector.sent)
        assert await post(personal_message(USER, "help", connector.service_url, "Lee")) == 200
        (reply,) = await answers_after(connector, before)
        assert "join" in json.dumps(reply.activity)

        before = len(connector.sent)
        assert await post(personal_message(USER, "join", connector.service_url, "Lee")) == 200
        (card,) = await answers_after(connector, before)
        assert card.card is not None and any(e.get("id") == "role" for e in card.card["body"])
        assert_valid_activity(card.activity)

        remote = personal_message(USER, "export", "https://attacker.example/connector/", "Lee")
        assert await post(remote) in (401, 403)
        status = await post({"type": "message"})
        assert 400 <= status < 500
