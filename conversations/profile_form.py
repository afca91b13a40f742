"""The join/profile form: what we ask, and how answers are checked before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.domain import SENIORITY_LEVELS, Participant, Role
from conversations.messages import Form, FormInput, InputKind, Option
from conversations.options_search import COMMON_TIMEZONES, TIMEZONES, is_place_zone, timezone_label

JOIN_FORM = "join"
MANAGER_FIELD = "manager"
AVOID_FIELD = "avoid"
"""The inputs whose answers are people picked in the platform's people picker (`conversations.people`)."""
MAX_AVOIDED = 10
"""How many people one private "please don't pair me with" list may hold."""
_ACCOUNT = re.compile(r"[\w:.@\-]{1,200}")
"""A platform account id as a picker gives it: Slack `U…`, Teams `29:…`, an Azure AD object id."""
MAX_TERMS = 15
MAX_TERM_LENGTH = 60

SKILL_CHOICES: tuple[str, ...] = (
    "Generative AI",
    "Prompt writing",
    "AI assistants",
    "Data analysis",
    "Spreadsheets",
    "Dashboards",
    "Automation",
    "Python",
    "Social media",
    "Digital collaboration",
    "Video and remote meetings",
    "Cybersecurity basics",
    "Product thinking",
    "Company strategy",
    "Leadership",
    "Stakeholder management",
    "Decision making",
    "Career planning",
    "Negotiation",
    "Public speaking",
    "Finance basics",
    "Industry knowledge",
    "Managing teams",
    "Change management",
)


def valid_timezone(name: str) -> bool:
    if not name or len(name) > 64 or not is_place_zone(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Prefill:
    """What the org chart says of someone about to join; blank where it says nothing."""

    department: str = ""
    level: int | None = None
    timezone: str = ""


def build_profile_form(
    existing: Participant | None,
    default_timezone: str | None,
    is_edit: bool,
    chart: Prefill | None = None,
    known: tuple[Option, ...] = (),
    avoided: tuple[str, ...] = (),
) -> Form:
    """A new member's department, level and time zone come from the org chart when it has them, so
    they only choose their role, skills and goals; an existing member's own answers always win.

    `known` names the people the form shows already chosen (the manager, the private list), so a
    platform whose picker shows values, not names, can label them; `avoided` is the person's own
    "please don't pair me with" list, shown to nobody else."""
    skill_options = tuple(Option(s, s) for s in SKILL_CHOICES)
    chart = chart or Prefill()
    tz = existing.timezone if existing else (chart.timezone or default_timezone or "UTC")
    if not valid_timezone(tz):
        tz = default_timezone if default_timezone and valid_timezone(default_timezone) else "UTC"
    department = existing.department if existing else (chart.department or None)
    level = existing.seniority if existing else chart.level
    # The person's own zone first, then the common ones; every other zone is found by typing.
    tz_options = tuple(Option(z, timezone_label(z)) for z in dict.fromkeys((tz, *COMMON_TIMEZONES)))

    def picked(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v for v in values if v in SKILL_CHOICES)

    def extra(values: tuple[str, ...]) -> str | None:
        rest = [v for v in values if v not in SKILL_CHOICES]
        return ", ".join(rest) or None

    return Form(
        form_id=JOIN_FORM,
        title="Your mentoring profile" if is_edit else "Join reverse mentoring",
        submit_label="Save" if is_edit else "Join",
        inputs=(
            FormInput(
                "role",
                "I want to take part as",
                InputKind.SELECT,
                options=(
                    Option(Role.MENTOR.value, "Mentor: I teach AI and digital tools"),
                    Option(Role.LEADER.value, "Leader: I learn them and share strategy"),
                    Option(Role.BOTH.value, "Either: match me where I'm needed"),
                ),
                initial=existing.role.value if existing else None,
            ),
            FormInput(
                "skills",
                "Skills I can offer",
                InputKind.MULTISELECT,
                options=skill_options,
                initial=picked(existing.skills) if existing else (),
                optional=True,
            ),
            FormInput(
                "skills_other",
                "Other skills (comma separated)",
                optional=True,
                initial=extra(existing.skills) if existing else None,
                max_length=300,
            ),
            FormInput(
                "learning_goals",
                "What I want to learn",
                InputKind.MULTISELECT,
                options=skill_options,
                initial=picked(existing.learning_goals) if existing else (),
                optional=True,
            ),
            FormInput(
                "learning_goals_other",
                "Other learning goals (comma separated)",
                optional=True,
                initial=extra(existing.learning_goals) if existing else None,
                max_length=300,
            ),
            FormInput(
                "department",
                "Department",
                initial=department,
                max_length=60,
                placeholder="e.g. Finance",
            ),
            FormInput(
                "seniority",
                "Level",
                InputKind.SELECT,
                options=tuple(Option(str(k), v) for k, v in SENIORITY_LEVELS.items()),
                initial=str(level) if level in SENIORITY_LEVELS else None,
            ),
            FormInput(
                "timezone",
                "Timezone",
                InputKind.SEARCH,
                options=tz_options,
                initial=tz,
                placeholder="Type a city or region",
                hint="Type to search every time zone, e.g. Accra, Buenos Aires or UTC.",
                dataset=TIMEZONES,
            ),
            FormInput(
                MANAGER_FIELD,
                "My manager",
                InputKind.PERSON,
                options=tuple(o for o in known if existing and o.value == existing.manager_id),
                optional=True,
                initial=existing.manager_id if existing else None,
                placeholder="Type their name",
                hint="Keeps you out of your own reporting line: you're never paired with your manager or theirs.",
            ),
            FormInput(
                AVOID_FIELD,
                "Please don't pair me with (private)",
                InputKind.PEOPLE,
                options=tuple(o for o in known if o.value in avoided),
                optional=True,
                initial=avoided,
                placeholder="Type a name",
                hint=f"Only you see this list, and nobody on it is told. Up to {MAX_AVOIDED} people.",
                max_items=MAX_AVOIDED,
            ),
        ),
    )


@dataclass(frozen=True)
class ProfileAnswers:
    role: Role
    skills: tuple[str, ...]
    learning_goals: tuple[str, ...]
    department: str
    seniority: int
    timezone: str
    manager_pick: str | None
    """What the manager picker gave: an account id of the platform, checked against its directory."""
    avoid_picks: tuple[str, ...] = ()
    """What the "please don't pair me with" picker gave, checked the same way."""


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if isinstance(v, str)]


