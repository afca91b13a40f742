"""Every card shape the engine can ask for renders to a valid Adaptive Card 1.5."""

from __future__ import annotations

import json

import pytest

from adapters.teams.render import (
    CARD_CONTENT_TYPE,
    render_activity,
    render_card,
)
from conversations.messages import (
    Attachment,
    Button,
    ButtonStyle,
    Form,
    FormInput,
    InputKind,
    Option,
    OutgoingMessage,
    mention,
)
from conversations.profile_form import build_profile_form
from tests.unit.teams.card_validation import assert_valid_activity, assert_valid_card

EVERY_INPUT = Form(
    form_id="join",
    title="Join the program",
    context="ctx-1",
    inputs=(
        FormInput("name", "Name", InputKind.TEXT, initial="Ada", placeholder="Your name", max_length=80),
        FormInput("about", "About you", InputKind.MULTILINE, optional=True, hint="A line or two"),
        FormInput(
            "role", "Role", InputKind.SELECT, options=(Option("mentor", "Mentor"), Option("leader", "Leader"))
        ),
        FormInput(
            "skills",
            "Skills",
            InputKind.MULTISELECT,
            options=(Option("ai", "AI"), Option("data", "Data"), Option("cloud", "Cloud")),
            initial=("ai", "data"),
        ),
        FormInput("level", "Seniority", InputKind.NUMBER, initial="3"),
        FormInput("until", "Pause until", InputKind.DATE, initial="2026-12-24", optional=True),
    ),
)


def test_buttons_carry_action_id_and_value_back() -> None:
    message = OutgoingMessage(
        text="Did you meet this week?",
        title="Weekly check-in",
        buttons=(
            Button("We met", "checkin_answer", "c1:met", ButtonStyle.PRIMARY),
            Button("Need help", "checkin_answer", "c1:need_help", ButtonStyle.DANGER),
            Button("Not yet", "checkin_answer", "c1:not_yet"),
        ),
    )
    card = render_card(message)
    assert_valid_card(card)
    assert [a["data"] for a in card["actions"]] == [
        {"action_id": "checkin_answer", "value": "c1:met"},
        {"action_id": "checkin_answer", "value": "c1:need_help"},
        {"action_id": "checkin_answer", "value": "c1:not_yet"},
    ]
    assert [a["style"] for a in card["actions"]] == ["positive", "destructive", "default"]
    assert all(a["type"] == "Action.Submit" for a in card["actions"])


def test_every_input_kind_renders_as_its_adaptive_card_input() -> None:
    card = render_card(OutgoingMessage(text="Tell us about you", form=EVERY_INPUT))
    assert_valid_card(card)
    inputs = {e["id"]: e for e in card["body"] if "id" in e}
    assert inputs["name"]["type"] == "Input.Text" and inputs["name"]["value"] == "Ada"
    assert inputs["name"]["maxLength"] == 80 and inputs["name"]["isRequired"] is True
    assert inputs["about"]["isMultiline"] is True and inputs["about"]["isRequired"] is False
    assert inputs["role"]["type"] == "Input.ChoiceSet" and "isMultiSelect" not in inputs["role"]
    assert inputs["skills"]["isMultiSelect"] is True and inputs["skills"]["value"] == "ai,data"
    assert inputs["level"] == {**inputs["level"], "type": "Input.Number", "value": 3}
    assert inputs["until"]["type"] == "Input.Date" and inputs["until"]["value"] == "2026-12-24"
    submit = card["actions"][-1]
    assert submit["data"] == {"form_id": "join", "context": "ctx-1", "multiselect": ["skills"]}


def test_form_errors_are_shown_next_to_their_inputs() -> None:
    card = render_card(OutgoingMessage(text="", form=EVERY_INPUT), form_errors={"role": "Pick a role."})
    assert_valid_card(card)
    role = next(e for e in card["body"] if e.get("id") == "role")
    assert role["errorMessage"] == "Pick a role."
    texts = [e.get("text") for e in card["body"] if e["type"] == "TextBlock"]
    assert "Pick a role." in texts


def test_the_real_join_form_renders_valid() -> None:
    form = build_profile_form(None, "Europe/London", is_edit=False)
    assert_valid_card(render_card(OutgoingMessage(text="Welcome", form=form)))


