"""The Teams endpoint as an attacker or a broken network meets it: the token is checked before the body
is parsed, bodies are capped, a token without expiry is refused, and the channel always gets its answer
within a few seconds even when the serviceUrl never answers."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator

import jwt
import pytest
from botbuilder.schema import Activity

from adapters.teams import app as teams_app
from tests.integration.teams.conftest import APP_ID, TeamsBot
from tests.integration.teams.fake_bot_framework import CHANNEL_KID
from tests.unit.teams.activities import personal_message


def padded_activity(service_url: str, size: int) -> dict[str, object]:
    activity = personal_message("29:ada", "help", service_url)
    activity["entities"] = [{"type": "padding", "text": "x" * 1000} for _ in range(size // 1015)]
    return activity


async def test_an_unauthenticated_body_is_refused_before_it_is_parsed(
    teams_bot: TeamsBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real_loads, real_deserialize = json.loads, Activity.deserialize
    monkeypatch.setattr(
        teams_app.json, "loads", lambda raw, *a, **k: parsed.append("json") or real_loads(raw, *a, **k)
    )
    monkeypatch.setattr(
        Activity,
        "deserialize",
        staticmethod(lambda data: parsed.append("activity") or real_deserialize(data)),
    )
    activity = padded_activity(teams_bot.framework.service_url, 200_000)

    for token in ("garbage", "a.b.c", None):
        status, _ = await teams_bot.post(activity, token=token)
        assert status == 401
    assert parsed == []

    status, _ = await teams_bot.post(personal_message("29:ada", "help", teams_bot.framework.service_url))
    assert status == 200 and parsed, "a signed activity is still read"


async def test_an_oversized_activity_is_refused(teams_bot: TeamsBot) -> None:
    activity = padded_activity(teams_bot.framework.service_url, 836_000)
    assert len(json.dumps(activity)) > teams_app.MAX_BODY_BYTES
    assert (await teams_bot.post(activity, token="garbage"))[0] == 413
    assert (await teams_bot.post(activity))[0] == 413


async def test_deeply_nested_json_from_the_channel_is_a_bad_request(teams_bot: TeamsBot) -> None:
    token = teams_bot.framework.channel_token(audience=APP_ID)
    body = '{"type": "message", "value": ' + "[" * 50_000 + "]" * 50_000 + "}"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    async with teams_bot.session.post(teams_bot.url, data=body, headers=headers) as response:
        assert response.status == 400


async def test_a_token_without_an_expiry_is_refused(teams_bot: TeamsBot) -> None:
    framework = teams_bot.framework
    now = int(time.time())
    claims = {"iss": framework.issuer, "aud": APP_ID, "serviceurl": framework.service_url, "nbf": now - 60}
    forever = jwt.encode(claims, framework.channel_key, algorithm="RS256", headers={"kid": CHANNEL_KID})
    status, _ = await teams_bot.post(personal_message("29:ada", "help", framework.service_url), token=forever)
    assert status == 401


@pytest.fixture
def silent_service() -> Iterator[str]:
    """A serviceUrl that accepts connections and never answers, like a black-holed route."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/silent/"
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        listener.close()


async def test_the_channel_gets_an_answer_in_seconds_when_the_service_url_never_answers(
    teams_bot: TeamsBot, silent_service: str
) -> None:
    activity = personal_message("29:ada", "help", silent_service)
    token = teams_bot.framework.channel_token(service_url=silent_service)
    async with asyncio.timeout(12):  # the Bot Framework itself gives up after 15 s
        status, _ = await teams_bot.post(activity, token=token)
    assert status == 202
