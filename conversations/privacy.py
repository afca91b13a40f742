"""What leaves the building: the fields each AI feature may send to a model, and no other.

One list per feature. The embeddings feature reads its list to pick what it sends; the discussion
prompts', the development paths' and the resources ranking's requests are checked against their lists by tests. A field cannot reach a model without being
added here first (and to the README's table of what is sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from conversations.domain import Participant

MEANING_MATCHING = "meaning-based matching"
DISCUSSION_PROMPTS = "discussion prompts"
INSIGHTS_SUMMARY = "insights summary"
DEVELOPMENT_PATHS = "development paths"
RESOURCE_RANKING = "learning resources ranking"

SENT_TO_MODELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # The embeddings model receives the skills people offer and their learning goals (`Participant`
        # fields), each term on its own and normalised (case-folded, spacing tidied): no names, ids,
        # emails, departments, levels, managers, timezones, check-ins or notes, and nothing that ties a
        # term to its author.
        MEANING_MATCHING: ("skills", "learning_goals"),
        # The LLM receives one pair's data block (`adapters/llm/request.py`): for each of the two people
        # their name, skills and learning goals; the pair's goals with their progress, recent check-in
        # outcomes, the topics they rated, the prompts shown recently and the week; and, in the
        # instructions, the pair's language. No ids, emails, departments, levels, managers, timezones,
        # ratings, private notes, and nothing of any other pair.
        DISCUSSION_PROMPTS: (
            "name",
            "skills",
            "learning_goals",
            "goal_progress",
            "recent_checkin_outcomes",
            "liked_topics",
            "disliked_topics",
            "do_not_repeat",
            "week",
            "language",
        ),  # fmt: skip
        # The LLM receives `insights`' aggregates (`conversations.services.insights.summary_facts`): which
        # side the figures cover (the whole program or one workspace), the themes each side wants that
        # nobody offers with how many people want them, the most wanted themes with how many want and
        # offer them, goals set and done by side and by theme, and the reader's language. Only themes
        # and groups of 5 or more people; no names, ids, departments, goal texts, check-ins or notes.
        INSIGHTS_SUMMARY: (
            "scope",
            "gaps",
            "most_wanted",
            "goals_done_by_side",
            "goals_done_by_theme",
            "language",
        ),  # fmt: skip
        # The LLM receives one person's data block (`adapters/llm/path_request.py`): which side of the
        # pairing they are on, their own skills and learning goals, the round's length in weeks, and,
        # in the instructions, their language. No name, id, email, department, level, manager, timezone,
        # check-in, note, goal progress, and nothing of their partner or of any other person.
        DEVELOPMENT_PATHS: ("side", "skills", "learning_goals", "weeks", "language"),
        # The LLM receives one person's block (`adapters/llm/resource_ranker.py`): their side of the
        # program (leader or mentor), their learning goals, the topics of the week, the titles of
        # resources they gave a 👍 or a 👎, and the shortlisted catalogue entries; and, in the
        # instructions, the language they read. No name, id, email, department, level, manager,
        # timezone, check-in, note, and nothing of their partner or anyone else.
        RESOURCE_RANKING: (
            "side",
            "learning_goals",
            "topic_terms",
            "liked",
            "disliked",
            "candidates",
            "language",
        ),  # fmt: skip
    }
)
"""Feature -> the fields that feature may send to a model."""


def texts_for(feature: str, person: Participant) -> tuple[str, ...]:
    """The person's texts `feature` may send: only the `Participant` fields its list names."""
    texts: list[str] = []
    for name in SENT_TO_MODELS[feature]:
        value = getattr(person, name)
        texts.extend(value if isinstance(value, tuple) else (value,))
    return tuple(t for t in texts if isinstance(t, str))
