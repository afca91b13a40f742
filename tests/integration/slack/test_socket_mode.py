"""Socket Mode: the same front end, reached over a WebSocket the bot opens (no public URL)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from adapters.slack.app import SlackConfig, SlackFrontEnd
from adapters.slack.chat import Pacing
from adapters.slack.serving import start_socket_mode
from tests.integration.slack.conftest import SIGNING_SECRET, SlackDriver, build_engine
from tests.integration.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.integration.slack.program import LEA


async def eventually(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_slash_command_over_socket_mode_is_acked_and_answered(
    fake_slack: FakeSlack, slack: SlackDriver
) -> None:
    front_end = SlackFrontEnd(
        build_engine(slack.store, slack.clock),
        SlackConfig(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=fake_slack.api_url,
            app_token=APP_TOKEN,
            pacing=Pacing(1000, 1000),
        ),
    )
    await start_socket_mode(front_end, APP_TOKEN)
    try:
        await eventually(lambda: fake_slack.socket_connected, "the bot connects")
        body = dict(parse_qsl(slack.command_body(LEA, "help")))
        fake_slack.push_envelope(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": body,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        await eventually(
            lambda: any(a.get("envelope_id") == "env-1" for a in fake_slack.socket_acks), "the ack"
        )
        await eventually(lambda: bool(fake_slack.responses), "the answer")
        await front_end.background.drain()
        (answer,) = fake_slack.responses
        assert answer["response_type"] == "ephemeral" and "join" in answer["text"]
        assert [c.method for c in fake_slack.of("apps.connections.open")] == ["apps.connections.open"]
    finally:
        await front_end.close()
