"""What leaves the building: the fields of a person each AI feature may send to a model, and no other.

One list per feature, read by the code that builds the feature's requests, so a field cannot reach a
model without being added here first (and to the README's list of what is sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from conversations.domain import Participant

MEANING_MATCHING = "meaning-based matching"

SENT_TO_MODELS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # The embeddings model receives the skills people offer and their learning goals, each term on
        # its own and normalised (case-folded, spacing tidied): no names, ids, emails, departments,
        # levels, managers, timezones, check-ins or notes, and nothing that ties a term to its author.
        MEANING_MATCHING: ("skills", "learning_goals"),
    }
)
"""Feature -> the `Participant` fields whose text that feature may send to a model."""


def texts_for(feature: str, person: Participant) -> tuple[str, ...]:
    """The person's texts `feature` may send: only the fields its allowlist names."""
    texts: list[str] = []
    for name in SENT_TO_MODELS[feature]:
        value = getattr(person, name)
        texts.extend(value if isinstance(value, tuple) else (value,))
    return tuple(t for t in texts if isinstance(t, str))
