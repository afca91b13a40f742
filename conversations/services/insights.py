"""What a program owner needs to steer the program: where wants and offers meet or miss, and which
goals get done.

Only aggregates leave this module. Skills and learning goals are counted as themes, each term
normalised through the matching vocabulary so "AI assistants" and "ai assistants" are one theme; a
goal counts under the themes its wording names, and its words are never shown. Any theme or group
fewer than `MIN_GROUP` people stand behind is folded into one "other" line, so no figure can point at a
person. Check-ins and their notes are never read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from conversations.domain import Goal, Participant, ParticipantStatus, Role, Side
from conversations.i18n import _
from conversations.matching.vocabulary import DEFAULT_VOCABULARY, Vocabulary, normalise_term
from conversations.messages import ItemList, OutgoingMessage, Reply
from conversations.messages import command as command_ref
from conversations.services.context import AdminScope, Ctx
from conversations.services.program_chart import MIN_GROUP

TOP = 5
"""Themes listed as the most wanted, on each side."""
SELDOM_DONE = 0.5
"""A theme whose goals are done less often than this is worth an admin's attention."""
_LONGEST_TERM_WORDS = 6
_WORD_BREAKS = re.compile(r"[.,;:!?\"()\[\]{}*]+")


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    wanted: int
    """People on the learning side who want it."""
    offered: int
    """People on the teaching side who offer it."""


@dataclass(frozen=True)
class Direction:
    """One way learning flows: leaders learning from mentors, or mentors from leaders."""

    learners: Side
    gaps: tuple[Theme, ...]
    """Themes at least `MIN_GROUP` learners want and nobody on the other side offers, the biggest first."""
    small_gaps: int
    """Themes nobody offers that fewer than `MIN_GROUP` learners want each."""
    most_wanted: tuple[Theme, ...]
    """Up to `TOP` themes at least `MIN_GROUP` learners want, the most wanted first."""
    small_wants: int
    """Other themes learners want, fewer than `MIN_GROUP` each."""


@dataclass(frozen=True)
class DoneRate:
    label: str
    goals: int
    done: int
    folded: bool = False
    """The themes each under `MIN_GROUP` people, together."""

    @property
    def rate(self) -> float:
        return self.done / self.goals


@dataclass(frozen=True)
class Insights:
    scope: AdminScope
    leaders: Direction
    mentors: Direction
    done_by_side: dict[Side, DoneRate | None]
    """None for a side whose goals fewer than `MIN_GROUP` people set."""
    done_by_theme: tuple[DoneRate, ...]
    """Themes whose goals at least `MIN_GROUP` people set, the most goals first; the rest folded into
    one "other" line at the end, when that group is large enough itself."""


def _learns(role: Role, side: Side) -> bool:
    return role.can_lead() if side is Side.LEADER else role.can_mentor()


def _teaches(role: Role, side: Side) -> bool:
    """Whether someone of `role` teaches the learners of `side` (the other side of the pair)."""
    return role.can_mentor() if side is Side.LEADER else role.can_lead()