def test_mentions_become_teams_mention_entities() -> None:
    message = OutgoingMessage(
        text=f"Meet {mention('29:leader')}, your leader.", fields=(("Mentor", mention("29:mentor")),)
    )
    card = render_card(message, {"29:leader": "Lee Leader", "29:mentor": "Mo Mentor"})
    assert_valid_card(card)
    assert card["body"][0]["text"] == "Meet <at>Lee Leader</at>, your leader."
    assert card["body"][1]["facts"][0]["value"] == "<at>Mo Mentor</at>"
    assert card["msteams"]["entities"] == [
        {
            "type": "mention",
            "text": "<at>Lee Leader</at>",
            "mentioned": {"id": "29:leader", "name": "Lee Leader"},
        },
        {
            "type": "mention",
            "text": "<at>Mo Mentor</at>",
            "mentioned": {"id": "29:mentor", "name": "Mo Mentor"},
        },
    ]


def test_an_attachment_is_named_with_its_size_and_never_pasted_into_the_card() -> None:
    content = b"a,b\n" * 20_000
    card = render_card(OutgoingMessage(text="Export", attachment=Attachment("export.csv", content)))
    assert_valid_card(card)
    texts = [e["text"] for e in card["body"]]
    assert texts[1] == "export.csv (78 KB) follows as a file."
    assert "a,b" not in json.dumps(card)


def test_activity_wraps_the_card_with_a_notification_summary() -> None:
    activity = render_activity(OutgoingMessage(text="Hello there", title="Hi")).serialize()
    assert activity["type"] == "message"
    assert activity["summary"].startswith("*Hi*")
    assert activity["attachments"][0]["contentType"] == CARD_CONTENT_TYPE
    assert_valid_activity(activity)


def test_an_input_named_like_the_submit_data_is_refused() -> None:
    form = Form("f", "F", (FormInput("form_id", "Oops"),))
    with pytest.raises(ValueError, match="reserved"):
        render_card(OutgoingMessage(text="x", form=form))


def test_the_validator_rejects_a_broken_card() -> None:
    """The check above can fail: an unknown element type is refused."""
    card = render_card(OutgoingMessage(text="x"))
    card["body"].append({"type": "Input.Slider", "id": "s"})
    with pytest.raises(AssertionError, match="invalid Adaptive Card"):
        assert_valid_card(card)


def all_buttons(card: dict) -> list[str]:
    rows = [a for block in card["body"] if block["type"] == "ActionSet" for a in block["actions"]]
    return [a["title"] for a in rows + card.get("actions", [])]


def test_buttons_that_fit_a_phone_row_are_the_cards_own_actions() -> None:
    labels = ("1", "2", "3", "4", "5")
    card = render_card(
        OutgoingMessage("How confident are you?", buttons=tuple(Button(x, "a", x) for x in labels))
    )
    assert [a["title"] for a in card["actions"]] == list(labels)
    assert not [b for b in card["body"] if b["type"] == "ActionSet"]
    assert_valid_card(card)


def test_buttons_too_wide_for_a_phone_go_in_rows_so_no_label_is_cut() -> None:
    """Teams shows a card's actions in one row and cuts every label to fit a phone ("W…", "N…")."""
    labels = ("We met", "Not yet", "Rescheduled", "Need help")
    card = render_card(OutgoingMessage("How is it going?", buttons=tuple(Button(x, "a", x) for x in labels)))
    assert "actions" not in card
    rows = [[a["title"] for a in b["actions"]] for b in card["body"] if b["type"] == "ActionSet"]
    assert rows == [["We met", "Not yet", "Rescheduled"], ["Need help"]]
    assert all_buttons(card) == list(labels)
    assert_valid_card(card)


def test_a_form_keeps_its_submit_as_the_cards_action_when_its_buttons_take_rows() -> None:
    labels = ("We met", "Not yet", "Rescheduled", "Need help")
    form = Form(form_id="note", title="A note", inputs=(FormInput("note", "Note", optional=True),))
    card = render_card(
        OutgoingMessage("Anything to add?", buttons=tuple(Button(x, "a", x) for x in labels), form=form)
    )
    assert [a["title"] for a in card["actions"]] == [form.submit_label]
    assert all_buttons(card)[:4] == list(labels)
    assert_valid_card(card)


def test_a_form_sent_with_its_title_as_the_text_shows_the_title_once() -> None:
    form = build_profile_form(None, "Europe/London", is_edit=False)
    card = render_card(OutgoingMessage(text=form.title, form=form))
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert texts.count(form.title) == 1
    assert_valid_card(card)
