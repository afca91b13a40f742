"""Weekly check-ins: one question per person per pairing per week, answered with a click."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from conversations.buttons import (
    CHECKIN_ANSWER,
    CHECKIN_NOTE_FORM,
    CHECKIN_RATING,
    MEETING_BOOKED,
    PROMPTS_SHOW,
    ButtonValue,
)
from conversations.clock import iso_week, local_time
from conversations.domain import (
    Checkin,
    CheckinAnswer,
    DeliveryPriority,
    Destination,
    Pairing,
    PairingStatus,
    Participant,
    UserRef,
    new_id,
)
from conversations.errors import FormInvalid, InvalidInput, NotAllowed
from conversations.i18n import _
from conversations.meeting_slots import propose_slots
from conversations.messages import (
    Button,
    ButtonStyle,
    FieldValue,
    Form,
    FormInput,
    InputKind,
    ItemList,
    MeetingOffer,
    OutgoingMessage,
    Reply,
    mention,
)
from conversations.messages import command as command_ref
from conversations.parsing import ParsedCommand, parse_int
from conversations.ports import PromptSet
from conversations.services.context import Ctx, ProgramConfig

logger = logging.getLogger(__name__)

NOTE_FORM = "checkin_note"
ANSWER_WORDS = {
    "met": CheckinAnswer.MET,
    "yes": CheckinAnswer.MET,
    "not-yet": CheckinAnswer.NOT_YET,
    "not_yet": CheckinAnswer.NOT_YET,
    "notyet": CheckinAnswer.NOT_YET,
    "no": CheckinAnswer.NOT_YET,
    "rescheduled": CheckinAnswer.RESCHEDULED,
    "moved": CheckinAnswer.RESCHEDULED,
    "need-help": CheckinAnswer.NEED_HELP,
    "need_help": CheckinAnswer.NEED_HELP,
    "help": CheckinAnswer.NEED_HELP,
}


def local_week_and_slot(ctx: Ctx, person: Participant, config: ProgramConfig) -> tuple[str, datetime]:
    """The person's current ISO week and when this week's check-in is due, in UTC, by the check-in
    day and time of `config` (their workspace's, `Ctx.config_for`)."""
    local_now = local_time(ctx.now, person.timezone)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    slot_day = monday + timedelta(days=config.checkin_weekday)
    slot = datetime.combine(slot_day, config.checkin_time, tzinfo=local_now.tzinfo)
    return iso_week(local_now), slot


_ANSWER_BUTTONS = tuple(
    (a.label, a.value, ButtonStyle.PRIMARY if a is CheckinAnswer.MET else ButtonStyle.DEFAULT)
    for a in CheckinAnswer
)
"""(label, value, style) of each answer button, worked out once: a fan-out builds thousands of check-ins."""


CHECKIN_TITLE = "Weekly check-in"


def answer_buttons(checkin_id: str) -> tuple[Button, ...]:
    """The answer buttons of one check-in, with the codec run once rather than once per button.

    Only the id changes from one check-in to the next: the codec checks it with the first answer, and
    the other values differ only by their answer, which `CHECKIN_ANSWER` accepts for every `CheckinAnswer`.
    """
    first = CHECKIN_ANSWER.encode(checkin_id, _ANSWER_BUTTONS[0][1])
    prefix = first[: -len(_ANSWER_BUTTONS[0][1])]
    return tuple(
        Button(label, CHECKIN_ANSWER.action_id, prefix + value, style)
        for label, value, style in _ANSWER_BUTTONS
    )


def ideas_fields(prompts: PromptSet | None) -> tuple[tuple[str, FieldValue], ...]:
    """The week's ideas as the check-in shows them, before and after it is answered."""
    if not prompts:
        return ()
    ideas: tuple[tuple[str, FieldValue], ...] = ((_("Ideas for this week"), ItemList(prompts.prompts)),)
    return (*ideas, (_("Try this together"), prompts.task)) if prompts.task else ideas


def checkin_message(checkin: Checkin, other: UserRef, prompts: PromptSet | None) -> OutgoingMessage:
    return OutgoingMessage(
        title=CHECKIN_TITLE,
        text=f"How is your mentoring with {mention(other.user_id)} going this week?",
        fields=ideas_fields(prompts),
        buttons=(
            *answer_buttons(checkin.id),
            *((PROMPTS_SHOW.button("Rate or refresh ideas", checkin.pairing_id),) if prompts else ()),
        ),
        mentions=(other.user_id,),
    )


@dataclass(frozen=True)
class DueCheckin:
    pairing: Pairing
    member: UserRef
    week: str


FIRST_CHECKIN_AFTER = timedelta(days=3)
"""A pair introduced on a Monday morning is not asked how their week went that same day."""


@dataclass(frozen=True)
class CheckinPlan:
    due: list[DueCheckin]
    people: dict[UserRef, Participant]
    """Every participant, as read to make the plan: preparing the due pairs' prompts needs them again."""


async def due_checkins(ctx: Ctx) -> list[DueCheckin]:
    """Everyone whose check-in moment has come, by their own local clock, and who has not had it."""
    return (await plan_checkins(ctx)).due


async def plan_checkins(ctx: Ctx) -> CheckinPlan:
    """`due_checkins`, with the participants it read. Three queries whatever the program's size, and
    one for the settings of each workspace with a pairing."""
    people = {p.user: p for p in await ctx.uow.participants.list()}
    already = {
        (c.pairing_id, c.user, c.week) for c in await ctx.uow.checkins.list(since=ctx.now - timedelta(days=8))
    }
    moments: dict[tuple[str, str, str], tuple[date, str, datetime]] = {}
    """Local date, week and slot by workspace and time zone: the same for everyone in one, so worked
    out once."""
    due: list[DueCheckin] = []
    for pairing in await ctx.uow.pairings.list(status=PairingStatus.ACTIVE):
        for member in pairing.members():
            person = people.get(member)
            if person is None:
                continue
            where = (member.platform, member.workspace_id, person.timezone)
            moment = moments.get(where)
            if moment is None:
                config = await ctx.config_for(member)
                moment = moments[where] = (
                    ctx.local_today(person),
                    *local_week_and_slot(ctx, person, config),
                )
            today, week, slot = moment
            if not person.is_available(today):
                continue
            if ctx.now < slot or slot < pairing.created_at + FIRST_CHECKIN_AFTER:
                continue
            if (pairing.id, member, week) not in already:
                due.append(DueCheckin(pairing, member, week))
    return CheckinPlan(due, people)


def checkin_delivery_key(checkin: Checkin) -> str:
    """The outbox key of a check-in's message: one per pairing, week and person."""
    return f"checkin:{checkin.pairing_id}:{checkin.week}:{checkin.user.key}"


async def enqueue_checkins(
    ctx: Ctx, due: list[DueCheckin], prompts_for: dict[tuple[str, str], PromptSet]
) -> int:
    """Record the check-ins and queue their messages: one insert of each kind for the whole list.

    Only check-ins actually stored get a message, so a second run (another replica, a retried tick)
    adds nothing; the delivery keys would refuse the messages anyway.

    The messages are built while the database stores the check-ins (its work and Python's overlap):
    usually every check-in is stored, and the few messages of any that were not are dropped unsent.
    """
    made = [Checkin(new_id(), item.pairing.id, item.member, item.week, sent_at=ctx.now) for item in due]
    adding = asyncio.ensure_future(ctx.uow.checkins.add_many(made))
    try:
        await asyncio.sleep(0)  # the insert reaches the driver before the work below holds the loop
        deliveries = [
            ctx.outbox.row(
                checkin_delivery_key(checkin),
                Destination.dm(item.member),
                checkin_message(
                    checkin, item.pairing.other(item.member), prompts_for.get((item.pairing.id, item.week))
                ),
                priority=DeliveryPriority.URGENT,
            )
            for item, checkin in zip(due, made, strict=True)
        ]
    except BaseException:
        await asyncio.wait({adding})  # never leave the unit of work in the middle of a statement
        raise
    stored = {checkin.id for checkin in await adding}
    await ctx.uow.deliveries.enqueue_many(
        [delivery for delivery, checkin in zip(deliveries, made, strict=True) if checkin.id in stored]
    )
    return len(stored)


async def _authorised_checkin(ctx: Ctx, actor: UserRef, checkin_id: str) -> tuple[Checkin, Pairing]:
    """The check-in must exist, belong to the person clicking, and its pairing must include them."""
    checkin = await ctx.uow.checkins.get(checkin_id)
    if checkin is None:
        raise NotAllowed("That check-in isn't available any more.")
    pairing = await ctx.uow.pairings.get(checkin.pairing_id)
    if pairing is None or checkin.user != actor or pairing.side_of(actor) is None:
        raise NotAllowed("That check-in belongs to someone else, so I didn't record anything.")
    return checkin, pairing


async def answer(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `CHECKIN_ANSWER` button (`checkin id`, answer)."""
    chosen = CheckinAnswer(value.choice[0])
    checkin, pairing = await _authorised_checkin(ctx, actor, value.id)
    if checkin.answer is not None:
        headline = f"You already answered this week: *{checkin.answer.label}*. Thanks!"
    else:
        await record_answer(ctx, checkin, pairing, chosen, None, None)
        headline = f"Thanks, recorded: *{chosen.label}*."
    return await in_place(ctx, checkin, await follow_up(ctx, checkin, pairing, headline))


async def in_place(ctx: Ctx, checkin: Checkin, answer: OutgoingMessage) -> Reply:
    """The check-in card as it reads once answered: the answer takes the place of its question and
    buttons, and that week's ideas stay, so answering does not take them out of the chat."""
    ideas = ideas_fields(await ctx.uow.prompt_cache.get(checkin.pairing_id, checkin.week))
    return Reply(replace(answer, title=CHECKIN_TITLE, fields=(*ideas, *answer.fields)), replace_original=True)


async def follow_up(ctx: Ctx, checkin: Checkin, pairing: Pairing, headline: str) -> OutgoingMessage:
    """What comes after an answer fits the answer: a rating only for a week that had a meeting in it."""
    if checkin.answer is CheckinAnswer.NEED_HELP:
        if not await ctx.help_recipients(checkin.user):
            return nobody_to_help(checkin, headline, (await ctx.config_for(checkin.user)).help_contact_text)
        return help_reassurance(checkin, pairing, headline)
    if checkin.answer is CheckinAnswer.NOT_YET:
        return await meeting_proposal(ctx, checkin.user, pairing, headline)
    return rating_prompt(checkin, headline)


def help_reassurance(checkin: Checkin, pairing: Pairing, headline: str) -> OutgoingMessage:
    other = pairing.other(checkin.user)
    return OutgoingMessage(
        text=(
            f"{headline} Thank you for saying so: asking early is exactly right. The program admins have "
            "been told privately and one of them will reach out to you directly. "
            f"{mention(other.user_id)} has not been told and won't be. "
            "If it helps them help you, add a private note that only the admins can read. "
            f"And if the pairing isn't working, you can end it without fault with {command_ref('end')}; "
            "you'll be matched again next round."
        ),
        buttons=(CHECKIN_NOTE_FORM.button("Add a private note for the admins", checkin.id),),
        mentions=(other.user_id,),
    )


def nobody_to_help(checkin: Checkin, headline: str, contact: str | None) -> OutgoingMessage:
    """Said plainly when no admin and no help contact can receive the request: it is recorded, but
    nobody was told, so the person is given who to contact instead."""
    text = _(
        "{headline} Your answer is recorded, but I have to be honest: nobody in the program can receive "
        "help requests here yet, so nobody has been told.",
        headline=headline,
    )
    if contact:
        text += " " + _("Please contact {contact} directly.", contact=contact)
    else:
        text += " " + _("Please speak to your manager or HR directly; your partner has not been told.")
    return OutgoingMessage(
        text=text, buttons=(CHECKIN_NOTE_FORM.button(_("Add a private note"), checkin.id),)
    )


MEETING_TITLE = "Reverse-mentoring catch-up"
MEETING_DETAILS = "Reverse-mentoring session: one of you brings an AI or digital tool to try, the other a strategy question."
SLOTS_OFFERED = 3


def offers_for(
    now: datetime,
    pairing: Pairing,
    zones: Mapping[UserRef, str],
    emails: Mapping[UserRef, str],
    readers: tuple[UserRef, ...],
) -> tuple[MeetingOffer, ...]:
    """Up to three times in the coming week inside both people's working hours, shown on the clock of
    each of `readers`, with both people's work emails (where the org chart knows them) for a Teams invite."""
    slots = propose_slots(
        [zones.get(pairing.leader, "UTC"), zones.get(pairing.mentor, "UTC")], now, count=SLOTS_OFFERED
    )
    attendees = tuple(email for email in (emails.get(m) for m in pairing.members()) if email)
    shown_in = tuple(dict.fromkeys(zones.get(reader, "UTC") for reader in readers))
    return tuple(
        MeetingOffer(slot.start, slot.end, shown_in, MEETING_TITLE, MEETING_DETAILS, attendees)
        for slot in slots
    )


async def meeting_offers(
    ctx: Ctx, pairing: Pairing, readers: tuple[UserRef, ...]
) -> tuple[MeetingOffer, ...]:
    """`offers_for` the pair as stored now."""
    people = await ctx.uow.participants.get_many(pairing.members())
    zones = {user: person.timezone for user, person in people.items()}
    return offers_for(ctx.now, pairing, zones, await ctx.uow.org_chart.links(), readers)


async def meeting_proposal(ctx: Ctx, reader: UserRef, pairing: Pairing, headline: str) -> OutgoingMessage:
    """After "not yet": times that suit you both, one click from a calendar, and "We booked it"."""
    other = pairing.other(reader)
    offers = await meeting_offers(ctx, pairing, (reader,))
    if offers:
        text = (
            f"{headline} No problem, weeks fill up. Here are {len(offers)} times in the coming week inside "
            f"both your working hours, on your clock. Pick one, add it to your calendar and send it to "
            f"{mention(other.user_id)}; then tell me with *We booked it*."
        )
    else:
        text = (
            f"{headline} No problem, weeks fill up. Your working hours barely overlap this week, so "
            f"message {mention(other.user_id)} with two times that suit you; then tell me with *We booked it*."
        )
    return OutgoingMessage(
        text=text,
        meetings=offers,
        buttons=(MEETING_BOOKED.button("We booked it", pairing.id, style=ButtonStyle.PRIMARY),),
        mentions=(other.user_id,),
    )


async def meeting_booked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on "We booked it" (`pairing id`): this week's check-in records a planned meeting.

    The person's check-in of their current week holds it, answered *Rescheduled* (a meeting is set
    for later): it was "not yet" or unasked, and a meeting already had ("We met") is never overwritten.
    """
    pairing = await ctx.uow.pairings.get(value.id)
    if pairing is None or pairing.side_of(actor) is None:
        raise NotAllowed(MEETING_BOOKED.invalid)
    if pairing.status is not PairingStatus.ACTIVE:
        raise NotAllowed("That pairing has ended, so there's no meeting to record.")
    me = await ctx.participant(actor)
    week, _slot = local_week_and_slot(ctx, me, await ctx.config_for(actor))
    checkin = await ctx.uow.checkins.find(pairing.id, actor, week)
    if checkin is None:
        checkin = Checkin(new_id(), pairing.id, actor, week, sent_at=ctx.now)
        await ctx.uow.checkins.add(checkin)
    if checkin.answer is CheckinAnswer.MET:
        return Reply.text("You already told me you met this week. Enjoy the next one!")
    if checkin.answer is not CheckinAnswer.RESCHEDULED:
        checkin.answer = CheckinAnswer.RESCHEDULED
        checkin.answered_at = ctx.now
        await ctx.uow.checkins.save(checkin)
    other = pairing.other(actor)
    return Reply(
        OutgoingMessage(
            text=(
                f"Great, noted: you and {mention(other.user_id)} have a meeting planned. "
                "I'll ask how it went at the next check-in."
            ),
            mentions=(other.user_id,),
        )
    )


def rating_prompt(checkin: Checkin, headline: str) -> OutgoingMessage:
    buttons: list[Button] = []
    if checkin.rating is None:
        buttons += [CHECKIN_RATING.button(f"{n}★", checkin.id, str(n)) for n in range(1, 6)]
    buttons.append(CHECKIN_NOTE_FORM.button("Add a private note", checkin.id))
    text = headline + (" How useful was this week (1-5)?" if checkin.rating is None else "")
    return OutgoingMessage(text=text, buttons=tuple(buttons))


async def record_answer(
    ctx: Ctx, checkin: Checkin, pairing: Pairing, chosen: CheckinAnswer, rating: int | None, note: str | None
) -> None:
    checkin.answer = chosen
    checkin.answered_at = ctx.now
    if rating is not None:
        checkin.rating = rating
    if note:
        checkin.note = note
    await ctx.uow.checkins.save(checkin)
    if chosen is CheckinAnswer.NEED_HELP:
        await ask_admins_for_help(ctx, checkin, pairing)


def _recipient_key(destination: Destination) -> str:
    """A help message's key part for its recipient: a person's key, as before channels could receive them."""
    if destination.channel_id is not None:
        return f"channel:{destination.platform}:{destination.workspace_id}:{destination.channel_id}"
    return UserRef(destination.platform, destination.workspace_id, destination.users[0]).key


async def ask_admins_for_help(ctx: Ctx, checkin: Checkin, pairing: Pairing) -> None:
    """A private note to the workspace's admins and its help contact; the partner is never told."""
    other = pairing.other(checkin.user)
    note = f" Their note: {checkin.note}" if checkin.note else ""
    for recipient in await ctx.help_recipients(checkin.user):
        await ctx.outbox.send(
            f"help:{checkin.id}:{_recipient_key(recipient)}",
            recipient,
            OutgoingMessage(
                title="Private: a participant asked for help",
                text=(
                    f"{mention(checkin.user.user_id)} asked for help with their pairing with "
                    f"{mention(other.user_id)} in {week_label(checkin.week)}.{note} Please reach out to them "
                    "directly; their partner has not been told."
                ),
                mentions=(checkin.user.user_id, other.user_id),
            ),
            priority=DeliveryPriority.URGENT,
        )


async def rate(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `CHECKIN_RATING` button (`checkin id`, 1-5)."""
    rating = int(value.choice[0])
    checkin, _ = await _authorised_checkin(ctx, actor, value.id)
    if checkin.answer in (CheckinAnswer.NOT_YET, CheckinAnswer.NEED_HELP):
        return Reply.text("There's nothing to rate for a week without a meeting; nothing was recorded.")
    if checkin.rating is not None:
        return await in_place(
            ctx, checkin, rating_prompt(checkin, f"You already rated this week {checkin.rating}/5.")
        )
    checkin.rating = rating
    await ctx.uow.checkins.save(checkin)
    return await in_place(ctx, checkin, rating_prompt(checkin, f"Thanks, rated {rating}/5."))


async def note_form(ctx: Ctx, actor: UserRef, checkin_id: str) -> Reply:
    checkin, _ = await _authorised_checkin(ctx, actor, checkin_id)
    form = Form(
        form_id=NOTE_FORM,
        title="Private note",
        submit_label="Save note",
        context=checkin.id,
        inputs=(
            FormInput(
                "note",
                "Only the program admins can read this, and only if you ask for help.",
                InputKind.MULTILINE,
                initial=checkin.note,
                max_length=1000,
            ),
        ),
    )
    return Reply(OutgoingMessage(text="Add a private note", form=form))


async def save_note(ctx: Ctx, actor: UserRef, checkin_id: str, fields: dict[str, str | list[str]]) -> Reply:
    checkin, pairing = await _authorised_checkin(ctx, actor, checkin_id)
    raw = fields.get("note")
    note = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not note:
        raise FormInvalid({"note": "Write a note, or close the form."})
    checkin.note = note[:1000]
    await ctx.uow.checkins.save(checkin)
    if checkin.answer is CheckinAnswer.NEED_HELP:
        await ask_admins_for_help_update(ctx, checkin, pairing)
    return Reply.text("Your private note is saved. Your partner can't see it.")


async def ask_admins_for_help_update(ctx: Ctx, checkin: Checkin, pairing: Pairing) -> None:
    for recipient in await ctx.help_recipients(checkin.user):
        await ctx.outbox.send(
            f"help-note:{checkin.id}:{_recipient_key(recipient)}",
            recipient,
            OutgoingMessage(
                title="Private: more about a help request",
                text=f"{mention(checkin.user.user_id)} added a note to their help request: {checkin.note}",
                mentions=(checkin.user.user_id,),
            ),
            priority=DeliveryPriority.URGENT,
        )


async def checkin_command(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    """`checkin` shows this week's question; `checkin met 4 great chat` answers it in one line."""
    me = await ctx.participant(actor)
    pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    if not pairings:
        return Reply.text(
            "You're not paired yet, so there's no check-in. You'll be matched at the next round."
        )
    pairing = pairings[-1]
    week, _slot = local_week_and_slot(ctx, me, await ctx.config_for(actor))
    checkin = await ctx.uow.checkins.find(pairing.id, actor, week)
    if checkin is None:
        checkin = Checkin(new_id(), pairing.id, actor, week, sent_at=ctx.now)
        await ctx.uow.checkins.add(checkin)
    if not command.args:
        return Reply(checkin_message(checkin, pairing.other(actor), None))
    chosen = ANSWER_WORDS.get(command.args[0].lower())
    if chosen is None:
        raise InvalidInput(
            f"Answer with {command_ref('checkin met')}, {command_ref('checkin not-yet')}, "
            f"{command_ref('checkin rescheduled')} or {command_ref('checkin need-help')}, "
            f"e.g. {command_ref('checkin met 4 good chat')}."
        )
    rating = None
    rest = list(command.rest.split()[1:])
    if rest and parse_int(rest[0], 1, 5) is not None:
        rating = parse_int(rest.pop(0), 1, 5)
    elif rest and rest[0].isdigit():
        raise InvalidInput("Ratings go from 1 to 5.")
    note = " ".join(rest)[:1000] or None
    if checkin.answer is not None:
        return Reply.text(f"You already answered this week: *{checkin.answer.label}*. Thanks!")
    if chosen in (CheckinAnswer.NOT_YET, CheckinAnswer.NEED_HELP):
        rating = None  # a week without a meeting has nothing to rate
    await record_answer(ctx, checkin, pairing, chosen, rating, note)
    extra = f", rated {rating}/5" if rating else ""
    headline = f"Thanks, recorded: *{chosen.label}*{extra}." + (" Your note is private." if note else "")
    return Reply(await follow_up(ctx, checkin, pairing, headline))


def week_label(week: str) -> str:
    """An ISO week ("2026-W51") as people say it: "the week of 14 December"."""
    try:
        year, number = week.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return f"week {week}"
    return f"the week of {monday.day} {monday:%B}"
