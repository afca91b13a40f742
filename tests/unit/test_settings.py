"""Settings.from_env: each variable parsed, each refusal one line naming it, all problems together."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from bot.settings import BOT_FRAMEWORK_ENDPOINTS, DEFAULT_DATABASE_URL, Settings, SettingsError

APP_ID = "00000000-0000-4000-8000-000000000001"

BOUNDED = [  # variable, attribute, lowest, highest
    ("PORT", "port", 1, 65535),
    ("MENTORBOT_CYCLE_WEEKS", "cycle_weeks", 1, 104),
    ("MENTORBOT_MENTOR_CAPACITY", "mentor_capacity", 1, 20),
    ("MENTORBOT_TICK_SECONDS", "tick_seconds", 5, 3600),
    ("MENTORBOT_TICK_DEADLINE_SECONDS", "tick_deadline_seconds", 0, 3600),
    ("MENTORBOT_NEXT_ROUND_DAYS", "next_round_days", 0, 365),
    ("MENTORBOT_NUDGE_NO_MEETING_DAYS", "nudge_no_meeting_days", 1, 365),
    ("MENTORBOT_NUDGE_GOALS_DAYS", "nudge_goals_days", 1, 365),
    ("MENTORBOT_NUDGE_CHECKIN_HOURS", "nudge_checkin_hours", 1, 720),
    ("MENTORBOT_DELIVERY_IN_FLIGHT", "delivery_in_flight", 1, 1000),
    ("MENTORBOT_DELIVERY_LEASE_SECONDS", "delivery_lease_seconds", 10, 3600),
    ("MENTORBOT_DELIVERY_POLL_SECONDS", "delivery_poll_seconds", 1, 300),
    ("MENTORBOT_SLACK_MESSAGES_PER_SECOND", "slack_messages_per_second", 1, 1000),
    ("MENTORBOT_TEAMS_REQUESTS_PER_SECOND", "teams_requests_per_second", 1, 1000),
]

SLACK_PAIR = "set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or neither (Slack disabled)"
REFUSED = [  # the environment, the one line it gets
    ({"DATABASE_URL": "mysql://db/mentor"}, "DATABASE_URL must be a sqlite:// or postgresql:// URL"),
    ({"SLACK_BOT_TOKEN": "xoxb-1"}, SLACK_PAIR),
    ({"SLACK_SIGNING_SECRET": "s"}, SLACK_PAIR),
    (
        {"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"},
        "SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
    ),
    (
        {"SLACK_APP_TOKEN": "xoxb-1"},
        "SLACK_APP_TOKEN must be an app-level token starting with xapp-",
    ),
    ({"SLACK_API_URL": "slack.test/api"}, "SLACK_API_URL must be an http(s) URL"),
    ({"MICROSOFT_APP_ID": APP_ID}, "MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set"),
    (
        {"MICROSOFT_APP_TYPE": "multitenant"},
        "MICROSOFT_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI",
    ),
    (
        {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "pw", "MICROSOFT_APP_TYPE": "SingleTenant"},
        "MICROSOFT_APP_TENANT_ID is required for a SingleTenant bot",
    ),
    (
        {"MENTORBOT_PUBLISHER_NAME": "x" * 33},
        f"MENTORBOT_PUBLISHER_NAME may be 32 characters long at most: {'x' * 33!r}",
    ),
    (
        {"MENTORBOT_WEBSITE_URL": "http://intranet.test"},
        "MENTORBOT_WEBSITE_URL must be an https:// URL (Teams links to it), got 'http://intranet.test'",
    ),
    (
        {"MENTORBOT_PRIVACY_URL": "https://"},
        "MENTORBOT_PRIVACY_URL must be an https:// URL (Teams links to it), got 'https://'",
    ),
    (
        {"MENTORBOT_TERMS_URL": "https://[::1/terms"},
        "MENTORBOT_TERMS_URL must be an https:// URL (Teams links to it), got 'https://[::1/terms'",
    ),
    ({"MENTORBOT_CHECKIN_DAY": "Funday"}, "MENTORBOT_CHECKIN_DAY must be a weekday name, got 'funday'"),
    ({"MENTORBOT_CHECKIN_DAY": "3"}, "MENTORBOT_CHECKIN_DAY must be a weekday name, got '3'"),
    ({"MENTORBOT_CHECKIN_TIME": "25:00"}, "MENTORBOT_CHECKIN_TIME must be HH:MM, got '25:00'"),
    ({"MENTORBOT_CHECKIN_TIME": "9:60"}, "MENTORBOT_CHECKIN_TIME must be HH:MM, got '9:60'"),
    ({"MENTORBOT_CHECKIN_TIME": "9am"}, "MENTORBOT_CHECKIN_TIME must be HH:MM, got '9am'"),
    *(({name: "1.5"}, f"{name} must be a whole number, got '1.5'") for name, _, _, _ in BOUNDED),
    *(({name: "lots"}, f"{name} must be a whole number, got 'lots'") for name, _, _, _ in BOUNDED),
    *(
        ({name: str(low - 1)}, f"{name} must be between {low} and {high}, got {low - 1}")
        for name, _, low, high in BOUNDED
    ),
    *(
        ({name: str(high + 1)}, f"{name} must be between {low} and {high}, got {high + 1}")
        for name, _, low, high in BOUNDED
    ),
]


@pytest.mark.parametrize(("env", "line"), REFUSED, ids=[line for _, line in REFUSED])
def test_each_bad_value_is_one_line_naming_its_variable(env: dict[str, str], line: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert str(refused.value).splitlines() == [line]


def test_every_problem_is_listed_together() -> None:
    env = {
        "PORT": "not-a-port",
        "MENTORBOT_CYCLE_WEEKS": "0",
        "SLACK_BOT_TOKEN": "xoxp-1",  # wrong kind of token, and no signing secret: two problems
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_TYPE": "Bogus",
        "MENTORBOT_CHECKIN_TIME": "25:99",
        "MENTORBOT_CHECKIN_DAY": "someday",
        "MENTORBOT_TERMS_URL": "ftp://x",
    }
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert sorted(str(refused.value).splitlines()) == sorted(
        [
            "PORT must be a whole number, got 'not-a-port'",
            "MENTORBOT_CYCLE_WEEKS must be between 1 and 104, got 0",
            "SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
            "set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or neither (Slack disabled)",
            "MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set",
            "MICROSOFT_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI",
            "MENTORBOT_CHECKIN_TIME must be HH:MM, got '25:99'",
            "MENTORBOT_CHECKIN_DAY must be a weekday name, got 'someday'",
            "MENTORBOT_TERMS_URL must be an https:// URL (Teams links to it), got 'ftp://x'",
        ]
    )


def test_settings_error_is_a_value_error() -> None:
    assert issubclass(SettingsError, ValueError)


def test_nothing_set_gives_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL and settings.port == 3978
    assert (settings.checkin_weekday, settings.checkin_time) == (0, time(10, 0))
    assert settings.admins == frozenset() and dict(settings.bot_framework_overrides) == {}
    assert not (settings.slack_enabled or settings.socket_mode or settings.llm_enabled)


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_empty_or_blank_values_count_as_unset(blank: str) -> None:
    variables = [str(f.validation_alias) for f in Settings.model_fields.values() if f.validation_alias]
    env = dict.fromkeys([*variables, *BOT_FRAMEWORK_ENDPOINTS], blank)
    assert Settings.from_env(env) == Settings()


def test_values_are_stripped_and_parsed() -> None:
    env = {
        "PORT": " 8080 ",
        "MENTORBOT_ADMINS": " U123 , teams:29:abc,, slack:T1:U2 ,",
        "MENTORBOT_CHECKIN_DAY": " Friday ",
        "MENTORBOT_CHECKIN_TIME": "9:05",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "OPENAI_API_KEY": "sk-test",
        "MENTORBOT_DELIVERY_POLL_SECONDS": "3",
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "pw",
        "MICROSOFT_APP_TYPE": "SingleTenant",
        "MICROSOFT_APP_TENANT_ID": "tenant",
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": " https://api.botframework.us ",
        "UNRELATED": "ignored",
    }
    settings = Settings.from_env(env)
    assert settings.port == 8080
    assert settings.admins == frozenset({"U123", "teams:29:abc", "slack:T1:U2"})
    assert (settings.checkin_weekday, settings.checkin_time) == (4, time(9, 5))
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.slack_enabled and settings.socket_mode and settings.llm_enabled
    assert settings.delivery_poll_seconds == 3
    assert (settings.microsoft_app_type, settings.microsoft_app_tenant_id) == ("SingleTenant", "tenant")
    overrides = settings.bot_framework_overrides
    assert overrides == {"TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": "https://api.botframework.us"}


@pytest.mark.parametrize(("name", "attribute", "low", "high"), BOUNDED)
def test_the_bounds_themselves_are_accepted(name: str, attribute: str, low: int, high: int) -> None:
    assert getattr(Settings.from_env({name: str(low)}), attribute) == low
    assert getattr(Settings.from_env({name: str(high)}), attribute) == high


def test_a_single_tenant_bot_needs_its_tenant_only_with_an_app_id() -> None:
    assert Settings.from_env({"MICROSOFT_APP_TYPE": "SingleTenant"}).microsoft_app_tenant_id is None


def test_from_env_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in Settings.model_fields.values():
        if field.validation_alias:
            monkeypatch.delenv(str(field.validation_alias), raising=False)
    monkeypatch.setenv("PORT", "4000")
    monkeypatch.setenv("MENTORBOT_ADMINS", "U1,U2")
    monkeypatch.setenv("MENTORBOT_STORIES_CHANNEL", "  ")
    monkeypatch.setenv("TO_BOT_FROM_CHANNEL_TOKEN_ISSUER", "https://issuer.test")
    settings = Settings.from_env()
    assert (settings.port, settings.admins, settings.stories_channel) == (4000, frozenset({"U1", "U2"}), None)
    assert settings.bot_framework_overrides["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"] == "https://issuer.test"
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(SettingsError, match="PORT must be between 1 and 65535, got 0"):
        Settings.from_env()


def test_a_given_mapping_is_read_instead_of_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    assert Settings.from_env({"MENTORBOT_LLM_MODEL": "qwen2.5"}) == Settings(llm_model="qwen2.5")


def test_direct_construction_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("MENTORBOT_ADMINS", "U1")
    monkeypatch.setenv("TO_CHANNEL_FROM_BOT_OAUTH_SCOPE", "https://api.botframework.us")
    settings = Settings(microsoft_app_id=APP_ID, microsoft_app_password="pw", admins=frozenset({"U9"}))
    assert settings.port == 3978 and settings.slack_bot_token is None and settings.admins == frozenset({"U9"})
    assert dict(settings.bot_framework_overrides) == {}


def test_direct_construction_takes_attribute_names_and_is_frozen() -> None:
    overrides = {"TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": "https://api.botframework.us"}
    settings = Settings(
        microsoft_app_id=APP_ID, microsoft_app_password="pw", bot_framework_overrides=overrides
    )
    assert dict(settings.bot_framework_overrides) == overrides
    assert Settings(cycle_weeks=6, delivery_poll_seconds=1.5).delivery_poll_seconds == 1.5
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)  # type: ignore[call-arg]
