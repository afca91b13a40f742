"""The join form's people inputs in Teams: the people picker (a ChoiceSet searching the organisation's
directory), a static roster where the picker cannot work, valid Adaptive Cards 1.5 either way, and the
picked values read back on Action.Submit."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from adapters.teams.render import PEOPLE_DATASET, render_card
from adapters.teams.translate import to_event
from conversations.domain import Participant, Role, UserRef
from conversations.events import FormSubmitted
from conversations.messages import OutgoingMessage
from conversations.profile_form import build_profile_form
from tests.unit.teams.activities import card_submit
from tests.unit.teams.card_validation import assert_valid_card

URL = "https://smba.example.test/emea/"
LEA = Participant(
    UserRef("teams", "t1", "29:lea"), "Lea", Role.LEADER, "Finance", 5, "UTC", manager_id="29:boss"
)


def join_card(
    roster: list[tuple[str, str]] | None = None, existing: Participant | None = None
) -> dict[str, Any]:
    form = build_profile_form(
        existing, "UTC", is_edit=existing is not None, avoided=("29:max",) if existing else ()
    )
    return render_card(OutgoingMessage(text=form.title, form=form), roster=roster)


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def test_the_join_card_uses_the_teams_people_picker_and_is_a_valid_card() -> None:
    card = join_card()
    assert_valid_card(card)
    manager, avoid = inputs(card)["manager"], inputs(card)["avoid"]
    for element in (manager, avoid):
        assert element["type"] == "Input.ChoiceSet"
        assert element["choices.data"] == {"type": "Data.Query", "dataset": PEOPLE_DATASET}
    assert "isMultiSelect" not in manager and avoid["isMultiSelect"] is True
    submit = next(a for a in card["actions"] if a["type"] == "Action.Submit")
    assert "avoid" in submit["data"]["multiselect"]


def test_where_the_picker_cannot_work_the_roster_is_offered_as_static_choices() -> None:
    card = join_card(roster=[("29:ana", "Ana Silva"), ("29:max", "Max Roe")])
    assert_valid_card(card)
    manager = inputs(card)["manager"]
    assert "choices.data" not in manager
    assert manager["choices"] == [
        {"title": "Ana Silva", "value": "29:ana"},
        {"title": "Max Roe", "value": "29:max"},
    ]


def test_an_edited_profile_keeps_what_was_chosen_as_values_of_the_picker() -> None:
    card = join_card(existing=LEA)
    assert_valid_card(card)
    assert inputs(card)["manager"]["value"] == "29:boss"
    assert inputs(card)["avoid"]["value"] == "29:max"


def test_the_picked_azure_ad_ids_come_back_as_the_form_answers() -> None:
    card = join_card()
    submit = next(a for a in card["actions"] if a["type"] == "Action.Submit")
    value = {
        **submit["data"],
        "manager": "6f1c2b1e-aaaa-4bbb-8ccc-0123456789ab",
        "avoid": "0a1b2c3d-1111-4222-8333-444455556666,9f8e7d6c-1111-4222-8333-444455556666",
    }
    event = to_event(Activity().deserialize(card_submit("29:lea", value, URL)))
    assert isinstance(event, FormSubmitted)
    assert event.fields["manager"] == "6f1c2b1e-aaaa-4bbb-8ccc-0123456789ab"
    assert event.fields["avoid"] == [
        "0a1b2c3d-1111-4222-8333-444455556666",
        "9f8e7d6c-1111-4222-8333-444455556666",
    ]
