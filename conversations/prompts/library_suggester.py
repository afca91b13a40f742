"""Prompts from the curated library, chosen for the pair and rotated week by week.

Deterministic on purpose: the same pair and week always get the same prompts (so a retried job or a
second replica agrees), while the next week moves on to different ones.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from conversations.ports import PairContext, PromptSet
from conversations.prompts.catalogue import Library, LibraryPrompt, TogetherTask, load_library
from conversations.prompts.topics import Direction, Topic, parse_topic, terms, topic_hits

logger = logging.getLogger(__name__)

ROTATION_WINDOW = 10
"""How many of a pair's best prompts per direction take turns: ten weeks before one comes back."""
TASK_WINDOW = 6
QUICK_TASK_MINUTES = 15
GOAL_WEIGHT = 2.0
DONE_GOAL_WEIGHT = 0.5
SKILL_WEIGHT = 1.0
LIKED_BONUS = 1.5
DISLIKED_FACTOR = 0.25
TEXT_OVERLAP_WEIGHT = 0.3
SLOT_ORDER = (Direction.MENTOR_TEACHES, Direction.LEADER_SHARES, Direction.BOTH)


def week_ordinal(week: str) -> int:
    """Consecutive ISO weeks ("2025-W07") give consecutive numbers; anything else a stable hash."""
    try:
        year, _, number = week.partition("-W")
        return date.fromisocalendar(int(year), int(number), 1).toordinal() // 7
    except ValueError:
        return int.from_bytes(hashlib.sha256(week.encode()).digest()[:4], "big")


_Candidate = LibraryPrompt | TogetherTask


@dataclass(frozen=True)
class _Interests:
    """What the pair cares about, per direction of learning, as topic weights and raw terms."""

    weights: dict[Direction, dict[Topic, float]]
    words: dict[Direction, set[str]]


def _goal_weights(context: PairContext) -> dict[str, float]:
    done = {text for _, text, _, is_done in context.goal_progress if is_done}
    return {
        text: DONE_GOAL_WEIGHT if text in done else GOAL_WEIGHT
        for text in (*context.leader_goals, *context.mentor_goals)
    }


def _interests(context: PairContext) -> _Interests:
    goal_weight = _goal_weights(context)
    # The mentor teaches what the leader wants to learn, with the skills the mentor has; and back.
    sources: dict[Direction, list[tuple[str, float]]] = {
        Direction.MENTOR_TEACHES: [(g, goal_weight[g]) for g in context.leader_goals]
        + [(s, SKILL_WEIGHT) for s in context.mentor_skills],
        Direction.LEADER_SHARES: [(g, goal_weight[g]) for g in context.mentor_goals]
        + [(s, SKILL_WEIGHT) for s in context.leader_skills],
    }
    sources[Direction.BOTH] = sources[Direction.MENTOR_TEACHES] + sources[Direction.LEADER_SHARES]
    liked = {t for t in map(parse_topic, context.liked_topics) if t is not None}
    disliked = {t for t in map(parse_topic, context.disliked_topics) if t is not None} - liked
    weights: dict[Direction, dict[Topic, float]] = {}
    words: dict[Direction, set[str]] = {}
    for direction, texts in sources.items():
        topic_weight = {topic: 1.0 for topic in Topic}
        direction_words: set[str] = set()
        for text, weight in texts:
            for topic, hits in topic_hits([text]).items():
                topic_weight[topic] += weight * min(hits, 3)
            direction_words |= {w for w in terms(text) if len(w) > 3}
        for topic in liked:
            topic_weight[topic] += LIKED_BONUS
        for topic in disliked:
            topic_weight[topic] *= DISLIKED_FACTOR
        weights[direction] = topic_weight
        words[direction] = direction_words
    return _Interests(weights=weights, words=words)


