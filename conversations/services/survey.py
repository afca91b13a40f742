"""The round-end survey: four questions to each person of a pair that finished its round.

Would they recommend the program (0-10, the NPS question), what they learned, would they do it again,
and, if they like, a story. The numbers go into the round's report as totals; what they learned stays
out of every report; a story goes to their partner for approval like any story (`stories.offer`).
"""

from __future__ import annotations

from conversations.buttons import SURVEY_OPEN, ButtonValue
from conversations.domain import Pairing, SurveyAnswer, UserRef, new_id
from conversations.errors import FormInvalid, InvalidInput, NotAllowed
from conversations.i18n import _
from conversations.messages import ButtonStyle, Form, FormInput, InputKind, Option, OutgoingMessage, Reply
from conversations.services import stories
from conversations.services.celebrations import round_finished_by
from conversations.services.context import Ctx

SURVEY_FORM = "round_survey"
MAX_LEARNED = 1000
YES, NO = "yes", "no"


def survey_invitation(pairing: Pairing, round_number: int) -> OutgoingMessage:
    return OutgoingMessage(
        title=_("Round {number} is over: four quick questions", number=round_number),
        text=_(
            "Thank you for taking part! Would you recommend the program, what did you learn, would you do "
            "it again, and is there a story you'd like to share? It takes two minutes. The program admins "
            "see only totals, never what you write."
        ),
        buttons=(SURVEY_OPEN.button(_("Answer the survey"), pairing.id, style=ButtonStyle.PRIMARY),),
    )


async def ask(ctx: Ctx, pairing: Pairing, round_number: int) -> None:
    for member in pairing.members():
        await ctx.outbox.dm(
            f"survey:ask:{pairing.id}:{member.key}", member, survey_invitation(pairing, round_number)
        )


async def _surveyed_pairing(ctx: Ctx, actor: UserRef, pairing_id: str) -> Pairing:
    pairing = await ctx.uow.pairings.get(pairing_id)
    if pairing is None or pairing.side_of(actor) is None:
        raise NotAllowed(SURVEY_OPEN.invalid)
    if not round_finished_by(pairing):
        raise NotAllowed(_("The survey opens when your round is over."))
    return pairing


async def open_form(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `SURVEY_OPEN` button (`pairing id`)."""
    pairing = await _surveyed_pairing(ctx, actor, value.id)
    if await ctx.uow.round_end.answer_of(pairing.id, actor) is not None:
        return Reply.text(_("You've already answered this round's survey. Thank you!"))
    form = Form(
        form_id=SURVEY_FORM,
        title=_("Round-end survey"),
        submit_label=_("Send"),
        context=pairing.id,
        inputs=(
            FormInput(
                "recommend",
                _("How likely are you to recommend the program to a colleague?"),
                InputKind.SELECT,
                options=tuple(Option(str(n), _recommend_label(n)) for n in range(10, -1, -1)),
            ),
            FormInput(
                "learned",
                _("What did you learn?"),
                InputKind.MULTILINE,
                max_length=MAX_LEARNED,
                hint=_("For you and the program team; never shown in a report."),
            ),
            FormInput(
                "again",
                _("Would you do it again?"),
                InputKind.SELECT,
                options=(Option(YES, _("Yes")), Option(NO, _("No"))),
            ),
            FormInput(
                "story",
                _("A story to share (optional)"),
                InputKind.MULTILINE,
                optional=True,
                max_length=stories.MAX_STORY,
                hint=_("Shared only if your partner approves it."),
            ),
        ),
    )
    return Reply(OutgoingMessage(text=_("Round-end survey"), form=form))


def _recommend_label(score: int) -> str:
    if score == 10:
        return _("10: extremely likely")
    if score == 0:
        return _("0: not at all likely")
    return str(score)


def _text(fields: dict[str, str | list[str]], name: str) -> str:
    raw = fields.get(name)
    return " ".join(raw.split()) if isinstance(raw, str) else ""


async def submit(ctx: Ctx, actor: UserRef, pairing_id: str, fields: dict[str, str | list[str]]) -> Reply:
    pairing = await _surveyed_pairing(ctx, actor, pairing_id)
    if await ctx.uow.round_end.answer_of(pairing.id, actor) is not None:
        return Reply.text(_("You've already answered this round's survey. Thank you!"))
    errors: dict[str, str] = {}
    recommend = _text(fields, "recommend")
    if recommend not in {str(n) for n in range(11)}:
        errors["recommend"] = _("Choose a number from 0 to 10.")
    learned = _text(fields, "learned")
    if not learned:
        errors["learned"] = _("Say in a few words what you learned.")
    again = _text(fields, "again")
    if again not in (YES, NO):
        errors["again"] = _("Choose yes or no.")
    story_text = _text(fields, "story")
    if story_text:
        try:
            stories.check_story(story_text)
        except InvalidInput as error:
            errors["story"] = error.message
    if errors:
        raise FormInvalid(errors)
    story = await stories.offer(ctx, actor, pairing, story_text) if story_text else None
    side = pairing.side_of(actor)
    assert side is not None  # `_surveyed_pairing` admits the pair's two people only
    answer = SurveyAnswer(
        new_id(),
        pairing.cycle_id,
        pairing.id,
        actor,
        side,
        int(recommend),
        learned[:MAX_LEARNED],
        again == YES,
        ctx.now,
        story.id if story else None,
    )
    await ctx.uow.round_end.add_answer(answer)
    if story:
        return Reply.text(
            _(
                "Thank you! Your answers are saved, and I've asked your partner to approve your story; "
                "it's shared only if they agree."
            )
        )
    return Reply.text(_("Thank you! Your answers are saved."))
