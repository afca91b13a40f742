"""Program settings in Slack over real HTTP: `/mentor settings` opens a modal for admins only, values out
of bounds come back as inline errors, saved values take effect, `settings history` lists them, and
help requests reach the help contact picked in the modal."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from conversations.domain import Participant, Role, UserRef
from tests.integration.slack.conftest import ADMIN, SlackDriver
from tests.integration.slack.fake_slack import TEAM_ID
from tests.integration.slack.program import (
    EVE,
    LEA,
    LEADER_ANSWERS,
    MAX,
    MENTOR_ANSWERS,
    join,
    pair_lea_and_max,
)


async def open_settings(slack: SlackDriver) -> dict[str, Any]:
    slack.fake.clear()
    sent = await slack.command(ADMIN, "settings")
    assert sent.status == 200
    view = slack.last_opened_view()
    assert view["type"] == "modal" and view["title"]["text"] == "Program settings"
    return view


def unchanged(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's answers as Slack sends them when nothing is touched."""
    answers: dict[str, Any] = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        if "initial_option" in element:
            answers[block["block_id"]] = element["initial_option"]["value"]
        elif element["type"] == "users_select":
            answers[block["block_id"]] = element.get("initial_user", "")
        else:
            answers[block["block_id"]] = element.get("initial_value", "")
    return answers


async def stored(slack: SlackDriver) -> dict[str, str]:
    async with slack.store() as uow:
        return await uow.program_settings.get("slack", TEAM_ID)


async def save(slack: SlackDriver, **changes: Any) -> dict[str, Any]:
    view = await open_settings(slack)
    submitted = await slack.submit(ADMIN, view, {**unchanged(view), **changes})
    assert submitted.status == 200
    return submitted.json()


async def test_an_admin_changes_the_checkin_day_and_it_moves_the_checkin(slack: SlackDriver) -> None:
    await pair_lea_and_max(slack)
    view = await open_settings(slack)
    day = next(b for b in view["blocks"] if b.get("block_id") == "checkin_weekday")
    assert day["element"]["initial_option"]["value"] == "monday"
    capacity = next(b for b in view["blocks"] if b.get("block_id") == "mentor_capacity")
    assert capacity["element"]["type"] == "number_input" and "From 1 to 20" in capacity["hint"]["text"]

    refused = await slack.submit(
        ADMIN, view, {**unchanged(view), "cycle_weeks": "200", "checkin_time": "9pm"}
    )
    assert refused.json()["response_action"] == "errors"
    errors = refused.json()["errors"]
    assert set(errors) == {"cycle_weeks", "checkin_time"} and "between 1 and 104" in errors["cycle_weeks"]
    assert await stored(slack) == {}

    saved = await slack.submit(ADMIN, view, {**unchanged(view), "checkin_weekday": "wednesday"})
    assert saved.json()["response_action"] == "update"
    assert "Check-in day: the default → wednesday" in str(saved.json()["view"]["blocks"])

    slack.fake.clear()
    slack.clock.advance(timedelta(days=7, hours=3))  # Monday 12th, 11:00 in London
    await slack.engine.jobs.tick()
    assert not [c for c in slack.fake.successful("chat.postMessage") if "check-in" in c.args["text"].lower()]
    slack.clock.advance(timedelta(days=2))  # Wednesday 14th
    await slack.engine.jobs.tick()
    asked = {
        c.args["channel"]
        for c in slack.fake.successful("chat.postMessage")
        if "check-in" in c.args["text"].lower()
    }
    assert LEA in asked

    slack.fake.clear()
    await slack.command(ADMIN, "settings history")
    (history,) = slack.fake.responses
    assert history["response_type"] == "ephemeral"
    assert "Check-in day: the default → wednesday" in history["text"] and f"<@{ADMIN}>" in history["text"]


async def test_a_picked_help_contact_receives_help_requests(slack: SlackDriver) -> None:
    await pair_lea_and_max(slack)
    answer = await save(slack, help_person=EVE)
    assert answer["response_action"] == "update"
    slack.fake.clear()
    await slack.command(LEA, "checkin need-help")
    await slack.engine.jobs.deliver_due()
    told = [
        c.args["channel"]
        for c in slack.fake.successful("chat.postMessage")
        if "asked for help" in c.args["text"]
    ]
    assert sorted(told) == sorted([ADMIN, EVE])


async def test_people_who_are_not_admins_get_no_modal(slack: SlackDriver) -> None:
    slack.fake.clear()
    await slack.command(EVE, "settings")
    assert not slack.fake.successful("views.open")
    (refusal,) = slack.fake.responses
    assert refusal["response_type"] == "ephemeral" and "admins only" in refusal["text"]
    view = await open_settings(slack)  # an admin's modal, submitted by someone else
    forged = await slack.submit(EVE, view, {**unchanged(view), "cycle_weeks": "2"})
    assert "admins only" in forged.text
    assert await stored(slack) == {}


async def test_stats_warn_of_a_workspace_where_help_reaches_nobody(slack: SlackDriver) -> None:
    slack.engine.config = replace(slack.engine.config, admins=frozenset({f"org:slack:{TEAM_ID}/{ADMIN}"}))
    await slack.command(ADMIN, "stats", channel_id="C0ADMINS", channel_name="mentoring-admins")
    assert "Help requests reach nobody" not in str(slack.fake.responses[-1])
    async with slack.store() as uow:
        elsewhere = UserRef("slack", "T0ELSEWHERE", "UELSE0001")
        await uow.participants.save(Participant(elsewhere, "Else", Role.LEADER, "Ops", 5, "UTC"))
        await uow.commit()
    slack.fake.clear()
    await slack.command(ADMIN, "stats", channel_id="C0ADMINS", channel_name="mentoring-admins")
    (stats,) = slack.fake.responses
    assert "Help requests reach nobody" in str(stats["blocks"]) and "T0ELSEWHERE" in str(stats["blocks"])


async def test_a_help_request_nobody_can_receive_is_said_so_with_the_contact_text(slack: SlackDriver) -> None:
    slack.engine.config = replace(
        slack.engine.config,
        admins=frozenset({f"slack:T0ELSEWHERE/{ADMIN}"}),
        help_contact_text="mentoring@example.test",
    )
    await join(slack, LEA, LEADER_ANSWERS)
    await join(slack, MAX, MENTOR_ANSWERS)
    await slack.engine.run_round(dry_run=False)
    await slack.engine.jobs.deliver_due()
    slack.fake.clear()
    await slack.command(LEA, "checkin need-help")
    (answer,) = slack.fake.responses
    assert "nobody has been told" in str(answer) and "mentoring@example.test" in str(answer)
    await slack.engine.jobs.deliver_due()
    assert not [c for c in slack.fake.successful("chat.postMessage") if "asked for help" in c.args["text"]]
