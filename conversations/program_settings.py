"""The program's settings a program manager changes from chat: the one list of them, their bounds and
texts, how a workspace's stored values overlay the deployment's defaults, and the admin's form.

`bot/settings.py` takes the bounds of the matching environment variables from `SETTINGS`, so a value
the form refuses is refused at start too, with the same bound.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from conversations.domain import UserRef
from conversations.i18n import N_, _
from conversations.messages import Form, FormInput, InputKind, Option

SETTINGS_FORM = "program_settings"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
SWITCH_VALUES = ("on", "off")
MAX_GROUND_RULES = 2000
MAX_CONTACT_TEXT = 300
_CHANNEL = re.compile(r"[A-Za-z0-9:@._\-]{1,200}")
"""A channel id as each platform writes it: Slack `C…`/`G…`, Teams `19:…@thread.tacv2`."""
_ACCOUNT = re.compile(r"[\w:.@\-]{1,200}")


class SettingKind(StrEnum):
    WHOLE = "whole"
    WEEKDAY = "weekday"
    CLOCK_TIME = "clock_time"
    CHANNEL = "channel"
    PERSON = "person"
    TEXT = "text"
    RULES = "rules"
    SWITCH = "switch"
    """On or off: an AI feature an admin may turn off for their workspace."""


@dataclass(frozen=True)
class SettingSpec:
    key: str
    """The stored name and the form input's name."""
    label: str
    kind: SettingKind
    hint: str = ""
    low: int | None = None
    high: int | None = None
    variable: str | None = None
    """The environment variable that holds the deployment's default, if any."""


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "checkin_weekday",
        N_("Check-in day"),
        SettingKind.WEEKDAY,
        N_("The weekly check-in reaches each person on this day."),
        0,
        6,
        "MENTORBOT_CHECKIN_DAY",
    ),
    SettingSpec(
        "checkin_time",
        N_("Check-in time (HH:MM, each person's own time)"),
        SettingKind.CLOCK_TIME,
        N_("A change takes effect at the next tick of the scheduler."),
        variable="MENTORBOT_CHECKIN_TIME",
    ),
    SettingSpec(
        "cycle_weeks", N_("Round length (weeks)"), SettingKind.WHOLE, "", 1, 104, "MENTORBOT_CYCLE_WEEKS"
    ),
    SettingSpec(
        "next_round_days",
        N_("Next round starts after (days)"),
        SettingKind.WHOLE,
        N_("Days after a round ends; 0 leaves the start to an admin's pair command."),
        0,
        365,
        "MENTORBOT_NEXT_ROUND_DAYS",
    ),
    SettingSpec(
        "mentor_capacity",
        N_("Leaders per mentor in a round"),
        SettingKind.WHOLE,
        "",
        1,
        20,
        "MENTORBOT_MENTOR_CAPACITY",
    ),
    SettingSpec(
        "min_seniority_gap",
        N_("Minimum seniority gap (levels)"),
        SettingKind.WHOLE,
        N_("How many levels a leader must be above their mentor."),
        0,
        5,
        "MENTORBOT_MIN_SENIORITY_GAP",
    ),
    SettingSpec(
        "min_overlap_hours",
        N_("Minimum shared working hours"),
        SettingKind.WHOLE,
        N_("Hours both people are at work (09:00 to 17:00 local) on the same day."),
        0,
        8,
        "MENTORBOT_MIN_OVERLAP_HOURS",
    ),
    SettingSpec(
        "repeat_lookback_rounds",
        N_("No repeat pairs from the last (rounds)"),
        SettingKind.WHOLE,
        N_("0 allows a pair to meet again in the very next round."),
        0,
        20,
        "MENTORBOT_REPEAT_LOOKBACK_ROUNDS",
    ),
    SettingSpec(
        "nudge_no_meeting_days",
        N_("Nudge a pair with no meeting after (days)"),
        SettingKind.WHOLE,
        "",
        1,
        365,
        "MENTORBOT_NUDGE_NO_MEETING_DAYS",
    ),
    SettingSpec(
        "nudge_goals_days",
        N_("Nudge people without goals after (days)"),
        SettingKind.WHOLE,
        "",
        1,
        365,
        "MENTORBOT_NUDGE_GOALS_DAYS",
    ),
    SettingSpec(
        "nudge_checkin_hours",
        N_("Remind of an open check-in after (hours)"),
        SettingKind.WHOLE,
        "",
        1,
        24 * 30,
        "MENTORBOT_NUDGE_CHECKIN_HOURS",
    ),
    SettingSpec(
        "stories_channel",
        N_("Stories channel (channel id)"),
        SettingKind.CHANNEL,
        N_("Where approved success stories are posted; blank sends them to the admins."),
        variable="MENTORBOT_STORIES_CHANNEL",
    ),
    SettingSpec(
        "help_person",
        N_("Help contact: a person"),
        SettingKind.PERSON,
        N_("Receives every help request, together with the admins."),
    ),
    SettingSpec(
        "help_channel",
        N_("Help contact: a private channel (channel id)"),
        SettingKind.CHANNEL,
        N_("Receives every help request; the bot must be a member."),
    ),
    SettingSpec(
        "help_contact_text",
        N_("Who to contact when nobody can be reached"),
        SettingKind.TEXT,
        N_("Shown as plain text to a person whose help request reached nobody, e.g. an email address."),
        variable="MENTORBOT_HELP_CONTACT",
    ),
    SettingSpec(
        "ground_rules",
        N_("Ground rules (separate them with ;)"),
        SettingKind.RULES,
        N_("Shown in every introduction and to everyone who joins."),
        variable="MENTORBOT_GROUND_RULES",
    ),
    SettingSpec(
        "ai_prompts",
        N_("AI-written discussion prompts"),
        SettingKind.SWITCH,
        N_("Off: every pair gets the curated library's prompts, and nothing is sent to the LLM."),
    ),
    SettingSpec(
        "ai_matching",
        N_("Meaning-based matching"),
        SettingKind.SWITCH,
        N_("Off: shared vocabulary alone decides, and no skill or goal is sent to the embeddings model."),
    ),
)
"""Every setting of the form, in its order."""
BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SETTINGS}
HELP_PERSON_FIELD = "help_person"


