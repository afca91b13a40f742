"""Weekly check-ins: one question per person per pairing per week, answered with a click."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache

from babel.dates import format_date

from conversations.buttons import (
    CHECKIN_ANSWER,
    CHECKIN_NOTE_FORM,
    CHECKIN_RATING,
    MEETING_BOOKED,
    MILESTONE_DONE,
    PROMPTS_SHOW,
    ButtonValue,
)
from conversations.clock import iso_week, local_time
from conversations.domain import (
    Checkin,
    CheckinAnswer,
    Cycle,
    DeliveryPriority,
    Destination,
    DevelopmentPath,
    Pairing,
    PairingStatus,
    Participant,
    UserRef,
    new_id,
)
from conversations.errors import FormInvalid, InvalidInput, NotAllowed
from conversations.growth.resource_catalogue import Resource
from conversations.i18n import DEFAULT_LOCALE, N_, _, common_language, current_locale, speaking
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
from conversations.prompts.catalogue import ideas_language_note
from conversations.services.context import Ctx, ProgramConfig
from conversations.services.paths import this_weeks_milestone
from conversations.services.resources import resource_fields, shown_in_week, vote_buttons

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


_ANSWER_VALUES = tuple(
    (a.value, ButtonStyle.PRIMARY if a is CheckinAnswer.MET else ButtonStyle.DEFAULT) for a in CheckinAnswer
)


@cache
def _answer_buttons_in(language: str) -> tuple[tuple[str, str, ButtonStyle], ...]:
    """(label, value, style) of each answer button, worked out once per language: a fan-out builds
    thousands of check-ins."""
    return tuple((CheckinAnswer(value).label, value, style) for value, style in _ANSWER_VALUES)


CHECKIN_TITLE = N_("Weekly check-in")


def answer_buttons(checkin_id: str) -> tuple[Button, ...]:
    """The answer buttons of one check-in, with the codec run once rather than once per button.

    Only the id changes from one check-in to the next: the codec checks it with the first answer, and
    the other values differ only by their answer, which `CHECKIN_ANSWER` accepts for every `CheckinAnswer`.
    """
    answers = _answer_buttons_in(current_locale())
    first = CHECKIN_ANSWER.encode(checkin_id, answers[0][1])
    prefix = first[: -len(answers[0][1])]
    return tuple(
        Button(label, CHECKIN_ANSWER.action_id, prefix + value, style) for label, value, style in answers
    )


def ideas_fields(
    prompts: PromptSet | None, pair_language: str = DEFAULT_LOCALE
) -> tuple[tuple[str, FieldValue], ...]:
    """The week's ideas as the check-in shows them, before and after it is answered. `pair_language`:
    the language both people read, in which an LLM wrote the pair's ideas."""
    if not prompts:
        return ()
    fields: list[tuple[str, FieldValue]] = [(_("Ideas for this week"), ItemList(prompts.prompts))]
    if prompts.task:
        fields.append((_("Try this together"), prompts.task))
    note = ideas_language_note(prompts.source, pair_language)
    if note:
        fields.append((_("Language"), note))
    return tuple(fields)


@dataclass(frozen=True)
class Milestone:
    """This week's milestone on the person's own development path, and where it sits on it."""

    index: int
    text: str


def checkin_message(
    checkin: Checkin,
    other: UserRef,
    prompts: PromptSet | None,
    pair_language: str = DEFAULT_LOCALE,
    milestone: Milestone | None = None,
    worth_a_look: Sequence[Resource] = (),
) -> OutgoingMessage:
    """`pair_language`: the language both people read, in which an LLM wrote the pair's ideas.
    `milestone`: this week's milestone of the person's path, shown with a Done button.
    `worth_a_look`: the person's learning resources of the week, with a 👍 and a 👎 each."""
    milestone_fields: tuple[tuple[str, FieldValue], ...] = ()
    milestone_buttons: tuple[Button, ...] = ()
    if milestone is not None:
        milestone_fields = ((_("This week's milestone"), milestone.text),)
        milestone_buttons = (
            MILESTONE_DONE.button(_("Milestone done"), checkin.pairing_id, str(milestone.index)),
        )
    return OutgoingMessage(
        title=_(CHECKIN_TITLE),
        text=_("How is your mentoring with {partner} going this week?", partner=mention(other.user_id)),
        fields=(*milestone_fields, *ideas_fields(prompts, pair_language), *resource_fields(worth_a_look)),
        buttons=(
            *answer_buttons(checkin.id),
            *milestone_buttons,
            *((PROMPTS_SHOW.button(_("Rate or refresh ideas"), checkin.pairing_id),) if prompts else ()),
            *vote_buttons(checkin.pairing_id, checkin.week, worth_a_look),
        ),
        mentions=(other.user_id,),
    )


