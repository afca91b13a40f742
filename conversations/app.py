"""The engine's front door: every inbound event comes through `Mentorbot`, and its `jobs` are what
the clock makes happen (`conversations.jobs`).

Each event runs in one unit of work together with the record of its `event_id`, so a retried request
is dropped and a crash rolls back both, never half of an action.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

from conversations import buttons, people
from conversations.buttons import BadButtonValue, ButtonKind, ButtonValue
from conversations.commands import (
    ADMIN_ONLY,
    COMMANDS,
    Before,
    CommandRequest,
    ParsedCommand,
    help_message,
    parse_command,
)
from conversations.domain import ConversationRef, Profile, UserRef
from conversations.errors import FormInvalid, InvalidInput, MentorbotError, NotAllowed
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted, InboundEvent, Installed
from conversations.growth.picks import ResourceLibrary
from conversations.growth.ranking import ResourceRanker
from conversations.growth.resource_catalogue import shipped_catalogue
from conversations.growth.resource_preparation import ResourcePreparation
from conversations.i18n import _, current_locale, negotiate, speaking
from conversations.jobs import Jobs
from conversations.matching import Matcher
from conversations.matching.model import Progress, TermVectors
from conversations.messages import SORRY_TEXT, OutgoingMessage, Reply
from conversations.people import PeopleFound
from conversations.ports import (
    ChatPort,
    Clock,
    InsightsWriter,
    PathSuggester,
    PeopleDirectory,
    PromptSuggester,
    TermEmbedder,
    UnitOfWork,
    UnitOfWorkFactory,
)
from conversations.profile_form import JOIN_FORM
from conversations.program_settings import SETTINGS_FORM
from conversations.sender import SenderOptions
from conversations.services import (
    at_risk,
    checkins,
    goals,
    home,
    insights,
    invitations,
    pairing,
    participants,
    paths,
    program,
    prompts,
    resources,
    stats,
    stories,
    survey,
    term_meanings,
)
from conversations.services.context import Ctx, ProgramConfig, admin_scope_of

logger = logging.getLogger(__name__)


ButtonHandler = Callable[[Ctx, UserRef, ButtonValue], Awaitable[Reply]]
ProfileButtonHandler = Callable[[Ctx, UserRef, ButtonValue, Profile | None], Awaitable[Reply]]
FormHandler = Callable[[Ctx, UserRef, str, dict[str, str | list[str]]], Awaitable[Reply]]
PeopleFormHandler = Callable[[Ctx, UserRef, str, dict[str, str | list[str]], PeopleFound], Awaitable[Reply]]


@dataclass(frozen=True)
class ButtonRoute:
    kind: ButtonKind
    handler: ButtonHandler
    before: frozenset[Before] = frozenset()


@dataclass(frozen=True)
class PeopleButtonRoute:
    """A button that names a person of the workspace, who is looked up in its directory first."""

    kind: ButtonKind
    handler: Callable[[Ctx, UserRef, ButtonValue, PeopleFound], Awaitable[Reply]]
    before: frozenset[Before] = frozenset({Before.PEOPLE})


@dataclass(frozen=True)
class ProfileButtonRoute:
    """A button that may open the profile form, so it gets the platform's profile first, as `join` does."""

    kind: ButtonKind
    handler: ProfileButtonHandler
    before: frozenset[Before] = frozenset({Before.PLATFORM_PROFILE})


