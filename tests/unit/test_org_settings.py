"""MENTORBOT_REPORTING_DEPTH: read like every other bounded setting, and wired into the match rules."""

from __future__ import annotations

import pytest

from bot.bootstrap import program_config
from bot.settings import Settings, SettingsError


def test_the_default_depth_is_manager_and_skip_level() -> None:
    settings = Settings.from_env({})
    assert settings.reporting_depth == 2
    assert program_config(settings).match_rules.reporting_depth == 2


@pytest.mark.parametrize("depth", [0, 1, 3, 10])
def test_a_depth_in_range_reaches_the_match_rules(depth: int) -> None:
    settings = Settings.from_env({"MENTORBOT_REPORTING_DEPTH": str(depth)})
    assert program_config(settings).match_rules.reporting_depth == depth


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("-1", "MENTORBOT_REPORTING_DEPTH must be between 0 and 10, got -1"),
        ("11", "MENTORBOT_REPORTING_DEPTH must be between 0 and 10, got 11"),
        ("two", "MENTORBOT_REPORTING_DEPTH must be a whole number, got 'two'"),
    ],
)
def test_a_bad_depth_is_one_line_naming_the_variable(raw: str, line: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"MENTORBOT_REPORTING_DEPTH": raw})
    assert str(refused.value).splitlines() == [line]
