"""Naming people: the manager and the private "please don't pair me with" list, picked in the form or
typed (`manager …`, `avoid …`), checked against the workspace's directory, and kept private."""

from __future__ import annotations

from conversations import buttons
from conversations.messages import InputKind
from tests.unit.engine_harness import ADMIN, Harness

NAMES = {
    "lea": "Lea Park",
    "max": "Max Roe",
    "boss": "Ana Silva",
    "ana2": "Ana Silvano",
    "zoe": "Zoe Grant",
}


def harness() -> Harness:
    h = Harness()
    h.chat.names.update(NAMES)
    h.chat.emails["zoe@acme.test"] = "zoe"
    return h


async def join(h: Harness, user_id: str, role: str, **fields: object) -> object:
    """Joins through the form, with people pickers answered as the platform would send them."""
    opened = (await h.say(user_id, "join")).message
    assert opened is not None and opened.form is not None
    skills, goals, level = (
        (["Generative AI"], ["Company strategy"], "1")
        if role == "mentor"
        else (["Company strategy"], ["Generative AI"], "5")
    )
    answers = {
        "role": role,
        "skills": skills,
        "learning_goals": goals,
        "department": "Engineering",
        "seniority": level,
        "timezone": "Europe/London",
        "manager": "",
        "avoid": [],
        **fields,
    }
    return await h.submit(user_id, "join", answers, context=opened.form.context)


async def test_the_form_asks_for_the_manager_and_the_private_list_with_people_pickers() -> None:
    h = harness()
    form = (await h.say("lea", "join")).message.form
    inputs = {i.name: i for i in form.inputs}
    assert inputs["manager"].kind is InputKind.PERSON and inputs["manager"].optional
    assert inputs["avoid"].kind is InputKind.PEOPLE and inputs["avoid"].optional
    assert inputs["avoid"].max_items == 10
    assert "user id" not in inputs["manager"].label.lower()


async def test_a_picked_manager_and_list_are_stored_and_shown_back_only_to_their_owner() -> None:
    h = harness()
    reply = await join(h, "lea", "leader", manager="boss", avoid=["max", "zoe"])
    assert "Welcome" in reply.message.text, reply
    lea = (await h.store.participants())[h.user("lea")]
    assert lea.manager_id == "boss"
    async with h.store() as uow:
        listed = await uow.avoid_list.get(h.user("lea"))
    assert [(p.user, p.name) for p in listed] == [(h.user("max"), "Max Roe"), (h.user("zoe"), "Zoe Grant")]
    form = (await h.say("lea", "profile")).message.form
    inputs = {i.name: i for i in form.inputs}
    assert inputs["manager"].initial == "boss"
    assert inputs["avoid"].initial == ("max", "zoe")


async def test_a_manager_outside_the_workspace_or_yourself_is_refused_next_to_the_field() -> None:
    h = harness()
    reply = await join(h, "lea", "leader", manager="UFOREIGN")
    assert "manager" in reply.form_errors and "not in this workspace" in reply.form_errors["manager"]
    reply = await join(h, "lea", "leader", manager="lea")
    assert "own manager" in reply.form_errors["manager"]
    reply = await join(h, "lea", "leader", avoid=["max", "UFOREIGN"])
    assert "avoid" in reply.form_errors
    assert await h.store.participants() == {}


async def test_more_than_ten_people_on_the_list_is_refused() -> None:
    h = harness()
    many = [f"u{i}" for i in range(11)]
    h.chat.names.update({u: u.upper() for u in many})
    reply = await join(h, "lea", "leader", avoid=many)
    assert "at most 10" in reply.form_errors["avoid"]


async def test_a_typed_manager_is_resolved_by_name_email_or_mention() -> None:
    h = harness()
    await join(h, "lea", "leader")
    reply = await h.say("lea", "manager Ana Silva")
    assert "Your manager is now Ana Silva" in reply.message.text
    assert (await h.store.participants())[h.user("lea")].manager_id == "boss"
    reply = await h.say("lea", "manager zoe@acme.test")
    assert "Zoe Grant" in reply.message.text
    assert (await h.store.participants())[h.user("lea")].manager_id == "zoe"
    reply = await h.say("lea", "manager <@max|max>")
    assert (await h.store.participants())[h.user("lea")].manager_id == "max"


