"""Opting in and out: join, profile, status, pause, resume, leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from babel.dates import format_datetime

from conversations.buttons import LEAVE, PERSON_PICK, ButtonValue, account_from_part, account_part
from conversations.domain import (
    PairingStatus,
    Participant,
    ParticipantStatus,
    Profile,
    UserRef,
    level_name,
    role_name,
    status_name,
)
from conversations.errors import FormInvalid, InvalidInput
from conversations.i18n import N_, _, current_locale, language_name, negotiate, speaking
from conversations.messages import ButtonStyle, Option, OutgoingMessage, Reply, mention
from conversations.messages import command as command_ref
from conversations.parsing import ParsedCommand, parse_date
from conversations.people import (
    CLEAR_WORDS,
    LIST_WORDS,
    MAX_CANDIDATES,
    NOBODY,
    Checked,
    PeopleFound,
    absence_text,
)
from conversations.ports import Person
from conversations.profile_form import (
    AVOID_FIELD,
    MANAGER_FIELD,
    MAX_AVOIDED,
    Prefill,
    ProfileAnswers,
    build_profile_form,
    validate_profile,
)
from conversations.services import paths
from conversations.services.checkins import FIRST_CHECKIN_AFTER, local_week_and_slot
from conversations.services.context import Ctx, ProgramConfig
from conversations.services.pairing import end_pairing, onboarding_message

DELETED_USER_ID = "deleted-user"
MAX_NAME = 80


async def open_profile_form(ctx: Ctx, actor: UserRef, profile: Profile | None, editing: bool) -> Reply:
    existing = await ctx.uow.participants.get(actor)
    if existing and existing.status is ParticipantStatus.LEFT:
        existing = None
    if not editing and existing is not None:
        await link_to_org_chart(ctx, actor, profile)
        return Reply.text(
            _(
                "You're already in the program. Use {profile} to change your details, "
                "or {status} to see where you stand.",
                profile=command_ref("profile"),
                status=command_ref("status"),
            )
        )
    if editing and existing is None:
        return Reply.text(_("You haven't joined yet. Use {join} to opt in.", join=command_ref("join")))
    chart = await link_to_org_chart(ctx, actor, profile)
    avoided = await ctx.uow.avoid_list.get(actor) if existing else ()
    chosen = (
        [UserRef(actor.platform, actor.workspace_id, existing.manager_id)]
        if existing and existing.manager_id
        else []
    )
    names = {**await _names(ctx, chosen), **{p.user: p.name for p in avoided}}
    form = build_profile_form(
        existing,
        profile.timezone if profile else None,
        is_edit=editing,
        chart=chart,
        known=tuple(Option(user.user_id, name) for user, name in names.items()),
        avoided=tuple(p.user.user_id for p in avoided),
        locale=profile.locale if profile else None,
    )
    # The name travels with the form, so saving it needs no call to the platform (Slack wants an
    # answer to a modal submission within three seconds).
    form = replace(form, context=(profile.display_name if profile else "")[:MAX_NAME])
    return Reply(OutgoingMessage(text=form.title, form=form))


async def link_to_org_chart(ctx: Ctx, actor: UserRef, profile: Profile | None) -> Prefill | None:
    """Link the chat account to its person in the org chart by the email the platform gives.

    Done when the form opens, the one moment the platform's profile is read (a form submission must
    be answered within Slack's three seconds). The email is the platform's, never typed, so nobody can
    claim someone else's place in the chart. Returns what the chart says, to prefill the form.
    """
    email = (profile.email or "").strip().lower() if profile else ""
    if not email:
        return None
    person = await ctx.uow.org_chart.get(email)
    if person is None:
        return None
    await ctx.uow.org_chart.link(actor, email, ctx.now)
    return Prefill(person.department, person.level, person.timezone)


async def submit_profile(
    ctx: Ctx,
    actor: UserRef,
    fields: dict[str, str | list[str]],
    display_name: str,
    people: PeopleFound = NOBODY,
) -> Reply:
    answers, errors = validate_profile(fields)
    if answers is None:
        raise FormInvalid(errors)
    manager, avoided, errors = _picked_people(actor, answers, people)
    if errors:
        raise FormInvalid(errors)
    answers = replace(answers, manager_pick=manager)
    existing = await ctx.uow.participants.get(actor)
    joining = existing is None or existing.status is ParticipantStatus.LEFT
    if existing is not None and not joining:
        updated = replace(
            existing,
            role=answers.role,
            skills=answers.skills,
            learning_goals=answers.learning_goals,
            department=answers.department,
            seniority=answers.seniority,
            timezone=answers.timezone,
            manager_id=answers.manager_pick,
            language=answers.language or existing.language,
        )
        await ctx.uow.participants.save(updated)
        await ctx.uow.avoid_list.replace(actor, avoided, ctx.now)
        with speaking(updated.language):  # a language just chosen is the one the answer is in
            return Reply.text(
                _("Your profile is updated. It will be used from the next pairing round."),
                language=current_locale(),
            )
    participant = Participant(
        user=actor,
        display_name=" ".join(display_name.split())[:MAX_NAME]
        or (existing.display_name if existing else actor.user_id),
        role=answers.role,
        department=answers.department,
        seniority=answers.seniority,
        timezone=answers.timezone,
        skills=answers.skills,
        learning_goals=answers.learning_goals,
        manager_id=answers.manager_pick,
        joined_at=ctx.now,
        language=answers.language or (existing.language if existing else None),
    )
    await ctx.uow.participants.save(participant)
    await ctx.uow.avoid_list.replace(actor, avoided, ctx.now)
    await ctx.uow.invitations.mark_joined(actor, ctx.now)  # an invitation they had here is answered
    with speaking(participant.language):
        await ctx.outbox.dm(
            f"onboarding:{actor.key}:{ctx.now.isoformat()}",
            actor,
            onboarding_message((await ctx.config_for(actor)).ground_rules),
        )
        return Reply.text(
            language=current_locale(),
            text=_(
                "Welcome to reverse mentoring, {name}! You joined as *{role}*. "
                "You'll be introduced to your partner at the next pairing round. {status} shows "
                "where you stand any time.",
                name=participant.display_name,
                role=role_name(answers.role),
                status=command_ref("status"),
            ),
        )


def _picked_people(
    actor: UserRef, answers: ProfileAnswers, people: PeopleFound
) -> tuple[str | None, list[Person], dict[str, str]]:
    """The manager's user id and the private list, as the directory names them; or why not, per field.

    A picker may give another id for the same person (a Teams picker gives the Azure AD object id),
    so what is stored is the account the directory answered with.
    """
    errors: dict[str, str] = {}
    manager: str | None = None
    if answers.manager_pick:
        answer = people.answer(answers.manager_pick)
        if not isinstance(answer, Person):
            errors[MANAGER_FIELD] = absence_text(_("Manager"), answer)
        elif answer.user == actor:
            errors[MANAGER_FIELD] = _("You can't be your own manager. Pick the person you report to.")
        else:
            manager = answer.user.user_id
    avoided: list[Person] = []
    for pick in answers.avoid_picks:
        answer = people.answer(pick)
        if not isinstance(answer, Person):
            errors[AVOID_FIELD] = absence_text(_("Please don't pair me with"), answer)
        elif answer.user == actor:
            errors[AVOID_FIELD] = _("Leave yourself off this list.")
        elif answer.user not in {p.user for p in avoided}:
            avoided.append(answer)
    return manager, avoided, errors


async def _names(ctx: Ctx, users: list[UserRef]) -> dict[UserRef, str]:
    """Names of people the person chose, as the program knows them; an account nobody joined with
    keeps its id (the platform's picker shows its own name for it)."""
    joined = await ctx.uow.participants.get_many(users) if users else {}
    return {user: joined[user].display_name if user in joined else user.user_id for user in users}


# --- naming a person by typing -------------------------------------------------------------------


def _not_found(typed: str) -> str:
    shown = " ".join(typed.split())[:80]
    return _(
        "I couldn't find anyone matching \u201c{typed}\u201d in this workspace. Try their full name or "
        "their work email, or pick them in your profile form ({profile}).",
        typed=shown,
        profile=command_ref("profile"),
    )


def _one_person(people: PeopleFound, command: ParsedCommand, what: str) -> Person | Reply:
    """The person typed, or the reply that asks which one (or says nobody matched)."""
    typed = people.typed
    words = command.rest
    if typed is None or isinstance(typed, Checked):
        return Reply.text(
            _(
                "I couldn't look people up just now. Please try again in a minute, or pick them in your profile form "
                "({profile}).",
                profile=command_ref("profile"),
            )
        )
    name = words.partition(" ")[2] if words.partition(" ")[0].lower() in ("add", "remove") else words
    exact = [p for p in typed if p.name.casefold() == " ".join(name.split()).lstrip("@").casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(typed) == 1:
        return typed[0]
    if not typed:
        return Reply.text(_not_found(name))
    shown = typed[:MAX_CANDIDATES]
    return Reply(
        OutgoingMessage(
            text=_("Did you mean one of these? Pick one, or type a fuller name or their email."),
            buttons=tuple(PERSON_PICK.button(_label(p), what, account_part(p.user.user_id)) for p in shown),
        )
    )


def _label(person: Person) -> str:
    return f"{person.name} ({person.email})" if person.email else person.name


async def manager_command(ctx: Ctx, actor: UserRef, command: ParsedCommand, people: PeopleFound) -> Reply:
    me = await ctx.participant(actor)
    first = command.rest.partition(" ")[0].lower()
    if first in LIST_WORDS:
        if not me.manager_id:
            return Reply.text(
                _(
                    "You haven't named your manager. Use {manager} and their name, email or @mention.",
                    manager=command_ref("manager"),
                )
            )
        names = await _names(ctx, [UserRef(actor.platform, actor.workspace_id, me.manager_id)])
        return Reply.text(
            _(
                "Your manager is {name}. {clear} removes them.",
                name=next(iter(names.values())),
                clear=command_ref("manager clear"),
            )
        )
    if first in CLEAR_WORDS:
        me.manager_id = None
        await ctx.uow.participants.save(me)
        return Reply.text(_("Your manager is cleared."))
    found = _one_person(people, command, "manager")
    if isinstance(found, Reply):
        return found
    return await _set_manager(ctx, me, found)


async def _set_manager(ctx: Ctx, me: Participant, manager: Person) -> Reply:
    if manager.user == me.user:
        return Reply.text(_("You can't be your own manager. Name the person you report to."))
    me.manager_id = manager.user.user_id
    await ctx.uow.participants.save(me)
    return Reply.text(
        _(
            "Your manager is now {name}. You won't be paired with them or anyone else in your reporting line.",
            name=manager.name,
        ),
        replace_original=True,
    )


async def avoid_command(ctx: Ctx, actor: UserRef, command: ParsedCommand, people: PeopleFound) -> Reply:
    """The private list: only its owner ever sees it, always in a private reply."""
    await ctx.participant(actor)
    first = command.rest.partition(" ")[0].lower()
    listed = list(await ctx.uow.avoid_list.get(actor))
    if first in LIST_WORDS:
        if not listed:
            return Reply.text(
                _(
                    'Your private "please don\'t pair me with" list is empty. '
                    "Use {avoid} and a name, email or "
                    "@mention to add someone; nobody is told.",
                    avoid=command_ref("avoid"),
                )
            )
        return Reply.text(
            _(
                "Only you see this list. You won't be paired with: {names}. "
                "Use {remove} or {clear} to change it.",
                names=", ".join(p.name for p in listed),
                remove=command_ref("avoid remove NAME"),
                clear=command_ref("avoid clear"),
            )
        )
    if first in CLEAR_WORDS:
        await ctx.uow.avoid_list.replace(actor, [], ctx.now)
        return Reply.text(_("Your private list is cleared."))
    found = _one_person(people, command, "avoid" if first != "remove" else "unavoid")
    if isinstance(found, Reply):
        return found
    if first == "remove":
        if found.user not in {p.user for p in listed}:
            return Reply.text(_("{name} isn't on your private list.", name=found.name))
        await ctx.uow.avoid_list.replace(actor, [p for p in listed if p.user != found.user], ctx.now)
        return Reply.text(_("{name} is off your private list.", name=found.name))
    return await _add_avoided(ctx, actor, listed, found)


async def _add_avoided(ctx: Ctx, actor: UserRef, listed: list[Person], person: Person) -> Reply:
    if person.user == actor:
        return Reply.text(_("You can't put yourself on the list."))
    if person.user in {p.user for p in listed}:
        return Reply.text(
            _("{name} is already on your private list.", name=person.name), replace_original=True
        )
    if len(listed) >= MAX_AVOIDED:
        return Reply.text(
            _("Your private list is full ({count} people). Remove someone first.", count=MAX_AVOIDED)
        )
    await ctx.uow.avoid_list.replace(actor, [*listed, person], ctx.now)
    return Reply.text(
        _(
            "Done: you won't be paired with {name}. Only you see this list, and they are not told.",
            name=person.name,
        ),
        replace_original=True,
    )


async def person_picked(ctx: Ctx, actor: UserRef, value: ButtonValue, people: PeopleFound) -> Reply:
    """A "Did you mean …?" button: the account is checked again, since a button value can be forged."""
    what, part = value.choice
    answer = people.answer(account_from_part(part))
    if not isinstance(answer, Person):
        return Reply.text(absence_text(_("That person"), answer))
    me = await ctx.participant(actor)
    if what == "manager":
        return await _set_manager(ctx, me, answer)
    listed = list(await ctx.uow.avoid_list.get(actor))
    if what == "unavoid":
        await ctx.uow.avoid_list.replace(actor, [p for p in listed if p.user != answer.user], ctx.now)
        return Reply.text(_("{name} is off your private list.", name=answer.name), replace_original=True)
    return await _add_avoided(ctx, actor, listed, answer)


async def status(ctx: Ctx, actor: UserRef) -> Reply:
    me = await ctx.participant(actor)
    fields: list[tuple[str, str]] = [
        (_("Role"), role_name(me.role)),
        (_("Status"), _status_text(me)),
        (_("Department"), me.department),
        (_("Level"), level_name(me.seniority)),
        (_("Timezone"), me.timezone),
        (_("Language"), language_name(negotiate(me.language))),
        (_("Skills I offer"), ", ".join(me.skills) or "—"),
        (_("I want to learn"), ", ".join(me.learning_goals) or "—"),
    ]
    pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    mentions: list[str] = []
    if pairings:
        for pairing in pairings:
            other = pairing.other(actor)
            goals = [g for g in await ctx.uow.goals.for_pairing(pairing.id) if g.owner == actor]
            done = sum(1 for g in goals if g.done)
            fields.append((_("Paired with"), mention(other.user_id)))
            fields.append((_("My goals"), _("{set} set, {done} done", set=len(goals), done=done)))
            progress = await paths.progress_of(ctx, pairing, actor)
            if progress is not None:
                fields.append((_("My path"), progress))
            mentions.append(other.user_id)
        if pairings:
            config = await ctx.config_for(actor)
            fields.append((_("Next check-in"), next_checkin_text(ctx, me, pairings[-1].created_at, config)))
    else:
        fields.append((_("Paired with"), _("nobody yet: you'll be matched at the next round")))
    return Reply(
        OutgoingMessage(
            text=_("Here's where you stand."),
            title=_("My mentoring"),
            fields=tuple(fields),
            mentions=tuple(mentions),
        )
    )


def next_checkin_text(ctx: Ctx, me: Participant, paired_at: datetime, config: ProgramConfig) -> str:
    if me.status is ParticipantStatus.PAUSED:
        return _("none while you're paused")
    _week, slot = local_week_and_slot(ctx, me, config)
    while slot <= ctx.now or slot < paired_at + FIRST_CHECKIN_AFTER:
        slot += timedelta(weeks=1)
    when = format_datetime(slot, _(NEXT_CHECKIN_PATTERN), locale=current_locale())
    return _("{when} ({timezone})", when=when, timezone=me.timezone)


NEXT_CHECKIN_PATTERN = N_("EEEE dd MMMM, HH:mm")
"""A day and time as a date pattern (Unicode LDML), in each language's own order and words."""


def _status_text(p: Participant) -> str:
    if p.status is ParticipantStatus.PAUSED:
        return (
            _("paused until {date}", date=p.paused_until.isoformat())
            if p.paused_until
            else _("paused until you use {resume}", resume=command_ref("resume"))
        )
    return status_name(p.status)


async def pause(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    me = await ctx.participant(actor)
    until: date | None = None
    args = [a for a in command.args if a.lower() != "until"]
    if args:
        until = parse_date(args[0])
        if until is None:
            raise InvalidInput(
                _(
                    "I couldn't read that date. Use {form}, e.g. {example}.",
                    form=command_ref("pause until YYYY-MM-DD"),
                    example=command_ref("pause until 2027-01-15"),
                )
            )
        if until <= ctx.local_today(me):
            raise InvalidInput(
                _(
                    "That date is not in the future. Pick a later date, or use {pause} with no date.",
                    pause=command_ref("pause"),
                )
            )
        if (until - ctx.local_today(me)).days > 366:
            raise InvalidInput(
                _(
                    "A pause can last up to a year. Pick an earlier date, or {leave} the program.",
                    leave=command_ref("leave"),
                )
            )
    me.status = ParticipantStatus.PAUSED
    me.paused_until = until
    await ctx.uow.participants.save(me)
    if until:
        return Reply.text(
            _(
                "You're paused until {date}: no check-ins, nudges or new matches in the meantime.",
                date=until.isoformat(),
            )
        )
    return Reply.text(
        _(
            "You're paused until you use {resume}: no check-ins, nudges or new matches in the meantime.",
            resume=command_ref("resume"),
        )
    )


async def resume(ctx: Ctx, actor: UserRef) -> Reply:
    me = await ctx.participant(actor)
    if me.status is ParticipantStatus.ACTIVE:
        return Reply.text(_("You're already active. Nothing to resume."))
    me.status = ParticipantStatus.ACTIVE
    me.paused_until = None
    await ctx.uow.participants.save(me)
    return Reply.text(_("Welcome back! Check-ins start again this week."))


async def ask_leave(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    await ctx.participant(actor)
    if "--delete" in command.flags or "--delete-data" in command.flags:
        return await leave(ctx, actor, delete_data=True)
    if "--keep" in command.flags:
        return await leave(ctx, actor, delete_data=False)
    return Reply(
        OutgoingMessage(
            text=_(
                "Do you want to leave the mentoring program? Your partner is told kindly; no reason needed."
            ),
            buttons=(
                LEAVE.button(_("Leave, keep my history"), "keep"),
                LEAVE.button(_("Leave and delete my data"), "delete", style=ButtonStyle.DANGER),
                LEAVE.button(_("Stay"), "cancel"),
            ),
        )
    )


async def leave(ctx: Ctx, actor: UserRef, delete_data: bool) -> Reply:
    me = await ctx.participant(actor)
    for pairing in await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE):
        await end_pairing(ctx, pairing, actor, "left the program")
    await ctx.uow.waitlist.remove([actor])  # someone coming back later starts waiting afresh
    if not delete_data:
        me.status = ParticipantStatus.LEFT
        me.paused_until = None
        await ctx.uow.participants.save(me)
        return Reply.text(
            _(
                "You've left the program. Thank you for taking part! Use {join} whenever you want to come back.",
                join=command_ref("join"),
            ),
            replace_original=True,
        )
    await delete_personal_data(ctx, actor)
    return Reply.text(
        _("You've left the program and your data is deleted. Thank you for taking part!"),
        replace_original=True,
    )


async def delete_personal_data(ctx: Ctx, actor: UserRef) -> None:
    """Erase what is about the person; pairings stay for the other side's history, with the name removed.

    Deleting the participant deletes their goals, check-ins, assessments, stories and prompt votes with
    it (the store cascades); what names them without belonging to them is cleared here.
    """
    uow = ctx.uow
    await uow.deliveries.cancel_for_user(actor)
    await uow.conversation_refs.delete(actor)
    await uow.org_chart.unlink(actor)
    tombstone = UserRef(actor.platform, actor.workspace_id, DELETED_USER_ID)
    for pairing in await uow.pairings.for_user(actor):
        if pairing.leader == actor:
            pairing.leader = tombstone
        if pairing.mentor == actor:
            pairing.mentor = tombstone
        pairing.reasons = ()
        await uow.pairings.save(pairing)
    await uow.participants.delete(actor)


async def wake_paused(ctx: Ctx) -> int:
    """People whose pause date has come are active again."""
    woken = 0
    for p in await ctx.uow.participants.list(status=ParticipantStatus.PAUSED):
        if p.paused_until and p.paused_until <= ctx.local_today(p):
            p.status, p.paused_until = ParticipantStatus.ACTIVE, None
            await ctx.uow.participants.save(p)
            woken += 1
    return woken
