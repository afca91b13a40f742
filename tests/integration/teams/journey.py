"""Steps of a program as people live it in Teams, each a real HTTP request with a real channel JWT."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.teams.render import PEOPLE_DATASET
from conversations.options_search import search_options
from tests.integration.teams.conftest import ADMIN, TeamsBot
from tests.integration.teams.fake_bot_framework import Sent
from tests.unit.teams.activities import (
    card_submit,
    personal_conversation,
    personal_install,
    personal_message,
)
from tests.unit.teams.card_validation import assert_valid_activity

LEADER = "29:leader"
MENTOR = "29:mentor"
NAMES = {LEADER: "Lee Leader", MENTOR: "Mo Mentor", ADMIN: "Ann Admin"}
NEXT_CHECKIN = datetime(2026, 1, 12, 10, 30, tzinfo=UTC)  # the Monday after the round, past 10:00 London


def dm_conversation(user_id: str) -> str:
    return personal_conversation(user_id)["id"]


def last_to(bot: TeamsBot, user_id: str, conversation_id: str | None = None) -> Sent:
    sent = bot.framework.sent_to(conversation_id or dm_conversation(user_id))
    assert sent, f"nothing was sent to {user_id}"
    return sent[-1]


def all_valid(bot: TeamsBot) -> None:
    for sent in bot.framework.sent:
        assert_valid_activity(sent.activity)


async def say(bot: TeamsBot, user_id: str, text: str) -> Sent:
    """Types a command in the 1:1 chat; returns what the bot answered there."""
    before = len(bot.framework.sent)
    status, body = await bot.post(
        personal_message(user_id, text, bot.framework.service_url, NAMES.get(user_id, ""))
    )
    assert status == 200, body
    answers = bot.framework.sent[before:]
    assert answers, f"no answer to {text!r}"
    return answers[-1]


async def click(bot: TeamsBot, user_id: str, card: Sent, data: dict[str, Any]) -> tuple[int, list[Sent]]:
    before = len(bot.framework.sent)
    status, _ = await bot.post(
        card_submit(user_id, data, bot.framework.service_url, reply_to=card.activity_id)
    )
    return status, bot.framework.sent[before:]


def submit_data(card: Sent, answers: dict[str, str | list[str]]) -> dict[str, Any]:
    """What Teams sends for an Action.Submit: the action's data merged with every input's value."""
    content = card.card
    assert content is not None, "expected a card"
    inputs = {e["id"]: e for e in content["body"] if e.get("type", "").startswith("Input.")}
    unknown = set(answers) - set(inputs)
    assert not unknown, f"the card has no inputs {unknown}"
    value: dict[str, Any] = {}
    for name, element in inputs.items():
        answer = answers.get(name, element.get("value", ""))
        if element["type"] == "Input.ChoiceSet":
            chosen = answer if isinstance(answer, list) else [a for a in str(answer).split(",") if a]
            allowed = {c["value"] for c in element["choices"]}
            query = element.get("choices.data")
            if query and query["dataset"] == PEOPLE_DATASET:
                # The people picker: Teams searches the organisation's directory itself.
                allowed |= set(chosen)
            elif query:
                # Typeahead: Teams also offers what the bot's search returns for each typed answer.
                for typed in chosen:
                    allowed |= {o.value for o in search_options(query["dataset"], typed, 25)}
            assert set(chosen) <= allowed, f"{chosen} not offered for {name}"
            answer = ",".join(chosen)
        value[name] = answer
    [submit] = [a for a in content["actions"] if a["type"] == "Action.Submit"]
    value.update(submit["data"])
    return value


def every_action(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's own actions and those of the button rows in its body, in the order they show."""
    rows = [
        a for block in content.get("body", []) if block.get("type") == "ActionSet" for a in block["actions"]
    ]
    return rows + list(content.get("actions", []))


def button_data(card: Sent, action_id: str, value_suffix: str = "") -> dict[str, Any]:
    content = card.card
    assert content is not None
    for action in every_action(content):
        data = action.get("data") or {}
        if data.get("action_id") == action_id and str(data.get("value", "")).endswith(value_suffix):
            return data
    raise AssertionError(f"no {action_id} button ending {value_suffix!r} on the card")


async def install_everyone(bot: TeamsBot) -> None:
    bot.framework.names.update(NAMES)
    for user_id in (ADMIN, LEADER, MENTOR):
        status, body = await bot.post(personal_install(user_id, bot.framework.service_url))
        assert status == 200, body
        assert "reverse-mentoring" in last_to(bot, user_id).card_text


async def join_via_card(bot: TeamsBot, user_id: str, role: str) -> Sent:
    form = await say(bot, user_id, "join")
    assert form.card and any(a.get("data", {}).get("form_id") == "join" for a in form.card["actions"])
    skills = [c["value"] for c in next(e for e in form.card["body"] if e.get("id") == "skills")["choices"]]
    teaches, learns = (skills[0], skills[1]) if role == "mentor" else (skills[1], skills[0])
    data = submit_data(
        form,
        {
            "role": role,
            "skills": [teaches],
            "learning_goals": [learns],
            "department": "Engineering" if role == "mentor" else "Finance",
            "seniority": "1" if role == "mentor" else "5",
            "timezone": "Europe/London",
        },
    )
    status, answers = await click(bot, user_id, form, data)
    assert status == 200 and answers
    return answers[-1]


async def pair_and_introduce(bot: TeamsBot) -> Sent:
    summary = await say(bot, ADMIN, "pair")
    delivered = await bot.engine.jobs.deliver_due("teams")
    assert delivered.failed == 0 and delivered.sent >= 2
    return summary


async def send_checkins(bot: TeamsBot) -> dict[str, Sent]:
    bot.clock.set(NEXT_CHECKIN)
    await bot.engine.jobs.tick()
    cards = {}
    for user_id in (LEADER, MENTOR):
        cards[user_id] = next(
            s
            for s in reversed(bot.framework.sent_to(dm_conversation(user_id)))
            if "Weekly check-in" in s.card_text
        )
    return cards
