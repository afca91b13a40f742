"""The Slack `ChatPort`: sends through slack_sdk's AsyncWebClient, paced per workspace.

Message ids returned by the send methods are `"<channel>:<ts>"`, because Slack needs both to edit a
message later and a DM's channel id is only known once Slack has answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.remembered import Remembered
from adapters.retry_after import seconds_to_wait
from adapters.send_gate import Budgets, Gate
from adapters.slack.render import message_payload
from conversations.domain import Profile, UserRef, recipient_email
from conversations.errors import DeliveryError
from conversations.messages import Attachment, OutgoingMessage
from conversations.people import best_by_name
from conversations.ports import Absence, NotMember, Person

logger = logging.getLogger(__name__)

PLATFORM = "slack"

PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cannot_dm_bot",
        "user_disabled",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "ekm_access_denied",
        "messages_tab_disabled",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "too_many_users",
        "not_enough_users",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "team_access_not_granted",
    }
)
"""Errors where sending the same message again can never succeed."""

CONFIGURATION_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive_bot", "missing_scope"}
)
"""The app's setup is wrong: every message would fail, but fixing the token or scopes brings them back."""
CONFIGURATION_RETRY_SECONDS = 300.0


def build_web_client(token: str, base_url: str, *, timeout: int = 10, retries: int = 2) -> AsyncWebClient:
    """A client that retries 500/503s and dropped connections.

    A 429 is not retried here: slack_sdk's handler would sleep per request, while Slack's limit is per
    workspace and method. The pacer's shared gate holds every send instead (see `adapters.send_gate`).
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=retries),
            AsyncServerErrorRetryHandler(max_retry_count=retries),
        ],
    )


def delivery_error(error: Exception) -> DeliveryError:
    """Turn what slack_sdk raised into the outbox's language: permanent, or retry (and when)."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = str(response.get("error") or "unknown_error") if response is not None else "unknown_error"
        if is_rate_limited(error):
            return DeliveryError(f"slack: {code}", retry_after=_retry_after(response))
        if code in PERMANENT_ERRORS:
            return DeliveryError(f"slack: {code}", permanent=True)
        if code in CONFIGURATION_ERRORS:
            return DeliveryError(f"slack: {code}", retry_after=CONFIGURATION_RETRY_SECONDS)
        return DeliveryError(f"slack: {code}")
    if isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)):
        return DeliveryError(f"slack: cannot reach the Web API ({type(error).__name__})")
    return DeliveryError(f"slack: {type(error).__name__}: {error}")


def is_rate_limited(error: Exception) -> bool:
    if not isinstance(error, SlackApiError) or error.response is None:
        return False
    return getattr(error.response, "status_code", 0) == 429 or error.response.get("error") == "ratelimited"


def _retry_after(response: Any) -> float:
    headers = getattr(response, "headers", None) or {}
    raw = next((value for name, value in headers.items() if name.lower() == "retry-after"), None)
    wait = seconds_to_wait(raw)
    return 30.0 if wait is None else max(1.0, wait)


@dataclass(frozen=True)
class Pacing:
    """Per-workspace send budget. Slack allows about one message per second per channel, several
    hundred chat.postMessage calls a minute per workspace, and Tier 3 (50+/min) for conversations.open;
    the defaults stay under all three for a fan-out."""

    messages_per_second: float = 10.0
    per_channel_per_second: float = 1.0
    opens_per_minute: float = 50.0
    lookups_per_minute: float = 50.0
    """users.lookupByEmail is Tier 3 too: finding the account of someone invited by email."""
    longest_wait_seconds: float = 5.0
    """A workspace paused for longer than this hands its messages back to the outbox to wait there."""