class _Themes:
    """Counts people per theme, and keeps the spelling most people used for themes the vocabulary lacks."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)

    def of(self, raws: Iterable[str]) -> frozenset[str]:
        keys: set[str] = set()
        for raw in raws:
            key = self.vocabulary.canonical(raw)
            if key:
                keys.add(key)
                self.spellings[key][" ".join(raw.split())] += 1
        return frozenset(keys)

    def label(self, key: str) -> str:
        if key in self.vocabulary.keys() or not self.spellings[key]:
            return self.vocabulary.label(key)
        return min(self.spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _direction(learners: Side, wanted: Counter[str], offered: Counter[str], themes: _Themes) -> Direction:
    def theme(key: str) -> Theme:
        return Theme(key, themes.label(key), wanted[key], offered[key])

    ranked = sorted(wanted, key=lambda k: (-wanted[k], themes.label(k).casefold()))
    big = [k for k in ranked if wanted[k] >= MIN_GROUP]
    unmet = [k for k in ranked if not offered[k]]
    return Direction(
        learners=learners,
        gaps=tuple(theme(k) for k in unmet if wanted[k] >= MIN_GROUP),
        small_gaps=sum(1 for k in unmet if wanted[k] < MIN_GROUP),
        most_wanted=tuple(theme(k) for k in big[:TOP]),
        small_wants=sum(1 for k in ranked if wanted[k] < MIN_GROUP),
    )


def goal_themes(
    text: str, known: frozenset[str], vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> frozenset[str]:
    """The themes a goal's wording names: runs of its words that normalise to a theme in `known`, the
    longest first, so "learn generative AI" is about generative AI and not also about AI."""
    words = normalise_term(_WORD_BREAKS.sub(" ", text)).split()
    found: set[str] = set()
    taken = [False] * len(words)
    for size in range(min(_LONGEST_TERM_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            key = vocabulary.canonical(" ".join(words[start : start + size]))
            if key in known:
                found.add(key)
                taken[start : start + size] = [True] * size
    return frozenset(found)


def _rate(label: str, goals: list[Goal], *, folded: bool = False) -> DoneRate | None:
    """A done rate, only when at least `MIN_GROUP` people set the goals behind it."""
    if len({g.owner for g in goals}) < MIN_GROUP:
        return None
    return DoneRate(label, len(goals), sum(1 for g in goals if g.done), folded)


def compute_insights(
    people: Iterable[Participant],
    goals: Iterable[Goal],
    scope: AdminScope,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
) -> Insights:
    """The aggregates over the people of `scope` still in the program and the goals they set."""
    themes = _Themes(vocabulary)
    wants = {side: Counter[str]() for side in Side}
    offers = {side: Counter[str]() for side in Side}
    """What the teachers of each side's learners offer."""
    for person in people:
        if person.status is ParticipantStatus.LEFT or not scope.covers(person.user):
            continue
        learning, skills = themes.of(person.learning_goals), themes.of(person.skills)
        for side in Side:
            if _learns(person.role, side):
                wants[side].update(learning)
            if _teaches(person.role, side):
                offers[side].update(skills)
    scoped_goals = [g for g in goals if scope.covers(g.owner)]
    known = vocabulary.keys() | {k for counter in (*wants.values(), *offers.values()) for k in counter}
    by_theme: dict[str, list[Goal]] = defaultdict(list)
    for goal in scoped_goals:
        for key in goal_themes(goal.text, known, vocabulary):
            by_theme[key].append(goal)
    shown: list[DoneRate] = []
    folded: dict[str, Goal] = {}
    for key in sorted(by_theme, key=lambda k: (-len(by_theme[k]), themes.label(k).casefold())):
        rate = _rate(themes.label(key), by_theme[key])
        if rate is None:
            folded.update((g.id, g) for g in by_theme[key])
        else:
            shown.append(rate)
    other = _rate("", list(folded.values()), folded=True)
    return Insights(
        scope=scope,
        leaders=_direction(Side.LEADER, wants[Side.LEADER], offers[Side.LEADER], themes),
        mentors=_direction(Side.MENTOR, wants[Side.MENTOR], offers[Side.MENTOR], themes),
        done_by_side={side: _rate(side.value, [g for g in scoped_goals if g.side is side]) for side in Side},
        done_by_theme=(*shown, *((other,) if other else ())),
    )


def _offering(theme: Theme) -> int | str:
    return "none" if not theme.offered else "fewer than 5" if theme.offered < MIN_GROUP else theme.offered


def summary_facts(insights: Insights, language: str) -> dict[str, object]:
    """What the insights summary's model receives: the aggregates the message shows, nothing more; its
    keys are exactly the feature's list in `conversations.privacy` (a test holds it to the list)."""
    directions = (insights.leaders, insights.mentors)
    facts: dict[str, object] = {
        "scope": "the whole program" if insights.scope.org_wide else "one workspace",
        "gaps": [
            {"learners": f"{d.learners.value}s", "theme": t.label, "people_wanting": t.wanted}
            for d in directions
            for t in d.gaps
        ],
        "most_wanted": [
            {
                "learners": f"{d.learners.value}s",
                "theme": t.label,
                "people_wanting": t.wanted,
                "people_offering": _offering(t),
            }
            for d in directions
            for t in d.most_wanted
        ],
        "goals_done_by_side": {
            f"{side.value}s": {"goals": r.goals, "done": r.done} if r else "fewer than 5 people"
            for side, r in insights.done_by_side.items()
        },
        "goals_done_by_theme": [
            {"theme": "other" if r.folded else r.label, "goals": r.goals, "done": r.done}
            for r in insights.done_by_theme
        ],
        "language": language,
    }
    return facts


