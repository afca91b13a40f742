"""The engine's ChatPort for Teams: proactive messages through saved conversation references.

Teams only lets a bot write to someone it has a conversation with. References are saved (through the
engine's `ConversationDirectory`, the only program data this port can reach) whenever someone installs
the bot or writes to it; for anyone else in a tenant the bot already knows, a 1:1 chat is created. Who can be reached neither way gets a
permanent DeliveryError, which the engine reports to the admins.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.remembered import Remembered
from adapters.teams.render import mentioned_ids, render_activity
from adapters.teams.resilience import ConnectorCalls, delivery_error
from adapters.teams.translate import PLATFORM, TENANT_REF_USER_ID, stored_timezone
from conversations.conversation_directory import ConversationDirectory
from conversations.domain import ConversationRef, Profile, UserRef, recipient_email
from conversations.errors import DeliveryError
from conversations.messages import InputKind, OutgoingMessage
from conversations.people import best_by_name
from conversations.ports import Absence, NotMember, Person

logger = logging.getLogger(__name__)

REMEMBERED_TENANTS = 1_000
"""Rosters kept at once: one per tenant the app serves."""

T = TypeVar("T")
TEAMS_CHANNEL_ID = "msteams"
ROSTER = "roster"
"""In a tenant's saved reference: a team channel the bot is in, whose members are the people it can
find by email (Teams has no lookup by email for bots; a team's roster carries each member's email)."""
ROSTER_PAGE = 500
NO_TEAM_RETRY_SECONDS = 1800.0
"""Nobody can be found by email until the app is in a team of the tenant: an admin can fix that."""


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None


class TeamsChatPort:
    platform = PLATFORM

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str | None,
        directory: ConversationDirectory,
        calls: ConnectorCalls | None = None,
        roster_ttl_seconds: float = 300.0,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id or ""
        self._directory = directory
        self.calls = calls or ConnectorCalls()
        self._roster_locks: dict[str, asyncio.Lock] = {}
        self._people: Remembered[tuple[str, str], list[RosterMember]] = Remembered(
            REMEMBERED_TENANTS, ttl=roster_ttl_seconds
        )

    @property
    def supports_group_dm(self) -> bool:
        """Teams bots cannot create group chats proactively; the engine sends one DM to each person."""
        return False

    # --- ChatPort ---------------------------------------------------------------------------------

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        email = recipient_email(user)
        if email is not None:
            user = UserRef(
                user.platform, user.workspace_id, await self._user_by_email(user.workspace_id, email)
            )
        activity = render_activity(message, await self._names(message, user.workspace_id))
        return await self.send_activity_dm(user, activity)

    async def send_activity_dm(self, user: UserRef, activity: Activity) -> str:
        """An activity already built (a file consent card) to the person's 1:1 chat with the bot."""
        saved = await self._load(user)
        reference = _reference(saved.data) if saved else None
        if reference is None:
            reference = await self._open_personal_chat(user)
        return await self._send(reference, user.workspace_id, activity, f"DM to {user.user_id}")

    async def open_group_dm(self, users: Sequence[UserRef]) -> str:
        raise DeliveryError(
            "Teams bots cannot start group chats; send one message to each person", permanent=True
        )

    async def post_to_channel(self, workspace_id: str, channel_id: str, message: OutgoingMessage) -> str:
        activity = render_activity(message, await self._names(message, workspace_id))
        reference = await self._conversation_reference(workspace_id, channel_id, saved_under=channel_id)
        return await self._send(reference, workspace_id, activity, f"post to channel {channel_id}")

    async def get_profile(self, user: UserRef) -> Profile:
        """The name from the roster, and the time zone Teams sent with the person's last activity."""
        saved = await self._load(user)
        stored = saved.data.get("user") if saved else None
        stored_name = stored.get("name") if isinstance(stored, dict) else None
        timezone = stored_timezone(saved.data) if saved else None
        stored_locale = saved.data.get("locale") if saved else None
        locale = stored_locale if isinstance(stored_locale, str) else None
        reference = _reference(saved.data) if saved else None
        if reference is None:
            return Profile(display_name=stored_name or "Teams user", timezone=timezone, locale=locale)

        async def fetch(context: TurnContext) -> Any:
            connector = context.turn_state.get(self._adapter.BOT_CONNECTOR_CLIENT_KEY)
            return await connector.conversations.get_conversation_member(
                reference.conversation.id, user.user_id
            )

        try:
            member = await self._in_conversation(
                reference, user.workspace_id, fetch, f"profile of {user.user_id}"
            )
        except DeliveryError as error:
            logger.info("Using the stored name for %s: %s", user.user_id, error)
            return Profile(display_name=stored_name or "Teams user", timezone=timezone, locale=locale)
        extra = getattr(member, "additional_properties", None) or {}
        email = extra.get("email") or extra.get("userPrincipalName")
        return Profile(
            display_name=getattr(member, "name", None) or stored_name or "Teams user",
            timezone=timezone,
            email=email if isinstance(email, str) else None,
            locale=locale,
        )

    # --- inbound turns ------------------------------------------------------------------------------

    async def render(
        self, message: OutgoingMessage, workspace_id: str, form_errors: Mapping[str, str] | None = None
    ) -> Activity:
        return render_activity(message, await self._names(message, workspace_id), form_errors)

    async def reply(self, context: TurnContext, activity: Activity, tenant_id: str) -> str | None:
        """Answers within an inbound turn, paced and retried like every other call."""
        conversation_id = _pacing_key(context.activity.conversation.id)
        response = await self.calls.run(tenant_id, conversation_id, lambda: context.send_activity(activity))
        return response.id if response else None

    async def replace(
        self, context: TurnContext, activity: Activity, message_id: str, tenant_id: str
    ) -> None:
        activity.id = message_id
        conversation_id = _pacing_key(context.activity.conversation.id)
        await self.calls.run(tenant_id, conversation_id, lambda: context.update_activity(activity))

    async def remember(self, refs: Sequence[ConversationRef]) -> None:
        """Saves the references an inbound activity proved, writing only those that changed. A tenant's
        reference keeps the last team channel seen there, whose roster finds people by email."""
        await self._directory.remember(await self._with_roster(refs))

    async def _with_roster(self, refs: Sequence[ConversationRef]) -> list[ConversationRef]:
        channels = {ref.user.workspace_id: ref.user.user_id for ref in refs if _is_channel(ref)}
        kept: list[ConversationRef] = []
        for ref in refs:
            if ref.user.user_id == TENANT_REF_USER_ID and ROSTER not in ref.data:
                roster: object = channels.get(ref.user.workspace_id)
                if roster is None:
                    saved = await self._load(ref.user)
                    roster = saved.data.get(ROSTER) if saved else None
                if isinstance(roster, str) and roster:
                    ref = ConversationRef(ref.user, {**ref.data, ROSTER: roster})
            kept.append(ref)
        return kept

    async def _user_by_email(self, tenant_id: str, email: str) -> str:
        """The Teams id of the tenant member with this email or sign-in name, from the roster of a team
        the bot is in; nobody with it fails this message."""
        found = await self.by_email(tenant_id, email)
        if found is None:
            raise DeliveryError(
                f"teams: nobody in the Teams team Mentorbot is in (tenant {tenant_id}) has the email {email}",
                permanent=True,
            )
        return found.user.user_id

    # --- the tenant's people (conversations.ports.PeopleDirectory) -----------------------------------

    async def member(self, user: UserRef) -> Person | NotMember:
        """The roster member a picker's value names: a Teams id, or the Azure AD object id the people
        picker gives. Anyone outside the team Mentorbot is in is nobody the program can reach."""
        wanted = user.user_id.lower()
        for member in await self._roster_people(user.workspace_id):
            if wanted in (member.id.lower(), (member.aad_object_id or "").lower()):
                return member.person(user.workspace_id)
        return NotMember(Absence.UNKNOWN)

    async def by_email(self, workspace_id: str, email: str) -> Person | None:
        wanted = email.strip().lower()
        for member in await self._roster_people(workspace_id):
            if wanted in member.addresses:
                return member.person(workspace_id)
        return None

    async def search(self, workspace_id: str, name: str) -> list[Person]:
        """Roster members whose name or sign-in name holds every word typed, exact names first."""
        if not name.strip().lstrip("@"):
            return []
        members = await self._roster_people(workspace_id)
        return best_by_name(
            name, (((m.name.casefold(), *m.addresses), m.person(workspace_id)) for m in members)
        )

    async def render_in(
        self,
        channel_id: str | None,
        message: OutgoingMessage,
        workspace_id: str,
        form_errors: Mapping[str, str] | None = None,
    ) -> Activity:
        """`render`, for a card shown on `channel_id`: outside the Teams client the people picker cannot
        ask Microsoft Graph, so people inputs offer the team's roster instead."""
        picker_works = channel_id == TEAMS_CHANNEL_ID
        if picker_works or message.form is None or not _has_people_input(message):
            return await self.render(message, workspace_id, form_errors)
        try:
            members = await self._roster_people(workspace_id)
        except DeliveryError as error:
            logger.info("no roster to offer in %s: %s", workspace_id, error)
            members = []
        roster = [(m.id, m.name) for m in members[:MAX_ROSTER_CHOICES]]
        return render_activity(message, await self._names(message, workspace_id), form_errors, roster)

    async def channel_members(self, workspace_id: str, channel_id: str) -> list[Person]:
        """The members of the team whose channel this is (a Teams channel has its team's members)."""
        members = await self._members_of(workspace_id, channel_id)
        return [member.person(workspace_id) for member in members]

    async def _roster_people(self, tenant_id: str) -> list[RosterMember]:
        """Everyone in the team Mentorbot keeps as the tenant's roster, with their names and addresses."""
        tenant = await self._tenant(tenant_id)
        channel = tenant.get(ROSTER) if tenant else None
        if not isinstance(channel, str) or not channel:
            raise DeliveryError(
                f"teams: Mentorbot is in no team of tenant {tenant_id}, so it cannot find people by "
                "email or name; add the app to a team whose members are the people in the program",
                retry_after=NO_TEAM_RETRY_SECONDS,
            )
        return await self._members_of(tenant_id, channel)

    async def _members_of(self, tenant_id: str, channel: str) -> list[RosterMember]:
        """A team channel's members, paged (read at most every few minutes per channel)."""
        key = (tenant_id, channel)
        cached = self._people.get(key)
        if cached is not None:
            return cached
        async with self._roster_locks.setdefault(f"{tenant_id}/{channel}", asyncio.Lock()):
            cached = self._people.get(key)
            if cached is not None:
                return cached
            reference = await self._conversation_reference(tenant_id, channel)

            async def fetch(context: TurnContext) -> list[RosterMember]:
                connector = context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
                members: list[RosterMember] = []
                token: str | None = None
                while True:
                    page = await connector.conversations.get_conversation_paged_members(
                        channel, page_size=ROSTER_PAGE, continuation_token=token
                    )
                    members += [m for m in map(RosterMember.of, page.members or []) if m is not None]
                    token = page.continuation_token
                    if not token:
                        return members

            people = await self._in_conversation(reference, tenant_id, fetch, f"members of {channel}")
            return self._people.put(key, people)

    async def forget(self, user: UserRef) -> None:
        """Drops a person's saved chat after they uninstall; a later message tries a new 1:1 chat."""
        await self._directory.forget(user)

    # --- plumbing -------------------------------------------------------------------------------------

    async def _load(self, user: UserRef) -> ConversationRef | None:
        return await self._directory.reference(user)

    async def _names(self, message: OutgoingMessage, workspace_id: str) -> dict[str, str]:
        """Display names for the people a message mentions: their profile, else what Teams told us."""
        people = [
            UserRef(PLATFORM, workspace_id, user_id) for user_id in dict.fromkeys(mentioned_ids(message))
        ]
        names = await self._directory.display_names(people)
        return {person.user_id: name for person, name in names.items()}

    async def _tenant(self, workspace_id: str) -> dict[str, Any] | None:
        saved = await self._load(UserRef(PLATFORM, workspace_id, TENANT_REF_USER_ID))
        return saved.data if saved else None

    async def _conversation_reference(
        self, workspace_id: str, conversation_id: str, saved_under: str | None = None
    ) -> ConversationReference:
        if saved_under:
            saved = await self._load(UserRef(PLATFORM, workspace_id, saved_under))
            reference = _reference(saved.data) if saved else None
            if reference is not None:
                return reference
        tenant = await self._tenant(workspace_id)
        if tenant is None or not tenant.get("serviceUrl"):
            raise DeliveryError(
                f"Mentorbot is not installed in any team or chat of Teams tenant {workspace_id}, so it cannot "
                f"reach conversation {conversation_id}; install the app there first",
                permanent=True,
            )
        return ConversationReference(
            channel_id=tenant.get("channelId") or TEAMS_CHANNEL_ID,
            service_url=tenant["serviceUrl"],
            bot=ChannelAccount().deserialize(tenant.get("bot") or {}),
            conversation=ConversationAccount(id=conversation_id, tenant_id=workspace_id),
        )

    async def _open_personal_chat(self, user: UserRef) -> ConversationReference:
        """Starts a 1:1 chat with someone in a tenant the bot already knows, and remembers it."""
        tenant = await self._tenant(user.workspace_id)
        if tenant is None or not tenant.get("serviceUrl"):
            raise DeliveryError(
                f"Teams user {user.user_id} has not installed Mentorbot or written to it, and the bot is not "
                "installed anywhere in their organisation, so it cannot message them; ask them to install "
                "the Mentorbot app in Teams",
                permanent=True,
            )
        bot = ChannelAccount().deserialize(tenant.get("bot") or {})
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=user.user_id)],
            tenant_id=user.workspace_id,
            # tenant_id serialises as `tenantID`, which Teams ignores: it reads channelData.tenant.id.
            channel_data={"tenant": {"id": user.workspace_id}},
        )
        created: list[ConversationReference] = []

        async def capture(context: TurnContext) -> None:
            created.append(TurnContext.get_conversation_reference(context.activity))

        async def create() -> None:
            await self._adapter.create_conversation(
                self._app_id,
                capture,
                parameters,
                tenant.get("channelId") or TEAMS_CHANNEL_ID,
                tenant["serviceUrl"],
            )

        try:
            await self.calls.run(user.workspace_id, f"create:{user.workspace_id}", create)
        except Exception as error:  # noqa: BLE001 - every failure becomes the engine's DeliveryError
            failure = delivery_error(error, f"starting a chat with {user.user_id}")
            if failure.permanent:
                failure = DeliveryError(
                    f"{failure}; Teams user {user.user_id} may need to install the Mentorbot app",
                    permanent=True,
                )
            raise failure from error
        if not created or not created[0].conversation or not created[0].conversation.id:
            raise DeliveryError(f"Teams created no conversation with {user.user_id}")
        reference = created[0]
        reference.user = ChannelAccount(id=user.user_id)
        reference.activity_id = None
        await self.remember([ConversationRef(user, _reference_data(reference, user.workspace_id))])
        return reference

    async def _send(
        self, reference: ConversationReference, tenant_id: str, activity: Activity, what: str
    ) -> str:
        async def send(context: TurnContext) -> str:
            # A new message, not a reply: TurnContext.send_activity would make it a reply to the
            # made-up id of the continuation event, which in a channel is not a new post.
            outgoing = TurnContext.apply_conversation_reference(copy.copy(activity), reference)
            connector = context.turn_state[self._adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await connector.conversations.send_to_conversation(reference.conversation.id, outgoing)
            return response.id if response and response.id else ""

        return await self._in_conversation(reference, tenant_id, send, what)

    async def _in_conversation(
        self,
        reference: ConversationReference,
        tenant_id: str,
        action: Callable[[TurnContext], Awaitable[T]],
        what: str,
    ) -> T:
        """Runs `action` in a proactive turn; errors are caught inside the turn so that no adapter-wide
        error handler can swallow them, then mapped to DeliveryError."""
        outcome = _Outcome()
        conversation_id = reference.conversation.id if reference.conversation else ""

        async def logic(context: TurnContext) -> None:
            try:
                outcome.value = await self.calls.run(tenant_id, conversation_id, lambda: action(context))
            except Exception as error:  # noqa: BLE001 - handed back to the caller below
                outcome.error = error

        try:
            await self._adapter.continue_conversation(reference, logic, bot_app_id=self._app_id)
        except Exception as error:  # noqa: BLE001 - connector or credential setup failed
            raise delivery_error(error, what) from error
        if outcome.error is not None:
            raise delivery_error(outcome.error, what) from outcome.error
        return outcome.value  # type: ignore[no-any-return]


MAX_ROSTER_CHOICES = 100
"""A card holds about 28 KB: past this many people, the static list offers the first ones only."""


@dataclass(frozen=True)
class RosterMember:
    """One member of a team's roster, as the Bot Connector lists them."""

    id: str
    name: str
    aad_object_id: str | None
    addresses: tuple[str, ...]
    """Email and sign-in name (UPN), lower case."""

    @classmethod
    def of(cls, member: Any) -> RosterMember | None:
        member_id = getattr(member, "id", None)
        if not isinstance(member_id, str) or not member_id:
            return None
        extra = getattr(member, "additional_properties", None) or {}
        aad = getattr(member, "aad_object_id", None) or extra.get("aadObjectId") or extra.get("objectId")
        addresses = tuple(
            dict.fromkeys(
                a.strip().lower()
                for a in (extra.get("email"), extra.get("userPrincipalName"))
                if isinstance(a, str) and a.strip()
            )
        )
        name = getattr(member, "name", None) or extra.get("givenName") or (addresses[0] if addresses else "")
        return cls(member_id, str(name or member_id), aad if isinstance(aad, str) else None, addresses)

    def person(self, tenant_id: str) -> Person:
        return Person(
            UserRef(PLATFORM, tenant_id, self.id), self.name, self.addresses[0] if self.addresses else None
        )


def _has_people_input(message: OutgoingMessage) -> bool:
    form = message.form
    return form is not None and any(i.kind in (InputKind.PERSON, InputKind.PEOPLE) for i in form.inputs)


def _is_channel(ref: ConversationRef) -> bool:
    """A team channel's saved reference (kept under the channel's id)."""
    conversation = ref.data.get("conversation")
    return isinstance(conversation, dict) and conversation.get("conversationType") == "channel"


def _pacing_key(conversation_id: str) -> str:
    """Teams throttles a channel as one conversation, whichever thread (`;messageid=…`) is answered."""
    return conversation_id.split(";", 1)[0]


def _reference(data: dict[str, Any]) -> ConversationReference | None:
    conversation = data.get("conversation")
    service_url = data.get("serviceUrl")
    if not isinstance(conversation, dict) or not conversation.get("id") or not isinstance(service_url, str):
        return None
    return ConversationReference(
        channel_id=data.get("channelId") or TEAMS_CHANNEL_ID,
        service_url=service_url,
        conversation=ConversationAccount().deserialize(conversation),
        bot=ChannelAccount().deserialize(data.get("bot") or {}),
        user=ChannelAccount().deserialize(data.get("user") or {}),
        locale=data.get("locale"),
    )


def _reference_data(reference: ConversationReference, tenant_id: str) -> dict[str, object]:
    return {
        "serviceUrl": reference.service_url,
        "channelId": reference.channel_id,
        "conversation": reference.conversation.serialize() if reference.conversation else None,
        "bot": reference.bot.serialize() if reference.bot else None,
        "user": reference.user.serialize() if reference.user else None,
        "tenantId": tenant_id,
    }
