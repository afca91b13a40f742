"""Settings from the environment, validated once at start so a typo fails loudly and early."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./mentorbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PUBLISHER_NAME = "Mentorbot"
PUBLISHER_URL_SETTINGS = (
    ("MENTORBOT_WEBSITE_URL", "the program's web page"),
    ("MENTORBOT_PRIVACY_URL", "the privacy statement"),
    ("MENTORBOT_TERMS_URL", "the terms of use"),
)
"""The pages the Teams app package links to (developer website, privacy, terms): https URLs, no default."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SettingsError(ValueError):
    """One line per problem, each naming the variable to fix."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3978
    admins: frozenset[str] = frozenset()
    stories_channel: str | None = None
    # Slack
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Teams
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = None
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "MultiTenant"
    bot_framework_overrides: Mapping[str, str] = field(default_factory=dict)
    # Teams app package: who publishes it, and the pages it links to (no default: Teams shows them)
    publisher_name: str = DEFAULT_PUBLISHER_NAME
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None
    # LLM
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    # Program cadence
    checkin_weekday: int = 0
    checkin_time: time = time(10, 0)
    cycle_weeks: int = 12
    mentor_capacity: int = 1
    tick_seconds: int = 60
    tick_deadline_seconds: int = 120
    next_round_days: int = 7
    nudge_no_meeting_days: int = 14
    nudge_goals_days: int = 7
    nudge_checkin_hours: int = 48
    # Delivery
    delivery_in_flight: int = 32
    delivery_lease_seconds: int = 120
    delivery_poll_seconds: float = 2.0
    slack_messages_per_second: float = 10.0
    teams_requests_per_second: float = 50.0

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def socket_mode(self) -> bool:
        return self.slack_enabled and bool(self.slack_app_token)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require_app_password: bool = True) -> Settings:
        """`require_app_password=False` for commands that only name the Teams app (teams-package):
        MICROSOFT_APP_PASSWORD is needed to talk to Teams, not to describe the app."""
        env = os.environ if env is None else env
        errors: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                value = int(raw)
            except ValueError:
                errors.append(f"{name} must be a whole number, got {raw!r}")
                return default
            if not low <= value <= high:
                errors.append(f"{name} must be between {low} and {high}, got {value}")
                return default
            return value

        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if not re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", database_url):
            errors.append("DATABASE_URL must be a sqlite:// or postgresql:// URL")

        slack_bot_token, slack_secret = get("SLACK_BOT_TOKEN"), get("SLACK_SIGNING_SECRET")
        if bool(slack_bot_token) != bool(slack_secret):
            errors.append("set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or neither (Slack disabled)")
        if slack_bot_token and not slack_bot_token.startswith("xoxb-"):
            errors.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        slack_app_token = get("SLACK_APP_TOKEN")
        if slack_app_token and not slack_app_token.startswith("xapp-"):
            errors.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        slack_api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not re.match(r"^https?://", slack_api_url):
            errors.append("SLACK_API_URL must be an http(s) URL")
        elif not slack_api_url.endswith("/"):
            slack_api_url += "/"

        app_id, app_password = get("MICROSOFT_APP_ID"), get("MICROSOFT_APP_PASSWORD")
        if app_id and not app_password and require_app_password:
            errors.append("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set")
        app_type = get("MICROSOFT_APP_TYPE") or "MultiTenant"
        if app_type not in ("MultiTenant", "SingleTenant", "UserAssignedMSI"):
            errors.append("MICROSOFT_APP_TYPE must be MultiTenant, SingleTenant or UserAssignedMSI")
        tenant = get("MICROSOFT_APP_TENANT_ID")
        if app_type == "SingleTenant" and app_id and not tenant:
            errors.append("MICROSOFT_APP_TENANT_ID is required for a SingleTenant bot")
        overrides = {
            name: value
            for name in (
                "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
                "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
                "TO_CHANNEL_FROM_BOT_LOGIN_URL",
                "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
                "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
            )
            if (value := get(name))
        }

        def https_url(name: str) -> str | None:
            raw = get(name)
            if raw is None:
                return None
            try:
                parts = urlsplit(raw)
                valid = parts.scheme.lower() == "https" and bool(parts.hostname) and parts.port != 0
            except ValueError:  # e.g. an unclosed [IPv6 or a port that is not a number
                valid = False
            if not valid or len(raw) > 2048 or any(c.isspace() for c in raw):
                errors.append(f"{name} must be an https:// URL (Teams links to it), got {raw!r}")
                return None
            return raw

        publisher_name = get("MENTORBOT_PUBLISHER_NAME") or DEFAULT_PUBLISHER_NAME
        if len(publisher_name) > 32:
            errors.append(f"MENTORBOT_PUBLISHER_NAME may be 32 characters long at most: {publisher_name!r}")
        website_url, privacy_url, terms_url = (https_url(name) for name, _ in PUBLISHER_URL_SETTINGS)

        weekday_raw = (get("MENTORBOT_CHECKIN_DAY") or "monday").lower()
        if weekday_raw not in WEEKDAYS:
            errors.append(f"MENTORBOT_CHECKIN_DAY must be a weekday name, got {weekday_raw!r}")
            weekday_raw = "monday"
        checkin_time = time(10, 0)
        raw_time = get("MENTORBOT_CHECKIN_TIME")
        if raw_time:
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw_time)
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                errors.append(f"MENTORBOT_CHECKIN_TIME must be HH:MM, got {raw_time!r}")
            else:
                checkin_time = time(int(match[1]), int(match[2]))

        settings = cls(
            database_url=database_url,
            port=integer("PORT", 3978, 1, 65535),
            admins=frozenset(a.strip() for a in (get("MENTORBOT_ADMINS") or "").split(",") if a.strip()),
            stories_channel=get("MENTORBOT_STORIES_CHANNEL"),
            slack_bot_token=slack_bot_token,
            slack_signing_secret=slack_secret,
            slack_app_token=slack_app_token,
            slack_api_url=slack_api_url,
            microsoft_app_id=app_id,
            microsoft_app_password=app_password,
            microsoft_app_tenant_id=tenant,
            microsoft_app_type=app_type,
            bot_framework_overrides=overrides,
            publisher_name=publisher_name,
            website_url=website_url,
            privacy_url=privacy_url,
            terms_url=terms_url,
            openai_api_key=get("OPENAI_API_KEY"),
            openai_base_url=get("OPENAI_BASE_URL"),
            llm_model=get("MENTORBOT_LLM_MODEL") or "gpt-4o-mini",
            checkin_weekday=WEEKDAYS.index(weekday_raw),
            checkin_time=checkin_time,
            cycle_weeks=integer("MENTORBOT_CYCLE_WEEKS", 12, 1, 104),
            mentor_capacity=integer("MENTORBOT_MENTOR_CAPACITY", 1, 1, 20),
            tick_seconds=integer("MENTORBOT_TICK_SECONDS", 60, 5, 3600),
            tick_deadline_seconds=integer("MENTORBOT_TICK_DEADLINE_SECONDS", 120, 0, 3600),
            next_round_days=integer("MENTORBOT_NEXT_ROUND_DAYS", 7, 0, 365),
            nudge_no_meeting_days=integer("MENTORBOT_NUDGE_NO_MEETING_DAYS", 14, 1, 365),
            nudge_goals_days=integer("MENTORBOT_NUDGE_GOALS_DAYS", 7, 1, 365),
            nudge_checkin_hours=integer("MENTORBOT_NUDGE_CHECKIN_HOURS", 48, 1, 24 * 30),
            delivery_in_flight=integer("MENTORBOT_DELIVERY_IN_FLIGHT", 32, 1, 1000),
            delivery_lease_seconds=integer("MENTORBOT_DELIVERY_LEASE_SECONDS", 120, 10, 3600),
            delivery_poll_seconds=integer("MENTORBOT_DELIVERY_POLL_SECONDS", 2, 1, 300),
            slack_messages_per_second=integer("MENTORBOT_SLACK_MESSAGES_PER_SECOND", 10, 1, 1000),
            teams_requests_per_second=integer("MENTORBOT_TEAMS_REQUESTS_PER_SECOND", 50, 1, 1000),
        )
        if errors:
            raise SettingsError("\n".join(errors))
        return settings