async def insights_for(ctx: Ctx, scope: AdminScope) -> Insights:
    return compute_insights(await _people_of(ctx, scope), await ctx.uow.goals.list(), scope)


async def biggest_gap_for(ctx: Ctx, scope: AdminScope) -> str:
    """`stats`' line: the gaps need only people's skills and goals, not the goal records."""
    return biggest_gap(compute_insights(await _people_of(ctx, scope), (), scope))


async def _people_of(ctx: Ctx, scope: AdminScope) -> list[Participant]:
    if scope.org_wide:
        return await ctx.uow.participants.list()
    return await ctx.uow.participants.list(platform=scope.platform, workspace_id=scope.workspace_id)


# --- words -----------------------------------------------------------------------------------------------
# Each side's sentences are written out whole, so a translation can make every word agree.


def _gap_sentence(direction: Direction, theme: Theme) -> str:
    if direction.learners is Side.LEADER:
        return _("{count} leaders want {theme}; no mentor offers it", count=theme.wanted, theme=theme.label)
    return _("{count} mentors want {theme}; no leader offers it", count=theme.wanted, theme=theme.label)


def biggest_gap(insights: Insights) -> str:
    """The one line `stats` shows: the theme most people want that nobody teaches."""
    candidates = [(d, t) for d in (insights.leaders, insights.mentors) for t in d.gaps[:1]]
    if not candidates:
        return _("none: every theme 5 or more people want has someone offering it")
    direction, theme = max(candidates, key=lambda dt: dt[1].wanted)
    return _("{gap} (see {command})", gap=_gap_sentence(direction, theme), command=command_ref("insights"))


def _folded(count: int) -> str:
    if count == 1:
        return _("Other (fewer than 5 each): 1 theme")
    return _("Other (fewer than 5 each): {count} themes", count=count)


def _heading(label: str) -> str:
    """A theme starting a line: "Generative AI: …", though a sentence says "generative AI"."""
    return label[:1].upper() + label[1:]


def _gap_item(direction: Direction, theme: Theme) -> str:
    if direction.learners is Side.LEADER:
        return _("{theme}: {count} leaders", theme=_heading(theme.label), count=theme.wanted)
    return _("{theme}: {count} mentors", theme=_heading(theme.label), count=theme.wanted)


def _gap_list(direction: Direction) -> ItemList | str:
    items = [_gap_item(direction, t) for t in direction.gaps]
    if direction.small_gaps:
        items.append(_folded(direction.small_gaps))
    if items:
        return ItemList(tuple(items))
    if direction.learners is Side.LEADER:
        return _("none: some mentor offers every theme leaders want")
    return _("none: some leader offers every theme mentors want")


def _offered(direction: Direction, theme: Theme) -> str:
    by_mentors = direction.learners is Side.LEADER
    if not theme.offered:
        return _("no mentor offers it") if by_mentors else _("no leader offers it")
    if theme.offered < MIN_GROUP:
        return _("fewer than 5 mentors offer it") if by_mentors else _("fewer than 5 leaders offer it")
    if by_mentors:
        return _("{count} mentors offer it", count=theme.offered)
    return _("{count} leaders offer it", count=theme.offered)


def _wanted_item(direction: Direction, theme: Theme) -> str:
    offered, label = _offered(direction, theme), _heading(theme.label)
    if direction.learners is Side.LEADER:
        return _(
            "{theme}: {count} leaders want it, {offered}", theme=label, count=theme.wanted, offered=offered
        )
    return _("{theme}: {count} mentors want it, {offered}", theme=label, count=theme.wanted, offered=offered)


