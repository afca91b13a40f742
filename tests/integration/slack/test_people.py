"""People in Slack over real HTTP: the manager and the private list picked in the join modal (users_select,
multi_users_select) and checked with users.info, and people typed after `/mentor manager` or `avoid`."""

from __future__ import annotations

from typing import Any

from tests.integration.slack.conftest import SlackDriver, buttons_in
from tests.integration.slack.fake_slack import Call, fake_email
from tests.integration.slack.program import LEADER_ANSWERS, user
from tests.integration.slack.validate import check_blocks

LEA, ANA, ANA2, MAX, BOT = "ULEA00001", "UANA00001", "UANA00002", "UMAX00001", "UBOTTY001"


def people(slack: SlackDriver) -> None:
    for user_id, name in ((LEA, "Lea Park"), (ANA, "Ana Silva"), (ANA2, "Ana Silvano"), (MAX, "Max Roe")):
        slack.fake.add_user(user_id, name)


async def submit_join(slack: SlackDriver, **answers: Any) -> Any:
    await slack.command(LEA, "join")
    view = slack.last_opened_view()
    return await slack.submit(LEA, view, {**LEADER_ANSWERS, **answers})


async def avoided(slack: SlackDriver, user_id: str) -> list[str]:
    async with slack.store() as uow:
        return [p.user.user_id for p in await uow.avoid_list.get(user(user_id))]


async def test_the_picked_manager_and_list_are_checked_and_stored(slack: SlackDriver) -> None:
    people(slack)
    sent = await submit_join(slack, manager=ANA, avoid=[MAX, ANA2])
    assert sent.status == 200 and sent.json().get("response_action") == "update", sent.text
    lea = (await slack.store.participants())[user(LEA)]
    assert lea.manager_id == ANA
    assert await avoided(slack, LEA) == [MAX, ANA2]
    checked = {c.args["user"] for c in slack.fake.successful("users.info")}
    assert {ANA, MAX, ANA2} <= checked
    assert slack.fake.problems == []


async def test_someone_outside_the_workspace_is_refused_next_to_the_field(slack: SlackDriver) -> None:
    people(slack)
    slack.fake.add_user("UEXT00001", "Guest Person", team_id="T0ELSEWHERE")
    slack.fake.add_user("UGONE0001", "Gone Person", deleted=True)
    slack.fake.add_user(BOT, "Some App", is_bot=True)
    for manager, words in (
        ("UEXT00001", "not in this workspace"),
        ("UNOBODY01", "not in this workspace"),
        ("UGONE0001", "deactivated"),
        (BOT, "app"),
        (LEA, "own manager"),
    ):
        body = (await submit_join(slack, manager=manager)).json()
        assert body["response_action"] == "errors", (manager, body)
        assert words in body["errors"]["manager"], (manager, body)
    body = (await submit_join(slack, avoid=[MAX, "UEXT00001"])).json()
    assert body["response_action"] == "errors" and "avoid" in body["errors"]
    assert await slack.store.participants() == {}


async def joined(slack: SlackDriver) -> None:
    people(slack)
    await submit_join(slack)
    slack.fake.clear()


async def test_a_typed_name_email_or_mention_names_the_manager(slack: SlackDriver) -> None:
    await joined(slack)
    await slack.command(LEA, "manager Ana Silva")
    assert "Your manager is now Ana Silva" in slack.fake.responses[-1]["text"]
    assert (await slack.store.participants())[user(LEA)].manager_id == ANA
    assert slack.fake.successful("users.list"), "names are found among the workspace's members"
    await slack.command(LEA, f"manager {fake_email(MAX)}")
    assert (await slack.store.participants())[user(LEA)].manager_id == MAX
    await slack.command(LEA, f"manager <@{ANA2}|ana>")
    assert (await slack.store.participants())[user(LEA)].manager_id == ANA2
    assert slack.fake.problems == []


async def test_an_ambiguous_name_offers_a_button_per_person_and_a_click_settles_it(
    slack: SlackDriver,
) -> None:
    await joined(slack)
    await slack.command(LEA, "avoid ana")
    answer = slack.fake.responses[-1]
    assert "Did you mean" in answer["text"] and check_blocks(answer["blocks"], 50) == []
    choices = buttons_in(answer["blocks"])
    assert [b["text"]["text"] for b in choices] == [
        f"Ana Silva ({fake_email(ANA)})",
        f"Ana Silvano ({fake_email(ANA2)})",
    ]
    message = Call(
        "chat.postMessage", answer, 200, 0.0, {"ok": True, "channel": "C0GENERAL", "ts": "1.000001"}
    )
    await slack.click(LEA, choices[1], message)
    assert "won't be paired with Ana Silvano" in slack.fake.responses[-1]["text"]
    assert await avoided(slack, LEA) == [ANA2]


async def test_a_name_nobody_has_is_answered_with_how_to_pick_instead(slack: SlackDriver) -> None:
    await joined(slack)
    await slack.command(LEA, "manager Nobody Known")
    answer = slack.fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert "couldn't find anyone" in answer["text"] and "profile" in answer["text"]
    assert (await slack.store.participants())[user(LEA)].manager_id is None
