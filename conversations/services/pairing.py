"""Pairing rounds: who is matched with whom and why, the introductions, the waitlist, and endings."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from conversations.buttons import ASSESS, GOAL_ADD_FORM, MEETING_BOOKED, RUN_COMMAND
from conversations.domain import (
    ASSESSMENT_QUESTIONS,
    ROUND_FINISHED,
    CheckinAnswer,
    Cycle,
    DeliveryPriority,
    Destination,
    Pairing,
    PairingStatus,
    Participant,
    ParticipantStatus,
    Side,
    UserRef,
    new_id,
)
from conversations.errors import RoundAlreadyStarted
from conversations.i18n import N_, _, common_language, speaking
from conversations.matching import Candidate, MatchResult, ProposedPair, TermVectors, Waitlisted
from conversations.matching.model import Progress
from conversations.matching.rules import Rule, describe_rule
from conversations.messages import (
    ButtonStyle,
    FieldValue,
    ItemList,
    MeetingOffer,
    OutgoingMessage,
    command,
    mention,
)
from conversations.services import celebrations, survey
from conversations.services.checkins import WE_BOOKED_IT, offers_for
from conversations.services.context import DEFAULT_GROUND_RULES, Ctx, ground_rules_list
from conversations.services.org import chain_of

WAITLIST_GENERAL = N_("Nobody who fits the program's rules for you was free this round.")


@dataclass(frozen=True)
class RoundReport:
    cycle_number: int
    pairs: tuple[ProposedPair, ...]
    waitlist: tuple[Waitlisted, ...]
    names: dict[UserRef, str]
    dry_run: bool

    def summary(self) -> str:
        """The report as plain lines, for the command line."""
        return self.message().plain_text()

    def message(self) -> OutgoingMessage:
        head = (
            _("Preview of the next round")
            if self.dry_run
            else _("Pairing round {number}", number=self.cycle_number)
        )
        pairs = ItemList(
            tuple(
                _(
                    "{leader} (leader) + {mentor} (mentor): {reasons}",
                    leader=self._name(pair.leader),
                    mentor=self._name(pair.mentor),
                    reasons=" ".join(pair.reasons),
                )
                for pair in self.pairs
            )
        )
        waitlist = ItemList(
            tuple(
                _("{name}: {reason}", name=self._name(person.user), reason=person.reason)
                for person in self.waitlist
            )
        )
        return OutgoingMessage(
            text=_(
                "{head}: {pairs} pairs, {waiting} on the waitlist.",
                head=head,
                pairs=len(self.pairs),
                waiting=len(self.waitlist),
            ),
            fields=tuple(
                (name, value) for name, value in ((_("Pairs"), pairs), (_("Waitlist"), waitlist)) if value
            ),
        )

    def _name(self, user: UserRef) -> str:
        return self.names.get(user, user.user_id)


async def current_cycle(ctx: Ctx) -> Cycle | None:
    latest = await ctx.uow.cycles.latest()
    return latest if latest and latest.closed_at is None else None


async def build_candidates(ctx: Ctx, people: list[Participant]) -> list[Candidate]:
    cycles = await ctx.uow.cycles.list()
    recent_ids: dict[int, set[str]] = {}
    """The ids of the last N cycles, by N: each workspace looks back as far as its own setting."""
    recent: dict[UserRef, set[str]] = defaultdict(set)
    for pairing in await ctx.uow.pairings.list():
        lookback = (await ctx.config_for(pairing.leader)).match_rules.repeat_lookback_cycles
        if lookback not in recent_ids:
            recent_ids[lookback] = {c.id for c in cycles[-lookback:]} if lookback > 0 else set()
        if pairing.cycle_id in recent_ids[lookback]:
            recent[pairing.leader].add(pairing.mentor.user_id)
            recent[pairing.mentor].add(pairing.leader.user_id)
    chains = await reporting_chains(ctx, people)
    avoided = await avoided_by_anyone(ctx)
    waiting = await ctx.uow.waitlist.since()
    return [
        Candidate(
            user=p.user,
            display_name=p.display_name,
            role=p.role,
            department=p.department,
            seniority=p.seniority,
            timezone=p.timezone,
            skills=p.skills,
            learning_goals=p.learning_goals,
            manager_chain=chains.get(p.user, ()),
            recent_partners=frozenset(recent.get(p.user, ())),
            avoided=frozenset(avoided.get(p.user, ())),
            waiting_since=waiting.get(p.user),
        )
        for p in people
    ]


async def avoided_by_anyone(ctx: Ctx) -> dict[UserRef, set[str]]:
    """For each person, the user ids of their workspace never to pair them with: those on their own
    private list and those who listed them. Both directions, so either list alone keeps two apart."""
    avoided: dict[UserRef, set[str]] = defaultdict(set)
    for pair in await ctx.uow.avoid_list.pairs():
        if len(pair) != 2:
            continue
        one, other = sorted(pair)
        if (one.platform, one.workspace_id) == (other.platform, other.workspace_id):
            avoided[one].add(other.user_id)
            avoided[other].add(one.user_id)
    return avoided


async def reporting_chains(ctx: Ctx, people: list[Participant]) -> dict[UserRef, tuple[str, ...]]:
    """Each person's managers up to the configured depth, as user ids of their workspace.

    People linked to the org chart (by the email their platform gave when they joined) get their
    chain from the chart, through managers who never joined; everyone else from the managers people
    named in their profiles. Only managers who joined can be paired, so only they need a user id.
    """
    depth = max(0, ctx.config.match_rules.reporting_depth)
    everyone = await ctx.uow.participants.list()
    named = {(p.user.platform, p.user.workspace_id, p.user.user_id): p.manager_id for p in everyone}
    links = await ctx.uow.org_chart.links()
    managers = await ctx.uow.org_chart.managers() if links else {}
    accounts: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for user, email in links.items():
        accounts[(user.platform, user.workspace_id, email)].append(user.user_id)

    def from_profiles(p: Participant) -> tuple[str, ...]:
        out: list[str] = []
        boss = p.manager_id
        while boss and len(out) < depth and boss not in out:
            out.append(boss)
            boss = named.get((p.user.platform, p.user.workspace_id, boss))
        return tuple(out)

    chains: dict[UserRef, tuple[str, ...]] = {}
    for p in people:
        linked = links.get(p.user)
        if linked is None or linked not in managers:
            chains[p.user] = from_profiles(p)
            continue
        ids: list[str] = []
        for boss in chain_of(linked, managers, depth):
            ids.extend(accounts.get((p.user.platform, p.user.workspace_id, boss), ()))
        chains[p.user] = tuple(ids)
    return chains


Workspace = tuple[str, str]
"""(platform, workspace id): pairs never cross one, and each has its own settings."""


def workspace_of(user: UserRef) -> Workspace:
    return (user.platform, user.workspace_id)


async def pool_for_round(ctx: Ctx, workspaces: frozenset[Workspace] | None = None) -> list[Participant]:
    """Available people not already in an active pairing (of `workspaces` only, when given)."""
    busy: set[UserRef] = set()
    for pairing in await ctx.uow.pairings.list(status=PairingStatus.ACTIVE):
        busy.update(pairing.members())
    return [
        p
        for p in await ctx.uow.participants.list()
        if p.user not in busy
        and ctx.available(p)
        and (workspaces is None or workspace_of(p.user) in workspaces)
    ]


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


async def compute_round(
    ctx: Ctx,
    progress: Progress | None = None,
    workspaces: frozenset[Workspace] | None = None,
    meanings: TermVectors | None = None,
) -> tuple[MatchResult, dict[UserRef, str]]:
    """Each workspace matched by its own rules (pairs never cross one), off the event loop: a large
    pool takes seconds, and the bot keeps answering meanwhile.

    `meanings` are the pool's term embeddings, fetched before (`term_meanings`), never from here."""
    pool = await pool_for_round(ctx, workspaces)
    result = await match_by_workspace(ctx, await build_candidates(ctx, pool), progress, meanings)
    return result, {p.user: p.display_name for p in pool}