def _wanted_list(direction: Direction) -> ItemList | str:
    items = [_wanted_item(direction, t) for t in direction.most_wanted]
    if direction.small_wants:
        items.append(_folded(direction.small_wants))
    return ItemList(tuple(items)) if items else "—"


def _done(rate: DoneRate | None) -> str:
    if rate is None:
        return _("— (goals of fewer than 5 people)")
    return _("{rate} of {goals} goals done", rate=f"{rate.rate:.0%}", goals=rate.goals)


def _done_item(rate: DoneRate) -> str:
    label = _("Other (fewer than 5 each)") if rate.folded else _heading(rate.label)
    return _("{theme}: {done}", theme=label, done=_done(rate))


def _actions(insights: Insights) -> ItemList:
    todo: list[str] = []
    if insights.leaders.gaps:
        top = insights.leaders.gaps[0]
        todo.append(
            _(
                "Recruit mentors who offer {theme}: {count} leaders want it.",
                theme=top.label,
                count=top.wanted,
            )
        )
    if insights.mentors.gaps:
        top = insights.mentors.gaps[0]
        todo.append(
            _(
                "Invite leaders who can share {theme}: {count} mentors want to learn it.",
                theme=top.label,
                count=top.wanted,
            )
        )
    for direction in (insights.leaders, insights.mentors):
        scarce = [t for t in direction.most_wanted if 0 < t.offered < MIN_GROUP and t.wanted >= 2 * MIN_GROUP]
        if scarce and direction.learners is Side.LEADER:
            todo.append(
                _(
                    "Recruit more mentors who offer {theme}: {count} leaders want it, fewer than 5 mentors offer it.",
                    theme=scarce[0].label,
                    count=scarce[0].wanted,
                )
            )
        elif scarce:
            todo.append(
                _(
                    "Invite more leaders who can share {theme}: {count} mentors want it, fewer than 5 leaders "
                    "offer it.",
                    theme=scarce[0].label,
                    count=scarce[0].wanted,
                )
            )
    seldom = [r for r in insights.done_by_theme if not r.folded and r.rate < SELDOM_DONE]
    if seldom:
        worst = min(seldom, key=lambda r: (r.rate, r.label))
        todo.append(
            _(
                "Goals on {theme} are seldom done ({rate}): suggest pairs split them into smaller steps.",
                theme=worst.label,
                rate=f"{worst.rate:.0%}",
            )
        )
    if not todo:
        todo.append(_("Nothing stands out yet: no theme 5 or more people want is missing a teacher."))
    return ItemList(tuple(todo))


def insights_message(insights: Insights, summary: str | None = None) -> OutgoingMessage:
    """`summary`, when a model wrote one from these figures, comes first; the figures and the
    suggestions read from them are there either way."""
    summarised = (
        ((_("Summary (written by an AI model from these counts alone)"), summary),) if summary else ()
    )
    return OutgoingMessage(
        title=_("Reverse mentoring: insights"),
        text=_(
            "Covers {scope}. Themes come from profiles' skills and learning goals and from the wording of "
            'goals, normalised; anything fewer than 5 people stand behind is folded into "other". '
            "Counts only: never notes, check-ins or anyone's own words.",
            scope=insights.scope.describe(),
        ),
        fields=(
            *summarised,
            (_("Leaders want, no mentor offers"), _gap_list(insights.leaders)),
            (_("Mentors want, no leader offers"), _gap_list(insights.mentors)),
            (_("Most wanted by leaders"), _wanted_list(insights.leaders)),
            (_("Most wanted by mentors"), _wanted_list(insights.mentors)),
            (_("Goals done (leaders)"), _done(insights.done_by_side[Side.LEADER])),
            (_("Goals done (mentors)"), _done(insights.done_by_side[Side.MENTOR])),
            (
                _("Goals done by theme"),
                ItemList(tuple(_done_item(r) for r in insights.done_by_theme))
                if insights.done_by_theme
                else _("— (no theme with goals of 5 or more people)"),
            ),
            (_("What to do"), _actions(insights)),
        ),
    )


async def insights_command(ctx: Ctx, scope: AdminScope, summary: str | None = None) -> Reply:
    return Reply(insights_message(await insights_for(ctx, scope), summary))
