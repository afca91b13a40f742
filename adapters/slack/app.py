"""The Slack front end: a Bolt `AsyncApp` whose listeners translate payloads and call the engine.

Every listener acknowledges Slack first and does the slow part (the engine, the Web API) in a
background task, so the three-second window is never at risk. The one exception is a modal submit:
Slack only shows validation errors inline when they come back *in* the acknowledgement, so the engine
runs first there, within a budget well under Slack's limit, and the answer follows by DM if it is late.

The app runs with `process_before_response=True`: Bolt then returns a listener's ack as soon as the
listener returns, instead of polling for it every 10 ms, which is most of a stock Bolt app's latency.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import limits
from adapters.slack.background import BackgroundTasks
from adapters.slack.chat import Pacing, SlackChat, build_web_client
from adapters.slack.render import (
    FORM_CALLBACK_ID,
    SEARCH_ACTION_PREFIX,
    RenderError,
    form_view,
    home_view,
    message_payload,
    options_response,
    result_view,
    view_errors,
)
from adapters.slack.scopes import SLASH_COMMAND
from adapters.slack.translate import (
    action_event,
    command_event,
    form_event,
    home_opened_event,
    retry_number,
    search_request,
)
from conversations.domain import UserRef
from conversations.errors import DeliveryError
from conversations.events import CommandReceived, InboundEvent, Where
from conversations.i18n import N_, _, speaking
from conversations.messages import SORRY_TEXT, OutgoingMessage, Reply, Visibility
from conversations.options_search import search_options
from conversations.options_search import warm_up as warm_up_search
from conversations.ports import InboundHandler

logger = logging.getLogger(__name__)

COMMAND_ACTION = "slack_run_command"
"""Home tabs published before the engine chose their buttons (`buttons.RUN_COMMAND`) held these, each
running a command as if it had been typed; a click on one still works until the tab is refreshed."""
MALFORMED = N_("Sorry, I couldn't read that request from Slack.")
LATE_FORM_ANSWER = N_("Thanks, your answers arrived. Here is what happened:")
SEEN_EVENT_MEMORY = 10_000


Engine = InboundHandler


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    api_url: str = "https://slack.com/api/"
    app_token: str | None = None
    concurrent_replies: int = 8
    """Engine calls running at once for commands and clicks; more wait their turn, so a burst of
    slow work never crowds out the acks of the requests behind it."""
    form_budget_seconds: float = 2.0
    """How long a modal submit may wait for the engine before Slack's three seconds are at risk."""
    pacing: Pacing = Pacing()


class RecentEventIds:
    """The last few thousand event ids, so Slack's retries of an event are answered at once."""

    def __init__(self, capacity: int = SEEN_EVENT_MEMORY) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def seen_before(self, event_id: str) -> bool:
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return True
        self._seen[event_id] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return False


