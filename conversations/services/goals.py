"""Two-way goals: each side of a pairing sets its own, reports progress and marks them done."""

from __future__ import annotations

from conversations.buttons import GOAL_ADD_FORM, ButtonValue
from conversations.domain import Assessment, Goal, Pairing, PairingStatus, Side, UserRef, new_id
from conversations.errors import FormInvalid, InvalidInput, NotAllowed
from conversations.i18n import _
from conversations.messages import FieldValue, Form, FormInput, InputKind, ItemList, OutgoingMessage, Reply
from conversations.messages import command as command_ref
from conversations.parsing import ParsedCommand, parse_int
from conversations.services import celebrations
from conversations.services.context import Ctx

GOAL_FORM = "goal_add"
MAX_GOALS = 10
MAX_GOAL_LENGTH = 280


async def my_active_pairing(ctx: Ctx, actor: UserRef) -> Pairing:
    await ctx.participant(actor)
    pairings = await ctx.uow.pairings.for_user(actor, PairingStatus.ACTIVE)
    if not pairings:
        raise InvalidInput(_("You're not paired yet. Goals are set with your partner once you're matched."))
    return pairings[-1]


async def goals_command(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    pairing = await my_active_pairing(ctx, actor)
    if not command.args:
        return await show_goals(ctx, actor, pairing)
    verb = command.args[0].lower()
    rest = command.rest.split(None, 1)[1] if len(command.rest.split(None, 1)) > 1 else ""
    if verb == "add":
        return await add_goal(ctx, actor, pairing, rest)
    if verb in ("progress", "done"):
        numbers = rest.split()
        mine = [g for g in await ctx.uow.goals.for_pairing(pairing.id) if g.owner == actor]
        index = parse_int(numbers[0], 1, len(mine)) if numbers and mine else None
        if index is None:
            raise InvalidInput(
                _(
                    "Give the number of one of your goals (1-{count}), e.g. {example}.",
                    count=len(mine),
                    example=command_ref(f"goals {verb} 1"),
                )
                if mine
                else _("You have no goals yet. Add one with {add}.", add=command_ref("goals add TEXT"))
            )
        goal = mine[index - 1]
        if verb == "done":
            await record_progress(ctx, pairing, goal, 100)
            return Reply.text(
                _("Well done! Goal {number} is marked done: _{goal}_", number=index, goal=goal.text)
            )
        pct = parse_int(numbers[1], 0, 100) if len(numbers) > 1 else None
        if pct is None:
            raise InvalidInput(
                _(
                    "Give progress as a percentage from 0 to 100, e.g. {example}.",
                    example=command_ref("goals progress 1 50"),
                )
            )
        await record_progress(ctx, pairing, goal, pct)
        return Reply.text(_("Progress on goal {number} is now {percent}%.", number=index, percent=pct))
    raise InvalidInput(
        _(
            "Use {goals}, {add}, {progress} or {done}.",
            goals=command_ref("goals"),
            add=command_ref("goals add TEXT"),
            progress=command_ref("goals progress N PERCENT"),
            done=command_ref("goals done N"),
        )
    )


async def record_progress(ctx: Ctx, pairing: Pairing, goal: Goal, pct: int) -> None:
    """Every way of reporting progress comes here, so a goal reaching 100% is celebrated with the
    pair exactly once, whichever way it got there."""
    becomes_done = pct == 100 and goal.done_at is None
    goal.progress = pct
    if becomes_done:
        goal.done_at = ctx.now
    await ctx.uow.goals.save(goal)
    if becomes_done:
        await celebrations.celebrate_goal(ctx, pairing, goal)


async def show_goals(ctx: Ctx, actor: UserRef, pairing: Pairing) -> Reply:
    goals = await ctx.uow.goals.for_pairing(pairing.id)
    mine = [g for g in goals if g.owner == actor]
    theirs = [g for g in goals if g.owner != actor]
    other_name = await ctx.name_of(pairing.other(actor))

    def lines(items: list[Goal], numbered: bool) -> FieldValue:
        if not items:
            return _("none yet")
        return ItemList(
            tuple(
                _("{goal} — {progress}", goal=g.text, progress=_("done ✅") if g.done else f"{g.progress}%")
                for g in items
            ),
            numbered=numbered,
        )

    return Reply(
        OutgoingMessage(
            title=_("Our goals"),
            text=_("Each of you sets your own goals: learning goes both ways."),
            fields=(
                (_("My goals"), lines(mine, True)),
                (_("{name}'s goals", name=other_name), lines(theirs, False)),
            ),
            buttons=(GOAL_ADD_FORM.button(_("Add a goal"), pairing.id),),
        )
    )


async def add_goal(ctx: Ctx, actor: UserRef, pairing: Pairing, text: str) -> Reply:
    text = " ".join(text.split())
    if not text:
        example = _("use an AI assistant to draft my weekly update")
        raise InvalidInput(
            _(
                "Say what the goal is, e.g. {example}.",
                example=command_ref("goals add " + example),
            )
        )
    if len(text) > MAX_GOAL_LENGTH:
        raise InvalidInput(_("Keep a goal under {count} characters.", count=MAX_GOAL_LENGTH))
    mine = [g for g in await ctx.uow.goals.for_pairing(pairing.id) if g.owner == actor]
    if len(mine) >= MAX_GOALS:
        raise InvalidInput(
            _("You already have {count} goals. Mark some done before adding more.", count=MAX_GOALS)
        )
    if any(g.text.lower() == text.lower() for g in mine):
        return Reply.text(_("You already have that goal."))
    side = pairing.side_of(actor) or Side.LEADER
    await ctx.uow.goals.add(Goal(new_id(), pairing.id, actor, side, text, ctx.now))
    return Reply.text(
        _(
            "Goal {number} added: _{goal}_. Report progress with {progress}.",
            number=len(mine) + 1,
            goal=text,
            progress=command_ref(f"goals progress {len(mine) + 1} 50"),
        )
    )


async def goal_form(ctx: Ctx, actor: UserRef, pairing_id: str) -> Reply:
    pairing = await ctx.uow.pairings.get(pairing_id)
    if pairing is None or pairing.side_of(actor) is None or pairing.status is not PairingStatus.ACTIVE:
        raise NotAllowed(_("You can only set goals for your own active pairing."))
    form = Form(
        form_id=GOAL_FORM,
        title=_("Add a goal"),
        submit_label=_("Add"),
        context=pairing.id,
        inputs=(
            FormInput(
                "goal",
                _("What do you want to achieve this round?"),
                InputKind.MULTILINE,
                max_length=MAX_GOAL_LENGTH,
            ),
        ),
    )
    return Reply(OutgoingMessage(text=_("Add a goal"), form=form))


async def submit_goal_form(
    ctx: Ctx, actor: UserRef, pairing_id: str, fields: dict[str, str | list[str]]
) -> Reply:
    pairing = await ctx.uow.pairings.get(pairing_id)
    if pairing is None or pairing.side_of(actor) is None or pairing.status is not PairingStatus.ACTIVE:
        raise NotAllowed(_("You can only set goals for your own active pairing."))
    raw = fields.get("goal")
    text = raw if isinstance(raw, str) else ""
    try:
        return await add_goal(ctx, actor, pairing, text)
    except InvalidInput as error:
        raise FormInvalid({"goal": error.message}) from None


async def assessment_clicked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on an `ASSESS` button (`pairing id`, before|after, 1-5)."""
    phase, score = value.choice
    return await record_assessment(ctx, actor, value.id, phase, int(score))


async def record_assessment(ctx: Ctx, actor: UserRef, pairing_id: str, phase: str, score: int) -> Reply:
    pairing = await ctx.uow.pairings.get(pairing_id)
    side = pairing.side_of(actor) if pairing else None
    if pairing is None or side is None:
        raise NotAllowed(_("That self-assessment belongs to someone else, so I didn't record anything."))
    await ctx.uow.assessments.save(Assessment(new_id(), pairing.id, actor, side, phase, score, ctx.now))
    if phase == "after" and celebrations.round_finished_by(pairing):
        cycle = await ctx.uow.cycles.get(pairing.cycle_id)
        await celebrations.celebrate_round_once_both_answered(ctx, pairing, cycle.number if cycle else 0)
    return Reply.text(
        _("Thanks! Your before self-assessment is {score}/5.", score=score)
        if phase == "before"
        else _("Thanks! Your after self-assessment is {score}/5.", score=score),
        replace_original=True,
    )


async def assess_command(ctx: Ctx, actor: UserRef, command: ParsedCommand) -> Reply:
    await ctx.participant(actor)
    if len(command.args) < 2 or command.args[0].lower() not in ("before", "after"):
        raise InvalidInput(
            _(
                "Use {before} or {after} (1 = not at all, 5 = very).",
                before=command_ref("assess before 3"),
                after=command_ref("assess after 4"),
            )
        )
    pairings = await ctx.uow.pairings.for_user(actor)
    if not pairings:
        raise InvalidInput(_("Self-assessments belong to a pairing; you'll get one when you're matched."))
    score = parse_int(command.args[1], 1, 5)
    if score is None:
        raise InvalidInput(_("That self-assessment answer isn't valid; nothing was recorded."))
    return await record_assessment(ctx, actor, pairings[-1].id, command.args[0].lower(), score)
