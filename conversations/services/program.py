"""Running the program from chat: the admin's settings form, its history, and whether every
workspace's help requests reach a human."""

from __future__ import annotations

from dataclasses import replace

from conversations.domain import UserRef
from conversations.errors import FormInvalid, NotAllowed
from conversations.i18n import _
from conversations.messages import Option, OutgoingMessage, Reply, command, mention
from conversations.people import PeopleFound, absence_text
from conversations.ports import Person
from conversations.program_settings import (
    BY_KEY,
    HELP_PERSON_FIELD,
    SettingChange,
    SettingKind,
    build_settings_form,
    read_settings_form,
)
from conversations.services.context import AdminScope, Ctx

HISTORY_LINES = 20
SHOWN_VALUE = 80
"""How much of a long value (the ground rules) a history line shows."""


def _where(user: UserRef) -> str:
    kinds = {"slack": _("this Slack workspace"), "teams": _("this Teams tenant")}
    return kinds.get(user.platform, _("this workspace"))


def _refuse_non_admins(ctx: Ctx, actor: UserRef) -> AdminScope:
    scope = ctx.admin_scope(actor)
    if scope is None:
        raise NotAllowed(_("That command is for program admins only."))
    return scope


async def open_settings(ctx: Ctx, actor: UserRef) -> Reply:
    """The form shows the values in effect in the admin's own workspace, the one it changes."""
    _refuse_non_admins(ctx, actor)
    values = (await ctx.config_for(actor)).values(actor.platform)
    known: tuple[Option, ...] = ()
    if values.help_person:
        contact = UserRef(actor.platform, actor.workspace_id, values.help_person)
        known = (Option(values.help_person, await ctx.name_of(contact)),)
    form = build_settings_form(values, known)
    intro = _("The program's settings for {where}.", where=_where(actor))
    return Reply(OutgoingMessage(text=intro, form=form))


async def submit_settings(
    ctx: Ctx, actor: UserRef, _context: str, fields: dict[str, str | list[str]], people: PeopleFound
) -> Reply:
    """Store what differs from the values in effect, for the admin's own workspace only."""
    _refuse_non_admins(ctx, actor)
    values, errors = read_settings_form(fields)
    picked = values.get(HELP_PERSON_FIELD)
    if picked is not None and HELP_PERSON_FIELD not in errors:
        answer = people.answer(picked)
        if isinstance(answer, Person):
            values[HELP_PERSON_FIELD] = answer.user.user_id
        else:
            errors[HELP_PERSON_FIELD] = absence_text(_("Help contact"), answer)
    if errors:
        raise FormInvalid(errors)
    here = (actor.platform, actor.workspace_id)
    current = (await ctx.config_for(actor)).values(actor.platform)
    defaults = ctx.config.values(actor.platform)
    wanted: dict[str, str | None] = {}
    for key, value in values.items():
        if value == current.shown(key):
            continue
        wanted[key] = None if value == defaults.shown(key) else value  # back to the default: no row
    changes = await ctx.uow.program_settings.change(*here, wanted, actor, ctx.now)
    if not changes:
        return Reply.text(_("Nothing changed: the settings were already these."))
    lines = [_("Saved for {where}:", where=_where(actor))]
    lines += [
        _(
            "• {setting}: {old} → {new}",
            setting=_(BY_KEY[c.key].label),
            old=_shown(c.key, c.old),
            new=_shown(c.key, c.new),
        )
        for c in changes
    ]
    return Reply.text("\n".join(lines))


def _shown(key: str, value: str | None) -> str:
    if value is None:
        return _("the default")
    if BY_KEY[key].kind is SettingKind.PERSON:
        return mention(value)
    flat = " ".join(value.split())
    return flat if len(flat) <= SHOWN_VALUE else flat[: SHOWN_VALUE - 1] + "…"


async def settings_history(ctx: Ctx, actor: UserRef) -> Reply:
    """Who changed what and when, in the admin's own workspace, newest first."""
    _refuse_non_admins(ctx, actor)
    changes = await ctx.uow.program_settings.history(actor.platform, actor.workspace_id, HISTORY_LINES)
    if not changes:
        return Reply.text(
            _("No setting has been changed in {where}: every one has its default.", where=_where(actor))
        )
    lines = [_("Settings changes in {where}, newest first:", where=_where(actor))]
    lines += [_history_line(change) for change in changes]
    return Reply(OutgoingMessage(text="\n".join(lines), mentions=tuple(c.by.user_id for c in changes)))


def _history_line(change: SettingChange) -> str:
    return _(
        "• {when} {who} changed {setting}: {old} → {new}",
        when=change.at.strftime("%Y-%m-%d %H:%M UTC"),
        who=mention(change.by.user_id),
        setting=_(BY_KEY[change.key].label),
        old=_shown(change.key, change.old),
        new=_shown(change.key, change.new),
    )


# --- help that always reaches a human -----------------------------------------------------------------


async def workspaces_without_help(ctx: Ctx, scope: AdminScope | None = None) -> list[tuple[str, str]]:
    """The workspaces and tenants the program knows (its members', its settings', its home ones) where
    no admin and no help contact would receive a request for help."""
    known = await ctx.uow.participants.workspaces()
    known |= set(await ctx.uow.program_settings.all())
    known |= set(ctx.config.home_workspaces.items())
    silent = []
    for platform, workspace_id in sorted(known):
        anyone = UserRef(platform, workspace_id, "")
        if scope is not None and not scope.covers(anyone):
            continue
        if not await ctx.help_recipients(anyone):
            silent.append((platform, workspace_id))
    return silent


def no_help_warning(platform: str, workspace_id: str, settings_command: str) -> str:
    """`settings_command`: how the reader runs `settings` (a chat reference, or plain words in a log)."""
    kind = {"slack": _("Slack workspace"), "teams": _("Teams tenant")}.get(platform, platform)
    return _(
        "No admin can receive help requests in the {kind} {workspace}: add an admin there "
        "(MENTORBOT_ADMINS) or set a help contact with {command}.",
        kind=kind,
        workspace=workspace_id,
        command=settings_command,
    )


async def with_help_warnings(ctx: Ctx, scope: AdminScope, message: OutgoingMessage) -> OutgoingMessage:
    """`stats` with a warning for each workspace it covers where a help request would reach nobody."""
    silent = await workspaces_without_help(ctx, scope)
    if not silent:
        return message
    warnings = "\n".join(f"⚠ {no_help_warning(*where, command('settings'))}" for where in silent)
    return replace(message, fields=(*message.fields, (_("Help requests reach nobody"), warnings)))
