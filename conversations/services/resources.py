"""Learning resources in the weekly check-in: the "Worth a look" list, and the 👍/👎 that steer the
person's later picks."""

from __future__ import annotations

from collections.abc import Sequence

from conversations.buttons import RESOURCE_VOTE, ButtonValue
from conversations.domain import UserRef
from conversations.errors import InvalidInput, NotAllowed
from conversations.growth.resource_catalogue import Resource
from conversations.i18n import N_, _
from conversations.messages import Button, FieldValue, ItemList, Link, Reply
from conversations.services.context import Ctx

WORTH_A_LOOK = N_("Worth a look")


def resource_detail(resource: Resource) -> str:
    """How long it takes and what it is; a course of many hours in hours, not hundreds of minutes."""
    if resource.minutes >= 120:
        return _(
            "about {hours} h, {format}", hours=round(resource.minutes / 60), format=resource.format.label
        )
    return _("{minutes} min, {format}", minutes=resource.minutes, format=resource.format.label)


def resource_fields(picks: Sequence[Resource]) -> tuple[tuple[str, FieldValue], ...]:
    """The week's resources, each title a link to its catalogue address, with its length and format."""
    if not picks:
        return ()
    return (
        (
            _(WORTH_A_LOOK),
            ItemList(
                tuple(resource_detail(r) for r in picks),
                numbered=True,
                links=tuple(Link(r.title, r.url) for r in picks),
            ),
        ),
    )


def vote_buttons(pairing_id: str, week: str, picks: Sequence[Resource]) -> tuple[Button, ...]:
    """👍 and 👎 for each resource, numbered as the list is."""
    return tuple(
        RESOURCE_VOTE.button(f"{thumb} {n}", pairing_id, week, resource.id, choice)
        for n, resource in enumerate(picks, start=1)
        for thumb, choice in (("👍", "up"), ("👎", "down"))
    )


async def shown_in_week(ctx: Ctx, pairing_id: str, user: UserRef, week: str) -> tuple[Resource, ...]:
    """The resources a person was shown in a week, still in the catalogue, in the order shown."""
    if ctx.resources is None:
        return ()
    picks = await ctx.uow.resource_picks.of_week(pairing_id, user, week)
    found = (ctx.resources.catalogue.get(p.resource_id) for p in picks)
    return tuple(r for r in found if r is not None)


async def vote(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    """A click on a `RESOURCE_VOTE` button (`pairing id`, week, resource id, up|down).

    Only a resource shown to the person clicking, in that week of their own pairing, takes a vote."""
    week, resource_id, thumb = value.choice
    pairing = await ctx.uow.pairings.get(value.id)
    if pairing is None or pairing.side_of(actor) is None:
        raise NotAllowed(RESOURCE_VOTE.invalid_text())
    up = thumb == "up"
    if not await ctx.uow.resource_picks.vote(pairing.id, actor, week, resource_id, 1 if up else -1, ctx.now):
        raise InvalidInput(RESOURCE_VOTE.invalid_text())
    return Reply.text(
        _("Thanks! Later picks will lean towards resources like that one.")
        if up
        else _("Noted: I won't suggest that one again, and fewer like it.")
    )
