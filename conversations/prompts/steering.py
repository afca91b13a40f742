"""Turn people's 👍/👎 on prompts into topic preferences for the next suggestions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from conversations.prompts.topics import parse_topic


def topic_preferences(ratings: Iterable[tuple[str, int]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(liked, disliked) topics from (topic, +1 or -1) ratings, by net score, strongest first.

    A topic rated both ways evens out, so one stray 👎 does not ban a topic the pair otherwise enjoys.
    """
    net: Counter[str] = Counter()
    for topic, vote in ratings:
        parsed = parse_topic(topic)
        if parsed is None or vote == 0:
            continue
        net[parsed.value] += 1 if vote > 0 else -1
    liked = tuple(t for t, n in sorted(net.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0)
    disliked = tuple(t for t, n in sorted(net.items(), key=lambda kv: (kv[1], kv[0])) if n < 0)
    return liked, disliked
