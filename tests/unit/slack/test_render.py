"""Block Kit rendering stays inside Slack's limits whatever the engine says, without mangling markup."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.render import (
    RenderError,
    decode_action_id,
    fallback_text,
    form_view,
    home_view,
    message_blocks,
    mrkdwn,
    read_form_submission,
    split_text,
    truncate,
    view_errors,
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
from tests.integration.slack.validate import check_blocks, check_message, check_view

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=9000)


def test_mentions_become_slack_mentions_and_markup_is_escaped() -> None:
    assert mrkdwn(f"Hi {mention('U123ABC')} & <b>you</b>") == "Hi <@U123ABC> &amp; &lt;b&gt;you&lt;/b&gt;"
    assert mrkdwn(mention("<!channel>")) == "@&lt;!channel&gt;"


def test_truncation_never_splits_an_entity_or_a_mention() -> None:
    text = "x" * 2995 + "&amp;tail"
    assert truncate(text, 3000) == "x" * 2995 + "…"
    mention = "y" * 2990 + "<@U12345678>"
    assert truncate(mention, 3000) == "y" * 2990 + "…"
    assert truncate("short", 3000) == "short"


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_split_text_keeps_every_chunk_under_the_limit(text: str) -> None:
    chunks = split_text(mrkdwn(text), 3000)
    assert all(0 < len(c) <= 3000 for c in chunks)


def test_long_text_is_split_over_sections_and_the_buttons_survive() -> None:
    message = OutgoingMessage(
        text="A paragraph of news.\n\n" * 8000,
        title="T" * 400,
        fields=tuple((f"name {i}", "v" * 2500) for i in range(25)),
        buttons=tuple(Button(f"Option {i} " + "z" * 100, "checkin_answer", f"id:{i}") for i in range(12)),
        attachment=Attachment("export.csv", b"a,b\n" * 5000),
    )
    blocks = message_blocks(message)
    assert check_blocks(blocks, 50) == []
    assert len(blocks) == 50
    rendered_buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(rendered_buttons) == 12
    assert {decode_action_id(b["action_id"]) for b in rendered_buttons} == {"checkin_answer"}
    assert len({b["action_id"] for b in rendered_buttons}) == 12
    assert check_message({"channel": "C1", "text": fallback_text(message), "blocks": blocks}) == []


def test_a_button_whose_value_cannot_fit_is_dropped_not_truncated() -> None:
    blocks = message_blocks(
        OutgoingMessage(text="hi", buttons=(Button("ok", "a", "v" * 2001), Button("fine", "b", "1")))
    )
    elements = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in elements] == ["b"]


def test_an_action_id_fits_up_to_slacks_limit_and_a_dropped_button_leaves_its_number_free() -> None:
    longest = "x" * 255
    blocks = message_blocks(
        OutgoingMessage(
            text="hi",
            buttons=(
                Button("ok", longest, "1"),
                Button("again", longest, "2"),
                Button("too long", "a", "v" * 2001),
                Button("fine", "a", "3"),
            ),
        )
    )
    elements = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in elements] == [(longest, "1"), ("a", "3")]
    assert check_blocks(blocks, 50) == []


def test_a_long_attachment_name_is_cut_so_the_section_stays_valid() -> None:
    message = OutgoingMessage(
        text="Your export", attachment=Attachment("<@U1> " * 200 + ".csv", b"a,b\n" * 2000)
    )
    blocks = message_blocks(message)
    assert check_blocks(blocks, 50) == []
    assert "<@U1>" not in json.dumps(blocks)


@settings(max_examples=60, deadline=None)
@given(
    text=texts,
    title=st.one_of(st.none(), st.text(max_size=300)),
    fields=st.lists(st.tuples(st.text(max_size=50), st.text(max_size=3000)), max_size=30),
    buttons=st.lists(
        st.builds(
            Button,
            st.text(max_size=120),
            st.sampled_from(["a", "b", "checkin_answer"]),
            st.text(max_size=50),
            st.sampled_from(list(ButtonStyle)),
        ),
        max_size=40,
    ),
)
def test_any_message_renders_to_valid_blocks(
    text: str, title: str | None, fields: list, buttons: list
) -> None:
    message = OutgoingMessage(text=text, title=title, fields=tuple(fields), buttons=tuple(buttons))
    assert (
        check_message({"channel": "C1", "text": fallback_text(message), "blocks": message_blocks(message)})
        == []
    )
    assert check_view(home_view([message, message], buttons[:3])) == []


def test_the_join_form_becomes_a_valid_modal_that_reads_back() -> None:
    form = build_profile_form(None, "America/New_York", is_edit=False)
    view = form_view(form)
    assert check_view(view) == []
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds["skills"] == "multi_static_select" and kinds["role"] == "static_select"
    assert kinds["department"] == "plain_text_input"
    view["state"] = {
        "values": {
            "role": {"value": {"type": "static_select", "selected_option": {"value": "mentor"}}},
            "skills": {
                "value": {
                    "type": "multi_static_select",
                    "selected_options": [{"value": "Python"}, {"value": "Automation"}],
                }
            },
            "department": {"value": {"type": "plain_text_input", "value": "Finance"}},
            "manager": {"value": {"type": "plain_text_input", "value": None}},
        }
    }
    form_id, context, answers = read_form_submission(view)
    assert form_id == "join" and context == ""
    assert answers == {
        "role": "mentor",
        "skills": ["Python", "Automation"],
        "department": "Finance",
        "manager": "",
    }


def test_every_input_kind_renders_within_limits() -> None:
    form = Form(
        form_id="goal",
        title="A title far longer than twenty-four characters",
        submit_label="Submit this form right now please",
        context="pairing-123",
        inputs=(
            FormInput(
                "text",
                "L" * 2500,
                placeholder="p" * 200,
                hint="h" * 2500,
                max_length=9000,
                initial="i" * 9500,
            ),
            FormInput("multi", "Notes", InputKind.MULTILINE),
            FormInput("number", "Progress", InputKind.NUMBER, initial="40"),
            FormInput("date", "Until", InputKind.DATE, initial="2026-12-24"),
            FormInput(
                "pick",
                "Pick",
                InputKind.SELECT,
                options=tuple(Option(str(i), "o" * 90) for i in range(150)),
                initial="149",
            ),
            FormInput("empty", "No options", InputKind.MULTISELECT),
        ),
    )
    view = form_view(form)
    assert check_view(view) == []
    assert json.loads(view["private_metadata"]) == {"form_id": "goal", "context": "pairing-123"}
    pick = next(b for b in view["blocks"] if b["block_id"] == "pick")
    assert pick["element"]["initial_option"]["value"] == "149" and len(pick["element"]["options"]) == 100


def test_a_date_slack_sdk_would_refuse_is_left_out_instead_of_sinking_the_form() -> None:
    form = Form("goal", "Goal", (FormInput("until", "Until", InputKind.DATE, initial="2026-02-31"),))
    view = form_view(form)
    assert check_view(view) == [] and "initial_date" not in view["blocks"][0]["element"]


@pytest.mark.parametrize(
    "form",
    [
        Form("goal", "Goal", (FormInput("n" * 256, "Name"),)),
        Form("goal", "Goal", (FormInput("", "Name"),)),
        Form("goal", "Goal", tuple(FormInput(f"i{n}", "Name") for n in range(101))),
        Form("goal", "Goal", (FormInput("name", "Name"),), context="c" * 3000),
        Form("goal", "Goal", (FormInput("tz", "Zone", InputKind.SEARCH),)),
        Form("goal", "Goal", (FormInput("tz", "Zone", InputKind.SEARCH, dataset="d" * 250),)),
    ],
    ids=["long-name", "no-name", "too-many-inputs", "too-much-context", "no-dataset", "long-dataset"],
)
def test_a_form_that_cannot_be_a_modal_is_a_render_error(form: Form) -> None:
    with pytest.raises(RenderError):
        form_view(form)


def test_errors_land_on_inputs_of_the_modal() -> None:
    view = form_view(build_profile_form(None, None, is_edit=False))
    shown = view_errors({"department": "Tell us your department.", "nonsense": "Something else."}, view)
    assert shown["department"] == "Tell us your department."
    assert "Something else." in shown[view["blocks"][0]["block_id"]]


@settings(max_examples=80, deadline=None)
@given(
    view=st.recursive(
        st.one_of(st.none(), st.text(max_size=20), st.integers()),
        lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=10), c, max_size=3)),
        max_leaves=15,
    )
)
def test_reading_any_view_never_raises(view: object) -> None:
    if isinstance(view, dict):
        read_form_submission(view)
