"""manifest.yaml is a valid Slack app manifest and asks for exactly what the code uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from adapters.slack.scopes import BOT_EVENTS, REQUIRED_SCOPES, SLASH_COMMAND
from adapters.slack.serving import EVENTS_PATH
from tests.support.schemas import schema_path

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yaml").read_text())


def test_manifest_is_valid_against_the_published_schema(manifest: dict) -> None:
    validator = Draft7Validator(json.loads(schema_path("slack-app-manifest.schema.1.0.0.json").read_text()))
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_manifest_asks_for_exactly_the_scopes_the_code_uses(manifest: dict) -> None:
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(REQUIRED_SCOPES)
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_manifest_subscribes_to_exactly_the_events_the_code_handles(manifest: dict) -> None:
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(BOT_EVENTS)
    assert "user_events" not in manifest["settings"]["event_subscriptions"]


def test_every_request_url_points_at_the_one_events_path(manifest: dict) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == SLASH_COMMAND
    urls = [
        command["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        manifest["settings"]["interactivity"]["message_menu_options_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_searchable_menus_load_their_options_from_the_events_url(manifest: dict) -> None:
    """Without an options load URL Slack never asks for an external_select's options (the time-zone picker)."""
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]
