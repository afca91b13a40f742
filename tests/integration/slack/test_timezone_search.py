"""The time-zone picker over real HTTP: Slack asks for options as people type (block_suggestion, signed
like every request) and the bot answers in the acknowledgement, from memory; the chosen zone is saved."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.slack.conftest import SlackDriver
from tests.integration.slack.program import profile_answers, user
from tests.integration.slack.validate import check_options_response, check_view

AMA = "UAMA00001"


async def open_join_modal(slack: SlackDriver, user_id: str) -> dict[str, Any]:
    await slack.command(user_id, "join")
    view = slack.last_opened_view()
    assert check_view(view) == []
    return view


def timezone_element(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == "timezone")["element"]


async def test_typing_in_the_time_zone_menu_is_answered_with_options_and_nothing_else(
    slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.fake.add_user(AMA, "Ama Mensah", tz="Africa/Accra")
    view = await open_join_modal(slack, AMA)
    slack.fake.clear()
    inbound_before = len(await slack.store.inbound_events())

    async def no_engine(*_: Any, **__: Any) -> None:
        raise AssertionError("options are answered without the engine's transaction")

    monkeypatch.setattr(slack.engine, "handle", no_engine)

    for typed, expected in (
        ("accra", "Africa/Accra"),
        ("utc", "Etc/UTC"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
    ):
        sent = await slack.suggest(AMA, view, "timezone", typed)
        assert sent.status == 200, sent.text
        body = sent.json()
        assert check_options_response(body) == []
        assert expected in [o["value"] for o in body["options"]], f"{typed!r} gave {body['options'][:5]}"

    opened = (await slack.suggest(AMA, view, "timezone", "")).json()
    assert check_options_response(opened) == []
    assert len(opened["options"]) == 100, "Slack shows at most 100; the menu opens with the most likely ones"
    assert opened["options"][0]["value"] == "Africa/Accra", "the person's own zone heads the list"

    assert slack.fake.calls == [], "an options request must not wait on the Web API"
    assert len(await slack.store.inbound_events()) == inbound_before


async def test_a_request_for_an_unknown_menu_gets_no_options(slack: SlackDriver) -> None:
    slack.fake.add_user(AMA, "Ama Mensah", tz="Africa/Accra")
    view = await open_join_modal(slack, AMA)
    payload = slack.suggestion_payload(AMA, view, "timezone", "accra")
    payload["action_id"] = "search:planets"
    sent = await slack.interact(payload)
    assert sent.status == 200 and sent.json() == {"options": []}


async def test_join_via_the_modal_stores_a_zone_found_by_typing(slack: SlackDriver) -> None:
    slack.fake.add_user(AMA, "Ama Mensah", tz="America/New_York")
    view = await open_join_modal(slack, AMA)
    element = timezone_element(view)
    assert element["type"] == "external_select"
    assert element["initial_option"]["value"] == "America/New_York"

    suggested = (await slack.suggest(AMA, view, "timezone", "Accra")).json()
    assert "Africa/Accra" in [o["value"] for o in suggested["options"]]
    answers = profile_answers("mentor", ["Generative AI"], ["Company strategy"], "1", "Engineering")
    answers["timezone"] = "Africa/Accra"
    submitted = await slack.submit(AMA, view, answers)

    assert submitted.status == 200 and submitted.json()["response_action"] == "update", submitted.text
    assert (await slack.store.participants())[user(AMA)].timezone == "Africa/Accra"


async def test_join_keeps_the_slack_zone_when_the_person_leaves_it(slack: SlackDriver) -> None:
    slack.fake.add_user(AMA, "Ama Mensah", tz="Africa/Accra")
    view = await open_join_modal(slack, AMA)
    assert timezone_element(view)["type"] == "external_select"
    assert timezone_element(view)["initial_option"]["value"] == "Africa/Accra"
    answers = profile_answers("leader", ["Company strategy"], ["Generative AI"], "5", "Finance")
    answers["timezone"] = timezone_element(view)["initial_option"]["value"]
    submitted = await slack.submit(AMA, view, answers)
    assert submitted.json()["response_action"] == "update", submitted.text
    assert (await slack.store.participants())[user(AMA)].timezone == "Africa/Accra"
