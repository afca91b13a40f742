"""A program of N pairs written straight into a store, split between a Slack workspace and a Teams
tenant, so a single tick at `CHECKIN_TICK` makes one check-in due for every person.

The pairs are made on a Thursday (old enough for a check-in on Monday, too young for any nudge), and
everyone is in Europe/London, so Monday 10:00 local is 10:00 UTC in March.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from conversations.domain import (
    ConversationRef,
    Cycle,
    DevelopmentPath,
    Pairing,
    Participant,
    Role,
    Side,
    UserRef,
    new_id,
)
from conversations.ports import UnitOfWorkFactory

PAIRED_AT = datetime(2026, 2, 26, 8, tzinfo=UTC)
CHECKIN_TICK = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
SLACK_WORKSPACE = "T0FANOUT"
SLACK_TOKEN = f"xoxb-{SLACK_WORKSPACE}"
"""The fake Slack tells workspaces apart by their bot token."""
TEAMS_TENANT = "tenant-fanout"
CHUNK = 500
PATH = ("Try one AI assistant on a real task", "Show it to a colleague", "Note what changed")


@dataclass(frozen=True)
class SeededProgram:
    people: tuple[UserRef, ...]

    def recipient_keys(self) -> set[str]:
        """How the fake platforms name each person's DM conversation."""
        return {recipient_key(p) for p in self.people}

    def count_on(self, platform: str) -> int:
        return sum(1 for p in self.people if p.platform == platform)


def recipient_key(user: UserRef) -> str:
    if user.platform == "slack":
        return f"slack:{user.workspace_id}:{user.user_id}"
    return f"teams:{user.workspace_id}:{teams_conversation(user)}"


def teams_conversation(user: UserRef) -> str:
    return "a:" + user.user_id.removeprefix("29:")


def person(platform: str, side: str, number: int) -> UserRef:
    if platform == "slack":
        return UserRef("slack", SLACK_WORKSPACE, f"U{side}{number:06d}")
    return UserRef("teams", TEAMS_TENANT, f"29:{side.lower()}{number:06d}")


async def seed_program(
    uow_factory: UnitOfWorkFactory,
    pairs: int,
    *,
    platforms: tuple[str, ...] = ("slack", "teams"),
    teams_service_url: Callable[[str], str] | None = None,
    paired_at: datetime = PAIRED_AT,
) -> SeededProgram:
    """`pairs` pairs, the i-th on `platforms[i % len(platforms)]`; Teams people get a saved chat."""
    cycle = Cycle(new_id(), 1, paired_at, 12)
    async with uow_factory() as uow:
        await uow.cycles.add(cycle)
        await uow.commit()
    people: list[UserRef] = []
    for first in range(0, pairs, CHUNK):
        async with uow_factory() as uow:
            for number in range(first, min(pairs, first + CHUNK)):
                platform = platforms[number % len(platforms)]
                leader, mentor = person(platform, "L", number), person(platform, "M", number)
                for user, role, level in ((leader, Role.LEADER, 5), (mentor, Role.MENTOR, 1)):
                    await uow.participants.save(
                        Participant(
                            user,
                            f"Person {user.user_id}",
                            role,
                            "Finance",
                            level,
                            "Europe/London",
                            ("Generative AI",),
                            ("Company strategy",),
                            joined_at=paired_at,
                        )
                    )
                    if platform == "teams":
                        if teams_service_url is None:
                            raise ValueError("Teams people need the fake connector's service URL")
                        await uow.conversation_refs.save(
                            ConversationRef(user, teams_reference(user, teams_service_url))
                        )
                    people.append(user)
                pairing = Pairing(new_id(), cycle.id, leader, mentor, 1.0, ("seeded",), paired_at)
                await uow.pairings.add(pairing)
                # Mid-round: each person's development path was offered after the introduction.
                await uow.development_paths.add_many(
                    [
                        DevelopmentPath(pairing.id, leader, Side.LEADER, PATH, "library", paired_at),
                        DevelopmentPath(pairing.id, mentor, Side.MENTOR, PATH, "library", paired_at),
                    ]
                )
            await uow.commit()
    return SeededProgram(tuple(people))


def teams_reference(user: UserRef, service_url: Callable[[str], str]) -> dict[str, object]:
    return {
        "serviceUrl": service_url(user.workspace_id),
        "channelId": "msteams",
        "conversation": {
            "id": teams_conversation(user),
            "conversationType": "personal",
            "tenantId": user.workspace_id,
        },
        "bot": {"id": "28:mentorbot", "name": "Mentorbot"},
        "user": {"id": user.user_id},
        "tenantId": user.workspace_id,
    }
