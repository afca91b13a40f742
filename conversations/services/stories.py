"""Success stories: posted to a channel only after both people have agreed."""

from __future__ import annotations

from conversations.buttons import STORY_DECIDE, ButtonValue
from conversations.domain import Destination, Pairing, PairingStatus, Story, StoryStatus, UserRef, new_id
from conversations.errors import InvalidInput, NotAllowed
from conversations.i18n import _, speaking
from conversations.messages import ButtonStyle, OutgoingMessage, Reply, command, mention
from conversations.services.context import Ctx

MAX_STORY = 1200


async def propose(ctx: Ctx, actor: UserRef, text: str) -> Reply:
    await ctx.participant(actor)
    pairings = await ctx.uow.pairings.for_user(actor)
    if not pairings:
        check_story(text)
        raise InvalidInput(_("Stories come from a pairing; you'll be able to share one once you're matched."))
    pairing = next((p for p in reversed(pairings) if p.status is PairingStatus.ACTIVE), pairings[-1])
    await offer(ctx, actor, pairing, text)
    return Reply.text(
        _("Thanks! I've asked your partner to approve the story; it's posted only if they agree.")
    )


def check_story(text: str) -> str:
    """The story as it will be shown (spaces tidied); InvalidInput when it is too short or too long."""
    text = " ".join(text.split())
    if len(text) < 20:
        example = _("Maria showed me how to ...")
        raise InvalidInput(
            _(
                "Tell the story in a sentence or two (at least 20 characters), e.g. {example}.",
                example=command("story " + example),
            )
        )
    if len(text) > MAX_STORY:
        raise InvalidInput(_("Keep the story under {count} characters.", count=MAX_STORY))
    return text


async def offer(ctx: Ctx, actor: UserRef, pairing: Pairing, text: str) -> Story:
    """A story from `pairing`, put to the partner for approval: nothing is posted until they agree."""
    text = check_story(text)
    story = Story(new_id(), pairing.id, actor, text, ctx.now)
    await ctx.uow.stories.add(story)
    other = pairing.other(actor)
    with speaking(await ctx.language_of(other)):
        await ctx.outbox.dm(
            f"story:ask:{story.id}",
            other,
            OutgoingMessage(
                title=_("May we share your story?"),
                text=_(
                    "{person} would like to share this success story from your pairing. "
                    "It is only posted if you approve.",
                    person=mention(actor.user_id),
                ),
                quote=text,
                buttons=(
                    STORY_DECIDE.button(_("Approve"), story.id, "approve", style=ButtonStyle.PRIMARY),
                    STORY_DECIDE.button(_("Not this one"), story.id, "decline"),
                ),
                mentions=(actor.user_id,),
            ),
        )
    return story


async def decide(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `STORY_DECIDE` button (`story id`, approve|decline)."""
    (verdict,) = value.choice
    story = await ctx.uow.stories.get(value.id)
    pairing = await ctx.uow.pairings.get(story.pairing_id) if story else None
    if story is None or pairing is None:
        raise NotAllowed(_("That story isn't available any more."))
    if pairing.side_of(actor) is None or actor == story.proposer:
        raise NotAllowed(_("Only the other person in the pairing can approve this story."))
    if story.status is not StoryStatus.PROPOSED:
        return Reply.text(
            _("This story was already approved.")
            if story.status is StoryStatus.APPROVED
            else _("This story was already declined."),
            replace_original=True,
        )
    story.decided_at = ctx.now
    if verdict == "decline":
        story.status = StoryStatus.DECLINED
        await ctx.uow.stories.save(story)
        with speaking(await ctx.language_of(story.proposer)):
            await ctx.outbox.dm(
                f"story:declined:{story.id}",
                story.proposer,
                OutgoingMessage(
                    text=_("Your partner preferred not to share that story. Nothing was posted.")
                ),
            )
        return Reply.text(_("Understood: the story will not be posted."), replace_original=True)
    story.status = StoryStatus.APPROVED
    await ctx.uow.stories.save(story)
    with speaking(None):  # a channel, or admins: in the program's default language
        post = OutgoingMessage(
            title=_("A reverse-mentoring success story"),
            text=_(
                "From {leader} and {mentor}:",
                leader=mention(pairing.leader.user_id),
                mentor=mention(pairing.mentor.user_id),
            ),
            quote=story.text,
            mentions=(pairing.leader.user_id, pairing.mentor.user_id),
        )
    channel = await ctx.story_channel(actor)
    if channel:
        await ctx.outbox.send(
            f"story:post:{story.id}",
            Destination.channel(actor.platform, actor.workspace_id, channel.strip()),
            post,
        )
    else:
        for admin in ctx.admins_of(actor):
            await ctx.outbox.dm(f"story:post:{story.id}:{admin.key}", admin, post)
    with speaking(await ctx.language_of(story.proposer)):
        await ctx.outbox.dm(
            f"story:approved:{story.id}",
            story.proposer,
            OutgoingMessage(text=_("Your partner approved your story. It's being shared. Thank you!")),
        )
    return Reply.text(_("Thank you! The story is approved and will be shared."), replace_original=True)