def bounds(key: str) -> dict[str, int]:
    """`ge=`/`le=` for the pydantic field of the same setting."""
    spec = BY_KEY[key]
    if spec.low is None or spec.high is None:
        raise KeyError(key)
    return {"ge": spec.low, "le": spec.high}


def ground_rules_list(rules: str) -> tuple[str, ...]:
    """The rules one by one, as a `;`-separated setting holds them."""
    return tuple(rule.strip() for rule in rules.split(";") if rule.strip())


@dataclass(frozen=True)
class SettingChange:
    """One line of a workspace's settings history: who changed which setting, when, from what to what."""

    platform: str
    workspace_id: str
    key: str
    old: str | None
    new: str | None
    by: UserRef
    at: datetime


# --- reading and writing values as stored (canonical text) --------------------------------------------


def parse_value(spec: SettingSpec, raw: str) -> tuple[str | None, str | None]:
    """(canonical text, None), or (None, the problem to show next to the input). Blank is (None, None)."""
    text = " ".join(raw.split()) if spec.kind is not SettingKind.RULES else raw.strip()
    if not text:
        if spec.kind in (SettingKind.CHANNEL, SettingKind.PERSON, SettingKind.TEXT):
            return None, None
        return None, _("{label} can't be blank.", label=_(spec.label))
    if spec.kind is SettingKind.WHOLE:
        assert spec.low is not None and spec.high is not None
        if not re.fullmatch(r"-?\d{1,9}", text):
            return None, _("Enter a whole number from {low} to {high}.", low=spec.low, high=spec.high)
        number = int(text)
        if not spec.low <= number <= spec.high:
            return None, _(
                "Must be between {low} and {high}; {number} is outside.",
                low=spec.low,
                high=spec.high,
                number=number,
            )
        return str(number), None
    if spec.kind is SettingKind.SWITCH:
        if text.lower() not in SWITCH_VALUES:
            return None, _("Choose on or off.")
        return text.lower(), None
    if spec.kind is SettingKind.WEEKDAY:
        if text.lower() not in WEEKDAYS:
            return None, _("Choose a day of the week.")
        return text.lower(), None
    if spec.kind is SettingKind.CLOCK_TIME:
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            return None, _("Write the time as HH:MM, between 00:00 and 23:59.")
        return f"{int(match[1]):02d}:{match[2]}", None
    if spec.kind is SettingKind.CHANNEL:
        if not _CHANNEL.fullmatch(text):
            return None, _("Write a channel id, such as C0123ABCD in Slack or 19:…@thread.tacv2 in Teams.")
        return text, None
    if spec.kind is SettingKind.PERSON:
        if not _ACCOUNT.fullmatch(text.lstrip("@")):
            return None, _("Pick a person from the list.")
        return text.lstrip("@"), None
    if spec.kind is SettingKind.TEXT:
        if len(text) > MAX_CONTACT_TEXT:
            return None, _("Keep it under {limit} characters.", limit=MAX_CONTACT_TEXT)
        return text, None
    if len(text) > MAX_GROUND_RULES:
        return None, _("Keep the ground rules under {limit} characters.", limit=MAX_GROUND_RULES)
    if not ground_rules_list(text):
        return None, _("Write at least one rule.")
    return "; ".join(ground_rules_list(text)), None


