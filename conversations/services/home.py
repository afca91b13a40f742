"""A person's home (the Slack Home tab): where they stand, and when paired, the pair's goals and ideas.

One read builds it all. Opening the tab is not something the person did, so it is answered from the
store without recording an inbound event, and it never opens a form.

Slack offers no typing to the app, so the home carries buttons for what fits the person's state
(`buttons.RUN_COMMAND`): Join and a short onboarding for someone who has not joined; their profile,
goals and check-in once they have.
"""

from __future__ import annotations

from dataclasses import replace

from conversations.buttons import RUN_COMMAND
from conversations.domain import PairingStatus, Participant, ParticipantStatus, UserRef
from conversations.errors import NotOptedIn
from conversations.i18n import _
from conversations.messages import Button, ButtonStyle, ItemList, OutgoingMessage
from conversations.services import goals, participants, prompts
from conversations.services.context import Ctx
from conversations.services.pairing import ground_rules_items


def onboarding(ground_rules: str) -> OutgoingMessage:
    """A first visit by someone who has not joined: what the program is, how it goes, and Join."""
    return OutgoingMessage(
        title=_("Welcome to reverse mentoring"),
        text=_(
            "Early-career mentors teach leaders AI and digital tools; leaders share strategy and experience back."
        ),
        fields=(
            (
                _("How it goes"),
                ItemList(
                    (
                        _(
                            "Join: tell me your role, the skills you offer and what you'd like to learn (two minutes)."
                        ),
                        _(
                            "At the next pairing round you're introduced to a partner, with times you could both meet."
                        ),
                        _("Meet for about 30 minutes every week or two; once a week I ask how it's going."),
                    ),
                    numbered=True,
                ),
            ),
            (_("Ground rules"), ground_rules_items(ground_rules)),
        ),
        buttons=(
            RUN_COMMAND.button(_("Join"), "join", style=ButtonStyle.PRIMARY),
            RUN_COMMAND.button(_("Help"), "help"),
        ),
    )


def actions_for(person: Participant, paired: bool) -> tuple[Button, ...]:
    """The buttons that fit where the person stands: no goals or check-in before they are paired."""
    found = [RUN_COMMAND.button(_("Edit my profile"), "profile")]
    if person.status is ParticipantStatus.PAUSED:
        found.insert(0, RUN_COMMAND.button(_("Resume"), "resume", style=ButtonStyle.PRIMARY))
    if paired:
        found += [RUN_COMMAND.button(_("My goals"), "goals"), RUN_COMMAND.button(_("Check in"), "checkin")]
    found.append(RUN_COMMAND.button(_("Help"), "help"))
    return tuple(found)


async def parts(ctx: Ctx, user: UserRef) -> list[OutgoingMessage]:
    """Someone who has not joined (or left) gets the onboarding with a Join button."""
    try:
        me = await ctx.participant(user)
    except NotOptedIn:
        return [onboarding((await ctx.config_for(user)).ground_rules)]
    found: list[OutgoingMessage] = []
    status = await participants.status(ctx, user)
    active = await ctx.uow.pairings.for_user(user, PairingStatus.ACTIVE)
    buttons = actions_for(me, bool(active))
    if status.message is not None:
        found.append(replace(status.message, buttons=(*status.message.buttons, *buttons)))
    else:
        found.append(OutgoingMessage(text=_("Your reverse-mentoring home."), buttons=buttons))
    if not active:
        return found
    pairing = active[-1]
    for reply in (
        await goals.show_goals(ctx, user, pairing),
        await prompts.prompts_command(ctx, user, pairing.id),
    ):
        if reply.message is not None and reply.message.form is None:
            found.append(reply.message)
    return found