def _jitter(*parts: str) -> float:
    """A stable pseudo-random number in [0, 1) so equal scores break ties differently per pair."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _window(ranked: Sequence[_Candidate], size: int) -> list[_Candidate]:
    """The best `size` candidates, at most half of them on one topic, so weeks do not all sound alike."""
    per_topic_cap = max(1, size // 2)
    window: list[_Candidate] = []
    counts: dict[Topic, int] = {}
    for candidate in ranked:
        if counts.get(candidate.topic, 0) < per_topic_cap:
            window.append(candidate)
            counts[candidate.topic] = counts.get(candidate.topic, 0) + 1
        if len(window) == size:
            break
    return window


def _rotate(
    ranked: Sequence[_Candidate], size: int, seed: str, turn: int, recent: set[str]
) -> _Candidate | None:
    """Walk a pair-specific order of the best candidates, one step per week.

    The window depends only on the pair (not on the week), so consecutive weeks take consecutive
    positions and nothing repeats until the window has gone round; texts shown recently are skipped.
    """
    window = _window(ranked, size)
    if not window:
        return None
    random.Random(seed).shuffle(window)
    start = turn % len(window)
    for offset in range(len(window)):
        candidate = window[(start + offset) % len(window)]
        if recent.isdisjoint(candidate.every_text):
            return candidate
    for candidate in ranked:
        if recent.isdisjoint(candidate.every_text):
            return candidate
    return window[start]


class LibrarySuggester:
    """The `PromptSuggester` that always works: no network, no key; in the pair's language where the
    library has it (`PairContext.language`), else English."""

    source = "library"

    def __init__(self, library: Library | None = None, prompts_per_week: int = 3) -> None:
        self._library = library or load_library()
        self._per_week = prompts_per_week
        self._by_text = {text: p for p in self._library.prompts for text in p.every_text}
        self._by_id = {p.id: p for p in self._library.prompts}
        self._tasks_by_id = {t.id: t for t in self._library.tasks}
        self._terms = {p.id: frozenset(terms(p.text)) for p in self._library.prompts}
        self._by_direction = {d: self._library.by_direction(d) for d in Direction}

    @property
    def library(self) -> Library:
        return self._library

    async def suggest(self, context: PairContext) -> PromptSet:
        return self.choose(context)

    def choose(self, context: PairContext) -> PromptSet:
        """Synchronous core, so callers on a hot path (the fan-out) need not await anything."""
        prompts = self.choose_prompts(context)
        task = self.choose_task(context)
        language = context.language or ""
        return PromptSet(
            prompts=tuple(p.text_in(language) for p in prompts),
            task=task.text_in(language),
            source=self.source,
            topics=tuple(p.topic.value for p in prompts),
        )

    def choose_prompts(self, context: PairContext, count: int | None = None) -> list[LibraryPrompt]:
        """One prompt per direction in turn (mentor teaches, leader shares, both), best-matching first."""
        interests = _interests(context)
        recent = set(context.recent_prompts)
        turn = week_ordinal(context.week)
        wanted = count if count is not None else self._per_week
        chosen: list[LibraryPrompt] = []
        for slot in range(wanted):
            direction = SLOT_ORDER[slot % len(SLOT_ORDER)]
            taken = {p.text for p in chosen}
            ranked = self._ranked(context, direction, interests)
            picked = _rotate(
                ranked,
                size=ROTATION_WINDOW,
                seed=f"{context.pairing_id}:{direction.value}:{slot}",
                turn=turn,
                recent=recent | taken,
            )
            if isinstance(picked, LibraryPrompt):
                chosen.append(picked)
        return chosen

    def ranked_prompts(self, context: PairContext, direction: Direction) -> list[LibraryPrompt]:
        """All prompts of one direction, most relevant to this pair first (stable for the pair)."""
        return self._ranked(context, direction, _interests(context))

    def _ranked(
        self, context: PairContext, direction: Direction, interests: _Interests
    ) -> list[LibraryPrompt]:
        return sorted(self._by_direction[direction], key=lambda p: -self._score(p, context, interests))

    def _score(self, prompt: LibraryPrompt, context: PairContext, interests: _Interests) -> float:
        score = interests.weights[prompt.direction][prompt.topic]
        score += TEXT_OVERLAP_WEIGHT * len(self._terms[prompt.id] & interests.words[prompt.direction])
        return score + 0.5 * _jitter(context.pairing_id, prompt.id)

    def choose_task(self, context: PairContext) -> TogetherTask:
        """A task on a topic the pair cares about; a short one when they have not managed to meet."""
        weights = _interests(context).weights[Direction.BOTH]
        struggling = bool(context.recent_outcomes) and "met" not in context.recent_outcomes

        tasks = [t for t in self._library.tasks if t.minutes <= QUICK_TASK_MINUTES] if struggling else []
        ranked = sorted(
            tasks or self._library.tasks,
            key=lambda t: -(weights[t.topic] + 0.5 * _jitter(context.pairing_id, t.id)),
        )
        picked = _rotate(
            ranked,
            size=TASK_WINDOW,
            seed=f"{context.pairing_id}:task",
            turn=week_ordinal(context.week),
            recent=set(context.recent_prompts),
        )
        assert isinstance(picked, TogetherTask), "the library has tasks"
        return picked

    def topic_of(self, text: str) -> str | None:
        """The topic of a library prompt by its text, for turning a 👍/👎 into a topic preference."""
        prompt = self._by_text.get(text)
        return prompt.topic.value if prompt else None
