"""The Teams bot on the project's aiohttp server: `POST /api/messages`.

The request is authenticated before botbuilder runs the turn, on a worker thread: botbuilder fetches
OpenID metadata with blocking `requests` (no timeout), and inside `CloudAdapter.process` a missing token
or an unknown key id surfaces as AttributeError / IndexError (HTTP 500). Here every authentication
failure is a 401, and no response ever carries a traceback.

An attacker's cost is kept small: the body is capped, and with an app id the bearer token's signature,
issuer and expiry are checked before the body is read as JSON (the checks that need the activity, its
channel and serviceUrl, follow once it is parsed). A token without `exp` is refused, though PyJWT and
botbuilder accept one. The channel gets its answer within `reply_budget` seconds even when the
serviceUrl is slow or unreachable: the turn goes on in the background with a deadline of its own.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ServiceClientCredentialsFactory,
)

from adapters.teams.chat import TeamsChatPort
from adapters.teams.connector_setup import ReusedConnectorsAuthentication, make_connector_clients_cheap
from adapters.teams.files import (
    FILE_CONSENT_INVOKE,
    OFFER_KEY,
    FileOffers,
    consent_activity,
    info_activity,
    upload,
)
from adapters.teams.resilience import ConnectorCalls, PacingPolicy, RetryPolicy
from adapters.teams.translate import (
    actor_of,
    is_personal_uninstall,
    references_to_save,
    search_query,
    search_response,
    tenant_of,
    to_event,
)
from conversations.conversation_directory import StoredConversationDirectory
from conversations.errors import DeliveryError
from conversations.events import ButtonClicked, InboundEvent
from conversations.i18n import _, speaking
from conversations.messages import SORRY_TEXT, Attachment, ItemList, OutgoingMessage, Reply, Visibility
from conversations.ports import InboundHandler, UnitOfWorkFactory

logger = logging.getLogger(__name__)

ROUTE = "/api/messages"
MAX_BODY_BYTES = 256 * 1024
"""Teams activities are a few kilobytes; a card submit with long answers stays well under this."""
MAX_HEADER_CHARS = 16 * 1024
_BEARER = re.compile(r"^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

PUBLIC_CLOUD_ENDPOINTS: Mapping[str, str] = {
    "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
    "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
    "TO_CHANNEL_FROM_BOT_LOGIN_URL": AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
    "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
    "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
}


Engine = InboundHandler


class TeamsSettings(Protocol):
    """The part of `bot.settings.Settings` this adapter reads (adapters never import the application)."""

    @property
    def microsoft_app_id(self) -> str | None: ...
    @property
    def microsoft_app_password(self) -> str | None: ...
    @property
    def microsoft_app_tenant_id(self) -> str | None: ...
    @property
    def microsoft_app_type(self) -> str: ...
    @property
    def bot_framework_overrides(self) -> Mapping[str, str]: ...


def bot_framework_configuration(settings: TeamsSettings) -> SimpleNamespace:
    """The attribute bag botbuilder's configuration classes read.

    Setting any endpoint override switches botbuilder to its parameterised mode, which needs all of
    them; the ones not given keep their public-cloud values.
    """
    config = SimpleNamespace(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        APP_TYPE=settings.microsoft_app_type,
    )
    if settings.bot_framework_overrides:
        for name, default in PUBLIC_CLOUD_ENDPOINTS.items():
            setattr(config, name, settings.bot_framework_overrides.get(name) or default)
    return config


class AuthenticationFailed(Exception):
    pass


class AuthenticationUnavailable(Exception):
    """The token could not be checked (metadata unreachable): the channel should retry, not give up."""


@dataclass(frozen=True)
class _BadRequest(Exception):
    status: int
    reason: str


class TeamsBot:
    """One turn: translate the activity, let the engine decide, render its answer as a card."""

    def __init__(self, engine: Engine, chat: TeamsChatPort, offers: FileOffers | None = None) -> None:
        self._engine = engine
        self._chat = chat
        self._offers = offers or FileOffers()

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.invoke and activity.name == FILE_CONSENT_INVOKE:
            try:
                await self._file_consent(context)
            except Exception:  # noqa: BLE001 - Teams still gets its invoke answer
                logger.exception("Answering a file consent failed")
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=HTTPStatus.OK))
            )
            return
        if activity.type == ActivityTypes.invoke:
            # Only typeahead searches are answered with a body; any other invoke gets an explicit 200,
            # which keeps botbuilder from answering 501. `TeamsIntegration.handle` writes the body once.
            query = search_query(activity)
            body = search_response(query) if query is not None else None
            answer = InvokeResponse(status=HTTPStatus.OK, body=body)
            await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=answer))
            return
        try:
            await self._turn(context)
        except Exception:  # noqa: BLE001 - the person gets an apology, the log gets the traceback
            logger.exception("Teams turn failed for activity %s", activity.id)
            await self._apologise(context)

    async def _turn(self, context: TurnContext) -> None:
        activity = context.activity
        if is_personal_uninstall(activity):
            actor = actor_of(activity)
            if actor is not None:
                await self._chat.forget(actor)
            return
        try:
            await self._chat.remember(references_to_save(activity))
        except Exception:  # noqa: BLE001 - answering matters more than remembering
            logger.exception("Could not save the Teams conversation reference")
        event = to_event(activity)
        if event is None:
            return
        reply = await self._engine.handle(event)
        if reply is None:
            return
        with speaking(reply.language or event.locale):  # what the adapter adds, in the reply's language
            await self._answer(context, event, reply)

    async def _answer(self, context: TurnContext, event: InboundEvent, reply: Reply) -> None:
        await self._answer_message(context, event, reply)
        if reply.message is not None and reply.message.attachment is not None:
            await self._offer_file(context, event, reply.message.attachment)

    async def _offer_file(self, context: TurnContext, event: InboundEvent, attachment: Attachment) -> None:
        """Teams bots send files only to a 1:1 chat, and only once the person allows it: the consent
        card goes there, wherever the command was typed."""
        tenant = tenant_of(context.activity)
        offer = consent_activity(attachment, self._offers.offer(event.actor, attachment))
        where = getattr(event, "where", None)
        try:
            if where is None or where.is_direct:
                await self._chat.reply(context, offer, tenant)
            else:
                await self._chat.send_activity_dm(event.actor, offer)
        except DeliveryError as error:
            logger.info("Could not offer %s to %s: %s", attachment.filename, event.actor.key, error)
            text = _(
                "I can send files only in our 1:1 chat, and could not reach you there. Open a chat with "
                "me and ask again."
            )
            await self._chat.reply(
                context, await self._chat.render(OutgoingMessage(text=text), tenant), tenant
            )

    async def _file_consent(self, context: TurnContext) -> None:
        """The answer to a file consent card: upload on accept and show the file; on decline say so."""
        activity = context.activity
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        answer_context = value.get("context")
        answer_context = answer_context if isinstance(answer_context, dict) else {}
        offer = self._offers.take(answer_context.get(OFFER_KEY), actor_of(activity))
        tenant = tenant_of(activity)
        if offer is None:
            text = _("That file is no longer waiting for you. Please ask for it again.")
        elif value.get("action") != "accept":
            text = _("All right, I have not sent {filename}.", filename=offer.attachment.filename)
        else:
            info = value.get("uploadInfo")
            info = info if isinstance(info, dict) else {}
            url = info.get("uploadUrl")
            try:
                # OneDrive upload sessions are https; a loopback URL is the Emulator's or a test's.
                if not isinstance(url, str) or (not url.startswith("https://") and not _is_loopback(url)):
                    raise DeliveryError("teams: the consent carried no upload URL")
                await upload(url, offer.attachment.content)
                await self._chat.reply(context, info_activity(info), tenant)
                return
            except DeliveryError as error:
                logger.warning("Uploading %s failed: %s", offer.attachment.filename, error)
                text = _(
                    "Sorry, {filename} could not be uploaded. Please ask for it again.",
                    filename=offer.attachment.filename,
                )
        await self._chat.reply(context, await self._chat.render(OutgoingMessage(text=text), tenant), tenant)

    async def _answer_message(self, context: TurnContext, event: InboundEvent, reply: Reply) -> None:
        tenant = tenant_of(context.activity)
        message = reply.message
        if reply.form_errors and (message is None or message.form is None):
            # The submitted card keeps what was typed; say what to fix so it can be sent again.
            problems = ItemList(tuple(reply.form_errors.values()))
            message = OutgoingMessage(
                text=_("Please fix these and submit the form again."), fields=((_("To fix"), problems),)
            )
        if message is None:
            return
        rendered = await self._chat.render_in(context.activity.channel_id, message, tenant, reply.form_errors)
        original = context.activity.reply_to_id
        if reply.replace_original and isinstance(event, ButtonClicked) and original:
            await self._chat.replace(context, rendered, original, tenant)
            return
        where = getattr(event, "where", None)
        in_shared_conversation = where is not None and not where.is_direct
        if in_shared_conversation and reply.visibility is Visibility.PRIVATE:
            # Teams has no message only one person sees; a private answer goes to the 1:1 chat.
            try:
                await self._chat.send_dm(event.actor, message)
                return
            except DeliveryError as error:
                logger.info("Answering in the shared conversation instead of privately: %s", error)
        await self._chat.reply(context, rendered, tenant)

    async def _apologise(self, context: TurnContext) -> None:
        try:
            await context.send_activity(Activity(type=ActivityTypes.message, text=_(SORRY_TEXT)))
        except Exception:  # noqa: BLE001 - nothing more can be done for this turn
            logger.exception("Could not send the apology either")


class TeamsIntegration:
    """The adapter, its chat port and the route, built from settings.

    `credentials_factory` replaces how outbound tokens are obtained (MSAL, by default); tests use it
    to fetch tokens from a fake issuer, as MSAL refuses authorities that are not https.
    """

    def __init__(
        self,
        settings: TeamsSettings,
        uow_factory: UnitOfWorkFactory,
        *,
        credentials_factory: ServiceClientCredentialsFactory | None = None,
        retry: RetryPolicy | None = None,
        pacing: PacingPolicy | None = None,
        auth_timeout: float = 15.0,
        reply_budget: float = 5.0,
        turn_deadline: float = 60.0,
    ) -> None:
        self.settings = settings
        self.authentication = ReusedConnectorsAuthentication(
            bot_framework_configuration(settings), credentials_factory=credentials_factory
        )
        self.adapter = CloudAdapter(self.authentication)
        make_connector_clients_cheap()
        self.chat = TeamsChatPort(
            self.adapter,
            settings.microsoft_app_id,
            StoredConversationDirectory(uow_factory),
            ConnectorCalls(retry, pacing),
        )
        self._auth_timeout = auth_timeout
        self._reply_budget = reply_budget
        self._turn_deadline = turn_deadline
        self._late_turns: set[asyncio.Task[InvokeResponse | None]] = set()
        self._auth_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="teams-auth")
        self._bot: TeamsBot | None = None

    @property
    def emulator_mode(self) -> bool:
        return not self.settings.microsoft_app_id

    def attach(self, app: web.Application, engine: Engine) -> None:
        """Adds `POST /api/messages` to the project's web application."""
        self._bot = TeamsBot(engine, self.chat)
        app.router.add_post(ROUTE, self.handle)
        app.on_cleanup.append(self._close)
        if self.emulator_mode:
            logger.warning("MICROSOFT_APP_ID is not set: Teams runs without authentication (emulator mode)")

    async def _close(self, _app: web.Application) -> None:
        for turn in list(self._late_turns):
            turn.cancel()
        await asyncio.gather(*self._late_turns, return_exceptions=True)
        self._auth_pool.shutdown(wait=False, cancel_futures=True)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self._bot is None:
            raise RuntimeError("attach() the integration to an application before serving")
        header = request.headers.get("Authorization") or None
        try:
            raw = await _read_capped(request)
            if not self.emulator_mode:
                await self._authenticate(_UNPARSED, _well_formed_bearer(header))
            activity = await _read_activity(raw)
            auth = await self._authenticate(activity, header)
        except _BadRequest as bad:
            logger.info("Refused a Teams request from %s: %s", request.remote, bad.reason)
            return _problem(bad.status, bad.reason)
        except AuthenticationFailed as failure:
            logger.info("Rejected a Teams request from %s: %s", request.remote, str(failure)[:200])
            return _problem(HTTPStatus.UNAUTHORIZED, "The request is not authorized.")
        except AuthenticationUnavailable as failure:
            logger.warning("Could not check a Teams token: %s", failure)
            return _problem(HTTPStatus.SERVICE_UNAVAILABLE, "Authentication is unavailable; try again.")
        problem = _addressing_problem(activity)
        if problem:
            return _problem(HTTPStatus.BAD_REQUEST, problem)
        if self.emulator_mode and not _is_loopback(activity.service_url):
            # Without an app id nothing is authenticated: answering a remote serviceUrl would let anyone
            # act as any user (admins included) and receive the answers. The Emulator runs locally.
            logger.warning(
                "Emulator mode refuses an activity from %s; set MICROSOFT_APP_ID", activity.service_url
            )
            return _problem(HTTPStatus.UNAUTHORIZED, "The request is not authorized.")
        turn = asyncio.create_task(self._run_turn(auth, activity), name=f"teams turn {activity.id}")
        done, _pending = await asyncio.wait({turn}, timeout=self._reply_budget)
        if not done:
            # The channel gives up after 15 s and may resend; it hears "accepted" while the turn goes on.
            self._late_turns.add(turn)
            turn.add_done_callback(self._late_turns.discard)
            logger.warning("Teams activity %s is taking long; answered the channel first", activity.id)
            return web.Response(status=HTTPStatus.ACCEPTED)
        try:
            invoke = turn.result()
        except Exception:  # noqa: BLE001 - logged with its traceback, never shown
            logger.exception("Teams activity %s could not be processed", activity.id)
            return _problem(HTTPStatus.INTERNAL_SERVER_ERROR, "The activity could not be processed.")
        if invoke is not None:
            body = invoke.body
            return web.Response(
                status=int(invoke.status or HTTPStatus.OK),
                text=json.dumps(body) if body is not None else None,
                content_type="application/json" if body is not None else None,
            )
        return web.Response(status=HTTPStatus.OK)

    async def _run_turn(self, auth: AuthenticateRequestResult, activity: Activity) -> InvokeResponse | None:
        assert self._bot is not None
        async with asyncio.timeout(self._turn_deadline):
            return await self.adapter.process_activity(auth, activity, self._bot.on_turn)

    async def _authenticate(self, activity: Activity, header: str | None) -> AuthenticateRequestResult:
        loop = asyncio.get_running_loop()
        try:
            result: AuthenticateRequestResult = await asyncio.wait_for(
                loop.run_in_executor(
                    self._auth_pool, asyncio.run, self.authentication.authenticate_request(activity, header)
                ),
                timeout=self._auth_timeout,
            )
        except (requests.RequestException, TimeoutError) as error:
            raise AuthenticationUnavailable(f"{type(error).__name__}: {error}") from error
        except Exception as error:  # noqa: BLE001 - botbuilder signals bad tokens with many exception types
            raise AuthenticationFailed(f"{type(error).__name__}: {error}") from error
        if header is not None and "exp" not in (result.claims_identity.claims or {}):
            raise AuthenticationFailed("the token has no expiry (exp)")
        return result


