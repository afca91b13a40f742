"""Every command the bot understands, in one table: the parser, help, `Mentorbot`'s dispatch, the Teams
package's command lists and the Slack manifest's usage hint all read `COMMANDS`.

A command's entry says who may run it, what runs before its unit of work opens (calls to the outside
world never happen inside a transaction), how it is described, and the handler that answers it.

The parser never raises on any text: an unknown word becomes `help` with the word kept in `unknown`,
so the edge can answer kindly.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from conversations.domain import PairingStatus, Profile, UserRef
from conversations.errors import NotAllowed
from conversations.i18n import N_, _
from conversations.matching.model import TermVectors
from conversations.messages import ItemList, OutgoingMessage, Reply, Visibility
from conversations.messages import command as command_ref
from conversations.parsing import MAX_TEXT, ParsedCommand, clean_text, parse_date, parse_int
from conversations.people import NOBODY, Checked, PeopleFound
from conversations.services import (
    at_risk,
    checkins,
    goals,
    insights,
    invitations,
    pairing,
    participants,
    program,
    prompts,
    round_report,
    stats,
    stories,
)
from conversations.services.context import ADMIN_ONLY, AdminScope, Ctx

__all__ = [
    "ADMIN_ONLY",
    "COMMANDS",
    "KNOWN",
    "MAX_TEXT",
    "Before",
    "Command",
    "CommandRequest",
    "ParsedCommand",
    "help_message",
    "listed_commands",
    "parse_command",
    "parse_date",
    "parse_int",
]


class Before(Enum):
    """Work a command needs done before its transaction opens, because it calls the outside world."""

    PLATFORM_PROFILE = "platform_profile"
    """The person's profile on the platform (name, timezone), to prefill the profile form."""
    PROMPTS = "prompts"
    """This week's discussion prompts for the person's pair, from the suggester (possibly an LLM)."""
    PEOPLE = "people"
    """Who the people an event names are, from the workspace's directory (`conversations.people`)."""
    TERM_MEANINGS = "term_meanings"
    """Embeddings of the pool's skill and goal terms, when an embeddings model is configured (admins)."""
    INSIGHTS_SUMMARY = "insights_summary"
    """A model's few sentences on `insights`' aggregates, when an LLM is configured (admins)."""


@dataclass(frozen=True)
class CommandRequest:
    actor: UserRef
    command: ParsedCommand
    profile: Profile | None = None
    """The platform profile, when the command asked for `Before.PLATFORM_PROFILE`."""
    scope: AdminScope | None = None
    """What an admin-only command may see (the actor's workspaces); None for everyone else's commands."""
    people: PeopleFound = NOBODY
    """Who the typed person is, when the command asked for `Before.PEOPLE`."""
    meanings: TermVectors | None = None
    """The pool's term embeddings, when the command asked for `Before.TERM_MEANINGS` and a model gave them."""
    summary: str | None = None
    """The insights summary, when the command asked for `Before.INSIGHTS_SUMMARY` and a model wrote one."""


