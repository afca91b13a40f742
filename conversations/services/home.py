"""A person's home (the Slack Home tab): where they stand, and when paired, the pair's goals and ideas.

One read builds it all. Opening the tab is not something the person did, so it is answered from the
store without recording an inbound event, and it never opens a form.
"""

from __future__ import annotations

from conversations.domain import PairingStatus, UserRef
from conversations.messages import OutgoingMessage
from conversations.services import goals, participants, prompts
from conversations.services.context import Ctx


async def parts(ctx: Ctx, user: UserRef) -> list[OutgoingMessage]:
    """Raises MentorbotError for someone who has not joined (the caller shows its message)."""
    found: list[OutgoingMessage] = []
    status = await participants.status(ctx, user)
    if status.message is not None:
        found.append(status.message)
    active = await ctx.uow.pairings.for_user(user, PairingStatus.ACTIVE)
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
