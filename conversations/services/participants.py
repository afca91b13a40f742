"""Opting in and out: join, profile, status, pause, resume, leave."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from conversations.buttons import LEAVE
from conversations.domain import (
    SENIORITY_LEVELS,
    PairingStatus,
    Participant,
    ParticipantStatus,
    Profile,
    UserRef,
)
from conversations.errors import FormInvalid, InvalidInput
from conversations.messages import ButtonStyle, OutgoingMessage, Reply, mention
from conversations.parsing import ParsedCommand, parse_date
from conversations.profile_form import Prefill, build_profile_form, validate_profile
from conversations.services.checkins import FIRST_CHECKIN_AFTER, local_week_and_slot
from conversations.services.context import Ctx
from conversations.services.pairing import end_pairing

DELETED_USER_ID = "deleted-user"
MAX_NAME = 80


async def open_profile_form(ctx: Ctx, actor: UserRef, profile: Profile | None, editing: bool) -> Reply:
    existing = await ctx.uow.participants.get(actor)
    if existing and existing.status is ParticipantStatus.LEFT:
        existing = None
    if not editing and existing is not None:
        await link_to_org_chart(ctx, actor, profile)
        return Reply.text(
            "You're already in the program. Use `profile` to change your details, or `status` to see where you stand."
        )
    if editing and existing is None:
        return Reply.text("You haven't joined yet. Type `join` to opt in.")
    chart = await link_to_org_chart(ctx, actor, profile)
    form = build_profile_form(existing, profile.timezone if profile else None, is_edit=editing, chart=chart)
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
    ctx: Ctx, actor: UserRef, fields: dict[str, str | list[str]], display_name: str
) -> Reply:
    answers, errors = validate_profile(fields)
    if answers is None:
        raise FormInvalid(errors)
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
            manager_id=answers.manager_id,
        )
        await ctx.uow.participants.save(updated)
        return Reply.text("Your profile is updated. It will be used from the next pairing round.")
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
        manager_id=answers.manager_id,
        joined_at=ctx.now,
    )
    await ctx.uow.participants.save(participant)
    await ctx.uow.invitations.mark_joined(actor, ctx.now)  # an invitation they had here is answered
    return Reply.text(
        f"Welcome to reverse mentoring, {participant.display_name}! You joined as *{answers.role.value}*. "
        "You'll be introduced to your partner at the next pairing round. Type `status` any time."
    )


async def status(ctx: Ctx, actor: UserRef) -> Reply:
    me = await ctx.participant(actor)
    fields: list[tuple[str, str]] = [
        ("Role", me.role.value),
        ("Status", _status_text(me)),
        ("Department", me.department),
        ("Level", SENIORITY_LEVELS.get(me.seniority, str(me.seniority))),
        ("Timezone", me.timezone),
        ("Skills I offer", ", ".join(me.skills) or "—"),
        ("I want to learn", ", ".join(me.learning_goals) or "—"),
    ]
    pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    mentions: list[str] = []
    if pairings:
        for pairing in pairings:
            other = pairing.other(actor)
            goals = [g for g in await ctx.uow.goals.for_pairing(pairing.id) if g.owner == actor]
            done = sum(1 for g in goals if g.done)
            fields.append(("Paired with", mention(other.user_id)))
            fields.append(("My goals", f"{len(goals)} set, {done} done"))
            mentions.append(other.user_id)
        if pairings:
            fields.append(("Next check-in", next_checkin_text(ctx, me, pairings[-1].created_at)))
    else:
        fields.append(("Paired with", "nobody yet: you'll be matched at the next round"))
    return Reply(
        OutgoingMessage(
            text="Here's where you stand.",
            title="My mentoring",
            fields=tuple(fields),
            mentions=tuple(mentions),
        )
    )


def next_checkin_text(ctx: Ctx, me: Participant, paired_at: datetime) -> str:
    if me.status is ParticipantStatus.PAUSED:
        return "none while you're paused"
    _, slot = local_week_and_slot(ctx, me)
    while slot <= ctx.now or slot < paired_at + FIRST_CHECKIN_AFTER:
        slot += timedelta(weeks=1)
    return slot.strftime("%A %d %B, %H:%M") + f" ({me.timezone})"


def _status_text(p: Participant) -> str:
    if p.status is ParticipantStatus.PAUSED:
        return f"paused until {p.paused_until.isoformat()}" if p.paused_until else "paused until you `resume`"
    return p.status.value


async def pause(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    me = await ctx.participant(actor)
    until: date | None = None
    args = [a for a in command.args if a.lower() != "until"]
    if args:
        until = parse_date(args[0])
        if until is None:
            raise InvalidInput(
                "I couldn't read that date. Use `pause until YYYY-MM-DD`, e.g. `pause until 2027-01-15`."
            )
        if until <= ctx.local_today(me):
            raise InvalidInput("That date is not in the future. Pick a later date, or `pause` with no date.")
        if (until - ctx.local_today(me)).days > 366:
            raise InvalidInput("A pause can last up to a year. Pick an earlier date, or `leave` the program.")
    me.status = ParticipantStatus.PAUSED
    me.paused_until = until
    await ctx.uow.participants.save(me)
    when = f"until {until.isoformat()}" if until else "until you type `resume`"
    return Reply.text(f"You're paused {when}: no check-ins, nudges or new matches in the meantime.")


async def resume(ctx: Ctx, actor: UserRef) -> Reply:
    me = await ctx.participant(actor)
    if me.status is ParticipantStatus.ACTIVE:
        return Reply.text("You're already active. Nothing to resume.")
    me.status = ParticipantStatus.ACTIVE
    me.paused_until = None
    await ctx.uow.participants.save(me)
    return Reply.text("Welcome back! Check-ins start again this week.")


async def ask_leave(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    await ctx.participant(actor)
    if "--delete" in command.flags or "--delete-data" in command.flags:
        return await leave(ctx, actor, delete_data=True)
    if "--keep" in command.flags:
        return await leave(ctx, actor, delete_data=False)
    return Reply(
        OutgoingMessage(
            text="Do you want to leave the mentoring program? Your partner is told kindly; no reason needed.",
            buttons=(
                LEAVE.button("Leave, keep my history", "keep"),
                LEAVE.button("Leave and delete my data", "delete", style=ButtonStyle.DANGER),
                LEAVE.button("Stay", "cancel"),
            ),
        )
    )


async def leave(ctx: Ctx, actor: UserRef, delete_data: bool) -> Reply:
    me = await ctx.participant(actor)
    for pairing in await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE):
        await end_pairing(ctx, pairing, actor, "left the program")
    if not delete_data:
        me.status = ParticipantStatus.LEFT
        me.paused_until = None
        await ctx.uow.participants.save(me)
        return Reply.text(
            "You've left the program. Thank you for taking part! Type `join` whenever you want to come back.",
            replace_original=True,
        )
    await delete_personal_data(ctx, actor)
    return Reply.text(
        "You've left the program and your data is deleted. Thank you for taking part!", replace_original=True
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
