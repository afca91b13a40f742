"""Teams sends each person's time zone with every activity; the bot keeps it and offers every zone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botbuilder.schema import Activity

from adapters.teams.render import render_card
from adapters.teams.translate import (
    SEARCH_RESPONSE_TYPE,
    reference_data,
    references_to_save,
    search_query,
    search_response,
    stored_timezone,
    timezone_of,
)
from conversations.domain import UserRef
from conversations.messages import OutgoingMessage
from conversations.options_search import COMMON_TIMEZONES
from conversations.profile_form import build_profile_form
from tests.unit.teams.activities import TENANT, channel_mention, personal_message
from tests.unit.teams.card_validation import assert_valid_card, teams_extension_problems

URL = "https://smba.example.test/emea/"


def activity(body: dict[str, Any]) -> Activity:
    return Activity().deserialize(body)


def client_info(timezone: object) -> dict[str, Any]:
    return {"type": "clientInfo", "locale": "en-GB", "country": "GH", "platform": "Web", "timezone": timezone}


def test_local_timezone_is_read_and_saved_with_the_personal_reference() -> None:
    body = personal_message("29:ama", "join", URL) | {"localTimezone": "Africa/Accra"}
    assert timezone_of(activity(body)) == "Africa/Accra"
    [_tenant, personal] = references_to_save(activity(body))
    assert personal.user == UserRef("teams", TENANT, "29:ama")
    assert personal.data["timezone"] == "Africa/Accra"
    assert stored_timezone(personal.data) == "Africa/Accra"


def test_the_client_info_entity_is_read_when_local_timezone_is_missing() -> None:
    body = personal_message("29:ama", "join", URL) | {
        "entities": [client_info("America/Argentina/Buenos_Aires")]
    }
    assert timezone_of(activity(body)) == "America/Argentina/Buenos_Aires"
    assert reference_data(activity(body))["timezone"] == "America/Argentina/Buenos_Aires"


def test_local_timezone_wins_over_client_info() -> None:
    body = personal_message("29:ama", "join", URL) | {
        "localTimezone": "Etc/UTC",
        "entities": [client_info("Europe/Paris")],
    }
    assert timezone_of(activity(body)) == "Etc/UTC"


@pytest.mark.parametrize(
    "bad", ["Mars/Base", "", "localtime", "../../etc/passwd", "x" * 500, 42, ["UTC"], None]
)
def test_an_invalid_time_zone_is_ignored(bad: object) -> None:
    body = personal_message("29:ama", "join", URL) | {"localTimezone": bad, "entities": [client_info(bad)]}
    parsed = activity(body)
    assert timezone_of(parsed) is None
    assert "timezone" not in reference_data(parsed)
    assert stored_timezone({"timezone": bad}) is None


def test_a_good_client_info_still_counts_when_local_timezone_is_bad() -> None:
    body = personal_message("29:ama", "join", URL) | {
        "localTimezone": "Mars/Base",
        "entities": [{"type": "mention"}, client_info("Africa/Accra")],
    }
    assert timezone_of(activity(body)) == "Africa/Accra"


def test_a_channel_reference_does_not_keep_the_senders_time_zone() -> None:
    body = channel_mention("29:ama", "join", URL) | {"localTimezone": "Africa/Accra"}
    refs = references_to_save(activity(body))
    assert refs and all("timezone" not in ref.data for ref in refs)


def join_card(detected: str | None) -> dict[str, Any]:
    form = build_profile_form(None, detected, is_edit=False)
    return render_card(OutgoingMessage(text=form.title, form=form))


def timezone_input(card: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in card["body"] if e.get("id") == "timezone")


def test_the_join_card_offers_a_typeahead_over_every_zone_with_the_detected_one_chosen() -> None:
    card = join_card("Africa/Accra")
    assert_valid_card(card)
    element = timezone_input(card)
    assert element["type"] == "Input.ChoiceSet" and element["style"] == "filtered"
    assert element["choices.data"] == {"type": "Data.Query", "dataset": "timezones"}
    assert element["value"] == "Africa/Accra"
    values = [c["value"] for c in element["choices"]]
    assert values[0] == "Africa/Accra" and set(COMMON_TIMEZONES) <= set(values)
    assert len(json.dumps(card)) < 28_000


def test_card_validation_catches_a_malformed_typeahead() -> None:
    card = join_card("UTC")
    timezone_input(card)["choices.data"] = {"type": "Data.Query"}
    assert teams_extension_problems(card)
    with pytest.raises(AssertionError):
        assert_valid_card(card)


def search_invoke(value: object) -> Activity:
    body = personal_message("29:ama", "", URL) | {
        "type": "invoke",
        "name": "application/search",
        "value": value,
    }
    return activity(body)


def test_a_search_invoke_is_answered_with_matching_zones() -> None:
    query = search_query(
        search_invoke({"queryText": "accra", "dataset": "timezones", "queryOptions": {"top": 15, "skip": 0}})
    )
    assert query is not None and (query.dataset, query.text, query.top, query.skip) == (
        "timezones",
        "accra",
        15,
        0,
    )
    body = search_response(query)
    assert body["type"] == SEARCH_RESPONSE_TYPE == "application/vnd.microsoft.search.searchResponse"
    assert body["value"]["results"][0] == {"title": "Africa/Accra", "value": "Africa/Accra"}


def test_a_search_invoke_is_capped_and_tolerates_odd_options() -> None:
    for options in ({"top": 10_000, "skip": -5}, {"top": "all"}, {"top": float("inf")}, None, []):
        query = search_query(
            search_invoke({"queryText": "", "dataset": "timezones", "queryOptions": options})
        )
        assert query is not None and 1 <= query.top <= 25 and query.skip >= 0
        assert 1 <= len(search_response(query)["value"]["results"]) <= 25


@pytest.mark.parametrize("value", [None, "accra", {"queryText": "accra"}, {"dataset": 7}])
def test_a_search_invoke_without_a_dataset_is_not_a_query(value: object) -> None:
    assert search_query(search_invoke(value)) is None


def test_other_activities_are_not_search_queries() -> None:
    assert search_query(activity(personal_message("29:ama", "join", URL))) is None
    other = personal_message("29:ama", "", URL) | {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "value": {},
    }
    assert search_query(activity(other)) is None
