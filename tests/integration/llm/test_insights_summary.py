"""The insights summary: an LLM behind the OpenAI-compatible fake writes a few sentences for the admin
from `insights`' aggregates, and from nothing else; when it fails, the figures and their rule-based
suggestions are the answer."""

from __future__ import annotations

import json
import re

from adapters.llm import OpenAIInsightsWriter
from conversations.messages import OutgoingMessage
from conversations.privacy import INSIGHTS_SUMMARY, SENT_TO_MODELS
from tests.integration.llm.conftest import API_KEY
from tests.support.fake_llm import FakeOpenAI
from tests.unit.engine_harness import ADMIN, Harness
from tests.unit.test_insights import GOAL_TEXT, LEADERS, MENTORS, field, program_with_gaps

SUMMARY = "Six leaders want generative AI and no mentor offers it: recruit mentors who do."
SUMMARY_FIELD = "Summary (written by an AI model from these counts alone)"
_AGGREGATES = re.compile(r"<aggregates>\s*(.*?)\s*</aggregates>", re.DOTALL)


async def program(fake: FakeOpenAI) -> Harness:
    writer = OpenAIInsightsWriter.connect(API_KEY, fake.base_url, timeout=5.0)
    h = await program_with_gaps(Harness(insights_writer=writer))
    await h.say("lea", "checkin need-help secret-note-words")
    return h


async def insights(h: Harness, user_id: str = ADMIN) -> OutgoingMessage:
    message = (await h.say(user_id, "insights")).message
    assert message is not None
    return message


async def test_the_model_writes_the_summary_from_the_aggregates_alone(fake: FakeOpenAI) -> None:
    h = await program(fake)
    fake.behaviour = FakeOpenAI.says(SUMMARY)

    message = await insights(h)

    assert message.fields[0] == (SUMMARY_FIELD, SUMMARY)
    assert field(message, "Leaders want, no mentor offers")[0] == "Generative AI: 6 leaders"
    (request,) = fake.requests
    sent = json.dumps(request.body)
    (user_message,) = [m for m in request.body["messages"] if m["role"] == "user"]  # type: ignore[union-attr]
    match = _AGGREGATES.search(user_message["content"])
    assert match is not None
    facts = json.loads(match.group(1))
    assert set(facts) == set(SENT_TO_MODELS[INSIGHTS_SUMMARY])
    assert {"learners": "leaders", "theme": "generative AI", "people_wanting": 6} in facts["gaps"]
    assert facts["goals_done_by_side"] == {
        "leaders": {"goals": 6, "done": 3},
        "mentors": "fewer than 5 people",
    }
    for private in ("secret-note-words", GOAL_TEXT, "budget", "Quantum", "Finance", "Europe/London"):
        assert private not in sent
    for person in (*LEADERS, *MENTORS):
        assert not re.search(rf"\b{person}\b", sent, re.IGNORECASE)


async def test_without_the_model_the_figures_and_suggestions_stand_alone(fake: FakeOpenAI) -> None:
    h = await program(fake)
    fake.behaviour = FakeOpenAI.status(500)

    message = await insights(h)

    assert SUMMARY_FIELD not in dict(message.fields)
    assert field(message, "What to do")[0] == "Recruit mentors who offer generative AI: 6 leaders want it."
    assert fake.requests


async def test_nobody_but_an_admin_makes_the_model_write(fake: FakeOpenAI) -> None:
    h = await program(fake)
    fake.behaviour = FakeOpenAI.says(SUMMARY)

    message = await insights(h, "lea")

    assert message.text == "That command is for program admins only."
    assert not fake.requests
