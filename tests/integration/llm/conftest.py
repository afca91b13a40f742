"""A fake OpenAI-compatible server on 127.0.0.1, served on the test's own event loop."""

from collections.abc import AsyncIterator

import pytest

from tests.support.fake_llm import FakeOpenAI, RunningFake

API_KEY = "test-key"


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI(api_key=API_KEY)
    running = RunningFake(server)
    await running.start()
    try:
        yield server
    finally:
        await running.stop()
