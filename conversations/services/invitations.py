"""Inviting the people of the org chart who have not joined: one DM each, with Join / Not now / Never.

An invitation never enrols anyone: Join opens the very form `join` opens, and only submitting it makes
a member. `never` is final; `not now` rests for `ASK_AGAIN_AFTER` before another `invite` may ask again;
an invitation nobody answered is never repeated. Each DM goes through the outbox with its own key, so
running `invite` twice, or on two replicas, sends nothing new, and the platform's limits are the
sender's to keep.

The org chart knows people by email only, so the DM is addressed to the email
(`conversations.domain.email_recipient`): the chat adapter finds the account when it sends, outside any
transaction, and an email nobody has there fails that one delivery, counted in `stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from conversations.buttons import INVITATION, ButtonValue
from conversations.domain import (
    DeliveryPriority,
    Destination,
    Invitation,
    InvitationStatus,
    ParticipantStatus,
    Profile,
    UserRef,
    email_recipient,
    new_id,
)
from conversations.errors import InvalidInput, NotAllowed
from conversations.i18n import N_, _
from conversations.messages import ButtonStyle, OutgoingMessage, Reply, command, mention
from conversations.parsing import ParsedCommand
from conversations.ports import Person
from conversations.services.context import Ctx
from conversations.services.participants import open_profile_form

ASK_AGAIN_AFTER = timedelta(days=30)
"""How long a `not now` rests before another `invite` may ask the person again."""


def gone() -> str:
    return _(
        "That invitation isn't available any more; use {join} whenever you want to join the program.",
        join=command("join"),
    )


NOT_YOURS = N_("That invitation was sent to someone else; nothing changed.")


def here_only_in_a_channel() -> str:
    return _(
        "{invite_here} invites the members of the channel it is typed in: use it in a channel "
        "Mentorbot is in, or {invite} for everyone in the org chart.",
        invite_here=command("invite here"),
        invite=command("invite"),
    )


MEMBERS_UNKNOWN = N_(
    "I couldn't get this channel's members (the platform did not answer, Mentorbot is not in the "
    "channel, or the channel is private). Nobody was invited; try again in a public channel I am in."
)
DECLINED = frozenset({InvitationStatus.NOT_NOW, InvitationStatus.NEVER})


@dataclass(frozen=True)
class InviteReport:
    invited: int = 0
    joined: int = 0
    """Already members (or once were): their account is linked to their email, or they joined after an
    invitation."""
    never: int = 0
    recent: int = 0
    """Invited and not answered yet, or answered `not now` within `ASK_AGAIN_AFTER`."""
    no_email: int = 0
    """Channel members the platform gave no email for: an invitation is remembered by email, so they
    are left out rather than asked again on every `invite here`."""

    def summary(self) -> str:
        counts = {"invited": self.invited, "joined": self.joined, "never": self.never, "recent": self.recent}
        if self.invited == 1:
            text = _(
                "Invited {invited} person; {joined} already joined, {never} said never, "
                "{recent} were invited recently.",
                **counts,
            )
        else:
            text = _(
                "Invited {invited} people; {joined} already joined, {never} said never, "
                "{recent} were invited recently.",
                **counts,
            )
        if self.no_email:
            text = _(
                "{summary} {count} without an email address I can see were left out.",
                summary=text,
                count=self.no_email,
            )
        return text


def idempotency_key(invitation: Invitation) -> str:
    return f"invite:{invitation.platform}:{invitation.workspace_id}:{invitation.email}:{invitation.sent}"


def invitation_message(invitation_id: str, name: str, admin: UserRef, weeks: int) -> OutgoingMessage:
    """Who asks and why, what it takes, and the three answers; nothing happens without one."""
    first = name.split()[0] if name.split() else _("there")
    return OutgoingMessage(
        title=_("An invitation to reverse mentoring"),
        text=_(
            "Hi {name}! {admin} runs our reverse-mentoring program and would like you "
            "to take part. Early-career colleagues show leaders the AI and digital tools they use every "
            "day; leaders share how strategy and decisions are made. Each side learns what it rarely "
            "sees from where it sits.\n"
            "It asks for about an hour every week or two with one partner, for a round of {weeks} weeks. "
            "Join opens a short form; you are only in once you send it. Not now asks again in a month "
            "at the earliest; Never means no more invitations.",
            name=first,
            admin=mention(admin.user_id),
            weeks=weeks,
        ),
        buttons=(
            INVITATION.button(_("Join"), invitation_id, "join", style=ButtonStyle.PRIMARY),
            INVITATION.button(_("Not now"), invitation_id, "not_now"),
            INVITATION.button(_("Never"), invitation_id, "never"),
        ),
        mentions=(admin.user_id,),
    )


def asks_for_channel(command: ParsedCommand) -> bool:
    """`invite here`: the members of the channel the command was typed in, not the org chart."""
    return command.name == "invite" and command.args[:1] == ("here",)


@dataclass(frozen=True)
class _Invitee:
    email: str
    name: str
    account: UserRef | None = None
    """The chat account, where known (a channel's member): the DM goes straight to it."""


async def invite(ctx: Ctx, admin: UserRef, channel: Sequence[Person] | None = None) -> InviteReport:
    """Invite, in the admin's own workspace or tenant, everyone in the org chart (or, with `channel`,
    everyone of that channel) who has not joined, has not said never, and was not asked recently."""
    uow = ctx.uow
    platform, workspace_id = admin.platform, admin.workspace_id
    no_email = 0
    if channel is None:
        invitees = [_Invitee(p.email, p.name) for p in await uow.org_chart.list()]
    else:
        here_people = [p for p in channel if p.user.workspace_id == workspace_id and p.user != admin]
        invitees = [_Invitee(p.email.strip().lower(), p.name, p.user) for p in here_people if p.email]
        no_email = len(here_people) - len(invitees)
    here = {
        user: email
        for user, email in (await uow.org_chart.links()).items()
        if user.platform == platform and user.workspace_id == workspace_id
    }
    accounts = {i.account: i.email for i in invitees if i.account is not None}
    members = await uow.participants.get_many(list({**here, **accounts}))
    joined_emails = {here.get(user) or accounts[user] for user in members}
    invitations = await uow.invitations.in_workspace(platform, workspace_id)
    sending: list[tuple[Invitation, _Invitee]] = []
    joined = never = recent = 0
    for person in dict((i.email, i) for i in invitees).values():
        earlier = invitations.get(person.email)
        status = earlier.status if earlier else None
        if person.email in joined_emails or status is InvitationStatus.JOINED:
            joined += 1
        elif status is InvitationStatus.NEVER:
            never += 1
        elif earlier is not None and (
            status is InvitationStatus.INVITED
            or earlier.answered_at is None
            or ctx.now - earlier.answered_at < ASK_AGAIN_AFTER
        ):
            recent += 1
        else:
            sending.append((_invitation(ctx, person.email, platform, workspace_id, earlier), person))
    if sending:
        weeks = (await ctx.config_for((platform, workspace_id))).cycle_weeks
        await uow.invitations.save_many([invitation for invitation, _message in sending])
        await uow.deliveries.enqueue_many(
            [
                ctx.outbox.row(
                    idempotency_key(invitation),
                    Destination.dm(
                        invitee.account or email_recipient(platform, workspace_id, invitation.email)
                    ),
                    invitation_message(invitation.id, invitee.name, admin, weeks),
                    priority=DeliveryPriority.NORMAL,
                )
                for invitation, invitee in sending
            ]
        )
    return InviteReport(len(sending), joined, never, recent, no_email)


def _invitation(
    ctx: Ctx, email: str, platform: str, workspace_id: str, earlier: Invitation | None
) -> Invitation:
    if earlier is None:
        return Invitation(new_id(), email, platform, workspace_id, InvitationStatus.INVITED, ctx.now)
    return Invitation(
        earlier.id,
        email,
        platform,
        workspace_id,
        InvitationStatus.INVITED,
        ctx.now,
        answered_at=None,
        user_key=earlier.user_key,
        sent=earlier.sent + 1,
    )


async def answered(ctx: Ctx, actor: UserRef, value: ButtonValue, profile: Profile | None) -> Reply:
    """A click on an invitation's button.

    Only the person invited can answer: the invitation's id is random and travels only in their DM, it
    must be of the clicker's own workspace, the platform's email (when it gives one) must be the one
    invited, and once someone has answered nobody else can.
    """
    invitation = await ctx.uow.invitations.get(value.id)
    if invitation is None or (invitation.platform, invitation.workspace_id) != (
        actor.platform,
        actor.workspace_id,
    ):
        raise InvalidInput(gone())
    email = (profile.email or "").strip().lower() if profile else ""
    if (email and email != invitation.email) or invitation.user_key not in (None, actor.key):
        raise NotAllowed(_(NOT_YOURS))
    (choice,) = value.choice
    if choice == "join":
        if invitation.user_key is None:
            invitation.user_key = actor.key
            await ctx.uow.invitations.save_many([invitation])
        member = await ctx.uow.participants.get(actor)
        if member is not None and member.status is not ParticipantStatus.LEFT:
            # joined before the chart could tell it was them: the invitation is answered all the same
            await ctx.uow.invitations.mark_joined(actor, ctx.now)
        return await open_profile_form(ctx, actor, profile, editing=False)
    if invitation.status is InvitationStatus.JOINED:
        return Reply.text(
            _("You're already in the program; {status} shows where you stand.", status=command("status"))
        )
    invitation.status = InvitationStatus.NEVER if choice == "never" else InvitationStatus.NOT_NOW
    invitation.answered_at = ctx.now
    invitation.user_key = actor.key
    await ctx.uow.invitations.save_many([invitation])
    if invitation.status is InvitationStatus.NEVER:
        text = _(
            "Thanks for letting us know. You won't be invited again; use {join} if you ever change your mind.",
            join=command("join"),
        )
    else:
        text = _(
            "Thanks for letting us know. We may ask again in a while; use {join} whenever you're ready.",
            join=command("join"),
        )
    return Reply.text(text, replace_original=True)
