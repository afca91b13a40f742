"""Settings from the environment, validated once at start so a typo fails loudly and early.

Declared with pydantic rather than parsed by hand, so each setting reads as one line: its attribute, its
environment variable (the alias), its default and bounds; the annotated types above `Settings` hold the
parsing and the per-variable rules, its validators the rules that span variables. pydantic-settings reads
the environment, and only for `Settings.from_env`: building `Settings(...)` directly, as the tests and the
demo do, reads nothing. Empty or blank variables count as unset. Every problem becomes one line naming the
variable to fix, all raised together as one `SettingsError` (the CLI lists them and exits with code 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import time
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.growth.resource_catalogue import ResourceFileInvalid, load_catalogue
from conversations.program_settings import MAX_CONTACT_TEXT, WEEKDAYS, bounds
from conversations.services.context import DEFAULT_GROUND_RULES, ground_rules_list

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./mentorbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PUBLISHER_NAME = "Mentorbot"
PUBLISHER_URL_SETTINGS = (
    ("MENTORBOT_WEBSITE_URL", "the program's web page"),
    ("MENTORBOT_PRIVACY_URL", "the privacy statement"),
    ("MENTORBOT_TERMS_URL", "the terms of use"),
)
"""The pages the Teams app package links to (developer website, privacy, terms): https URLs, no default."""
BOT_FRAMEWORK_ENDPOINTS = (
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
    "TO_CHANNEL_FROM_BOT_LOGIN_URL",
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE",
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL",
)
"""The variables that override Bot Framework endpoints (a sovereign cloud, a test fake), gathered into
`Settings.bot_framework_overrides`."""


class SettingsError(ValueError):
    """One line per problem, each naming the variable to fix."""


def _invalid(problem: str) -> PydanticCustomError:
    """A refusal, shown as the variable's name followed by `problem`."""
    return PydanticCustomError("setting", problem)


def _must(ok: Callable[[Any], object], problem: str) -> AfterValidator:
    """A rule for a value that is set; `problem` may quote the value as {value!r}."""

    def check(value: Any) -> Any:
        if value is not None and not ok(value):
            raise _invalid(problem.format(value=value))
        return value

    return AfterValidator(check)


def _parse(parse: Callable[[str], Any], problem: str) -> BeforeValidator:
    """Text (from the environment) goes through `parse`, a ValueError meaning `problem`; values pass as is."""

    def parse_text(raw: Any) -> Any:
        try:
            return parse(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise _invalid(problem.format(value=raw)) from None

    return BeforeValidator(parse_text)


def _clock_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]))


def _weekday(raw: Any) -> Any:
    """A day's name in the environment (any case), 0 (Monday) to 6 as an attribute."""
    if not isinstance(raw, str):
        return raw
    if raw.lower() not in WEEKDAYS:
        raise _invalid(f"must be a weekday name, got {raw.lower()!r}")
    return WEEKDAYS.index(raw.lower())


def _comma_separated(raw: Any) -> Any:
    """Admin ids stay raw strings here: conversations/platform_ids.py parses them."""
    return frozenset(part.strip() for part in raw.split(",") if part.strip()) if isinstance(raw, str) else raw


