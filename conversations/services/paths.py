"""Development paths from the person's side: the offer after the introduction, accepting, editing or
asking again, ticking milestones off, and the progress line that status, Home and check-ins show.

Paths are made ahead by the clock (`conversations.growth.preparation`); nothing here asks an LLM, so a
click is answered at once. "Ask again" offers the library's next fitting path, which also keeps the
LLM to one request per person per round.
"""

from __future__ import annotations

from datetime import datetime

from conversations.buttons import MILESTONE_DONE, PATH, ButtonValue
from conversations.domain import Cycle, DevelopmentPath, Pairing, PairingStatus, UserRef
from conversations.errors import FormInvalid, NotAllowed
from conversations.growth.catalogue import LibraryPathSuggester
from conversations.growth.sanitise import MAX_MILESTONE_CHARS, MAX_MILESTONES, clean_milestone
from conversations.i18n import _
from conversations.messages import (
    ButtonStyle,
    Form,
    FormInput,
    InputKind,
    ItemList,
    OutgoingMessage,
    Reply,
)
from conversations.ports import PathContext
from conversations.services.context import Ctx

PATH_FORM = "path_edit"


def path_message(path: DevelopmentPath) -> OutgoingMessage:
    """The offer: the milestones, numbered, with Accept, Edit and (once) Ask again."""
    buttons = [
        PATH.button(_("Accept"), path.pairing_id, "accept", style=ButtonStyle.PRIMARY),
        PATH.button(_("Edit"), path.pairing_id, "edit"),
    ]
    if not path.asked_again:
        buttons.append(PATH.button(_("Ask again"), path.pairing_id, "again"))
    return OutgoingMessage(
        title=_("Your path for this round"),
        text=_(
            "Here are a few milestones towards your own goals for this round. Only you see them. Accept "
            "them as they are, edit them, or ask for another path; each week's check-in asks about one."
        ),
        fields=((_("Milestones"), ItemList(path.milestones, numbered=True)),),
        buttons=tuple(buttons),
    )


def progress_text(path: DevelopmentPath) -> str:
    return _(
        "{done} of {total} milestones done",
        done=path.done_count,
        total=len(path.milestones),
    )


def week_of_round(cycle: Cycle, now: datetime) -> int:
    return max(1, (now - cycle.started_at).days // 7 + 1)


def this_weeks_milestone(path: DevelopmentPath, cycle: Cycle, now: datetime) -> int | None:
    """The index of this week's milestone, or None when the path is not accepted or all are past."""
    if path.accepted_at is None:
        return None
    return path.milestone_of_week(week_of_round(cycle, now), cycle.weeks)


async def _own_path(
    ctx: Ctx, actor: UserRef, pairing_id: str, invalid: str
) -> tuple[Pairing, DevelopmentPath]:
    pairing = await ctx.uow.pairings.get(pairing_id)
    path = await ctx.uow.development_paths.get(pairing_id, actor) if pairing is not None else None
    if pairing is None or path is None or pairing.side_of(actor) is None:
        raise NotAllowed(invalid)
    if pairing.status is not PairingStatus.ACTIVE:
        raise NotAllowed(_("That pairing has ended, so its path is closed."))
    return pairing, path


async def path_clicked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """Accept, Edit or Ask again on the offer (`pairing id`, choice)."""
    (choice,) = value.choice
    pairing, path = await _own_path(ctx, actor, value.id, PATH.invalid_text())
    if choice == "edit":
        return Reply(OutgoingMessage(text=_("Edit your path"), form=edit_form(path)))
    if choice == "again":
        if path.asked_again:
            return Reply.text(
                _("You already asked for another path this round; edit this one to make it yours.")
            )
        cycle = await ctx.uow.cycles.get(pairing.cycle_id)
        me = await ctx.participant(actor)
        context = PathContext(
            pairing_id=pairing.id,
            side=path.side,
            skills=me.skills,
            learning_goals=me.learning_goals,
            weeks=cycle.weeks if cycle is not None else 0,
            language=me.language,
            variant=1 if path.source == "library" else 0,
        )
        offered = LibraryPathSuggester().choose(context)
        path.milestones = offered.milestones
        path.source = offered.source
        path.asked_again = True
        path.done = ()
        path.accepted_at = None
        await ctx.uow.development_paths.save(path)
        return Reply(path_message(path), replace_original=True)
    if path.accepted_at is None:
        path.accepted_at = ctx.now
        await ctx.uow.development_paths.save(path)
    return Reply(
        OutgoingMessage(
            title=_("Your path for this round"),
            text=_("Accepted. Each week's check-in shows that week's milestone, to tick off once it's done."),
            fields=((_("Milestones"), ItemList(path.milestones, numbered=True)),),
        ),
        replace_original=True,
    )


def edit_form(path: DevelopmentPath) -> Form:
    inputs = tuple(
        FormInput(
            f"milestone_{i + 1}",
            _("Milestone {number}", number=i + 1),
            InputKind.MULTILINE,
            initial=path.milestones[i] if i < len(path.milestones) else None,
            optional=i > 0,
            max_length=MAX_MILESTONE_CHARS,
        )
        for i in range(MAX_MILESTONES)
    )
    return Form(PATH_FORM, _("Edit your path"), inputs, submit_label=_("Save"), context=path.pairing_id)


async def submit_edit(ctx: Ctx, actor: UserRef, pairing_id: str, fields: dict[str, str | list[str]]) -> Reply:
    """The edited milestones, cleaned like a model's; saving them accepts the path."""
    _pairing, path = await _own_path(ctx, actor, pairing_id, PATH.invalid_text())
    milestones: list[str] = []
    for i in range(MAX_MILESTONES):
        raw = fields.get(f"milestone_{i + 1}")
        text = clean_milestone(raw) if isinstance(raw, str) else ""
        if text:
            milestones.append(text)
    if not milestones:
        raise FormInvalid({"milestone_1": _("Write at least one milestone, a few words long.")})
    kept_done = tuple(i for i in path.done if i < len(milestones) and path.milestones[i] == milestones[i])
    path.milestones = tuple(milestones)
    path.source = "edited"
    path.done = kept_done
    path.accepted_at = path.accepted_at or ctx.now
    await ctx.uow.development_paths.save(path)
    return Reply(
        OutgoingMessage(
            title=_("Your path for this round"),
            text=_("Saved. Each week's check-in shows that week's milestone, to tick off once it's done."),
            fields=((_("Milestones"), ItemList(path.milestones, numbered=True)),),
        )
    )


async def milestone_done(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on "Done" next to a milestone (`pairing id`, index on the clicker's own path)."""
    _pairing, path = await _own_path(ctx, actor, value.id, MILESTONE_DONE.invalid_text())
    index = int(value.choice[0])
    if index >= len(path.milestones):
        raise NotAllowed(MILESTONE_DONE.invalid_text())
    if index not in path.done:
        path.done = tuple(sorted((*path.done, index)))
        if path.accepted_at is None:
            path.accepted_at = ctx.now
        await ctx.uow.development_paths.save(path)
    return Reply.text(_("Well done! {progress}.", progress=progress_text(path)))


async def progress_of(ctx: Ctx, pairing: Pairing, user: UserRef) -> str | None:
    """ "2 of 4 milestones done" for the person's accepted path in the pairing, or None."""
    path = await ctx.uow.development_paths.get(pairing.id, user)
    if path is None or path.accepted_at is None:
        return None
    return progress_text(path)
