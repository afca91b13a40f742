"""In Slack the time zone is an external_select: every IANA zone, searched by the bot as people type."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.render import SEARCH_ACTION_PREFIX, form_view, options_response, read_form_submission
from adapters.slack.translate import search_request
from conversations.messages import Option
from conversations.options_search import TIMEZONES, search_options
from conversations.profile_form import build_profile_form
from tests.integration.slack.validate import check_options_response, check_view


def timezone_block(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == "timezone")


def test_the_join_modal_searches_every_zone_with_the_detected_one_preselected() -> None:
    view = form_view(build_profile_form(None, "Africa/Accra", is_edit=False))
    assert check_view(view) == []
    element = timezone_block(view)["element"]
    assert element["type"] == "external_select"
    assert element["action_id"] == SEARCH_ACTION_PREFIX + TIMEZONES
    assert element["min_query_length"] in (0, 1)
    assert element["initial_option"] == {
        "text": {"type": "plain_text", "text": "Africa/Accra", "emoji": True},
        "value": "Africa/Accra",
    }
    assert "options" not in element


def test_an_external_select_answer_reads_back_from_the_view_state() -> None:
    view = form_view(build_profile_form(None, "UTC", is_edit=False))
    action_id = timezone_block(view)["element"]["action_id"]
    view["state"] = {
        "values": {
            "role": {"value": {"type": "static_select", "selected_option": {"value": "mentor"}}},
            "timezone": {
                action_id: {
                    "type": "external_select",
                    "selected_option": {
                        "text": {"type": "plain_text", "text": "Africa/Accra"},
                        "value": "Africa/Accra",
                    },
                }
            },
        }
    }
    _, _, answers = read_form_submission(view)
    assert answers == {"role": "mentor", "timezone": "Africa/Accra"}


def test_an_external_select_left_empty_reads_as_no_answer() -> None:
    view = {
        "private_metadata": '{"form_id": "join"}',
        "state": {
            "values": {"timezone": {"search:timezones": {"type": "external_select", "selected_option": None}}}
        },
    }
    assert read_form_submission(view)[2] == {"timezone": ""}


def suggestion(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_suggestion",
        "action_id": "search:timezones",
        "block_id": "timezone",
        "value": "accra",
    }
    body.update(changes)
    return body


def test_a_block_suggestion_names_the_dataset_and_what_was_typed() -> None:
    request = search_request(suggestion())
    assert request is not None and (request.dataset, request.query, request.current) == (
        "timezones",
        "accra",
        None,
    )


def test_the_menus_current_value_is_read_from_its_state_or_its_initial_option() -> None:
    view = form_view(build_profile_form(None, "Africa/Accra", is_edit=False))
    request = search_request(suggestion(value="", view=view))
    assert request is not None and request.current == "Africa/Accra"
    view["state"] = {
        "values": {
            "timezone": {
                "search:timezones": {"type": "external_select", "selected_option": {"value": "Asia/Tokyo"}}
            }
        }
    }
    request = search_request(suggestion(value="", view=view))
    assert request is not None and request.current == "Asia/Tokyo"


@pytest.mark.parametrize(
    "body",
    [
        {},
        suggestion(type="block_actions"),
        suggestion(action_id=None),
        suggestion(action_id=["search:timezones"]),
        suggestion(action_id="value"),
    ],
)
def test_anything_else_is_not_a_search_request(body: dict[str, Any]) -> None:
    assert search_request(body) is None


@pytest.mark.parametrize(
    "odd",
    [
        {"view": "x"},
        {"view": {"blocks": "x", "state": []}},
        {"block_id": ["x"]},
        {"value": 7},
        {"view": {"blocks": [None, 3, {"block_id": "timezone"}]}},
    ],
)
def test_odd_shapes_in_a_block_suggestion_never_raise(odd: dict[str, Any]) -> None:
    request = search_request(suggestion(**odd))
    assert request is not None and request.dataset == "timezones"


def test_options_answers_stay_within_slacks_limits() -> None:
    everything = search_options(TIMEZONES, "", 1000)
    assert len(everything) > 100
    answer = options_response(everything)
    assert len(answer) == 100 and check_options_response({"options": answer}) == []
    too_long = options_response([Option("x" * 151, "too long"), Option("", "empty"), Option("UTC", "UTC")])
    assert [o["value"] for o in too_long] == ["UTC"]