class WorkspacePacer:
    """The budgets of one Slack app: per workspace and method, and per channel for messages."""

    _KINDS = {"conversations.open": "opens", "users.lookupByEmail": "lookups"}

    def __init__(self, pacing: Pacing) -> None:
        self._budgets = Budgets(
            {
                "messages": pacing.messages_per_second,
                "opens": pacing.opens_per_minute / 60.0,
                "lookups": pacing.lookups_per_minute / 60.0,
                "channel": pacing.per_channel_per_second,
            },
            longest_wait=pacing.longest_wait_seconds,
        )

    def _method_gate(self, workspace_id: str, method: str) -> Gate:
        return self._budgets.gate(self._KINDS.get(method, "messages"), (workspace_id, method))

    async def wait_turn(self, workspace_id: str, method: str, channel: str | None = None) -> None:
        gates = [self._method_gate(workspace_id, method)]
        if channel is not None:
            gates.append(self._budgets.gate("channel", (workspace_id, channel)))
        await self._budgets.wait_turn(gates, f"slack: {method}")

    def pause(self, workspace_id: str, method: str, seconds: float) -> None:
        self._method_gate(workspace_id, method).pause(seconds)


REMEMBERED_PEOPLE = 50_000
"""Profiles, group DMs, email lookups and member checks kept per person: an organisation's worth."""
REMEMBERED_WORKSPACES = 100
MEMBER_TTL_SECONDS = 60.0
PEOPLE_TTL_SECONDS = 300.0
"""users.list is Tier 2 (20+ a minute): a typed name is found in a copy at most this old."""