async def _leave_clicked(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    (choice,) = value.choice
    if choice == "cancel":
        return Reply.text(_("Glad you're staying!"), replace_original=True)
    return await participants.leave(ctx, actor, delete_data=choice == "delete")


async def _note_form(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    return await checkins.note_form(ctx, actor, value.id)


async def _goal_form(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    return await goals.goal_form(ctx, actor, value.id)


async def _show_prompts(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    return await prompts.prompts_command(ctx, actor, value.id)


async def _refresh_prompts(ctx: Ctx, actor: UserRef, value: ButtonValue) -> Reply:
    return await prompts.prompts_command(ctx, actor, value.id, fresh=True)


async def _run_command_clicked(
    ctx: Ctx, actor: UserRef, value: ButtonValue, profile: Profile | None
) -> Reply:
    """A button that runs one of everyone's commands (`buttons.BUTTON_COMMANDS`), as if typed; it may
    open the profile form, hence the platform's profile."""
    command = parse_command(value.choice[0])
    spec = COMMANDS[command.name]
    if spec.admin_only:  # the codec admits none; never trust that blindly
        raise NotAllowed(_(ADMIN_ONLY))
    return await spec.handler(ctx, CommandRequest(actor, command, profile))


BUTTON_ROUTES: dict[str, ButtonRoute | ProfileButtonRoute | PeopleButtonRoute] = {
    route.kind.action_id: route
    for route in (
        ButtonRoute(buttons.CHECKIN_ANSWER, checkins.answer),
        ButtonRoute(buttons.CHECKIN_RATING, checkins.rate),
        ButtonRoute(buttons.CHECKIN_NOTE_FORM, _note_form),
        ButtonRoute(buttons.ASSESS, goals.assessment_clicked),
        ButtonRoute(buttons.GOAL_ADD_FORM, _goal_form),
        ButtonRoute(buttons.STORY_DECIDE, stories.decide),
        ButtonRoute(buttons.PROMPT_RATE, prompts.rate_prompt),
        ButtonRoute(buttons.RESOURCE_VOTE, resources.vote),
        ButtonRoute(buttons.PROMPTS_SHOW, _show_prompts, frozenset({Before.PROMPTS})),
        ButtonRoute(buttons.PROMPTS_REFRESH, _refresh_prompts, frozenset({Before.PROMPTS})),
        ButtonRoute(buttons.LEAVE, _leave_clicked),
        ProfileButtonRoute(buttons.INVITATION, invitations.answered),
        ProfileButtonRoute(buttons.RUN_COMMAND, _run_command_clicked),
        ButtonRoute(buttons.MEETING_BOOKED, checkins.meeting_booked),
        PeopleButtonRoute(buttons.PERSON_PICK, participants.person_picked),
        ButtonRoute(buttons.AT_RISK, at_risk.clicked),
        ButtonRoute(buttons.SURVEY_OPEN, survey.open_form),
        ButtonRoute(buttons.PATH, paths.path_clicked),
        ButtonRoute(buttons.MILESTONE_DONE, paths.milestone_done),
    )
}
"""What each kind of button does when clicked; every kind in `conversations.buttons.KINDS` has one."""


async def _submit_profile(
    ctx: Ctx, actor: UserRef, context: str, fields: dict[str, str | list[str]], found: PeopleFound
) -> Reply:
    return await participants.submit_profile(ctx, actor, fields, context, found)


FORM_ROUTES: dict[str, FormHandler] = {
    checkins.NOTE_FORM: checkins.save_note,
    goals.GOAL_FORM: goals.submit_goal_form,
    survey.SURVEY_FORM: survey.submit,
    paths.PATH_FORM: paths.submit_edit,
}
PEOPLE_FORM_ROUTES: dict[str, PeopleFormHandler] = {
    JOIN_FORM: _submit_profile,
    SETTINGS_FORM: program.submit_settings,
}
"""Forms with people pickers: what was picked is looked up in the workspace's directory first."""


class Mentorbot:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        matcher: Matcher,
        prompts: PromptSuggester,
        config: ProgramConfig,
        chats: Mapping[str, ChatPort] | None = None,
        sender_options: SenderOptions | None = None,
        embedder: TermEmbedder | None = None,
        insights_writer: InsightsWriter | None = None,
        paths: PathSuggester | None = None,
        resources: ResourceLibrary | None = None,
        resource_ranker: ResourceRanker | None = None,
    ) -> None:
        """`embedder`: an embeddings model for meaning-based matching; None matches on the vocabulary.
        `insights_writer`: a model summarising `insights`' figures; None shows the figures alone.
        `paths`: what makes each person's development path after the introduction; None offers none.
        `resources`: the learning resources picked from (by default the shipped catalogue);
        `resource_ranker`: a model that may reorder each person's shortlist; None keeps it as it is."""
        self.uow_factory = uow_factory
        self.clock = clock
        self.matcher = matcher
        self.prompts = prompts
        self.config = config
        self.chats: dict[str, ChatPort] = dict(chats or {})
        self.embedder = embedder
        self.insights_writer = insights_writer
        self.paths = paths
        self.resources = resources or ResourceLibrary(shipped_catalogue())
        self.resource_ranker = resource_ranker
        self.jobs = Jobs(
            uow_factory,
            clock,
            self._ctx,
            prompts,
            self.chats,
            sender_options,
            self.prepare_term_vectors,
            paths,
            ResourcePreparation(self.resources, resource_ranker),
        )

    def register_chat(self, port: ChatPort) -> None:
        self.chats[port.platform] = port

    def learn_home_workspace(self, platform: str, workspace_id: str) -> None:
        """Where admin entries that name no workspace count on `platform` (for Slack, the workspace of
        the bot's token, known once auth.test has answered)."""
        if self.config.home_workspaces.get(platform) != workspace_id:
            homes = {**self.config.home_workspaces, platform: workspace_id}
            self.config = replace(self.config, home_workspaces=homes)

    def _ctx(self, uow: UnitOfWork) -> Ctx:
        return Ctx(uow, self.clock.now(), self.config, self.chats, self.matcher, self.prompts, self.resources)

    # --- inbound ---------------------------------------------------------------------------------

    async def handle(self, event: InboundEvent) -> Reply | None:
        """The reply for the person who caused the event, or None for a duplicate delivery.

        Calls to the outside world (the platform's profile of a person, the LLM) happen first, outside
        any transaction, as the command's or button's `before` asks: a slow network must never hold a
        database lock or connection.
        """
        try:
            command = parse_command(event.text) if isinstance(event, CommandReceived) else None
            before = self._before(event, command)
            profile = await self._profile_for(event) if Before.PLATFORM_PROFILE in before else None
            if Before.PROMPTS in before:
                await self._prepare_requested_prompts(event)
            found = await self._people_for(event, command) if Before.PEOPLE in before else people.NOBODY
            meanings = None
            if Before.TERM_MEANINGS in before and admin_scope_of(self.config, event.actor) is not None:
                meanings = await self.prepare_term_vectors()
            summary = await self._insights_summary(event) if Before.INSIGHTS_SUMMARY in before else None
            async with self.uow_factory() as uow:
                ctx = self._ctx(uow)
                if not await uow.inbound_events.remember(f"{event.actor.platform}:{event.event_id}", ctx.now):
                    logger.info("dropping duplicate event %s", event.event_id)
                    return None
                # The reply is in the person's chosen language; before they have one, in the platform's.
                language = (
                    await ctx.language_of(event.actor)
                    or event.locale
                    or (profile.locale if profile else None)
                )
                with speaking(language):
                    try:
                        reply = await self._dispatch(ctx, event, command, profile, found, meanings, summary)
                    except FormInvalid as error:
                        return Reply(
                            OutgoingMessage(text=error.message),
                            form_errors=error.errors,
                            language=current_locale(),
                        )
                    except MentorbotError as error:  # leaving uncommitted changes nothing
                        return Reply.text(error.message, language=current_locale())
                    reply = replace(reply, language=reply.language or current_locale())
                await uow.commit()
                return reply
        except Exception:
            logger.exception("handling %s failed", type(event).__name__)
            with speaking(event.locale):
                return Reply.text(_(SORRY_TEXT), language=current_locale())

    @staticmethod
    def _before(event: InboundEvent, command: ParsedCommand | None) -> frozenset[Before]:
        if command is not None:
            spec = COMMANDS.get(command.name)
            return spec.before if spec else frozenset()
        if isinstance(event, ButtonClicked):
            route = BUTTON_ROUTES.get(event.action_id)
            return route.before if route else frozenset()
        if isinstance(event, FormSubmitted) and event.form_id in PEOPLE_FORM_ROUTES:
            return frozenset({Before.PEOPLE})
        return frozenset()

    async def _dispatch(
        self,
        ctx: Ctx,
        event: InboundEvent,
        command: ParsedCommand | None,
        profile: Profile | None,
        found: PeopleFound,
        meanings: TermVectors | None = None,
        summary: str | None = None,
    ) -> Reply:
        if isinstance(event, CommandReceived):
            parsed = command or parse_command(event.text)
            return await self._command(ctx, event.actor, parsed, profile, found, meanings, summary)
        if isinstance(event, ButtonClicked):
            return await self._button(ctx, event, profile, found)
        if isinstance(event, FormSubmitted):
            return await self._form(ctx, event, found)
        if isinstance(event, Installed):
            if event.conversation:
                await ctx.uow.conversation_refs.save(ConversationRef(event.actor, dict(event.conversation)))
            greeting = _("Hi! I run the reverse-mentoring program here.")
            return Reply(help_message(ctx.is_admin(event.actor), greeting=greeting))
        raise InvalidInput(_("I don't know what to do with that."))

    async def _command(
        self,
        ctx: Ctx,
        actor: UserRef,
        command: ParsedCommand,
        profile: Profile | None,
        found: PeopleFound,
        meanings: TermVectors | None = None,
        summary: str | None = None,
    ) -> Reply:
        spec = COMMANDS.get(command.name)
        if spec is None:  # the parser only names known commands; this is a second line of defence
            return Reply(help_message(ctx.is_admin(actor), command.name))
        scope = None
        if spec.admin_only:
            scope = ctx.admin_scope(actor)
            if scope is None:
                raise NotAllowed(_(ADMIN_ONLY))
        request = CommandRequest(actor, command, profile, scope, found, meanings, summary)
        return await spec.handler(ctx, request)

    async def _button(
        self, ctx: Ctx, event: ButtonClicked, profile: Profile | None, found: PeopleFound
    ) -> Reply:
        route = BUTTON_ROUTES.get(event.action_id)
        if route is None:
            raise InvalidInput(_("That button isn't one I know; nothing changed."))
        value = route.kind.decode(event.value)
        if isinstance(route, ProfileButtonRoute):
            return await route.handler(ctx, event.actor, value, profile)
        if isinstance(route, PeopleButtonRoute):
            return await route.handler(ctx, event.actor, value, found)
        return await route.handler(ctx, event.actor, value)

    async def _form(self, ctx: Ctx, event: FormSubmitted, found: PeopleFound) -> Reply:
        with_people = PEOPLE_FORM_ROUTES.get(event.form_id)
        if with_people is not None:
            return await with_people(ctx, event.actor, event.context, event.fields, found)
        handler = FORM_ROUTES.get(event.form_id)
        if handler is None:
            raise InvalidInput(_("That form isn't one I know; nothing changed."))
        return await handler(ctx, event.actor, event.context, event.fields)

    async def _profile_for(self, event: InboundEvent) -> Profile | None:
        """The platform's profile, for opening the profile form (name and timezone to prefill)."""
        if not isinstance(event, CommandReceived | ButtonClicked):
            return None
        name = event.display_name if isinstance(event, CommandReceived) else None
        fallback = Profile(name) if name else None
        chat = self.chats.get(event.actor.platform)
        if chat is None:
            return fallback
        try:
            return await chat.get_profile(event.actor)
        except Exception:  # a profile is a nicety for prefilling; never fail the command over it
            logger.warning(
                "could not read the %s profile of %s",
                event.actor.platform,
                event.actor.user_id,
                exc_info=True,
            )
            return fallback

    async def _people_for(self, event: InboundEvent, command: ParsedCommand | None) -> PeopleFound:
        """Who the people an event names are, asked of the platform's directory before the transaction."""
        chat = self.chats.get(event.actor.platform)
        directory = chat if isinstance(chat, PeopleDirectory) else None
        if isinstance(event, FormSubmitted):
            return await people.look_up(directory, event.actor, people.picked_in_form(event.fields))
        if isinstance(event, ButtonClicked):
            try:
                value = buttons.decode(event.action_id, event.value)
                picked = [buttons.account_from_part(value.choice[-1])]
            except BadButtonValue:
                return people.NOBODY  # the transaction that follows gives the person the friendly answer
            return await people.look_up(directory, event.actor, picked)
        if command is not None and invitations.asks_for_channel(command):
            where = event.where if isinstance(event, CommandReceived) else None
            channel = where.channel_id if where is not None and not where.is_direct else None
            if channel is None:
                return people.NOBODY  # `invite here` in a DM: the handler says where to type it
            return PeopleFound(in_channel=await people.channel_members(directory, event.actor, channel))
        typed = people.typed_in(command) if command is not None else None
        return await people.look_up(directory, event.actor, typed=typed)

    async def home(self, user: UserRef) -> list[OutgoingMessage]:
        """What a person's home (the Slack Home tab) shows, from one read: where they stand and, when
        paired, the pair's goals and this week's prompts. Opening a tab is not an action: no inbound
        event is recorded and nothing else is written."""
        try:
            await self._prepare_prompts(user)
            async with self.uow_factory() as uow:
                ctx = self._ctx(uow)
                with speaking(await ctx.language_of(user)):
                    return await home.parts(ctx, user)
        except MentorbotError as error:
            return [OutgoingMessage(text=error.message)]
        except Exception:
            logger.exception("building the home of %s failed", user.key)
            return [OutgoingMessage(text=_(SORRY_TEXT))]

    async def _prepare_requested_prompts(self, event: InboundEvent) -> None:
        """Make the prompts a person asked for before the transaction, so the LLM never holds one."""
        pairing_id, fresh = None, False
        if isinstance(event, ButtonClicked):
            try:
                pairing_id = buttons.decode(event.action_id, event.value).id
            except BadButtonValue:
                return  # the transaction that follows gives the person the friendly answer
            fresh = event.action_id == buttons.PROMPTS_REFRESH.action_id
        await self._prepare_prompts(event.actor, pairing_id, fresh)

    async def _prepare_prompts(
        self, actor: UserRef, pairing_id: str | None = None, fresh: bool = False
    ) -> None:
        async with self.uow_factory() as uow:
            ctx = self._ctx(uow)
            try:
                request = await prompts.prompt_request(ctx, actor, pairing_id, fresh)
            except MentorbotError:
                return  # the transaction that follows gives the person the friendly answer
        if request is None:
            return
        made = await self.prompts.suggest(request)
        async with self.uow_factory() as uow:
            await uow.prompt_cache.save(request.pairing_id, request.week, made)
            await uow.commit()

    # --- the operator's commands, and the clock's jobs for the callers that hold only the engine ---

    async def prepare_term_vectors(self) -> TermVectors | None:
        """The embeddings of the next round's terms, fetched outside any transaction; None without a
        model or when it fails (the round is then matched on the vocabulary alone)."""
        if self.embedder is None:
            return None
        async with self.uow_factory() as uow:
            ctx = self._ctx(uow)
            # Workspaces whose admins turned meaning-based matching off send none of their terms.
            pool = [
                p for p in await pairing.pool_for_round(ctx) if (await ctx.config_for(p.user)).ai_matching
            ]
        terms = term_meanings.pool_terms(pool)
        return await term_meanings.term_vectors(self.uow_factory, self.embedder, terms, self.clock.now())

    async def _insights_summary(self, event: InboundEvent) -> str | None:
        """The model's summary of what the admin's `insights` will show, written before the transaction
        opens (a model is slow) from the aggregates alone; None without a model, for anyone but an
        admin, or when the model fails (the figures and their suggestions stand alone)."""
        scope = admin_scope_of(self.config, event.actor)
        if self.insights_writer is None or scope is None:
            return None
        async with self.uow_factory() as uow:
            ctx = self._ctx(uow)
            found = await insights.insights_for(ctx, scope)
            language = negotiate(await ctx.language_of(event.actor) or event.locale)
        try:
            return await self.insights_writer.summarise(insights.summary_facts(found, language))
        except Exception as error:  # any failure: the rule-based text is the answer
            logger.info("the insights summary could not be written: %r", error)
            return None

    async def run_round(self, dry_run: bool, progress: Progress | None = None) -> pairing.RoundReport:
        meanings = await self.prepare_term_vectors()
        async with self.uow_factory() as uow:
            report = await pairing.run_round(self._ctx(uow), dry_run, progress, meanings=meanings)
            if not dry_run:
                await uow.commit()
            return report

    async def help_warnings(self) -> list[str]:
        """One line per workspace or tenant where a help request would reach nobody, for the log."""
        async with self.uow_factory() as uow:
            silent = await program.workspaces_without_help(self._ctx(uow))
        return [program.no_help_warning(*where, "the settings command") for where in silent]

    async def export_csv(self) -> str:
        async with self.uow_factory() as uow:
            message = await stats.export_csv(self._ctx(uow))
        return message.attachment.content.decode("utf-8") if message.attachment else ""