_UNPARSED = Activity(channel_id="", service_url=None)
"""Stands for the activity while only the token is checked: an empty channel id skips the endorsement
check and no serviceUrl skips the serviceUrl claim; both are checked with the parsed activity after."""


def _well_formed_bearer(header: str | None) -> str:
    """A header that cannot be a JWT is refused here, without a thread or a key lookup."""
    if header is None or len(header) > MAX_HEADER_CHARS or not _BEARER.match(header):
        raise AuthenticationFailed("missing or malformed bearer token")
    return header


async def _read_capped(request: web.Request) -> bytes:
    if "application/json" not in request.headers.get("Content-Type", ""):
        raise _BadRequest(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the activity as application/json.")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The activity is too large.")
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "The activity is too large.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_activity(raw: bytes) -> Activity:
    try:
        body: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "The body is not valid JSON.") from error
    if not isinstance(body, dict):
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "The body must be a JSON object (an activity).")
    try:
        activity = Activity().deserialize(body)
    except Exception as error:  # noqa: BLE001 - msrest raises several types for malformed models
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "The body is not a valid activity.") from error
    if not isinstance(activity.type, str) or not activity.type:
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "The activity has no type.")
    return activity


def _addressing_problem(activity: Activity) -> str | None:
    """What the turn needs to answer at all; checked after authentication, so it tells no secrets."""
    if not isinstance(activity.service_url, str) or not activity.service_url.startswith(
        ("http://", "https://")
    ):
        return "The activity has no valid serviceUrl."
    conversation = activity.conversation
    if conversation is None or not isinstance(conversation.id, str) or not conversation.id:
        return "The activity has no conversation id."
    return None


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"error": HTTPStatus(status).phrase, "detail": detail}, status=status)