@dataclass(frozen=True)
class DueCheckin:
    pairing: Pairing
    member: UserRef
    week: str
    language: str | None = None
    """The member's language, in which their check-in is written."""
    pair_language: str = DEFAULT_LOCALE
    """The language both members read (`common_language`)."""


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
                partner = people.get(pairing.other(member))
                shared = common_language(person.language, partner.language if partner else None)
                due.append(DueCheckin(pairing, member, week, person.language, shared))
    return CheckinPlan(due, people)


def checkin_delivery_key(checkin: Checkin) -> str:
    """The outbox key of a check-in's message: one per pairing, week and person."""
    return f"checkin:{checkin.pairing_id}:{checkin.week}:{checkin.user.key}"


async def enqueue_checkins(
    ctx: Ctx,
    due: list[DueCheckin],
    prompts_for: dict[tuple[str, str], PromptSet],
    resources_for: Mapping[tuple[str, UserRef, str], Sequence[Resource]] | None = None,
) -> int:
    """Record the check-ins and queue their messages: one insert of each kind for the whole list.

    Only check-ins actually stored get a message, so a second run (another replica, a retried tick)
    adds nothing; the delivery keys would refuse the messages anyway.

    The messages are built while the database stores the check-ins (its work and Python's overlap):
    usually every check-in is stored, and the few messages of any that were not are dropped unsent.
    """
    milestones = await _milestones_of(ctx, due)
    made = [Checkin(new_id(), item.pairing.id, item.member, item.week, sent_at=ctx.now) for item in due]
    adding = asyncio.ensure_future(ctx.uow.checkins.add_many(made))
    try:
        await asyncio.sleep(0)  # the insert reaches the driver before the work below holds the loop
        deliveries = [
            ctx.outbox.row(
                checkin_delivery_key(checkin),
                Destination.dm(item.member),
                _checkin_message_in(
                    item,
                    checkin,
                    prompts_for.get((item.pairing.id, item.week)),
                    milestones.get((item.pairing.id, item.member)),
                    (resources_for or {}).get((item.pairing.id, item.member, item.week), ()),
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


def _checkin_message_in(
    item: DueCheckin,
    checkin: Checkin,
    prompts: PromptSet | None,
    milestone: Milestone | None,
    worth_a_look: Sequence[Resource],
) -> OutgoingMessage:
    with speaking(item.language):
        return checkin_message(
            checkin, item.pairing.other(item.member), prompts, item.pair_language, milestone, worth_a_look
        )


async def _milestones_of(ctx: Ctx, due: list[DueCheckin]) -> dict[tuple[str, UserRef], Milestone]:
    """This week's open milestone of each due person's accepted path: one read for the whole list."""
    paths: dict[tuple[str, UserRef], DevelopmentPath] = {
        (path.pairing_id, path.user): path
        for found in (await ctx.uow.development_paths.for_pairings({d.pairing.id for d in due})).values()
        for path in found
    }
    if not paths:
        return {}
    cycles: dict[str, Cycle | None] = {}
    milestones: dict[tuple[str, UserRef], Milestone] = {}
    for item in due:
        path = paths.get((item.pairing.id, item.member))
        if path is None:
            continue
        if item.pairing.cycle_id not in cycles:
            cycles[item.pairing.cycle_id] = await ctx.uow.cycles.get(item.pairing.cycle_id)
        cycle = cycles[item.pairing.cycle_id]
        index = this_weeks_milestone(path, cycle, ctx.now) if cycle is not None else None
        if index is not None and index not in path.done:
            milestones[(item.pairing.id, item.member)] = Milestone(index, path.milestones[index])
    return milestones


async def _authorised_checkin(ctx: Ctx, actor: UserRef, checkin_id: str) -> tuple[Checkin, Pairing]:
    """The check-in must exist, belong to the person clicking, and its pairing must include them."""
    checkin = await ctx.uow.checkins.get(checkin_id)
    if checkin is None:
        raise NotAllowed(_("That check-in isn't available any more."))
    pairing = await ctx.uow.pairings.get(checkin.pairing_id)
    if pairing is None or checkin.user != actor or pairing.side_of(actor) is None:
        raise NotAllowed(_("That check-in belongs to someone else, so I didn't record anything."))
    return checkin, pairing


async def answer(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `CHECKIN_ANSWER` button (`checkin id`, answer)."""
    chosen = CheckinAnswer(value.choice[0])
    checkin, pairing = await _authorised_checkin(ctx, actor, value.id)
    if checkin.answer is not None:
        headline = _("You already answered this week: *{answer}*. Thanks!", answer=checkin.answer.label)
    else:
        await record_answer(ctx, checkin, pairing, chosen, None, None)
        headline = _("Thanks, recorded: *{answer}*.", answer=chosen.label)
    return await in_place(ctx, checkin, await follow_up(ctx, checkin, pairing, headline))


async def in_place(ctx: Ctx, checkin: Checkin, answer: OutgoingMessage) -> Reply:
    """The check-in card as it reads once answered: the answer takes the place of its question and
    buttons, and that week's ideas stay, so answering does not take them out of the chat."""
    ideas = ideas_fields(await ctx.uow.prompt_cache.get(checkin.pairing_id, checkin.week))
    worth_a_look = resource_fields(await shown_in_week(ctx, checkin.pairing_id, checkin.user, checkin.week))
    return Reply(
        replace(answer, title=_(CHECKIN_TITLE), fields=(*ideas, *worth_a_look, *answer.fields)),
        replace_original=True,
    )


async def follow_up(ctx: Ctx, checkin: Checkin, pairing: Pairing, headline: str) -> OutgoingMessage:
    """What comes after an answer fits the answer: a rating only for a week that had a meeting in it."""
    if checkin.answer is CheckinAnswer.NEED_HELP:
        if not await ctx.help_recipients(checkin.user):
            return nobody_to_help(checkin, headline, (await ctx.config_for(checkin.user)).help_contact_text)
        return help_reassurance(checkin, pairing, headline, admins=bool(ctx.admins_of(checkin.user)))
    if checkin.answer is CheckinAnswer.NOT_YET:
        return await meeting_proposal(ctx, checkin.user, pairing, headline)
    return rating_prompt(checkin, headline)


def help_reassurance(
    checkin: Checkin, pairing: Pairing, headline: str, *, admins: bool = True
) -> OutgoingMessage:
    """`admins`: whether the workspace's admins were told, or only its help contact (`settings`)."""
    other = pairing.other(checkin.user)
    told = (
        _("The program admins have been told privately and one of them will reach out to you directly.")
        if admins
        else _("The program's help contact has been told privately and will reach out to you directly.")
    )
    return OutgoingMessage(
        text=_(
            "{headline} Thank you for saying so: asking early is exactly right. {told} "
            "{partner} has not been told and won't be. "
            "If it helps them help you, add a private note that only they can read. "
            "And if the pairing isn't working, you can end it without fault with {end}; "
            "you'll be matched with someone new.",
            headline=headline,
            told=told,
            partner=mention(other.user_id),
            end=command_ref("end"),
        ),
        buttons=(CHECKIN_NOTE_FORM.button(_("Add a private note"), checkin.id),),
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


MEETING_TITLE = N_("Reverse-mentoring catch-up")
MEETING_DETAILS = N_(
    "Reverse-mentoring session: one of you brings an AI or digital tool to try, the other a strategy question."
)
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
        MeetingOffer(slot.start, slot.end, shown_in, _(MEETING_TITLE), _(MEETING_DETAILS), attendees)
        for slot in slots
    )


async def meeting_offers(
    ctx: Ctx, pairing: Pairing, readers: tuple[UserRef, ...]
) -> tuple[MeetingOffer, ...]:
    """`offers_for` the pair as stored now."""
    people = await ctx.uow.participants.get_many(pairing.members())
    zones = {user: person.timezone for user, person in people.items()}
    return offers_for(ctx.now, pairing, zones, await ctx.uow.org_chart.links(), readers)


WE_BOOKED_IT = N_("We booked it")


async def meeting_proposal(ctx: Ctx, reader: UserRef, pairing: Pairing, headline: str) -> OutgoingMessage:
    """After "not yet": times that suit you both, one click from a calendar, and "We booked it"."""
    other = pairing.other(reader)
    offers = await meeting_offers(ctx, pairing, (reader,))
    if offers:
        text = _(
            "{headline} No problem, weeks fill up. Here are {count} times in the coming week inside "
            "both your working hours, on your clock. Pick one, add it to your calendar and send it to "
            "{partner}; then tell me with *{booked}*.",
            headline=headline,
            count=len(offers),
            partner=mention(other.user_id),
            booked=_(WE_BOOKED_IT),
        )
    else:
        text = _(
            "{headline} No problem, weeks fill up. Your working hours barely overlap this week, so "
            "message {partner} with two times that suit you; then tell me with *{booked}*.",
            headline=headline,
            partner=mention(other.user_id),
            booked=_(WE_BOOKED_IT),
        )
    return OutgoingMessage(
        text=text,
        meetings=offers,
        buttons=(MEETING_BOOKED.button(_(WE_BOOKED_IT), pairing.id, style=ButtonStyle.PRIMARY),),
        mentions=(other.user_id,),
    )


async def meeting_booked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on "We booked it" (`pairing id`): this week's check-in records a planned meeting.

    The person's check-in of their current week holds it, answered *Rescheduled* (a meeting is set
    for later): it was "not yet" or unasked, and a meeting already had ("We met") is never overwritten.
    """
    pairing = await ctx.uow.pairings.get(value.id)
    if pairing is None or pairing.side_of(actor) is None:
        raise NotAllowed(MEETING_BOOKED.invalid_text())
    if pairing.status is not PairingStatus.ACTIVE:
        raise NotAllowed(_("That pairing has ended, so there's no meeting to record."))
    me = await ctx.participant(actor)
    week, _slot = local_week_and_slot(ctx, me, await ctx.config_for(actor))
    checkin = await ctx.uow.checkins.find(pairing.id, actor, week)
    if checkin is None:
        checkin = Checkin(new_id(), pairing.id, actor, week, sent_at=ctx.now)
        await ctx.uow.checkins.add(checkin)
    if checkin.answer is CheckinAnswer.MET:
        return Reply.text(_("You already told me you met this week. Enjoy the next one!"))
    if checkin.answer is not CheckinAnswer.RESCHEDULED:
        checkin.answer = CheckinAnswer.RESCHEDULED
        checkin.answered_at = ctx.now
        await ctx.uow.checkins.save(checkin)
    other = pairing.other(actor)
    return Reply(
        OutgoingMessage(
            text=_(
                "Great, noted: you and {partner} have a meeting planned. I'll ask how it went at the next check-in.",
                partner=mention(other.user_id),
            ),
            mentions=(other.user_id,),
        )
    )


def rating_prompt(checkin: Checkin, headline: str) -> OutgoingMessage:
    buttons: list[Button] = []
    if checkin.rating is None:
        buttons += [CHECKIN_RATING.button(f"{n}★", checkin.id, str(n)) for n in range(1, 6)]
    buttons.append(CHECKIN_NOTE_FORM.button(_("Add a private note"), checkin.id))
    text = (
        _("{headline} How useful was this week (1-5)?", headline=headline)
        if checkin.rating is None
        else headline
    )
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


async def _language_of(ctx: Ctx, destination: Destination) -> str | None:
    """The language a help message is written in: the person's own, or the deployment's for a channel."""
    if destination.channel_id is not None:
        return None
    return await ctx.language_of(
        UserRef(destination.platform, destination.workspace_id, destination.users[0])
    )


def _recipient_key(destination: Destination) -> str:
    """A help message's key part for its recipient: a person's key, as before channels could receive them."""
    if destination.channel_id is not None:
        return f"channel:{destination.platform}:{destination.workspace_id}:{destination.channel_id}"
    return UserRef(destination.platform, destination.workspace_id, destination.users[0]).key


async def ask_admins_for_help(ctx: Ctx, checkin: Checkin, pairing: Pairing) -> None:
    """A private note to the workspace's admins and its help contact; the partner is never told."""
    other = pairing.other(checkin.user)
    for recipient in await ctx.help_recipients(checkin.user):
        with speaking(await _language_of(ctx, recipient)):
            note = _(" Their note: {note}", note=checkin.note) if checkin.note else ""
            await ctx.outbox.send(
                f"help:{checkin.id}:{_recipient_key(recipient)}",
                recipient,
                OutgoingMessage(
                    title=_("Private: a participant asked for help"),
                    text=_(
                        "{person} asked for help with their pairing with "
                        "{partner} in {week}.{note} Please reach out to them "
                        "directly; their partner has not been told.",
                        person=mention(checkin.user.user_id),
                        partner=mention(other.user_id),
                        week=week_label(checkin.week),
                        note=note,
                    ),
                    mentions=(checkin.user.user_id, other.user_id),
                ),
                priority=DeliveryPriority.URGENT,
            )


async def rate(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `CHECKIN_RATING` button (`checkin id`, 1-5)."""
    rating = int(value.choice[0])
    checkin, _pairing = await _authorised_checkin(ctx, actor, value.id)
    if checkin.answer in (CheckinAnswer.NOT_YET, CheckinAnswer.NEED_HELP):
        return Reply.text(_("There's nothing to rate for a week without a meeting; nothing was recorded."))
    if checkin.rating is not None:
        return await in_place(
            ctx,
            checkin,
            rating_prompt(checkin, _("You already rated this week {rating}/5.", rating=checkin.rating)),
        )
    checkin.rating = rating
    await ctx.uow.checkins.save(checkin)
    return await in_place(ctx, checkin, rating_prompt(checkin, _("Thanks, rated {rating}/5.", rating=rating)))


async def note_form(ctx: Ctx, actor: UserRef, checkin_id: str) -> Reply:
    checkin, _pairing = await _authorised_checkin(ctx, actor, checkin_id)
    form = Form(
        form_id=NOTE_FORM,
        title=_("Private note"),
        submit_label=_("Save note"),
        context=checkin.id,
        inputs=(
            FormInput(
                "note",
                _("Only the program admins can read this, and only if you ask for help."),
                InputKind.MULTILINE,
                initial=checkin.note,
                max_length=1000,
            ),
        ),
    )
    return Reply(OutgoingMessage(text=_("Add a private note"), form=form))


async def save_note(ctx: Ctx, actor: UserRef, checkin_id: str, fields: dict[str, str | list[str]]) -> Reply:
    checkin, pairing = await _authorised_checkin(ctx, actor, checkin_id)
    raw = fields.get("note")
    note = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not note:
        raise FormInvalid({"note": _("Write a note, or close the form.")})
    checkin.note = note[:1000]
    await ctx.uow.checkins.save(checkin)
    if checkin.answer is CheckinAnswer.NEED_HELP:
        await ask_admins_for_help_update(ctx, checkin, pairing)
    return Reply.text(_("Your private note is saved. Your partner can't see it."))


async def ask_admins_for_help_update(ctx: Ctx, checkin: Checkin, pairing: Pairing) -> None:
    for recipient in await ctx.help_recipients(checkin.user):
        with speaking(await _language_of(ctx, recipient)):
            await ctx.outbox.send(
                f"help-note:{checkin.id}:{_recipient_key(recipient)}",
                recipient,
                OutgoingMessage(
                    title=_("Private: more about a help request"),
                    text=_(
                        "{person} added a note to their help request: {note}",
                        person=mention(checkin.user.user_id),
                        note=checkin.note,
                    ),
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
            _("You're not paired yet, so there's no check-in. You'll be matched at the next round.")
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
            _(
                "Answer with {met}, {not_yet}, {rescheduled} or {need_help}, e.g. {example}.",
                met=command_ref("checkin met"),
                not_yet=command_ref("checkin not-yet"),
                rescheduled=command_ref("checkin rescheduled"),
                need_help=command_ref("checkin need-help"),
                example=command_ref("checkin met 4 good chat"),
            )
        )
    rating = None
    rest = list(command.rest.split()[1:])
    if rest and parse_int(rest[0], 1, 5) is not None:
        rating = parse_int(rest.pop(0), 1, 5)
    elif rest and rest[0].isdigit():
        raise InvalidInput(_("Ratings go from 1 to 5."))
    note = " ".join(rest)[:1000] or None
    if checkin.answer is not None:
        return Reply.text(
            _("You already answered this week: *{answer}*. Thanks!", answer=checkin.answer.label)
        )
    if chosen in (CheckinAnswer.NOT_YET, CheckinAnswer.NEED_HELP):
        rating = None  # a week without a meeting has nothing to rate
    await record_answer(ctx, checkin, pairing, chosen, rating, note)
    if rating:
        headline = _("Thanks, recorded: *{answer}*, rated {rating}/5.", answer=chosen.label, rating=rating)
    else:
        headline = _("Thanks, recorded: *{answer}*.", answer=chosen.label)
    if note:
        headline = _("{headline} Your note is private.", headline=headline)
    return Reply(await follow_up(ctx, checkin, pairing, headline))


def week_label(week: str) -> str:
    """An ISO week ("2026-W51") as people say it: "the week of 14 December"."""
    try:
        year, number = week.split("-W")
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        return _("week {week}", week=week)
    return _("the week of {date}", date=format_date(monday, _(DAY_OF_MONTH), locale=current_locale()))


DAY_OF_MONTH = N_("d MMMM")
"""A date without its year, as a date pattern (Unicode LDML), in each language's own order and words."""
