"""The command registry is the one source of truth: dispatch, help, the Teams lists, the Slack usage hint
and the README's table all agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from adapters.slack.scopes import SLASH_COMMAND, USAGE_HINT
from adapters.teams.package import MAX_COMMANDS_PER_LIST, PERSONAL_COMMANDS, TEAM_COMMANDS, command_list
from conversations.app import ADMIN_ONLY
from conversations.buttons import BUTTON_COMMANDS
from conversations.commands import (
    ALIASES,
    COMMANDS,
    KNOWN,
    Before,
    help_message,
    listed_commands,
    parse_command,
)
from conversations.domain import Profile
from conversations.messages import SORRY_TEXT, ItemList
from conversations.messages import command as command_ref
from tests.unit.engine_harness import ADMIN, Harness

ROOT = Path(__file__).resolve().parents[2]


def readme_command_table() -> list[str]:
    """The command word of each row of the first table in README.md's "## Commands" section."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows: list[str] = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    words = [re.match(r"\|\s*`([^` ]+)", row) for row in rows[2:]]  # after the header and the --- row
    return [m.group(1) for m in words if m]


def test_the_readme_table_lists_exactly_the_registrys_commands() -> None:
    table = readme_command_table()
    assert len(table) == len(set(table)), "a command appears twice in the README's table"
    assert set(table) == {c.name for c in listed_commands()}


def test_the_slack_usage_hint_names_exactly_the_commands_everyone_may_run() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    assert command["usage_hint"] == USAGE_HINT
    words = [w.strip() for w in command["usage_hint"].split("|")]
    assert words == [c.name for c in listed_commands(admin=False)]
    assert not any(COMMANDS[w].admin_only for w in words)


def test_the_teams_lists_come_from_the_registry_and_fit_teams_limits() -> None:
    for scope, listed in (("personal", PERSONAL_COMMANDS), ("team", TEAM_COMMANDS)):
        assert listed == command_list(scope)
        assert 0 < len(listed) <= MAX_COMMANDS_PER_LIST
        for title, description in listed:
            assert title in KNOWN and not COMMANDS[title].hidden
            assert 0 < len(description) <= 128 and len(title) <= 32


def test_buttons_run_only_commands_everyone_may_run() -> None:
    for name in BUTTON_COMMANDS:
        assert parse_command(name).name == name and not COMMANDS[name].admin_only


def test_every_name_and_alias_parses_to_its_command() -> None:
    for name in COMMANDS:
        assert parse_command(name.upper()).name == name
        assert parse_command(f"/mentor {name}").name == name
    for alias, name in ALIASES.items():
        assert parse_command(f"{alias} x").name == name
    assert parse_command("frobnicate").unknown == "frobnicate"


def help_items(is_admin: bool) -> list[str]:
    message = help_message(is_admin=is_admin)
    return [item for _, listed in message.fields if isinstance(listed, ItemList) for item in listed.items]


def test_help_lists_every_command_once_and_admin_commands_only_to_admins() -> None:
    everyone = help_items(is_admin=False)
    admins = help_items(is_admin=True)
    for command in listed_commands():
        start = f"{command_ref(command.name)} — "
        assert sum(item.startswith(start) for item in admins) == 1
        assert sum(item.startswith(start) for item in everyone) == (0 if command.admin_only else 1)
    assert not any(command_ref("home") in item for item in admins)


@pytest.mark.parametrize("name", [c.name for c in listed_commands(admin=True)])
async def test_every_admin_command_is_refused_to_everyone_else(name: str) -> None:
    h = Harness()
    await h.join("ann", "mentor")
    for who in ("ann", "stranger"):
        assert (await h.say(who, name)).message.text == ADMIN_ONLY


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_every_command_answers_everyone_without_a_traceback(name: str) -> None:
    h = Harness()
    await h.join("ann", "mentor")
    for who in ("ann", ADMIN, "stranger"):
        reply = await h.say(who, name)
        assert reply.message is not None and reply.message.text != SORRY_TEXT


async def test_only_the_commands_that_ask_for_it_read_the_platform_profile() -> None:
    h = Harness()
    asked: list[str] = []

    async def get_profile(user):  # type: ignore[no-untyped-def]
        asked.append(user.user_id)
        return Profile("Ann Example")

    h.chat.get_profile = get_profile  # type: ignore[method-assign]
    for name, command in COMMANDS.items():
        asked.clear()
        await h.say("ann", name)
        assert bool(asked) == (Before.PLATFORM_PROFILE in command.before), name
