"""`mentorbot serve` as a subprocess with Slack credentials, driven as Slack drives it.

The Slack Web API is the fake in tests/integration/slack (in this process, on 127.0.0.1); requests to
the bot are signed with slack_sdk's SignatureVerifier. Nothing here reaches into the bot's process:
what it did is read from the fake's call log.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.e2e.conftest import ROOT, clean_env, free_port
from tests.e2e.test_serve import wait_for
from tests.integration.slack.conftest import ADMIN, SIGNING_SECRET, SlackDriver
from tests.integration.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.integration.slack.program import LEA, LEADER_ANSWERS, MAX, MENTOR_ANSWERS


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    for user_id, name in ((LEA, "Lea Leader"), (MAX, "Max Mentor"), (ADMIN, "Ada Admin")):
        fake.add_user(user_id, name)
    yield fake
    fake.stop()


@pytest.fixture
def served(fake: FakeSlack, sqlite_url: str) -> Iterator[str]:
    port = free_port()
    env = clean_env(
        DATABASE_URL=sqlite_url,
        PORT=str(port),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        MENTORBOT_ADMINS=ADMIN,
        MENTORBOT_TICK_SECONDS="5",
    )
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
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        assert "Traceback" not in err, err[-3000:]
    assert process.returncode == 0


async def eventually(check, seconds: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("the bot did not do it in time")


async def test_join_pair_and_group_intro_through_a_served_bot(fake: FakeSlack, served: str) -> None:
    async with aiohttp.ClientSession() as session:
        slack = SlackDriver(fake, served, session, None, None, None, None)  # type: ignore[arg-type]
        forged = await slack.post(
            slack.command_body(LEA, "join"), "application/x-www-form-urlencoded", signature="v0=bad"
        )
        assert forged.status == 401
        for user_id, answers in ((LEA, LEADER_ANSWERS), (MAX, MENTOR_ANSWERS)):
            opened = len(fake.successful("views.open"))
            ack = await slack.post(slack.command_body(user_id, "join"), "application/x-www-form-urlencoded")
            assert ack.status == 200
            await eventually(lambda opened=opened: len(fake.successful("views.open")) > opened)
            payload = slack.submit_payload(user_id, slack.last_opened_view(), answers)
            submitted = await slack.post(
                urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
            )
            assert submitted.status == 200 and "errors" not in submitted.text
        ack = await slack.post(slack.command_body(ADMIN, "pair"), "application/x-www-form-urlencoded")
        assert ack.status == 200

        def group_intro():  # type: ignore[no-untyped-def]
            opened = {
                c.response.get("channel", {}).get("id")
                for c in fake.successful("conversations.open")
                if set(c.args.get("users", "").split(",")) == {LEA, MAX}
            }
            return [c for c in fake.successful("chat.postMessage") if c.args.get("channel") in opened]

        intro = await eventually(group_intro, seconds=40)
        assert (
            "Meet your mentoring partner" in intro[0].args["text"] or "meet" in intro[0].args["text"].lower()
        )
    assert not fake.problems, fake.problems