def _terms(selected: str | list[str] | None, other: str | list[str] | None) -> tuple[list[str], str | None]:
    terms = [t.strip() for t in _as_list(selected)]
    for chunk in _as_list(other):
        terms += [t.strip() for t in re.split(r"[,;\n]", chunk)]
    cleaned: list[str] = []
    for term in terms:
        term = " ".join(term.split())
        if not term:
            continue
        if len(term) > MAX_TERM_LENGTH:
            return [], f"keep each item under {MAX_TERM_LENGTH} characters"
        if term.lower() not in (c.lower() for c in cleaned):
            cleaned.append(term)
    if len(cleaned) > MAX_TERMS:
        return [], f"pick at most {MAX_TERMS}"
    return cleaned, None


def validate_profile(fields: Mapping[str, str | list[str]]) -> tuple[ProfileAnswers | None, dict[str, str]]:
    """Check every answer; return the answers, or a message per input to show next to it."""
    errors: dict[str, str] = {}
    role_raw = _first(fields.get("role"))
    role = Role(role_raw) if role_raw in {r.value for r in Role} else None
    if role is None:
        errors["role"] = "Choose mentor, leader or either."
    skills, err = _terms(fields.get("skills"), fields.get("skills_other"))
    if err:
        errors["skills_other"] = f"Skills: {err}."
    goals, err = _terms(fields.get("learning_goals"), fields.get("learning_goals_other"))
    if err:
        errors["learning_goals_other"] = f"Learning goals: {err}."
    if role is not None and role.can_mentor() and not skills and "skills_other" not in errors:
        errors["skills_other"] = "Mentors need at least one skill to offer."
    if role is not None and role.can_lead() and not goals and "learning_goals_other" not in errors:
        errors["learning_goals_other"] = "Leaders need at least one thing they want to learn."
    department = " ".join((_first(fields.get("department")) or "").split())
    if not department:
        errors["department"] = "Tell us your department."
    elif len(department) > 60:
        errors["department"] = "Keep the department under 60 characters."
    seniority_raw = _first(fields.get("seniority")) or ""
    seniority = int(seniority_raw) if seniority_raw in {str(level) for level in SENIORITY_LEVELS} else 0
    if not seniority:
        errors["seniority"] = "Choose your level."
    timezone = (_first(fields.get("timezone")) or "").strip()
    if not valid_timezone(timezone):
        errors["timezone"] = "Choose a timezone such as Europe/London."
    manager = (_first(fields.get(MANAGER_FIELD)) or "").strip().lstrip("@") or None
    if manager and not _ACCOUNT.fullmatch(manager):
        errors[MANAGER_FIELD] = "Pick your manager from the list."
    avoid = tuple(dict.fromkeys(a.strip() for a in _as_list(fields.get(AVOID_FIELD)) if a.strip()))
    if len(avoid) > MAX_AVOIDED:
        errors[AVOID_FIELD] = f"Pick at most {MAX_AVOIDED} people."
    elif not all(_ACCOUNT.fullmatch(a) for a in avoid):
        errors[AVOID_FIELD] = "Pick people from the list."
    if errors or role is None:
        return None, errors
    return (
        ProfileAnswers(role, tuple(skills), tuple(goals), department, seniority, timezone, manager, avoid),
        {},
    )


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], str) else None
    return value
