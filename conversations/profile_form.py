"""The join/profile form: what we ask, and how answers are checked before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.domain import SENIORITY_LEVELS, Participant, Role, level_name
from conversations.i18n import N_, _, language_name, negotiate, shipped_languages
from conversations.messages import Form, FormInput, InputKind, Option
from conversations.options_search import COMMON_TIMEZONES, TIMEZONES, is_place_zone, timezone_label

JOIN_FORM = "join"
MANAGER_FIELD = "manager"
AVOID_FIELD = "avoid"
LANGUAGE_FIELD = "language"
"""The inputs whose answers are people picked in the platform's people picker (`conversations.people`)."""
MAX_AVOIDED = 10
"""How many people one private "please don't pair me with" list may hold."""
_ACCOUNT = re.compile(r"[\w:.@\-]{1,200}")
"""A platform account id as a picker gives it: Slack `U…`, Teams `29:…`, an Azure AD object id."""
MAX_TERMS = 15
MAX_TERM_LENGTH = 60

SKILL_CHOICES: tuple[str, ...] = (
    N_("Generative AI"),
    N_("Prompt writing"),
    N_("AI assistants"),
    N_("Data analysis"),
    N_("Spreadsheets"),
    N_("Dashboards"),
    N_("Automation"),
    N_("Python"),
    N_("Social media"),
    N_("Digital collaboration"),
    N_("Video and remote meetings"),
    N_("Cybersecurity basics"),
    N_("Product thinking"),
    N_("Company strategy"),
    N_("Leadership"),
    N_("Stakeholder management"),
    N_("Decision making"),
    N_("Career planning"),
    N_("Negotiation"),
    N_("Public speaking"),
    N_("Finance basics"),
    N_("Industry knowledge"),
    N_("Managing teams"),
    N_("Change management"),
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
    locale: str | None = None,
) -> Form:
    """A new member's department, level and time zone come from the org chart when it has them, so
    they only choose their role, skills and goals; an existing member's own answers always win.
    The language starts as the one they chose, else the platform's (`locale`).

    `known` names the people the form shows already chosen (the manager, the private list), so a
    platform whose picker shows values, not names, can label them; `avoided` is the person's own
    "please don't pair me with" list, shown to nobody else."""
    skill_options = tuple(Option(s, _(s)) for s in SKILL_CHOICES)
    language = negotiate(existing.language if existing and existing.language else locale)
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
        title=_("Your mentoring profile") if is_edit else _("Join reverse mentoring"),
        submit_label=_("Save") if is_edit else _("Join"),
        inputs=(
            FormInput(
                "role",
                _("I want to take part as"),
                InputKind.SELECT,
                options=(
                    Option(Role.MENTOR.value, _("Mentor: I teach AI and digital tools")),
                    Option(Role.LEADER.value, _("Leader: I learn them and share strategy")),
                    Option(Role.BOTH.value, _("Either: match me where I'm needed")),
                ),
                initial=existing.role.value if existing else None,
            ),
            FormInput(
                "skills",
                _("Skills I can offer"),
                InputKind.MULTISELECT,
                options=skill_options,
                initial=picked(existing.skills) if existing else (),
                optional=True,
            ),
            FormInput(
                "skills_other",
                _("Other skills (comma separated)"),
                optional=True,
                initial=extra(existing.skills) if existing else None,
                max_length=300,
            ),
            FormInput(
                "learning_goals",
                _("What I want to learn"),
                InputKind.MULTISELECT,
                options=skill_options,
                initial=picked(existing.learning_goals) if existing else (),
                optional=True,
            ),
            FormInput(
                "learning_goals_other",
                _("Other learning goals (comma separated)"),
                optional=True,
                initial=extra(existing.learning_goals) if existing else None,
                max_length=300,
            ),
            FormInput(
                "department",
                _("Department"),
                initial=department,
                max_length=60,
                placeholder=_("e.g. Finance"),
            ),
            FormInput(
                "seniority",
                _("Level"),
                InputKind.SELECT,
                options=tuple(Option(str(k), level_name(k)) for k in SENIORITY_LEVELS),
                initial=str(level) if level in SENIORITY_LEVELS else None,
            ),
            FormInput(
                "timezone",
                _("Timezone"),
                InputKind.SEARCH,
                options=tz_options,
                initial=tz,
                placeholder=_("Type a city or region"),
                hint=_("Type to search every time zone, e.g. Accra, Buenos Aires or UTC."),
                dataset=TIMEZONES,
            ),
            FormInput(
                MANAGER_FIELD,
                _("My manager"),
                InputKind.PERSON,
                options=tuple(o for o in known if existing and o.value == existing.manager_id),
                optional=True,
                initial=existing.manager_id if existing else None,
                placeholder=_("Type their name"),
                hint=_(
                    "Keeps you out of your own reporting line: you're never paired with your manager or theirs."
                ),
            ),
            FormInput(
                AVOID_FIELD,
                _("Please don't pair me with (private)"),
                InputKind.PEOPLE,
                options=tuple(o for o in known if o.value in avoided),
                optional=True,
                initial=avoided,
                placeholder=_("Type a name"),
                hint=_(
                    "Only you see this list, and nobody on it is told. Up to {count} people.",
                    count=MAX_AVOIDED,
                ),
                max_items=MAX_AVOIDED,
            ),
            FormInput(
                LANGUAGE_FIELD,
                _("Language"),
                InputKind.SELECT,
                options=tuple(Option(code, language_name(code)) for code in shipped_languages()),
                initial=language,
                optional=True,
                hint=_("The language I write to you in."),
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
    language: str | None = None
    """A shipped language the person chose; None keeps the one they had."""


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
            return [], _("keep each item under {count} characters", count=MAX_TERM_LENGTH)
        if term.lower() not in (c.lower() for c in cleaned):
            cleaned.append(term)
    if len(cleaned) > MAX_TERMS:
        return [], _("pick at most {count}", count=MAX_TERMS)
    return cleaned, None


def validate_profile(fields: Mapping[str, str | list[str]]) -> tuple[ProfileAnswers | None, dict[str, str]]:
    """Check every answer; return the answers, or a message per input to show next to it."""
    errors: dict[str, str] = {}
    role_raw = _first(fields.get("role"))
    role = Role(role_raw) if role_raw in {r.value for r in Role} else None
    if role is None:
        errors["role"] = _("Choose mentor, leader or either.")
    skills, err = _terms(fields.get("skills"), fields.get("skills_other"))
    if err:
        errors["skills_other"] = _("Skills: {problem}.", problem=err)
    goals, err = _terms(fields.get("learning_goals"), fields.get("learning_goals_other"))
    if err:
        errors["learning_goals_other"] = _("Learning goals: {problem}.", problem=err)
    if role is not None and role.can_mentor() and not skills and "skills_other" not in errors:
        errors["skills_other"] = _("Mentors need at least one skill to offer.")
    if role is not None and role.can_lead() and not goals and "learning_goals_other" not in errors:
        errors["learning_goals_other"] = _("Leaders need at least one thing they want to learn.")
    department = " ".join((_first(fields.get("department")) or "").split())
    if not department:
        errors["department"] = _("Tell us your department.")
    elif len(department) > 60:
        errors["department"] = _("Keep the department under 60 characters.")
    seniority_raw = _first(fields.get("seniority")) or ""
    seniority = int(seniority_raw) if seniority_raw in {str(level) for level in SENIORITY_LEVELS} else 0
    if not seniority:
        errors["seniority"] = _("Choose your level.")
    timezone = (_first(fields.get("timezone")) or "").strip()
    if not valid_timezone(timezone):
        errors["timezone"] = _("Choose a timezone such as Europe/London.")
    manager = (_first(fields.get(MANAGER_FIELD)) or "").strip().lstrip("@") or None
    if manager and not _ACCOUNT.fullmatch(manager):
        errors[MANAGER_FIELD] = _("Pick your manager from the list.")
    avoid = tuple(dict.fromkeys(a.strip() for a in _as_list(fields.get(AVOID_FIELD)) if a.strip()))
    if len(avoid) > MAX_AVOIDED:
        errors[AVOID_FIELD] = _("Pick at most {count} people.", count=MAX_AVOIDED)
    elif not all(_ACCOUNT.fullmatch(a) for a in avoid):
        errors[AVOID_FIELD] = _("Pick people from the list.")
    language = (_first(fields.get(LANGUAGE_FIELD)) or "").strip() or None
    if language is not None and language not in shipped_languages():
        errors[LANGUAGE_FIELD] = _("Choose a language from the list.")
    if errors or role is None:
        return None, errors
    return (
        ProfileAnswers(
            role, tuple(skills), tuple(goals), department, seniority, timezone, manager, avoid, language
        ),
        {},
    )


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], str) else None
    return value