async def test_an_ambiguous_name_asks_did_you_mean_with_a_button_per_person() -> None:
    h = harness()
    await join(h, "lea", "leader")
    reply = await h.say("lea", "manager ana")
    assert "Did you mean" in reply.message.text
    labels = [b.label for b in reply.message.buttons]
    assert labels == ["Ana Silva", "Ana Silvano"]
    chosen = reply.message.buttons[1]
    assert buttons.decode(chosen.action_id, chosen.value).choice[0] == "manager"
    reply = await h.click("lea", chosen.action_id, chosen.value)
    assert "Ana Silvano" in reply.message.text
    assert (await h.store.participants())[h.user("lea")].manager_id == "ana2"


async def test_a_forged_did_you_mean_button_naming_an_outsider_changes_nothing() -> None:
    h = harness()
    await join(h, "lea", "leader")
    forged = buttons.PERSON_PICK.button("x", "manager", buttons.account_part("UFOREIGN"))
    reply = await h.click("lea", forged.action_id, forged.value)
    assert "not in this workspace" in reply.message.text
    assert (await h.store.participants())[h.user("lea")].manager_id is None


async def test_a_name_nobody_has_says_so_and_how_to_pick_instead() -> None:
    h = harness()
    await join(h, "lea", "leader")
    reply = await h.say("lea", "manager Nobody Known")
    assert "couldn't find anyone" in reply.message.text and "profile" in reply.message.text
    assert (await h.store.participants())[h.user("lea")].manager_id is None


async def test_the_avoid_commands_add_list_remove_and_clear_privately() -> None:
    h = harness()
    await join(h, "lea", "leader")
    reply = await h.say("lea", "avoid Max Roe")
    assert "won't be paired with Max Roe" in reply.message.text
    reply = await h.say("lea", "avoid")
    assert "Max Roe" in reply.message.text and "Only you" in reply.message.text
    await h.say("lea", "avoid zoe@acme.test")
    await h.say("lea", "avoid remove Max Roe")
    async with h.store() as uow:
        assert [p.user for p in await uow.avoid_list.get(h.user("lea"))] == [h.user("zoe")]
    await h.say("lea", "avoid clear")
    async with h.store() as uow:
        assert await uow.avoid_list.get(h.user("lea")) == ()


async def test_an_avoided_pair_is_never_matched_and_the_dry_run_names_the_rule() -> None:
    h = harness()
    await join(h, "lea", "leader")
    await join(h, "max", "mentor", avoid=["lea"])
    preview = await h.say(ADMIN, "pair --dry-run")
    assert "0 pairs" in preview.message.text
    assert "don't pair me with" in preview.message.plain_text()
    await h.pair_up()
    async with h.store() as uow:
        assert await uow.pairings.list() == []
    # Lea is waitlisted, but never told that someone listed her.
    told = " ".join(s.message.plain_text() for s in h.sent_to("lea"))
    assert "waitlist" in told.lower() and "don't pair me with" not in told


async def test_the_list_appears_in_no_admin_output() -> None:
    h = harness()
    await join(h, "lea", "leader", avoid=["zoe"])
    await join(h, "max", "mentor", avoid=["boss"])
    async with h.store() as uow:
        assert [p.name for p in await uow.avoid_list.get(h.user("lea"))] == ["Zoe Grant"]
    await h.pair_up()
    outputs = [
        (await h.say(ADMIN, "stats")).message.plain_text(),
        (await h.say(ADMIN, "export")).message.attachment.content.decode(),
        (await h.say(ADMIN, "pair --dry-run")).message.plain_text(),
        (await h.say("max", "status")).message.plain_text(),
    ]
    for output in outputs:
        for secret in ("zoe", "Zoe Grant", "boss", "Ana Silva"):
            assert secret not in output, (secret, output)
