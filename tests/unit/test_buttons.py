"""Button values go through one codec: what the engine sends decodes, old outbox values still decode, and
anything forged is a friendly answer, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations import buttons
from conversations.app import BUTTON_ROUTES
from conversations.buttons import KINDS, MAX_VALUE_LENGTH, BadButtonValue, ButtonValue
from conversations.errors import MentorbotError
from conversations.messages import SORRY_TEXT, ButtonStyle, OutgoingMessage
from tests.unit.engine_harness import Harness, paired_harness

PAIRING = "0f3c8a527d4e4b1f9a6c2e5d8b7f1a90"

LEGACY_VALUES = {
    # values exactly as services wrote them before the codec, as they sit in the outbox as JSON
    "checkin_answer": (f"{PAIRING}:need_help", ButtonValue("checkin_answer", PAIRING, ("need_help",))),
    "checkin_rating": (f"{PAIRING}:4", ButtonValue("checkin_rating", PAIRING, ("4",))),
    "checkin_note_form": (PAIRING, ButtonValue("checkin_note_form", PAIRING)),
    "assess": (f"{PAIRING}:before:3", ButtonValue("assess", PAIRING, ("before", "3"))),
    "goal_add_form": (PAIRING, ButtonValue("goal_add_form", PAIRING)),
    "story_decide": (f"{PAIRING}:decline", ButtonValue("story_decide", PAIRING, ("decline",))),
    "prompt_rate": (
        f"{PAIRING}:2026-W02:1:down",
        ButtonValue("prompt_rate", PAIRING, ("2026-W02", "1", "down")),
    ),
    "prompts_show": (PAIRING, ButtonValue("prompts_show", PAIRING)),
    "prompts_refresh": (PAIRING, ButtonValue("prompts_refresh", PAIRING)),
    "leave": ("delete", ButtonValue("leave", "", ("delete",))),
    # newer than the codec: the value it writes
    "invitation": (f"{PAIRING}:join", ButtonValue("invitation", PAIRING, ("join",))),
    "person_pick": ("avoid:VTEyMw", ButtonValue("person_pick", "", ("avoid", "VTEyMw"))),
    "run_command": ("join", ButtonValue("run_command", "", ("join",))),
    "meeting_booked": (PAIRING, ButtonValue("meeting_booked", PAIRING)),
    "at_risk": (f"{PAIRING}:end", ButtonValue("at_risk", PAIRING, ("end",))),
    "survey_open": (PAIRING, ButtonValue("survey_open", PAIRING)),
    "path": (f"{PAIRING}:again", ButtonValue("path", PAIRING, ("again",))),
    "milestone_done": (f"{PAIRING}:3", ButtonValue("milestone_done", PAIRING, ("3",))),
    "resource_vote": (
        f"{PAIRING}:2026-W02:what-is-strategy-porter:up",
        ButtonValue("resource_vote", PAIRING, ("2026-W02", "what-is-strategy-porter", "up")),
    ),
}


def test_every_kind_has_a_route_and_a_legacy_example() -> None:
    assert set(KINDS) == set(BUTTON_ROUTES) == set(LEGACY_VALUES)
    assert all(route.kind is KINDS[action_id] for action_id, route in BUTTON_ROUTES.items())


@pytest.mark.parametrize("action_id", sorted(LEGACY_VALUES))
def test_values_written_before_the_codec_still_decode_and_round_trip(action_id: str) -> None:
    wire, decoded = LEGACY_VALUES[action_id]
    assert buttons.decode(action_id, wire) == decoded
    kind = KINDS[action_id]
    parts = (decoded.id, *decoded.choice) if kind.has_id else decoded.choice
    assert kind.encode(*parts) == wire
    button = kind.button("Label", *parts, style=ButtonStyle.DANGER)
    assert (button.action_id, button.value, button.style) == (action_id, wire, ButtonStyle.DANGER)


@pytest.mark.parametrize(
    ("kind", "parts"),
    [
        (buttons.CHECKIN_ANSWER, ("a:b", "met")),  # the separator inside an id
        (buttons.CHECKIN_ANSWER, ("", "met")),
        (buttons.CHECKIN_ANSWER, (PAIRING, "maybe")),
        (buttons.CHECKIN_RATING, (PAIRING, "6")),
        (buttons.ASSESS, (PAIRING, "during", "3")),
        (buttons.PROMPT_RATE, (PAIRING, "2026-W02", "1")),  # a part missing
        (buttons.LEAVE, ("someone", "keep")),  # an id on a kind without one
        (buttons.GOAL_ADD_FORM, ("x" * (MAX_VALUE_LENGTH + 1),)),
    ],
)
def test_the_engine_cannot_make_a_value_no_click_could_decode(
    kind: buttons.ButtonKind, parts: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError):
        kind.encode(*parts)


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("checkin_rating", f"{PAIRING}:9"),
        ("checkin_rating", f"{PAIRING}:+4"),
        ("checkin_answer", f"{PAIRING}:met:extra"),
        ("checkin_answer", PAIRING),
        ("story_decide", f"{PAIRING}:publish"),
        ("prompt_rate", f"{PAIRING}:2026-W02:0:sideways"),
        ("leave", "keep:now"),
        ("goal_add_form", "has space"),
        ("goal_add_form", "x" * (MAX_VALUE_LENGTH + 1)),
        ("goal_add_form", ""),
        ("no_such_button", PAIRING),
    ],
)
def test_malformed_values_are_a_domain_error(action_id: str, value: str) -> None:
    with pytest.raises(BadButtonValue) as raised:
        buttons.decode(action_id, value)
    assert isinstance(raised.value, MentorbotError) and raised.value.message


@given(st.sampled_from(sorted(KINDS) + ["unknown"]), st.text(max_size=600))
def test_decoding_any_text_either_succeeds_or_is_a_domain_error(action_id: str, value: str) -> None:
    try:
        decoded = buttons.decode(action_id, value)
    except BadButtonValue:
        return
    assert len(value) <= MAX_VALUE_LENGTH and decoded.kind == action_id
    kind = KINDS[action_id]
    assert kind.encode(*((decoded.id, *decoded.choice) if kind.has_id else decoded.choice)) == value


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.text(max_size=120))
async def test_a_forged_click_gets_a_friendly_answer(action_id: str, value: str) -> None:
    h = Harness()
    await h.join("ann", "mentor")
    reply = await h.click("ann", action_id, value)
    assert reply.message is not None and reply.message.text and reply.message.text != SORRY_TEXT


def _buttons(messages: list[OutgoingMessage]) -> list[tuple[str, str]]:
    return [(b.action_id, b.value) for m in messages for b in m.buttons]


async def test_every_button_the_engine_sends_decodes_with_its_kind() -> None:
    h = await paired_harness()
    h.advance(days=7, hours=3)  # the next Monday, past check-in time in London
    await h.bot.jobs.tick()
    shown = [
        (await h.say("lea", "prompts")).message,
        (await h.say("lea", "goals")).message,
        (await h.say("lea", "leave")).message,
        (await h.say("lea", "story we shipped an AI-drafted board update")).message,
    ]
    await h.bot.jobs.deliver_due()
    sent = [s.message for s in h.chat.transcript]
    values = _buttons([m for m in shown if m is not None] + sent)
    kinds = {action_id for action_id, _ in values}
    assert {
        "checkin_answer",
        "prompt_rate",
        "prompts_refresh",
        "goal_add_form",
        "leave",
        "story_decide",
        "assess",
    } <= kinds
    for action_id, value in values:
        buttons.decode(action_id, value)