class ResponseUrls:
    """Replies through a request's response_url over one pooled session.

    Bolt's `respond` opens a new HTTP session (and connection) per reply, which at a few hundred
    commands a second costs more than the engine's work itself.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def send(self, url: str, **payload: Any) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        client = AsyncWebhookClient(
            url=url, session=self._session, retry_handlers=[AsyncConnectionErrorRetryHandler()]
        )
        response = await client.send(**payload)
        if response.status_code != 200:
            logger.warning("response_url answered %s: %s", response.status_code, response.body[:200])

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class SlackFrontEnd:
    """Owns the Bolt app, the Slack `ChatPort` and the background work started by requests."""

    def __init__(self, engine: Engine, config: SlackConfig, web_client: AsyncWebClient | None = None) -> None:
        self.engine = engine
        self.config = config
        client = web_client or build_web_client(config.bot_token, config.api_url)
        self.chat = SlackChat(client, config.pacing)
        self.background = BackgroundTasks()
        self.response_urls = ResponseUrls()
        self._reply_slots = asyncio.Semaphore(config.concurrent_replies)
        self.socket_mode: Any = None
        """The Socket Mode connection, when `start_socket_mode` opened one."""
        self._recent = RecentEventIds()
        self._authorization: AuthorizeResult | None = None
        self._authorization_lock = asyncio.Lock()
        # Bolt makes a per-request client from this one (same base URL and retry handlers) with the
        # token our `authorize` returns, so the app's own client needs no token of its own.
        app_client = AsyncWebClient(
            base_url=client.base_url, timeout=client.timeout, retry_handlers=list(client.retry_handlers)
        )
        self.app = AsyncApp(
            client=app_client,
            signing_secret=config.signing_secret,
            authorize=self._bolt_authorize(),
            process_before_response=True,
            name="mentorbot.slack",
        )
        self._register()

    # --- setup ------------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.middleware(self._drop_retried_events)
        app.command(SLASH_COMMAND)(self._on_command)
        app.action(re.compile(".+"))(self._on_action)
        app.view_submission(FORM_CALLBACK_ID)(self._on_form)
        app.options(re.compile("^" + re.escape(SEARCH_ACTION_PREFIX)))(self._on_options)
        app.event("app_home_opened")(self._on_home_opened)
        app.error(self._on_error)

    async def close(self, timeout: float = 10.0) -> None:
        """Let in-flight replies finish (cancelling what outlasts `timeout`), then close connections,
        the Socket Mode one included."""
        try:
            await self.background.drain(timeout=timeout)
        except TimeoutError:
            logger.warning("Slack work still running at shutdown; cancelling it")
            await self.background.cancel_all()
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
            self.socket_mode = None
        await self.response_urls.close()

    async def warm_up(self) -> None:
        """Call auth.test once at start, so no request ever waits on it before its ack."""
        warm_up_search()
        try:
            await self._authorize()
        except Exception:
            logger.exception("Slack auth.test failed at start; will try again on the first request")

    def _bolt_authorize(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt passes arguments by parameter name, so it gets a plain function, not a bound method."""

        async def authorize(
            enterprise_id: str | None, team_id: str | None, user_id: str | None
        ) -> AuthorizeResult:
            return await self._authorize()

        return authorize

    async def _authorize(self) -> AuthorizeResult:
        if self._authorization is None:
            async with self._authorization_lock:
                if self._authorization is None:
                    response = await self.chat.client.auth_test()
                    self._authorization = AuthorizeResult.from_auth_test_response(
                        auth_test_response=response, bot_token=self.config.bot_token
                    )
                    logger.info(
                        "Slack bot %s ready in workspace %s",
                        response.get("user_id"),
                        response.get("team_id"),
                    )
        return self._authorization

    async def _drop_retried_events(
        self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, Mapping) else None
        if isinstance(event_id, str) and self._recent.seen_before(event_id):
            logger.info(
                "answering Slack retry %s of %s without handling it again",
                retry_number(req.headers),
                event_id,
            )
            return BoltResponse(status=200, body="")
        return await next()

    async def _on_error(self, error: Exception, body: Any) -> BoltResponse:
        logger.error("Slack listener failed", exc_info=error)
        return BoltResponse(status=200, body="")

    # --- the engine, guarded ----------------------------------------------------------------------

    async def _ask(self, event: InboundEvent) -> Reply | None:
        try:
            return await self.engine.handle(event)
        except Exception:  # the engine should never raise, but a person must never see a traceback
            logger.exception("engine failed on %s", type(event).__name__)
            return Reply.text(_(SORRY_TEXT))

    # --- slash command ----------------------------------------------------------------------------

    async def _on_command(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        event = command_event(body)
        if event is None:
            await ack(text=_(MALFORMED))
            return
        await ack()
        self.background.spawn(
            self._answer(
                event, body.get("trigger_id"), body.get("response_url"), client, replace_original=False
            ),
            name=f"slack command {event.event_id}",
        )

    async def _answer(
        self,
        event: InboundEvent,
        trigger_id: Any,
        response_url: Any,
        client: AsyncWebClient,
        replace_original: bool,
        home_user: UserRef | None = None,
    ) -> None:
        async with self._reply_slots:
            await self._answer_now(event, trigger_id, response_url, client, replace_original, home_user)

    async def _answer_now(
        self,
        event: InboundEvent,
        trigger_id: Any,
        response_url: Any,
        client: AsyncWebClient,
        replace_original: bool,
        home_user: UserRef | None,
    ) -> None:
        reply = await self._ask(event)
        if reply is None or reply.message is None:
            return
        with speaking(reply.language):  # the modal's own buttons in the reply's language
            await self._show_reply(
                event, reply, reply.message, trigger_id, response_url, client, replace_original
            )
        if home_user is not None:
            await self.publish_home(home_user, client)

    async def _show_reply(
        self,
        event: InboundEvent,
        reply: Reply,
        message: OutgoingMessage,
        trigger_id: Any,
        response_url: Any,
        client: AsyncWebClient,
        replace_original: bool,
    ) -> None:
        if message.form is not None and isinstance(trigger_id, str):
            intro = None if message.text == message.form.title else message
            try:
                await client.views_open(trigger_id=trigger_id, view=form_view(message.form, intro))
                return
            except RenderError:
                logger.exception("cannot show form %s in Slack", message.form.form_id)
                message = OutgoingMessage(text=_(SORRY_TEXT))
            except Exception:
                logger.exception("views.open failed")
                message = OutgoingMessage(
                    text=_("Sorry, Slack didn't let me open the form in time. Please try again.")
                )
        if message.attachment is not None:
            await self._show_with_file(event, message, reply, response_url, client)
        else:
            await self._show(event.actor, message, reply, response_url, client, replace_original)

    async def _show(
        self,
        actor: UserRef,
        message: OutgoingMessage,
        reply: Reply,
        response_url: Any,
        client: AsyncWebClient,
        replace_original: bool,
    ) -> None:
        payload = message_payload(message)
        if isinstance(response_url, str) and response_url.startswith(("https://", "http://")):
            await self.response_urls.send(
                response_url,
                **payload,
                response_type="in_channel" if reply.visibility is Visibility.IN_CHANNEL else "ephemeral",
                replace_original=replace_original and reply.replace_original,
            )
            return
        # No response_url (a click on the Home tab): the answer goes to the person's DM with the app.
        await client.chat_postMessage(channel=actor.user_id, unfurl_links=False, **payload)

    async def _show_with_file(
        self,
        event: InboundEvent,
        message: OutgoingMessage,
        reply: Reply,
        response_url: Any,
        client: AsyncWebClient,
    ) -> None:
        """A message and its file, uploaded whole. An answer for the channel goes to the channel with
        its file; a private one (an export) goes to the person's DM with the app, since Slack shows
        files to everyone in a channel."""
        actor = event.actor
        attachment = message.attachment
        assert attachment is not None
        where = getattr(event, "where", None)
        channel = where.channel_id if isinstance(where, Where) and not where.is_direct else None
        if channel is not None and reply.visibility is Visibility.IN_CHANNEL:
            await self._show(actor, message, reply, response_url, client, replace_original=False)
            try:
                await self.chat.upload_file(actor.workspace_id, channel, attachment)
                return
            except DeliveryError as error:
                logger.info(
                    "sharing %s in %s failed (%s); sending it by DM", attachment.filename, channel, error
                )
            message = OutgoingMessage(
                text=_(
                    "I can only share files in a channel I have been added to, so here is {filename}.",
                    filename=attachment.filename,
                ),
                attachment=attachment,
            )
        elif channel is not None:
            notice = OutgoingMessage(
                text=_("{filename} is in our direct messages.", filename=attachment.filename)
            )
            await self._show(actor, notice, Reply(notice), response_url, client, replace_original=False)
        try:
            sent = await self.chat.send_dm(actor, message)
            await self.chat.upload_file(actor.workspace_id, sent.partition(":")[0], attachment)
        except DeliveryError as error:
            logger.warning("could not deliver %s to %s: %s", attachment.filename, actor.key, error)
            failed = OutgoingMessage(
                text=_(
                    "Sorry, Slack did not take {filename}. Please try again in a minute.",
                    filename=attachment.filename,
                )
            )
            await self._show(actor, failed, Reply(failed), response_url, client, replace_original=False)

    # --- buttons ----------------------------------------------------------------------------------

    async def _on_action(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        event = action_event(body)
        if event is None:
            return
        container = body.get("container")
        container = container if isinstance(container, dict) else {}
        view = body.get("view")
        view = view if isinstance(view, dict) else {}
        from_home = container.get("type") == "view" and view.get("type") == "home"
        inbound: InboundEvent = event
        if event.action_id == COMMAND_ACTION:
            inbound = CommandReceived(
                actor=event.actor, text=event.value, event_id=event.event_id, where=event.where
            )
        self.background.spawn(
            self._answer(
                inbound,
                body.get("trigger_id"),
                body.get("response_url"),
                client,
                replace_original=True,
                home_user=event.actor if from_home and inbound is event else None,
            ),
            name=f"slack action {event.event_id}",
        )

    # --- options of a searchable menu -------------------------------------------------------------

    async def _on_options(self, ack: Any, body: dict[str, Any]) -> None:
        """An `external_select` asks for options as the person types: answered in memory, in the ack.

        Nothing here waits on the engine, the database or the Web API: Slack shows nothing if the
        answer misses its three seconds.
        """
        request = search_request(body)
        if request is None:
            await ack(options=[])
            return
        found = search_options(
            request.dataset,
            request.query,
            limits.SELECT_OPTIONS,
            preferred=(request.current,) if request.current else (),
        )
        await ack(options=options_response(found))

    # --- modal submit -----------------------------------------------------------------------------

    async def _on_form(self, ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        event = form_event(body)
        if event is None:
            await ack()
            return
        view = body.get("view") or {}
        work = self.background.spawn(self._ask(event), name=f"slack form {event.event_id}")
        try:
            reply = await asyncio.wait_for(asyncio.shield(work), self.config.form_budget_seconds)
        except TimeoutError:
            await ack()
            self.background.spawn(self._late_form_answer(event.actor, work, client), name="slack late form")
            return
        if reply is None:
            await ack()
            return
        with speaking(reply.language):
            finished = await self._answer_form(ack, reply, view)
        if finished:
            self.background.spawn(self.publish_home(event.actor, client), name="slack home refresh")

    async def _answer_form(self, ack: Any, reply: Reply, view: dict[str, Any]) -> bool:
        """Acknowledges the submission with what comes next; False while the modal stays open."""
        if reply.form_errors:
            errors = view_errors(reply.form_errors, view)
            if errors:
                await ack(response_action="errors", errors=errors)
                return False
        message = reply.message
        if message is not None and message.form is not None:
            try:
                await ack(response_action="update", view=form_view(message.form, None))
                return False
            except RenderError:
                logger.exception("cannot show follow-up form %s", message.form.form_id)
        if message is not None:
            await ack(response_action="update", view=result_view(message))
        else:
            await ack()
        return True

    async def _late_form_answer(
        self, actor: UserRef, work: asyncio.Task[Reply | None], client: AsyncWebClient
    ) -> None:
        reply = await work
        if reply is None or reply.message is None:
            return
        text = (
            reply.message.text
            if not reply.form_errors
            else reply.message.text + "\n" + "\n".join(reply.form_errors.values())
        )
        with speaking(reply.language):
            message = OutgoingMessage(text=f"{_(LATE_FORM_ANSWER)}\n{text}", mentions=reply.message.mentions)
        await client.chat_postMessage(channel=actor.user_id, unfurl_links=False, **message_payload(message))

    # --- App Home ---------------------------------------------------------------------------------

    async def _on_home_opened(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        # Bolt has already acknowledged events before calling their listener.
        event = home_opened_event(body)
        if event is None:
            return
        self.background.spawn(self._home_opened(event, client), name=f"slack home {event.event_id}")

    async def _home_opened(self, event: InboundEvent, client: AsyncWebClient) -> None:
        welcome = await self._ask(event)
        if welcome is None:
            return
        await self.publish_home(event.actor, client, welcome.message)

    async def publish_home(
        self,
        user: UserRef,
        client: AsyncWebClient,
        welcome: OutgoingMessage | None = None,
    ) -> None:
        """The Home tab: where I stand with the buttons that fit it, my pairing, our goals, this week's prompts."""
        try:
            parts = await self.engine.home(user)
        except Exception:  # the engine should never raise, but the tab must still show something
            logger.exception("the engine failed building the home of %s", user.key)
            parts = [OutgoingMessage(text=_(SORRY_TEXT))]
        if welcome is not None:
            parts.append(welcome)
        view = home_view(parts or [OutgoingMessage(text=_("Welcome to reverse mentoring."))])
        try:
            await client.views_publish(user_id=user.user_id, view=view)
        except Exception:
            logger.exception("views.publish failed for %s", user.key)
