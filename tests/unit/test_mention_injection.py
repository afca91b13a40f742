"""Only the engine names people: whatever someone types reaches Slack and Teams as text, never a ping.

Stories, goals, display names, profile skills and help notes are typed by people and mixed into the
engine's messages. Each is driven through the engine (and the outbox, so through storage as well) and
then rendered by the real Slack and Teams renderers, next to the mentions the engine does make.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from adapters.slack.render import message_payload, mrkdwn
from adapters.teams.render import render_activity, render_card
from conversations.messages import (
    MENTION_CLOSE,
    MENTION_OPEN,
    OutgoingMessage,
    Reply,
    mention,
    message_from_dict,
)
from tests.unit.engine_harness import ADMIN, Harness
from tests.unit.teams.card_validation import assert_valid_card

EXEC = "U0EXEC"
LEA, MAX = "ULEA", "UMAX"
HOSTILE = (
    "{@U0EXEC}",
    "<@U0EXEC>",
    "<!channel>",
    "<!here>",
    "<https://evil.example|open the deck>",
    "<at>Boss</at>",
    "[the deck](https://evil.example)",
    f"{MENTION_OPEN}U0EXEC{MENTION_CLOSE}",
)
PAYLOAD = " ".join(HOSTILE)
SLACK_CONTROL = re.compile(r"<[^<>]*>")
TEAMS_TAG = re.compile(r"<\s*/?\s*at\b", re.IGNORECASE)


# --- what each platform is allowed to receive -------------------------------------------------------


def slack_controls(message: OutgoingMessage) -> list[str]:
    """Every `<…>` Slack would interpret, in the text and in every block, but the proposed meeting
    times' dates and calendar links, which the renderer builds from the offer's fields alone."""
    without_meetings = dataclasses.replace(message, meetings=())
    return SLACK_CONTROL.findall(json.dumps(message_payload(without_meetings), ensure_ascii=False))


def assert_slack_mentions_only(message: OutgoingMessage, *engine_mentions: str) -> None:
    payload = message_payload(message)
    controls = slack_controls(message)
    assert set(controls) == {f"<@{uid}>" for uid in engine_mentions}, controls
    for uid in engine_mentions:
        assert f"<@{uid}>" in payload["text"]
    assert f"<@{EXEC}>" not in json.dumps(payload)


def teams_card(message: OutgoingMessage, names: dict[str, str]) -> dict[str, Any]:
    card = render_card(message, names)
    assert_valid_card(card)
    return card


def card_text(card: dict[str, Any]) -> str:
    """Everything a person reads in the card; the entities are checked on their own."""
    shown = {key: value for key, value in card.items() if key != "msteams"}
    return json.dumps(shown, ensure_ascii=False)


def assert_teams_mentions_only(
    message: OutgoingMessage, names: dict[str, str], *engine_mentions: str
) -> None:
    card = teams_card(message, names)
    entities = card.get("msteams", {}).get("entities", [])
    assert {e["mentioned"]["id"] for e in entities} == {*engine_mentions, *message.mentions}
    text = card_text(card)
    for entity in entities:
        if entity["mentioned"]["id"] in engine_mentions:
            assert entity["text"] in text
        text = text.replace(entity["text"], "")
    assert not TEAMS_TAG.search(text), text
    assert "](https://" not in text
    summary = render_activity(message, names).summary or ""
    assert not TEAMS_TAG.search(summary)


def assert_no_injection(message: OutgoingMessage, names: dict[str, str], *engine_mentions: str) -> None:
    assert_slack_mentions_only(message, *engine_mentions)
    assert_teams_mentions_only(message, names, *engine_mentions)


# --- the renderers on their own ---------------------------------------------------------------------


def shared_by_lea(typed: str) -> OutgoingMessage:
    text = f"{mention(LEA)} shared: {typed}"
    return OutgoingMessage(text=text, fields=(("Story", typed),), mentions=(LEA,))


@pytest.mark.parametrize("typed", HOSTILE)
def test_slack_shows_typed_markup_as_text_and_the_engine_mention_natively(typed: str) -> None:
    message = shared_by_lea(typed)
    assert_slack_mentions_only(message, LEA)
    assert mrkdwn(f"{mention(LEA)} {typed}").startswith(f"<@{LEA}> ")


@pytest.mark.parametrize("typed", HOSTILE)
def test_teams_shows_typed_markup_as_text_and_the_engine_mention_natively(typed: str) -> None:
    message = shared_by_lea(typed)
    assert_teams_mentions_only(message, {LEA: "Lea", EXEC: "The Exec"}, LEA)
    card = teams_card(message, {LEA: "Lea"})
    assert card["body"][0]["text"].startswith("<at>Lea</at> shared: ")


def test_typed_text_is_still_readable_on_both_platforms() -> None:
    message = OutgoingMessage(text="I learned {@U0EXEC} and <at>Boss</at> & co")
    slack = message_payload(message)["blocks"][0]["text"]["text"]
    assert slack == "I learned {@U0EXEC} and &lt;at&gt;Boss&lt;/at&gt; &amp; co"
    teams = teams_card(message, {})["body"][0]["text"]
    assert "{@U0EXEC}" in teams and "Boss" in teams and "& co" in teams


def test_a_display_name_inside_a_teams_mention_stays_a_name() -> None:
    message = OutgoingMessage(text=f"Meet {mention(MAX)}", mentions=(MAX,))
    card = teams_card(message, {MAX: "Max <at>Boss</at>"})
    assert card["body"][0]["text"] == "Meet <at>Max &lt;at&gt;Boss&lt;/at&gt;</at>"
    assert [e["mentioned"]["id"] for e in card["msteams"]["entities"]] == [MAX]


# --- storage: the outbox keeps messages as JSON ------------------------------------------------------


def test_a_stored_message_round_trips_and_keeps_its_mentions() -> None:
    message = OutgoingMessage(
        title=f"About {mention(LEA)}",
        text=f"{mention(LEA)} and {mention(MAX)}: {PAYLOAD}",
        fields=(("With", mention(MAX)),),
        mentions=(LEA, MAX),
    )
    stored = json.loads(json.dumps(message.to_dict()))
    assert stored["fields"] == [["With", f"{MENTION_OPEN}{MAX}{MENTION_CLOSE}"]]
    back = message_from_dict(stored)
    assert back == message
    assert_no_injection(back, {LEA: "Lea", MAX: "Max"}, LEA, MAX)


def test_typed_delimiters_do_not_survive_into_storage() -> None:
    forged = f"{MENTION_OPEN}{EXEC}{MENTION_CLOSE}"
    message = OutgoingMessage(text=f"{mention(LEA)} wrote {forged}", mentions=(LEA,))
    assert MENTION_OPEN not in message.text.replace(mention(LEA), "")
    back = message_from_dict(json.loads(json.dumps(message.to_dict())))
    assert_no_injection(back, {LEA: "Lea"}, LEA)


def test_rows_stored_before_mentions_were_sealed_name_only_declared_people() -> None:
    legacy = {
        "text": "{@ULEA}, meet {@UMAX}! (typed: {@U0EXEC})",
        "title": None,
        "fields": [["Paired with", "{@UMAX}"]],
        "buttons": [],
        "form": None,
        "attachment": None,
        "mentions": [LEA, MAX],
    }
    message = message_from_dict(legacy)
    assert message.text == f"{mention(LEA)}, meet {mention(MAX)}! (typed: {{@U0EXEC}})"
    assert message.fields == (("Paired with", mention(MAX)),)
    assert_no_injection(message, {LEA: "Lea", MAX: "Max"}, LEA, MAX)


# --- through the engine ------------------------------------------------------------------------------


def harness(max_name: str = "Max", group_dm: bool = True) -> Harness:
    h = Harness()
    h.chat._group_dm = group_dm
    h.chat.names.update({LEA: "Lea", MAX: max_name})
    return h


async def join_and_pair(h: Harness, max_skills: tuple[str, ...] = ("Generative AI",)) -> list[Reply]:
    """The replies to joining: the welcome repeats the display name the platform gave."""
    replies = [
        await h.join(LEA, "leader", skills=("Company strategy",), goals=("Generative AI",), level="5"),
        await h.join(MAX, "mentor", skills=max_skills, goals=("Company strategy",), level="1"),
    ]
    await h.pair_up()
    return replies


async def paired(max_skills: tuple[str, ...] = ("Generative AI",)) -> Harness:
    h = harness()
    await join_and_pair(h, max_skills)
    return h


async def test_a_success_story_cannot_ping_anyone_the_engine_did_not() -> None:
    h = await paired()
    await h.say(MAX, f"story Lea drafts board notes with AI now {PAYLOAD} {{@ULEA}}")
    await h.bot.jobs.deliver_due()
    ask = next(s for s in h.sent_to(LEA) if s.message.title == "May we share your story?")
    assert "{@U0EXEC}" in (ask.message.quote or "")
    assert_no_injection(ask.message, {LEA: "Lea", MAX: "Max"}, MAX)
    approve = next(b for b in ask.message.buttons if b.value.endswith(":approve"))
    await h.click(LEA, "story_decide", approve.value)
    await h.bot.jobs.deliver_due()
    (posted,) = [s for s in h.chat.transcript if s.conversation == "CSTORIES"]
    assert_no_injection(posted.message, {LEA: "Lea", MAX: "Max"}, LEA, MAX)
    blocks = json.dumps(message_payload(posted.message)["blocks"])
    assert blocks.count(f"<@{LEA}>") == 1 and blocks.count(f"<@{MAX}>") == 1


async def test_a_goal_is_shown_as_typed_and_pings_nobody() -> None:
    h = await paired()
    added = await h.say(LEA, f"goals add learn prompting {PAYLOAD}")
    assert added.message is not None and "{@U0EXEC}" in added.message.text
    assert_no_injection(added.message, {})
    listed = (await h.say(MAX, "goals")).message
    assert listed is not None and "<at>Boss</at>" in dict(listed.fields)["Lea's goals"].items[0]
    assert_no_injection(listed, {})


async def test_a_display_name_cannot_ping_anyone() -> None:
    name = "Max {@U0EXEC} <!channel> <at>Boss</at>"
    h = harness(max_name=name, group_dm=False)
    welcome = (await join_and_pair(h))[1].message
    assert welcome is not None and name in welcome.text
    assert_no_injection(welcome, {})
    (intro,) = [s for s in h.sent_to(LEA) if s.message.title == "Meet your mentoring partner"]
    assert MAX in intro.message.mentions  # the renderers show the name through the mention
    assert_no_injection(intro.message, {LEA: "Lea", MAX: name}, MAX)


async def test_profile_skills_cannot_ping_anyone() -> None:
    h = await paired(max_skills=("Generative AI", "{@U0EXEC} <!here> <at>Boss</at>"))
    status = (await h.say(MAX, "status")).message
    assert status is not None and "{@U0EXEC}" in dict(status.fields)["Skills I offer"]
    assert_no_injection(status, {LEA: "Lea"}, LEA)


async def test_a_help_note_to_admins_names_only_the_pair() -> None:
    h = await paired()
    await h.say(LEA, f"checkin need-help 2 {PAYLOAD} {{@ULEA}}")
    await h.bot.jobs.deliver_due()
    (to_admin,) = [s for s in h.sent_to(ADMIN) if "Private" in (s.message.title or "")]
    assert "{@U0EXEC}" in to_admin.message.text
    assert_no_injection(to_admin.message, {LEA: "Lea", MAX: "Max"}, LEA, MAX)
    blocks = json.dumps(message_payload(to_admin.message)["blocks"])
    assert blocks.count(f"<@{LEA}>") == 1


async def test_an_unknown_command_echoed_in_help_pings_nobody() -> None:
    h = Harness()
    reply = await h.say(LEA, "{@U0EXEC}")
    assert reply.message is not None
    assert_no_injection(reply.message, {})