async def match_by_workspace(
    ctx: Ctx,
    candidates: list[Candidate],
    progress: Progress | None = None,
    meanings: TermVectors | None = None,
) -> MatchResult:
    """Each workspace matched by its own rules (`Ctx.config_for`); pairs never cross one."""
    by_workspace: dict[Workspace, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_workspace[workspace_of(candidate.user)].append(candidate)
    pairs: list[ProposedPair] = []
    waitlist: list[Waitlisted] = []
    for where, members in sorted(by_workspace.items()):
        config = await ctx.config_for(where)
        rules = config.match_rules
        result = await asyncio.to_thread(
            ctx.matcher.match,
            members,
            rules,
            progress=progress,
            meanings=meanings if config.ai_matching else None,
        )
        pairs += result.pairs
        waitlist += result.waitlist
    return MatchResult(tuple(pairs), tuple(waitlist))


async def run_round(
    ctx: Ctx,
    dry_run: bool,
    progress: Progress | None = None,
    workspaces: frozenset[Workspace] | None = None,
    meanings: TermVectors | None = None,
) -> RoundReport:
    """`workspaces`: only their people (a round the clock starts where its settings say so)."""
    # Read the round before the pool: if another matching commits in between, the compare-and-set
    # below sees the round's count moved and this matching stops instead of pairing people twice.
    cycle = await current_cycle(ctx)
    result, names = await compute_round(ctx, progress, workspaces, meanings)
    latest = await ctx.uow.cycles.latest()
    number = cycle.number if cycle else (latest.number + 1 if latest else 1)
    if dry_run:
        return RoundReport(number, result.pairs, result.waitlist, names, dry_run=True)
    if cycle is None:
        cycle = Cycle(new_id(), number, ctx.now, ctx.config.cycle_weeks, matchings=1)
        if not await ctx.uow.cycles.start(cycle):
            raise RoundAlreadyStarted()
    elif not await ctx.uow.cycles.begin_matching(cycle):
        raise RoundAlreadyStarted()
    await pair_into(ctx, cycle, result)
    await ctx.uow.waitlist.add([w.user for w in result.waitlist], ctx.now)
    for person in result.waitlist:  # at a round's start everyone left out is told, however long they waited
        await tell_waitlisted(ctx, cycle, person, rolling=False)
    return RoundReport(number, result.pairs, result.waitlist, names, dry_run=False)


async def pair_into(ctx: Ctx, cycle: Cycle, result: MatchResult) -> list[Pairing]:
    """The matched pairs as pairings of `cycle`, introduced, and off the waitlist."""
    emails = await ctx.uow.org_chart.links() if result.pairs else {}
    made: list[Pairing] = []
    for proposed in result.pairs:
        pairing = Pairing(
            id=new_id(),
            cycle_id=cycle.id,
            leader=proposed.leader,
            mentor=proposed.mentor,
            score=proposed.score,
            reasons=proposed.reasons,
            created_at=ctx.now,
        )
        await ctx.uow.pairings.add(pairing)
        await introduce(ctx, pairing, emails)
        made.append(pairing)
    await ctx.uow.waitlist.remove([member for pairing in made for member in pairing.members()])
    return made


async def tell_waitlisted(ctx: Ctx, cycle: Cycle, person: Waitlisted, *, rolling: bool) -> None:
    """The waitlist notice; `rolling` for someone the daily re-match could not pair during a round."""
    # The private lists are never told to the people they name: their reason stays general.
    private_rule = describe_rule(Rule.AVOIDED, ctx.config.match_rules)
    found = await ctx.uow.participants.get(person.user)
    with speaking(found.language if found else None):
        reason = _(WAITLIST_GENERAL) if private_rule in person.reason else person.reason
        if rolling:
            text = _(
                "Nobody who fits is free to be your partner right now. I look again every day while the round "
                "runs, and at the next round you're first in line. Why: {reason} Nothing for you to do; you "
                "keep your place.",
                reason=sentence(reason),
            )
        else:
            text = _(
                "There was no partner for you in this pairing round, so you're first in line for the next one. "
                "Why: {reason} Nothing for you to do; you keep your place.",
                reason=sentence(reason),
            )
        await ctx.outbox.dm(
            f"waitlist:{cycle.id}:{ctx.now.date().isoformat()}:{person.user.key}",
            person.user,
            OutgoingMessage(title=_("You're on the waitlist"), text=text),
        )


@dataclass(frozen=True)
class RematchReport:
    pairs: tuple[Pairing, ...] = ()
    newly_waiting: tuple[UserRef, ...] = ()


REMATCH_JOB = "rematch"


async def rematch(ctx: Ctx) -> RematchReport:
    """The rolling re-match: once a day, while a round runs, people who joined since it started and
    people whose pairing ended are paired into it, under the round's hard rules and by the same
    matcher, the longest-waiting first.

    The day is claimed in the same transaction, so a second replica or a retried tick does nothing;
    a matching of the round running at the same moment stops one of the two (`begin_matching`).
    Someone the re-match cannot pair goes on the waitlist, and is told once, when they first do.
    """
    cycle = await current_cycle(ctx)
    if cycle is None or not await ctx.uow.daily_runs.claim(REMATCH_JOB, ctx.now.date(), ctx.now):
        return RematchReport()
    pool = await pool_for_round(ctx)
    if not pool:
        return RematchReport()
    result = await match_by_workspace(ctx, await build_candidates(ctx, pool))
    if result.pairs and not await ctx.uow.cycles.begin_matching(cycle):
        raise RoundAlreadyStarted()
    made = await pair_into(ctx, cycle, result)
    newly_waiting = await ctx.uow.waitlist.add([w.user for w in result.waitlist], ctx.now)
    waiting = set(newly_waiting)
    for person in result.waitlist:
        if person.user in waiting:
            await tell_waitlisted(ctx, cycle, person, rolling=True)
    return RematchReport(tuple(made), tuple(newly_waiting))


def first_meeting_agenda() -> ItemList:
    """Both directions of learning, so the first meeting starts two-way."""
    return ItemList(
        (
            _("Ten minutes each: your role, your week, and what you'd like from this pairing."),
            _(
                "The leader's turn to learn: the mentor shows one AI or digital tool on a real task from "
                "the leader's week (summarising a long document, drafting an update, analysing a spreadsheet)."
            ),
            _(
                "The mentor's turn to learn: the leader walks through one strategic decision they are "
                "facing, and how they are weighing it."
            ),
            _("Before you hang up: each of you sets two or three goals, and you book the next meeting."),
        ),
        numbered=True,
    )


def ways_out() -> str:
    """The private exits, named the same way in the introduction and the joining message."""
    return _(
        "Stuck, or something feels wrong? Answer *{need_help}* on any weekly check-in, or use "
        "{command}: the program admins reach out to you privately and your partner "
        "is not told. To end the pairing without fault, use {end}; you'll be matched "
        "with someone new.",
        need_help=CheckinAnswer.NEED_HELP.label,
        command=command("checkin need-help"),
        end=command("end"),
    )


def ground_rules_items(ground_rules: str) -> ItemList:
    return ItemList(tuple(sentence(_(rule)) for rule in ground_rules_list(ground_rules)))


def onboarding_message(ground_rules: str) -> OutgoingMessage:
    """Sent once someone joins: the introduction's rules and ways out, in brief, before anyone is paired."""
    return OutgoingMessage(
        title=_("How reverse mentoring works"),
        text=_(
            "Thanks for joining! At the next pairing round you'll be introduced to your partner, with a few "
            "times you could both meet. Meet for about 30 minutes every week or two: the mentor shows AI and "
            "digital tools, the leader shares strategy and experience. Once a week I ask how it's going; "
            "one click answers."
        ),
        fields=((_("Ground rules"), ground_rules_items(ground_rules)), (_("If you need to"), ways_out())),
        buttons=(RUN_COMMAND.button(_("Where I stand"), "status"), RUN_COMMAND.button(_("Help"), "help")),
    )


def intro_message(
    pairing: Pairing,
    to: UserRef | None,
    *,
    ground_rules: str = DEFAULT_GROUND_RULES,
    meetings: tuple[MeetingOffer, ...] = (),
) -> OutgoingMessage:
    """The introduction: who, why, the ground rules, a first agenda, the ways out and times to meet.

    `meetings` are shown on each reader's clock: in a message both people share, in both zones."""
    leader, mentor = pairing.leader.user_id, pairing.mentor.user_id
    if to is None:
        text = _(
            "{leader}, meet {mentor}, your reverse-mentoring partner for this round! "
            "{mentor} teaches AI and digital tools; {leader} shares strategy and experience.",
            leader=mention(leader),
            mentor=mention(mentor),
        )
    elif pairing.other(to) == pairing.mentor:
        text = _(
            "Meet {partner}, your mentor for this "
            "reverse-mentoring round! Send them a message to set up your first 30 minutes.",
            partner=mention(pairing.other(to).user_id),
        )
    else:
        text = _(
            "Meet {partner}, your leader for this "
            "reverse-mentoring round! Send them a message to set up your first 30 minutes.",
            partner=mention(pairing.other(to).user_id),
        )
    if meetings:
        text = _(
            "{text} Below are {count} times in the coming week inside both your working hours: add one to "
            "your calendar, send it to your partner, then tell me with *{booked}*.",
            text=text,
            count=len(meetings),
            booked=_(WE_BOOKED_IT),
        )
    fields: list[tuple[str, FieldValue]] = [
        (
            _("Why you two"),
            " ".join(sentence(r) for r in pairing.reasons) or _("You were the best available match."),
        ),
        (_("Ground rules"), ground_rules_items(ground_rules)),
        (_("Your first meeting (30 minutes)"), first_meeting_agenda()),
        (_("If you need to"), ways_out()),
    ]
    return OutgoingMessage(
        title=_("Meet your mentoring partner"),
        text=text,
        fields=tuple((name, value) for name, value in fields if value),
        buttons=(
            *(
                (MEETING_BOOKED.button(_(WE_BOOKED_IT), pairing.id, style=ButtonStyle.PRIMARY),)
                if meetings
                else ()
            ),
            GOAL_ADD_FORM.button(_("Set my goals"), pairing.id),
        ),
        mentions=(leader, mentor),
        meetings=meetings,
    )


async def introduce(ctx: Ctx, pairing: Pairing, emails: Mapping[UserRef, str] | None = None) -> None:
    """`emails`: the org chart's links, read once for a whole round rather than once per pair."""
    members = pairing.members()
    people = await ctx.uow.participants.get_many(members)
    zones = {user: person.timezone for user, person in people.items()}
    emails = await ctx.uow.org_chart.links() if emails is None else emails
    rules = (await ctx.config_for(pairing.leader)).ground_rules
    languages = {user: person.language for user, person in people.items()}
    if ctx.supports_group_dm(pairing.leader.platform):
        meetings = offers_for(ctx.now, pairing, zones, emails, members)
        with speaking(common_language(*(languages.get(member) for member in members))):
            await ctx.outbox.send(
                f"intro:{pairing.id}",
                Destination.group(members),
                intro_message(pairing, None, ground_rules=rules, meetings=meetings),
                priority=DeliveryPriority.URGENT,
            )
    else:
        for member in members:
            meetings = offers_for(ctx.now, pairing, zones, emails, (member,))
            with speaking(languages.get(member)):
                await ctx.outbox.dm(
                    f"intro:{pairing.id}:{member.key}",
                    member,
                    intro_message(pairing, member, ground_rules=rules, meetings=meetings),
                    priority=DeliveryPriority.URGENT,
                )
    for member in members:
        side = pairing.side_of(member) or Side.LEADER
        with speaking(languages.get(member)):
            await ctx.outbox.dm(
                f"assess:before:{pairing.id}:{member.key}",
                member,
                assessment_question(pairing, side, "before"),
            )


def assessment_question(pairing: Pairing, side: Side, phase: str) -> OutgoingMessage:
    question = _(ASSESSMENT_QUESTIONS[side])
    return OutgoingMessage(
        title=_("A one-click self-assessment"),
        text=(
            _("Before you start: {question} (1 = not at all, 5 = very)", question=question)
            if phase == "before"
            else _("Now that the round is over: {question} (1 = not at all, 5 = very)", question=question)
        ),
        buttons=tuple(ASSESS.button(str(n), pairing.id, phase, str(n)) for n in range(1, 6)),
    )


async def end_pairing(ctx: Ctx, pairing: Pairing, by: UserRef | None, reason: str) -> None:
    """A no-fault ending: both people are told kindly and join the daily re-match's pool (`rematch`)."""
    pairing.status = PairingStatus.ENDED
    pairing.ended_at = ctx.now
    pairing.end_reason = reason
    await ctx.uow.pairings.save(pairing)
    for member in pairing.members():
        if member == by:
            continue
        other = await ctx.uow.participants.get(member)
        if other is None or other.status is ParticipantStatus.LEFT:
            continue
        with speaking(other.language):
            await ctx.outbox.dm(
                f"ended:{pairing.id}:{member.key}",
                member,
                OutgoingMessage(
                    title=_("Your pairing has ended"),
                    text=_(
                        "Your mentoring pairing has come to an end, no fault of anyone's. While the round runs "
                        "I look every day for someone new who fits; otherwise you're first in line for the next "
                        "round. Thank you for taking part!"
                    ),
                ),
            )


async def workspaces_due_a_round(ctx: Ctx) -> frozenset[Workspace]:
    """The workspaces whose next round starts by itself now: the last round closed at least their
    "next round starts after" ago (a workspace that leaves it to an admin never is), so the program
    carries on without an admin having to ask."""
    latest = await ctx.uow.cycles.latest()
    if latest is None or latest.closed_at is None:
        return frozenset()
    closed_at = latest.closed_at
    due: set[Workspace] = set()
    for where in {workspace_of(p.user) for p in await ctx.uow.participants.list()}:
        gap = (await ctx.config_for(where)).next_round_after
        if gap is not None and ctx.now - closed_at >= gap:
            due.add(where)
    return frozenset(due)


async def close_finished_cycles(ctx: Ctx) -> int:
    """At the end of each workspace's round length, end its pairings and ask the after-assessment and
    the round-end survey; the round closes when its longest-running workspace's weeks are over. The
    pair's celebration goes now if both already said how they stand after, else once they have
    (`goals.record_assessment`) or when the survey window closes (`round_report.send_due_reports`)."""
    cycle = await current_cycle(ctx)
    if cycle is None:
        return 0
    weeks = {
        pairing.id: (await ctx.config_for(pairing.leader)).cycle_weeks
        for pairing in await ctx.uow.pairings.list(cycle_id=cycle.id)
    }
    ends_at = cycle.started_at + timedelta(weeks=max(weeks.values(), default=cycle.weeks))
    ended = 0
    for pairing in await ctx.uow.pairings.list(status=PairingStatus.ACTIVE, cycle_id=cycle.id):
        if ctx.now < cycle.started_at + timedelta(weeks=weeks.get(pairing.id, cycle.weeks)):
            continue
        pairing.status, pairing.ended_at, pairing.end_reason = PairingStatus.ENDED, ctx.now, ROUND_FINISHED
        await ctx.uow.pairings.save(pairing)
        people = await ctx.uow.participants.get_many(pairing.members())
        for member in pairing.members():
            side = pairing.side_of(member) or Side.LEADER
            with speaking(people[member].language if member in people else None):
                await ctx.outbox.dm(
                    f"assess:after:{pairing.id}:{member.key}",
                    member,
                    assessment_question(pairing, side, "after"),
                )
        await survey.ask(ctx, pairing, cycle.number)
        await celebrations.celebrate_round_once_both_answered(ctx, pairing, cycle.number)
        ended += 1
    if ctx.now >= ends_at:
        cycle.closed_at = ctx.now
        await ctx.uow.cycles.save(cycle)
    return ended