Handler = Callable[[Ctx, CommandRequest], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    """The line in `help` (and the source of truth for what the README's table must list)."""
    handler: Handler
    description: str = ""
    """The short description in the Teams package's command lists (at most 128 characters)."""
    admin_only: bool = False
    before: frozenset[Before] = frozenset()
    aliases: tuple[str, ...] = ()
    teams_lists: tuple[str, ...] = ()
    """The Teams command lists ("personal", "team") that offer it; Teams shows at most ten per list,
    and every command works in every scope whether listed or not."""
    hidden: bool = False
    """Understood, but not offered in help, the README, the Teams lists or the Slack usage hint."""


# --- handlers: the services, called with what each needs ---------------------------------------------


async def _help(ctx: Ctx, request: CommandRequest) -> Reply:
    return Reply(help_message(ctx.is_admin(request.actor), request.command.unknown))


async def _profile_form(ctx: Ctx, request: CommandRequest) -> Reply:
    editing = request.command.name == "profile"
    return await participants.open_profile_form(ctx, request.actor, request.profile, editing=editing)


async def _status(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.status(ctx, request.actor)


async def _pause(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.pause(ctx, request.actor, request.command)


async def _resume(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.resume(ctx, request.actor)


async def _leave(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.ask_leave(ctx, request.actor, request.command)


async def _manager(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.manager_command(ctx, request.actor, request.command, request.people)


async def _avoid(ctx: Ctx, request: CommandRequest) -> Reply:
    return await participants.avoid_command(ctx, request.actor, request.command, request.people)


async def _goals(ctx: Ctx, request: CommandRequest) -> Reply:
    return await goals.goals_command(ctx, request.actor, request.command)


async def _checkin(ctx: Ctx, request: CommandRequest) -> Reply:
    return await checkins.checkin_command(ctx, request.actor, request.command)


async def _assess(ctx: Ctx, request: CommandRequest) -> Reply:
    return await goals.assess_command(ctx, request.actor, request.command)


async def _prompts(ctx: Ctx, request: CommandRequest) -> Reply:
    return await prompts.prompts_command(ctx, request.actor)


async def _story(ctx: Ctx, request: CommandRequest) -> Reply:
    return await stories.propose(ctx, request.actor, request.command.rest)


async def _end(ctx: Ctx, request: CommandRequest) -> Reply:
    actor = request.actor
    await ctx.participant(actor)
    active = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    if not active:
        return Reply.text(_("You have no active pairing to end."))
    for p in active:
        await pairing.end_pairing(ctx, p, actor, request.command.rest[:200] or "ended by a participant")
    return Reply.text(
        _(
            "Your pairing has ended, no fault of anyone's. While the round runs I look every day for "
            "someone new who fits; otherwise you're first in line for the next round."
        )
    )


def _scope(request: CommandRequest) -> AdminScope:
    if request.scope is None:  # `Mentorbot` sets it for every admin-only command; never trust that blindly
        raise NotAllowed(_(ADMIN_ONLY))
    return request.scope


async def _stats(ctx: Ctx, request: CommandRequest) -> Reply:
    scope = _scope(request)
    report, chart = await stats.stats_with_chart(ctx, scope)
    message = await program.with_help_warnings(ctx, scope, stats.stats_message(report, chart))
    return Reply(message, visibility=Visibility.IN_CHANNEL)


async def _report(ctx: Ctx, request: CommandRequest) -> Reply:
    scope = _scope(request)
    cycle = await round_report.last_closed_round(ctx)
    if cycle is None:
        return Reply.text(_("No round has finished yet; its report comes when one does."))
    report = await round_report.compute_report(ctx, cycle, scope)
    return Reply(round_report.report_message(report), visibility=Visibility.IN_CHANNEL)


async def _pair(ctx: Ctx, request: CommandRequest) -> Reply:
    _scope(request)
    report = await pairing.run_round(
        ctx, dry_run="--dry-run" in request.command.flags, meanings=request.meanings
    )
    return Reply(report.message())


async def _invite(ctx: Ctx, request: CommandRequest) -> Reply:
    _scope(request)
    if not invitations.asks_for_channel(request.command):
        return Reply.text((await invitations.invite(ctx, request.actor)).summary())
    members = request.people.in_channel
    if members is None:
        return Reply.text(invitations.here_only_in_a_channel())
    if isinstance(members, Checked):
        return Reply.text(_(invitations.MEMBERS_UNKNOWN))
    return Reply.text((await invitations.invite(ctx, request.actor, members)).summary())


async def _at_risk(ctx: Ctx, request: CommandRequest) -> Reply:
    return await at_risk.at_risk_command(ctx, _scope(request))


async def _insights(ctx: Ctx, request: CommandRequest) -> Reply:
    return await insights.insights_command(ctx, _scope(request), request.summary)


async def _settings(ctx: Ctx, request: CommandRequest) -> Reply:
    _scope(request)
    if request.command.args[:1] == ("history",):
        return await program.settings_history(ctx, request.actor)
    return await program.open_settings(ctx, request.actor)


async def _export(ctx: Ctx, request: CommandRequest) -> Reply:
    return Reply(await stats.export_csv(ctx, _scope(request)))


# --- the table -----------------------------------------------------------------------------------------

PERSONAL = "personal"
TEAM = "team"

_TABLE: tuple[Command, ...] = (
    Command(
        "help",
        N_("show this help"),
        _help,
        N_("What I can do for you"),
        aliases=("?", "h"),
        teams_lists=(PERSONAL, TEAM),
    ),
    Command(
        "join",
        N_("opt in to the mentoring program"),
        _profile_form,
        N_("Join the reverse-mentoring program"),
        before=frozenset({Before.PLATFORM_PROFILE}),
        aliases=("optin", "opt-in"),
        teams_lists=(PERSONAL, TEAM),
    ),
    Command(
        "profile",
        N_("edit your role, skills, goals, department, level and timezone"),
        _profile_form,
        N_("Update your skills, goals and availability"),
        before=frozenset({Before.PLATFORM_PROFILE}),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "status",
        N_("see where you stand: your pairing, goals and next check-in"),
        _status,
        N_("Your pairing, goals and next check-in"),
        teams_lists=(PERSONAL, TEAM),
    ),
    Command(
        "pause",
        N_("`pause [until YYYY-MM-DD]` take a break (no check-ins or matches until then)"),
        _pause,
        N_("Take a break, e.g. pause until 2026-12-24"),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "resume",
        N_("come back from a pause"),
        _resume,
        N_("Come back from a pause"),
        aliases=("unpause",),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "leave",
        N_("leave the program (you can choose to delete all your data)"),
        _leave,
        N_("Leave the program"),
        aliases=("quit",),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "manager",
        N_("`manager NAME|@mention|EMAIL` name your manager, so you're never paired in your reporting line"),
        _manager,
        N_("Name your manager, e.g. manager Ana Silva"),
        before=frozenset({Before.PEOPLE}),
    ),
    Command(
        "avoid",
        N_(
            "`avoid NAME|@mention|EMAIL`, `avoid remove NAME`, `avoid clear`: your private "
            '"please don\'t pair me with" list (only you see it)'
        ),
        _avoid,
        N_("Privately: people you'd rather not be paired with"),
        before=frozenset({Before.PEOPLE}),
    ),
    Command(
        "goals",
        N_("`goals`, `goals add TEXT`, `goals progress N PERCENT`, `goals done N`"),
        _goals,
        N_("See or add goals for your pairing"),
        aliases=("goal",),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "checkin",
        N_("`checkin [met|not-yet|rescheduled|need-help] [RATING 1-5] [private note]`"),
        _checkin,
        N_("Answer this week's check-in"),
        aliases=("check-in", "check_in"),
        teams_lists=(PERSONAL,),
    ),
    Command(
        "assess",
        N_("`assess before|after 1-5` your self-assessment"),
        _assess,
        N_("Rate yourself before and after, 1 to 5"),
    ),
    Command(
        "prompts",
        N_("this week's discussion ideas for your pair"),
        _prompts,
        N_("This week's discussion ideas for your pair"),
        before=frozenset({Before.PROMPTS}),
    ),
    Command(
        "story",
        N_("`story TEXT` propose a success story (posted once your partner approves)"),
        _story,
        N_("Propose a success story from your pairing"),
    ),
    Command(
        "end",
        N_("`end [reason]` end your pairing, no fault, and be re-matched (within a day while a round runs)"),
        _end,
        N_("End your pairing, no fault, and be re-matched"),
    ),
    Command(
        "stats",
        N_("program statistics (admins)"),
        _stats,
        N_("Admins: program statistics"),
        admin_only=True,
        aliases=("stat",),
        teams_lists=(TEAM,),
    ),
    Command(
        "report",
        N_("the last finished round's report: meetings, survey, goals, growth (admins)"),
        _report,
        N_("Admins: the last finished round's report"),
        admin_only=True,
        teams_lists=(TEAM,),
    ),
    Command(
        "pair",
        N_("`pair [--dry-run]` run a pairing round, or preview it (admins)"),
        _pair,
        N_("Admins: pair the next round (pair --dry-run to preview)"),
        admin_only=True,
        before=frozenset({Before.TERM_MEANINGS}),
        aliases=("match",),
        teams_lists=(TEAM,),
    ),
    Command(
        "invite",
        N_(
            "invite everyone in the org chart who has not joined, one DM each; `invite here`: this "
            "channel's members (admins)"
        ),
        _invite,
        N_("Admins: invite the org chart's people, or this channel's, who have not joined"),
        admin_only=True,
        before=frozenset({Before.PEOPLE}),
        teams_lists=(TEAM,),
    ),
    Command(
        "at-risk",
        N_(
            "pairs showing signs of trouble, with their signals (never private notes), to nudge, ask "
            "privately, or end and re-match (admins)"
        ),
        _at_risk,
        N_("Admins: at-risk pairs, to nudge, ask privately, or re-match"),
        admin_only=True,
        aliases=("atrisk", "at_risk"),
        teams_lists=(TEAM,),
    ),
    Command(
        "insights",
        N_(
            "the skills-gap map: themes wanted that nobody offers, the most wanted themes, which goals get "
            "done, and what to do about it; counts only, groups under 5 folded (admins)"
        ),
        _insights,
        N_("Admins: skills gaps, most wanted themes, goals done"),
        admin_only=True,
        before=frozenset({Before.INSIGHTS_SUMMARY}),
        aliases=("insight",),
        teams_lists=(TEAM,),
    ),
    Command(
        "export",
        N_("CSV export of pairings and progress, without private notes (admins)"),
        _export,
        N_("Admins: the program data as CSV"),
        admin_only=True,
        teams_lists=(PERSONAL,),
    ),
    Command(
        "settings",
        N_("change this workspace's program settings; `settings history`: who changed what (admins)"),
        _settings,
        N_("Admins: the program's settings (settings history: the changes)"),
        admin_only=True,
        teams_lists=(TEAM,),
    ),
)


def _index(table: tuple[Command, ...]) -> tuple[dict[str, Command], dict[str, str]]:
    commands: dict[str, Command] = {}
    aliases: dict[str, str] = {}
    for command in table:
        for word in (command.name, *command.aliases):
            if word in commands or word in aliases or word != word.lower() or not word or " " in word:
                raise ValueError(f"the command word {word!r} is taken or not a lowercase word")
        commands[command.name] = command
        aliases.update((alias, command.name) for alias in command.aliases)
    return commands, aliases


COMMANDS, ALIASES = _index(_TABLE)
"""Commands by name, in the order help lists them; aliases to the name they stand for."""
KNOWN = frozenset(COMMANDS)


def listed_commands(*, admin: bool | None = None) -> tuple[Command, ...]:
    """The commands offered to people (not the hidden ones): all, or only admins' or only everyone's."""
    return tuple(c for c in COMMANDS.values() if not c.hidden and (admin is None or c.admin_only == admin))


def parse_command(text: str) -> ParsedCommand:
    cleaned = clean_text(text)
    if not cleaned:
        return ParsedCommand("help")
    word, _space, rest = cleaned.partition(" ")
    word = word.lower().lstrip("/")
    if word == "mentor" and rest:
        return parse_command(rest)
    name = ALIASES.get(word, word)
    rest = rest.strip()
    if name not in KNOWN:
        return ParsedCommand("help", unknown=word[:40])
    tokens = tuple(rest.split())
    flags = frozenset(t.lower() for t in tokens if t.startswith("--"))
    args = tuple(t for t in tokens if not t.startswith("--"))
    return ParsedCommand(name, args, rest, flags)


def help_message(is_admin: bool, unknown: str | None = None, greeting: str = "") -> OutgoingMessage:
    """What the bot can do, as lists each platform shows as lists: everyone's commands, then admins'.

    `greeting` comes first when the bot introduces itself; `unknown` is a word it did not understand."""
    if unknown:
        text = _('I don\'t know the command "{word}". Here is what I can do.', word=unknown)
    else:
        text = _(
            "Reverse mentoring: early-career mentors teach leaders AI and digital tools; "
            "leaders share strategy back."
        )
    fields: list[tuple[str, ItemList]] = [
        (_("Commands"), ItemList(tuple(_help_line(c) for c in listed_commands(admin=False))))
    ]
    if is_admin:
        fields.append((_("For admins"), ItemList(tuple(_help_line(c) for c in listed_commands(admin=True)))))
    return OutgoingMessage(text=f"{greeting} {text}".strip(), fields=tuple(fields))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _help_line(spec: Command) -> str:
    """A command's help line, every command it shows named with `command()` so each platform says how
    to run it (`/mentor goals` in Slack, **goals** in Teams)."""
    return f"{command_ref(spec.name)} — {_CODE_SPAN.sub(lambda m: command_ref(m[1]), _(spec.help))}"
