"""The join form's people inputs in Slack: its own user pickers, valid Block Kit, read back on submit."""

from __future__ import annotations

from adapters.slack.render import form_view, read_form_submission
from conversations.domain import Participant, Role, UserRef
from conversations.messages import Form, FormInput, InputKind, Option
from conversations.profile_form import build_profile_form
from tests.integration.slack.validate import check_view

LEA = Participant(UserRef("slack", "T1", "ULEA"), "Lea", Role.LEADER, "Finance", 5, "UTC", manager_id="UBOSS")


def elements(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}


def test_the_join_form_offers_slacks_user_pickers_as_valid_block_kit() -> None:
    view = form_view(build_profile_form(None, "UTC", is_edit=False))
    assert check_view(view) == []
    manager, avoid = elements(view)["manager"], elements(view)["avoid"]
    assert manager["type"] == "users_select" and "initial_user" not in manager
    assert avoid["type"] == "multi_users_select" and avoid["max_selected_items"] == 10


def test_an_edited_profile_shows_the_manager_and_the_list_already_chosen() -> None:
    known = (Option("UBOSS", "Ana"), Option("UMAX", "Max"))
    view = form_view(build_profile_form(LEA, "UTC", is_edit=True, known=known, avoided=("UMAX", "UZOE")))
    assert check_view(view) == []
    assert elements(view)["manager"]["initial_user"] == "UBOSS"
    assert elements(view)["avoid"]["initial_users"] == ["UMAX", "UZOE"]


def test_more_people_than_the_picker_holds_are_cut_to_its_limit_and_stay_valid() -> None:
    form = Form(
        "f",
        "People",
        (
            FormInput(
                "who", "Who", InputKind.PEOPLE, initial=tuple(f"U{i:04d}" for i in range(12)), max_items=3
            ),
        ),
    )
    view = form_view(form)
    assert check_view(view) == []
    assert elements(view)["who"]["initial_users"] == ["U0000", "U0001", "U0002"]


def test_selected_user_and_selected_users_are_read_from_the_submission() -> None:
    view = form_view(build_profile_form(None, "UTC", is_edit=False))
    view["state"] = {
        "values": {
            "manager": {"value": {"type": "users_select", "selected_user": "UBOSS"}},
            "avoid": {"value": {"type": "multi_users_select", "selected_users": ["UMAX", "UZOE"]}},
        }
    }
    _, _, answers = read_form_submission(view)
    assert answers == {"manager": "UBOSS", "avoid": ["UMAX", "UZOE"]}
    view["state"] = {
        "values": {
            "manager": {"value": {"type": "users_select", "selected_user": None}},
            "avoid": {"value": {"type": "multi_users_select", "selected_users": []}},
        }
    }
    assert read_form_submission(view)[2] == {"manager": "", "avoid": []}