def message_id(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


class SlackChat:
    """`ChatPort` for Slack; one bot token serves the workspace it was installed in."""

    platform = PLATFORM

    def __init__(
        self,
        client: AsyncWebClient,
        pacing: Pacing | None = None,
        profile_ttl_seconds: float = 3600.0,
    ) -> None:
        self.client = client
        self._pacer = WorkspacePacer(pacing or Pacing())
        self._group_channels: Remembered[tuple[str, tuple[str, ...]], str] = Remembered(REMEMBERED_PEOPLE)
        self._profiles: Remembered[UserRef, Profile] = Remembered(REMEMBERED_PEOPLE, ttl=profile_ttl_seconds)
        self._by_email: Remembered[tuple[str, str], str] = Remembered(
            REMEMBERED_PEOPLE, ttl=profile_ttl_seconds
        )
        self._members: Remembered[UserRef, Person | NotMember] = Remembered(
            REMEMBERED_PEOPLE, ttl=MEMBER_TTL_SECONDS
        )
        self._people: Remembered[str, list[tuple[tuple[str, ...], Person]]] = Remembered(
            REMEMBERED_WORKSPACES, ttl=PEOPLE_TTL_SECONDS
        )

    @property
    def supports_group_dm(self) -> bool:
        return True

    async def _call(
        self,
        workspace_id: str,
        method: str,
        paced_channel: str | None = None,
        read: bool = False,
        **kwargs: Any,
    ) -> Any:
        """`paced_channel`: the channel whose one-message-a-second limit this call counts against.
        `read`: a method that takes its arguments as a GET query, not a JSON body (users.lookupByEmail)."""
        await self._pacer.wait_turn(workspace_id, method, paced_channel)
        try:
            if read:
                return await self.client.api_call(method, http_verb="GET", params=kwargs)
            return await self.client.api_call(method, json=kwargs)
        except Exception as error:  # every failure becomes a DeliveryError the outbox understands
            failure = delivery_error(error)
            if is_rate_limited(error) and failure.retry_after:
                self._pacer.pause(workspace_id, method, failure.retry_after)
            logger.warning("slack %s failed in %s: %s", method, workspace_id, failure)
            raise failure from error

    async def _post(self, workspace_id: str, channel: str, message: OutgoingMessage) -> tuple[str, str]:
        payload = message_payload(message)
        response = await self._call(
            workspace_id,
            "chat.postMessage",
            paced_channel=channel,
            channel=channel,
            unfurl_links=False,
            **payload,
        )
        return str(response.get("channel") or channel), str(response.get("ts") or "")

    async def send_dm(self, user: UserRef, message: OutgoingMessage) -> str:
        email = recipient_email(user)
        user_id = user.user_id if email is None else await self._user_by_email(user.workspace_id, email)
        # A user id as `channel` posts to the app's DM with them without conversations.open.
        channel, ts = await self._post(user.workspace_id, user_id, message)
        return message_id(channel, ts)

    async def _user_by_email(self, workspace_id: str, email: str) -> str:
        """The user id of the account with this email (users.lookupByEmail, remembered for the profile
        TTL); nobody with it is a permanent failure of this one message."""
        key = (workspace_id, email)
        cached = self._by_email.get(key)
        if cached:
            return cached
        try:
            response = await self._call(workspace_id, "users.lookupByEmail", read=True, email=email)
        except DeliveryError as error:
            if error.permanent:
                raise DeliveryError(
                    f"slack: nobody in workspace {workspace_id} can be reached at {email} ({error})",
                    permanent=True,
                ) from error
            raise
        user_id = str((response.get("user") or {}).get("id") or "")
        if not user_id:
            raise DeliveryError("slack: users.lookupByEmail answered without a user id")
        return self._by_email.put(key, user_id)

    async def open_group_dm(self, users: Sequence[UserRef]) -> str:
        if not users:
            raise DeliveryError("slack: a group DM needs at least one person", permanent=True)
        workspace_id = users[0].workspace_id
        ids = tuple(sorted({u.user_id for u in users}))
        if len(ids) == 1:
            return ids[0]
        key = (workspace_id, ids)
        cached = self._group_channels.get(key)
        if cached:
            return cached
        response = await self._call(workspace_id, "conversations.open", users=",".join(ids), return_im=False)
        channel = (response.get("channel") or {}).get("id")
        if not channel:
            raise DeliveryError("slack: conversations.open answered without a channel id")
        return self._group_channels.put(key, str(channel))

    async def post_to_channel(self, workspace_id: str, channel_id: str, message: OutgoingMessage) -> str:
        channel, ts = await self._post(workspace_id, channel_id, message)
        return message_id(channel, ts)

    async def upload_file(self, workspace_id: str, channel_id: str, attachment: Attachment) -> None:
        """The whole file, shared in `channel_id`: files.getUploadURLExternal, the bytes POSTed to the
        URL it gives, then files.completeUploadExternal, which shares it (slack_sdk's upload v2)."""
        await self._pacer.wait_turn(workspace_id, "files.completeUploadExternal", channel_id)
        image = attachment.mime_type.startswith("image/")
        try:
            await self.client.files_upload_v2(
                filename=attachment.filename,
                content=attachment.content,
                title=attachment.description or attachment.filename,
                alt_txt=attachment.description[:1000] if image and attachment.description else None,
                channel=channel_id,
            )
        except Exception as error:  # every failure becomes a DeliveryError, as for messages
            failure = delivery_error(error)
            logger.warning("slack file upload to %s failed in %s: %s", channel_id, workspace_id, failure)
            raise failure from error

    async def get_profile(self, user: UserRef) -> Profile:
        """Name, timezone and language from users.info; a lookup failure gives a bare profile, never an
        error, because it only prefills a form."""
        cached = self._profiles.get(user)
        if cached:
            return cached
        try:
            response = await self.client.users_info(user=user.user_id, include_locale=True)
        except Exception as error:
            logger.warning("slack users.info failed for %s: %s", user.key, delivery_error(error))
            return Profile(display_name=user.user_id)
        data = response.get("user") or {}
        details = data.get("profile") or {}
        profile = Profile(
            display_name=str(
                details.get("display_name")
                or details.get("real_name")
                or data.get("real_name")
                or data.get("name")
                or user.user_id
            ),
            timezone=data.get("tz") or None,
            email=details.get("email") or None,
            locale=data.get("locale") or None,
        )
        return self._profiles.put(user, profile)

    # --- the workspace's people (conversations.ports.PeopleDirectory) ------------------------------

    async def member(self, user: UserRef) -> Person | NotMember:
        """users.info: an active, human member of this very workspace, or why not. Remembered for a
        minute, so a form submitted again is answered without another call."""
        cached = self._members.get(user)
        if cached is not None:
            return cached
        try:
            response = await self._call(user.workspace_id, "users.info", read=True, user=user.user_id)
        except DeliveryError as error:
            if not error.permanent:
                raise
            answer: Person | NotMember = NotMember(Absence.UNKNOWN)
        else:
            answer = _member_of(user.workspace_id, response.get("user") or {})
        return self._members.put(user, answer)

    async def by_email(self, workspace_id: str, email: str) -> Person | None:
        try:
            response = await self._call(workspace_id, "users.lookupByEmail", read=True, email=email)
        except DeliveryError as error:
            if error.permanent:
                return None
            raise
        found = _member_of(workspace_id, response.get("user") or {})
        return found if isinstance(found, Person) else None

    async def search(self, workspace_id: str, name: str) -> list[Person]:
        """Members whose real name, display name or handle holds every word typed, exact names first.
        The member list (users.list, Tier 2) is read at most every few minutes per workspace."""
        if not name.strip().lstrip("@"):
            return []
        return best_by_name(name, await self._people_of(workspace_id))

    async def channel_members(self, workspace_id: str, channel_id: str) -> list[Person]:
        """conversations.members, paged, matched against the workspace's member list (which drops
        apps and deactivated accounts and carries the emails)."""
        ids: list[str] = []
        cursor = ""
        for _ in range(MAX_MEMBER_PAGES):
            arguments: dict[str, Any] = {"channel": channel_id, "limit": CHANNEL_PAGE}
            if cursor:
                arguments["cursor"] = cursor
            response = await self._call(workspace_id, "conversations.members", read=True, **arguments)
            ids += [str(member) for member in response.get("members") or []]
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        people = {person.user.user_id: person for _, person in await self._people_of(workspace_id)}
        return [people[user_id] for user_id in dict.fromkeys(ids) if user_id in people]

    async def _people_of(self, workspace_id: str) -> list[tuple[tuple[str, ...], Person]]:
        cached = self._people.get(workspace_id)
        if cached is not None:
            return cached
        people: list[tuple[tuple[str, ...], Person]] = []
        cursor = ""
        for _ in range(MAX_MEMBER_PAGES):
            arguments: dict[str, Any] = {"limit": MEMBER_PAGE}
            if cursor:
                arguments["cursor"] = cursor
            response = await self._call(workspace_id, "users.list", read=True, **arguments)
            for data in response.get("members") or []:
                found = _member_of(workspace_id, data)
                if isinstance(found, Person):
                    details = data.get("profile") or {}
                    names = (details.get("real_name"), details.get("display_name"), data.get("name"))
                    people.append((tuple(str(n).casefold() for n in names if n), found))
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return self._people.put(workspace_id, people)


MEMBER_PAGE = 200
CHANNEL_PAGE = 1000
MAX_MEMBER_PAGES = 100


def _member_of(workspace_id: str, data: Any) -> Person | NotMember:
    """A users.info / users.list record as a person of `workspace_id`, or why it is nobody to name:
    deactivated, an app, or someone of another workspace (an external Slack Connect account)."""
    if not isinstance(data, dict) or not data.get("id"):
        return NotMember(Absence.UNKNOWN)
    if data.get("deleted"):
        return NotMember(Absence.DEACTIVATED)
    if data.get("is_bot") or data.get("id") == "USLACKBOT":
        return NotMember(Absence.BOT)
    teams = {data.get("team_id"), *((data.get("enterprise_user") or {}).get("teams") or ())}
    if workspace_id not in teams:
        return NotMember(Absence.UNKNOWN)
    details = data.get("profile") or {}
    name = (
        details.get("real_name") or details.get("display_name") or data.get("real_name") or data.get("name")
    )
    email = details.get("email")
    return Person(
        UserRef(PLATFORM, workspace_id, str(data["id"])),
        str(name or data["id"]),
        str(email) if email else None,
    )