def _https_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. an unclosed [IPv6 or a port that is not a number
        return False
    return valid and len(url) <= 2048 and not any(c.isspace() for c in url)


def _resources_file(path: str | None) -> str | None:
    """The organisation's resources file, checked row by row now: a bad row refuses the start."""
    if path is not None:
        try:
            load_catalogue(path)
        except ResourceFileInvalid as invalid:
            raise _invalid(f"{invalid.source}: line {invalid.line}: {invalid.reason}") from None
    return path


Whole = Annotated[int, _parse(int, "must be a whole number, got {value!r}")]
WholeRate = Annotated[float, _parse(int, "must be a whole number, got {value!r}")]  # set as a whole number
Weekday = Annotated[int, BeforeValidator(_weekday)]
ClockTime = Annotated[time, _parse(_clock_time, "must be HH:MM, got {value!r}")]
RawIds = Annotated[frozenset[str], BeforeValidator(_comma_separated)]
ResourcesFile = Annotated[str | None, AfterValidator(_resources_file)]
DatabaseUrl = Annotated[
    str,
    _must(
        lambda url: re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", url),
        "must be a sqlite:// or postgresql:// URL",
    ),
]
BotToken = Annotated[
    str | None, _must(lambda t: t.startswith("xoxb-"), "must be a bot token starting with xoxb-")
]
AppToken = Annotated[
    str | None, _must(lambda t: t.startswith("xapp-"), "must be an app-level token starting with xapp-")
]
ApiUrl = Annotated[
    str,
    _must(lambda url: re.match(r"^https?://", url), "must be an http(s) URL"),
    AfterValidator(lambda url: url if url.endswith("/") else url + "/"),
]
AppType = Annotated[
    str,
    _must(
        lambda kind: kind in ("MultiTenant", "SingleTenant", "UserAssignedMSI"),
        "must be MultiTenant, SingleTenant or UserAssignedMSI",
    ),
]
PublisherName = Annotated[
    str, _must(lambda name: len(name) <= 32, "may be 32 characters long at most: {value!r}")
]
GroundRules = Annotated[
    str,
    _must(
        lambda rules: bool(ground_rules_list(rules)), "must hold at least one rule (rules are separated by ;)"
    ),
    _must(lambda rules: len(rules) <= 2000, "may be 2,000 characters long at most"),
]
HelpContact = Annotated[
    str | None,
    _must(lambda text: len(text) <= MAX_CONTACT_TEXT, f"may be {MAX_CONTACT_TEXT} characters long at most"),
]
HttpsUrl = Annotated[
    str | None, _must(_https_url, "must be an https:// URL (Teams links to it), got {value!r}")
]


def _var(name: str, default: Any = None, **rules: Any) -> Any:
    """The field read from environment variable `name`; `rules` are pydantic's (ge=, le=, ...)."""
    return Field(default, validation_alias=name, **rules)


def _given(info: ValidationInfo, field: str) -> bool:
    """Whether the earlier `field` was set: one missing from `info.data` failed its own check, so it was."""
    return bool(info.data.get(field, True))


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")  # by attribute or variable

    database_url: DatabaseUrl = _var("DATABASE_URL", DEFAULT_DATABASE_URL)
    port: Whole = _var("PORT", 3978, ge=1, le=65535)
    admins: RawIds = _var("MENTORBOT_ADMINS", frozenset())
    stories_channel: str | None = _var("MENTORBOT_STORIES_CHANNEL")
    # Slack
    slack_bot_token: BotToken = _var("SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = _var("SLACK_SIGNING_SECRET", validate_default=True)
    slack_app_token: AppToken = _var("SLACK_APP_TOKEN")
    slack_api_url: ApiUrl = _var("SLACK_API_URL", DEFAULT_SLACK_API_URL)
    # Teams (in this order: each rule below reads the fields declared before its own)
    microsoft_app_id: str | None = _var("MICROSOFT_APP_ID")
    microsoft_app_password: str | None = _var("MICROSOFT_APP_PASSWORD", validate_default=True)
    microsoft_app_type: AppType = _var("MICROSOFT_APP_TYPE", "MultiTenant")
    microsoft_app_tenant_id: str | None = _var("MICROSOFT_APP_TENANT_ID", validate_default=True)
    bot_framework_overrides: Mapping[str, str] = Field(default_factory=dict)  # from BOT_FRAMEWORK_ENDPOINTS
    # Teams app package: who publishes it, and the pages it links to (no default: Teams shows them)
    publisher_name: PublisherName = _var("MENTORBOT_PUBLISHER_NAME", DEFAULT_PUBLISHER_NAME)
    website_url: HttpsUrl = _var("MENTORBOT_WEBSITE_URL")
    privacy_url: HttpsUrl = _var("MENTORBOT_PRIVACY_URL")
    terms_url: HttpsUrl = _var("MENTORBOT_TERMS_URL")
    # LLM
    openai_api_key: str | None = _var("OPENAI_API_KEY")
    openai_base_url: str | None = _var("OPENAI_BASE_URL")
    llm_model: str = _var("MENTORBOT_LLM_MODEL", "gpt-4o-mini")
    embedding_model: str | None = _var("MENTORBOT_EMBEDDING_MODEL")
    resources_file: ResourcesFile = _var("MENTORBOT_RESOURCES")
    # Program cadence
    checkin_weekday: Weekday = _var("MENTORBOT_CHECKIN_DAY", 0, **bounds("checkin_weekday"))
    checkin_time: ClockTime = _var("MENTORBOT_CHECKIN_TIME", time(10, 0))
    cycle_weeks: Whole = _var("MENTORBOT_CYCLE_WEEKS", 12, **bounds("cycle_weeks"))
    mentor_capacity: Whole = _var("MENTORBOT_MENTOR_CAPACITY", 1, **bounds("mentor_capacity"))
    reporting_depth: Whole = _var("MENTORBOT_REPORTING_DEPTH", 2, ge=0, le=10)
    tick_seconds: Whole = _var("MENTORBOT_TICK_SECONDS", 60, ge=5, le=3600)
    tick_deadline_seconds: Whole = _var("MENTORBOT_TICK_DEADLINE_SECONDS", 120, ge=0, le=3600)
    next_round_days: Whole = _var("MENTORBOT_NEXT_ROUND_DAYS", 7, **bounds("next_round_days"))
    nudge_no_meeting_days: Whole = _var(
        "MENTORBOT_NUDGE_NO_MEETING_DAYS", 14, **bounds("nudge_no_meeting_days")
    )
    nudge_goals_days: Whole = _var("MENTORBOT_NUDGE_GOALS_DAYS", 7, **bounds("nudge_goals_days"))
    min_seniority_gap: Whole = _var("MENTORBOT_MIN_SENIORITY_GAP", 1, **bounds("min_seniority_gap"))
    min_overlap_hours: Whole = _var("MENTORBOT_MIN_OVERLAP_HOURS", 2, **bounds("min_overlap_hours"))
    repeat_lookback_rounds: Whole = _var(
        "MENTORBOT_REPEAT_LOOKBACK_ROUNDS", 3, **bounds("repeat_lookback_rounds")
    )
    help_contact_text: HelpContact = _var("MENTORBOT_HELP_CONTACT")
    nudge_checkin_hours: Whole = _var("MENTORBOT_NUDGE_CHECKIN_HOURS", 48, **bounds("nudge_checkin_hours"))
    ground_rules: GroundRules = _var("MENTORBOT_GROUND_RULES", DEFAULT_GROUND_RULES)
    # Delivery
    delivery_in_flight: Whole = _var("MENTORBOT_DELIVERY_IN_FLIGHT", 32, ge=1, le=1000)
    delivery_lease_seconds: Whole = _var("MENTORBOT_DELIVERY_LEASE_SECONDS", 120, ge=10, le=3600)
    delivery_poll_seconds: WholeRate = _var("MENTORBOT_DELIVERY_POLL_SECONDS", 2.0, ge=1, le=300)
    slack_messages_per_second: WholeRate = _var("MENTORBOT_SLACK_MESSAGES_PER_SECOND", 10.0, ge=1, le=1000)
    teams_requests_per_second: WholeRate = _var("MENTORBOT_TEAMS_REQUESTS_PER_SECOND", 50.0, ge=1, le=1000)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def socket_mode(self) -> bool:
        return self.slack_enabled and bool(self.slack_app_token)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key)

    @property
    def embeddings_enabled(self) -> bool:
        return bool(self.openai_api_key and self.embedding_model)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require_app_password: bool = True) -> Settings:
        """The settings in `env`, by default the process environment (read by pydantic-settings).

        `require_app_password=False` for commands that only name the Teams app (teams-package):
        MICROSOFT_APP_PASSWORD is needed to talk to Teams, not to describe the app."""
        try:
            context = {"require_app_password": require_app_password}
            return cls.model_validate(_variables_set(env), context=context)
        except ValidationError as invalid:
            raise SettingsError("\n".join(_line(problem) for problem in invalid.errors())) from None

    @model_validator(mode="before")
    @classmethod
    def _gather_endpoint_overrides(cls, values: Any) -> Any:
        if isinstance(values, dict) and any(name in values for name in BOT_FRAMEWORK_ENDPOINTS):
            values = dict(values)
            endpoints = {name: values.pop(name) for name in BOT_FRAMEWORK_ENDPOINTS if name in values}
            values["bot_framework_overrides"] = endpoints
        return values

    @field_validator("slack_signing_secret")
    @classmethod
    def _slack_needs_both(cls, secret: str | None, info: ValidationInfo) -> str | None:
        if _given(info, "slack_bot_token") != bool(secret):
            message = "set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or neither (Slack disabled)"
            raise PydanticCustomError("rule", message)  # shown as is: it names both variables
        return secret

    @field_validator("microsoft_app_password")
    @classmethod
    def _app_password(cls, password: str | None, info: ValidationInfo) -> str | None:
        required = (info.context or {}).get("require_app_password", True)
        if required and _given(info, "microsoft_app_id") and not password:
            raise _invalid("is required when MICROSOFT_APP_ID is set")
        return password

    @field_validator("microsoft_app_tenant_id")
    @classmethod
    def _tenant(cls, tenant: str | None, info: ValidationInfo) -> str | None:
        single_tenant = info.data.get("microsoft_app_type") == "SingleTenant"
        if single_tenant and _given(info, "microsoft_app_id") and not tenant:
            raise _invalid("is required for a SingleTenant bot")
        return tenant