@dataclass(frozen=True)
class ProgramValues:
    """The settings of the form, as values: what `ProgramConfig` is built from and overlaid with."""

    checkin_weekday: int = 0
    checkin_time: time = time(10, 0)
    cycle_weeks: int = 12
    next_round_days: int = 7
    mentor_capacity: int = 1
    min_seniority_gap: int = 1
    min_overlap_hours: int = 2
    repeat_lookback_rounds: int = 3
    nudge_no_meeting_days: int = 14
    nudge_goals_days: int = 7
    nudge_checkin_hours: int = 48
    stories_channel: str | None = None
    help_person: str | None = None
    help_channel: str | None = None
    help_contact_text: str | None = None
    ground_rules: str = ""
    ai_prompts: bool = True
    ai_matching: bool = True

    def shown(self, key: str) -> str | None:
        """The value as the form shows it and the history records it."""
        value = getattr(self, key)
        if key == "checkin_weekday":
            return WEEKDAYS[value]
        if isinstance(value, time):
            return value.strftime("%H:%M")
        if isinstance(value, bool):
            return "on" if value else "off"
        return None if value is None else str(value)

    def with_stored(self, stored: Mapping[str, str]) -> ProgramValues:
        """These values, with each valid stored one in place of its default; a stored value the bounds
        no longer admit is passed over, so a tightened bound never breaks a running program."""
        changes: dict[str, Any] = {}
        for key, text in stored.items():
            spec = BY_KEY.get(key)
            if spec is None:
                continue
            canonical, problem = parse_value(spec, text)
            if problem is not None:
                continue
            changes[key] = _typed(spec, canonical)
        return replace(self, **changes)


def _typed(spec: SettingSpec, canonical: str | None) -> object:
    if canonical is None:
        return None
    if spec.kind is SettingKind.WHOLE:
        return int(canonical)
    if spec.kind is SettingKind.WEEKDAY:
        return WEEKDAYS.index(canonical)
    if spec.kind is SettingKind.SWITCH:
        return canonical == "on"
    if spec.kind is SettingKind.CLOCK_TIME:
        hours, minutes = canonical.split(":")
        return time(int(hours), int(minutes))
    return canonical


def next_round_after(days: int) -> timedelta | None:
    return timedelta(days=days) if days else None


# --- the admin's form ---------------------------------------------------------------------------------


def build_settings_form(values: ProgramValues, known: tuple[Option, ...] = ()) -> Form:
    """The form, filled in with the workspace's values in effect; `known` names the help contact, for
    a picker that shows ids only."""
    return Form(
        form_id=SETTINGS_FORM,
        title=_("Program settings"),
        inputs=tuple(_setting_input(spec, values.shown(spec.key), known) for spec in SETTINGS),
        submit_label=_("Save settings"),
    )


def _setting_input(spec: SettingSpec, current: str | None, known: tuple[Option, ...]) -> FormInput:
    optional = spec.kind in (SettingKind.CHANNEL, SettingKind.PERSON, SettingKind.TEXT)
    hint = _(spec.hint) if spec.hint else None
    if spec.kind is SettingKind.WHOLE:
        bounds_text = _("From {low} to {high}.", low=spec.low, high=spec.high)
        return FormInput(
            spec.key,
            _(spec.label),
            InputKind.NUMBER,
            initial=current,
            hint=f"{hint} {bounds_text}" if hint else bounds_text,
        )
    if spec.kind is SettingKind.WEEKDAY:
        days = tuple(Option(day, _(name)) for day, name in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True))
        return FormInput(spec.key, _(spec.label), InputKind.SELECT, options=days, initial=current, hint=hint)
    if spec.kind is SettingKind.SWITCH:
        choices = (Option("on", _("On")), Option("off", _("Off")))
        return FormInput(
            spec.key, _(spec.label), InputKind.SELECT, options=choices, initial=current, hint=hint
        )
    if spec.kind is SettingKind.PERSON:
        return FormInput(
            spec.key,
            _(spec.label),
            InputKind.PERSON,
            options=tuple(o for o in known if o.value == current),
            initial=current,
            optional=optional,
            placeholder=_("Type their name"),
            hint=hint,
        )
    if spec.kind is SettingKind.RULES:
        return FormInput(
            spec.key,
            _(spec.label),
            InputKind.MULTILINE,
            initial=current,
            hint=hint,
            max_length=MAX_GROUND_RULES,
        )
    limit = MAX_CONTACT_TEXT if spec.kind is SettingKind.TEXT else 200
    placeholder = _("HH:MM") if spec.kind is SettingKind.CLOCK_TIME else None
    return FormInput(
        spec.key,
        _(spec.label),
        initial=current,
        optional=optional,
        placeholder=placeholder,
        hint=hint,
        max_length=limit,
    )


def read_settings_form(
    fields: Mapping[str, str | list[str]],
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Each answered setting as canonical text (None: blank), or the problems by input."""
    values: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for spec in SETTINGS:
        if spec.key not in fields:
            continue  # a form from an older version of the bot: what it lacks is left as it is
        raw = fields[spec.key]
        text = raw if isinstance(raw, str) else (raw[0] if raw and isinstance(raw[0], str) else "")
        canonical, problem = parse_value(spec, text)
        if problem is not None:
            errors[spec.key] = problem
        else:
            values[spec.key] = canonical
    return values, errors
