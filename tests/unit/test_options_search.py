"""Every IANA time zone can be chosen: the form offers a few, the engine's search finds the rest."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest

from conversations.messages import InputKind, OutgoingMessage, message_from_dict
from conversations.options_search import (
    COMMON_TIMEZONES,
    TIMEZONES,
    is_option,
    option_for,
    search_options,
)
from conversations.profile_form import build_profile_form, valid_timezone, validate_profile


def values(query: str, limit: int = 25, **kwargs: object) -> list[str]:
    return [o.value for o in search_options(TIMEZONES, query, limit, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("Etc/UTC", "Etc/UTC"),
        ("etc/u", "Etc/UTC"),
        ("Accra", "Africa/Accra"),
        ("accra", "Africa/Accra"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("new york", "America/New_York"),
        ("port au prince", "America/Port-au-Prince"),
        ("  KOLKATA ", "Asia/Kolkata"),
    ],
)
def test_a_zone_is_found_by_any_way_of_typing_its_name(typed: str, expected: str) -> None:
    found = values(typed)
    assert expected in found, f"{typed!r} found {found}"
    assert found.index(expected) < 3, f"{expected} should be near the top for {typed!r}: {found}"


def test_utc_finds_both_spellings_first() -> None:
    assert values("utc")[:2] == ["UTC", "Etc/UTC"]


def test_every_zone_the_system_knows_is_found_by_its_own_name() -> None:
    zones = {z for z in available_timezones() if valid_timezone(z)}
    assert len(zones) > 400
    missing = [z for z in zones if z not in values(z, limit=50)]
    assert not missing, missing[:10]


def test_an_empty_query_lists_the_common_zones_first_then_the_rest() -> None:
    listed = values("", limit=1000)
    assert listed[: len(COMMON_TIMEZONES)] == list(COMMON_TIMEZONES)
    assert "Africa/Accra" in listed and len(listed) == len(set(listed)) > 400


def test_the_current_choice_comes_first_among_equals_and_pages_do_not_overlap() -> None:
    assert values("", limit=3, preferred=["Africa/Accra"])[0] == "Africa/Accra"
    first, second = values("america", limit=10), values("america", limit=10, skip=10)
    assert len(first) == len(second) == 10 and not set(first) & set(second)


def test_nothing_is_found_for_nonsense_an_unknown_dataset_or_no_room() -> None:
    assert values("Mars/Base") == []
    assert search_options("planets", "mars", 10) == ()
    assert search_options(TIMEZONES, "utc", 0) == ()
    assert values("x" * 100_000) == []


def test_labels_are_readable_and_values_are_iana_names() -> None:
    option = option_for(TIMEZONES, "America/Argentina/Buenos_Aires")
    assert option is not None
    assert (
        option.value == "America/Argentina/Buenos_Aires" and option.label == "America/Argentina/Buenos Aires"
    )
    assert option_for(TIMEZONES, "Mars/Base") is None
    assert is_option(TIMEZONES, "Etc/UTC") and not is_option(TIMEZONES, "localtime")


def test_zoneinfo_files_that_name_no_place_are_neither_offered_nor_accepted() -> None:
    for name in ("localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/London"):
        assert not valid_timezone(name), name
        assert name not in values(name)


def test_the_join_form_searches_every_zone_and_preselects_the_detected_one() -> None:
    form = build_profile_form(None, "Africa/Accra", is_edit=False)
    [timezone] = [i for i in form.inputs if i.name == "timezone"]
    assert timezone.kind is InputKind.SEARCH and timezone.dataset == TIMEZONES
    assert timezone.initial == "Africa/Accra"
    assert timezone.options[0].value == "Africa/Accra", "the person's own zone is offered, and first"
    assert {o.value for o in timezone.options} >= set(COMMON_TIMEZONES)


def test_the_join_form_falls_back_to_utc_for_no_or_a_bad_detected_zone() -> None:
    for detected in (None, "", "Mars/Base", "localtime"):
        [timezone] = [
            i for i in build_profile_form(None, detected, is_edit=False).inputs if i.name == "timezone"
        ]
        assert timezone.initial == "UTC"


@pytest.mark.parametrize("zone", ["Etc/UTC", "Africa/Accra", "America/Argentina/Buenos_Aires"])
def test_a_zone_outside_the_common_list_is_accepted_on_submit(zone: str) -> None:
    answers, errors = validate_profile(
        {"role": "mentor", "skills": ["Python"], "department": "Ops", "seniority": "1", "timezone": zone}
    )
    assert not errors and answers is not None and answers.timezone == zone


def test_a_search_input_survives_the_outbox_round_trip() -> None:
    form = build_profile_form(None, "Africa/Accra", is_edit=False)
    message = OutgoingMessage(text=form.title, form=form)
    assert message_from_dict(message.to_dict()) == message
