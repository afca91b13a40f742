"""The README's settings table and the settings the bot reads agree, variable for variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.bootstrap import program_config
from bot.settings import _FIELDS, BOT_FRAMEWORK_ENDPOINTS, Settings, SettingsError
from conversations.services.context import DEFAULT_GROUND_RULES

ROOT = Path(__file__).resolve().parents[2]


def readme_settings() -> set[str]:
    """Every variable named in the first column of README.md's "## Settings" table."""
    section = (ROOT / "README.md").read_text().split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in section.splitlines():
        if row.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1]))
    return names


def test_the_readme_table_lists_exactly_the_settings_read() -> None:
    listed = readme_settings()
    assert set(_FIELDS) - listed == set(), "read but not documented"
    assert listed - set(_FIELDS) - set(BOT_FRAMEWORK_ENDPOINTS) == set(), "documented but not read"


def test_the_ground_rules_default_and_reach_the_program() -> None:
    assert Settings.from_env({}).ground_rules == DEFAULT_GROUND_RULES
    settings = Settings.from_env({"MENTORBOT_GROUND_RULES": "Cameras on; Phones away"})
    assert program_config(settings).ground_rules == "Cameras on; Phones away"


def test_ground_rules_without_a_rule_are_refused_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="MENTORBOT_GROUND_RULES"):
        Settings.from_env({"MENTORBOT_GROUND_RULES": " ; ;"})