def _line(problem: ErrorDetails) -> str:
    """One line naming the variable: ours as `_invalid` words them, bounds as "between low and high"."""
    where = str(problem["loc"][0]) if problem["loc"] else "settings"
    field = _FIELDS.get(where) or Settings.model_fields.get(where)  # a default's problem names the attribute
    name = str(field.validation_alias) if field and field.validation_alias else where
    if problem["type"] == "rule":
        return problem["msg"]
    if problem["type"] == "setting":
        return f"{name} {problem['msg']}"
    if field and problem["type"] in ("greater_than_equal", "less_than_equal"):
        low, high = (next(getattr(r, b) for r in field.metadata if hasattr(r, b)) for b in ("ge", "le"))
        return f"{name} must be between {low} and {high}, got {problem['input']}"
    return f"{name}: {problem['msg']}"


class _Variables(BaseSettings):
    """The variables `Settings` reads, as raw text; pydantic-settings fills them in from os.environ."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")


_FIELDS = {str(f.validation_alias): f for f in Settings.model_fields.values() if f.validation_alias}
"""The fields read from the environment, by variable."""
_VARIABLE_FIELDS: dict[str, Any] = dict.fromkeys([*_FIELDS, *BOT_FRAMEWORK_ENDPOINTS], (str | None, None))
_Environment: type[_Variables] = create_model(  # an optional text field per variable, named as it
    "_Environment", __base__=_Variables, **_VARIABLE_FIELDS
)


def _variables_set(env: Mapping[str, str] | None) -> dict[str, str]:
    """The variables set in `env` (by default os.environ, read by pydantic-settings), stripped; an empty
    or blank one counts as unset. A given mapping is read as is: the process environment plays no part."""
    variables: Mapping[str, str | None] = dict(_Environment()) if env is None else env
    texts = {name: (variables.get(name) or "").strip() for name in _Environment.model_fields}
    return {name: text for name, text in texts.items() if text}
