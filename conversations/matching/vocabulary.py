"""Skill and learning-goal terms, normalised so that people who mean the same thing match.

People type "GenAI", "gen-ai" and "Generative AI" for one subject; a match that misses that is a
match users stop trusting. Each free-text term is first normalised (case, separators, spacing, a
plural of a known term), then mapped through a small shipped vocabulary of aliases to one canonical term.
Terms the vocabulary does not know still match each other after normalisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-/]+")
_EDGE_PUNCTUATION = " .,;:!?'\"()[]{}*"


def normalise_term(raw: str) -> str:
    """Folds case, width and separators so "Gen-AI ", "gen_ai" and "GEN AI" read the same."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    text = _SEPARATORS.sub(" ", text)
    return text.strip(_EDGE_PUNCTUATION)


@dataclass(frozen=True)
class VocabularyEntry:
    label: str
    """How the term is shown to people, e.g. "generative AI"."""
    aliases: tuple[str, ...] = ()


# Digital subjects mentors usually offer, then the experience leaders usually share.
DEFAULT_ENTRIES: tuple[VocabularyEntry, ...] = (
    VocabularyEntry("generative AI", ("genai", "gen ai", "generative artificial intelligence")),
    VocabularyEntry("AI", ("artificial intelligence", "ai tools")),
    VocabularyEntry("machine learning", ("ml",)),
    VocabularyEntry("large language models", ("llm", "llms", "large language model")),
    VocabularyEntry("prompt engineering", ("prompting", "prompt design", "prompt writing")),
    VocabularyEntry("ChatGPT", ("chat gpt",)),
    VocabularyEntry("Microsoft Copilot", ("copilot", "m365 copilot", "microsoft 365 copilot")),
    VocabularyEntry("data analysis", ("data analytics", "analytics")),
    VocabularyEntry("data visualisation", ("data visualization", "dataviz", "data viz", "dashboards")),
    VocabularyEntry("Python", ("python programming",)),
    VocabularyEntry("SQL", ("databases",)),
    VocabularyEntry("Excel", ("microsoft excel", "spreadsheet")),
    VocabularyEntry("Power BI", ("powerbi",)),
    VocabularyEntry("automation", ("workflow automation", "process automation")),
    VocabularyEntry("no-code tools", ("no code", "nocode", "low code", "lowcode", "no code tools")),
    VocabularyEntry("social media", ("social media marketing",)),
    VocabularyEntry("digital marketing", ("online marketing",)),
    VocabularyEntry("cybersecurity", ("cyber security", "infosec", "information security")),
    VocabularyEntry("cloud computing", ("cloud",)),
    VocabularyEntry("UX design", ("ux", "user experience", "user experience design")),
    VocabularyEntry("collaboration tools", ("remote collaboration", "digital collaboration")),
    VocabularyEntry("agile ways of working", ("agile", "scrum", "kanban")),
    VocabularyEntry("strategy", ("business strategy", "corporate strategy", "strategic planning")),
    VocabularyEntry("leadership", ("leading teams", "team leadership")),
    VocabularyEntry("people management", ("managing people", "team management", "line management")),
    VocabularyEntry("stakeholder management", ("managing stakeholders", "stakeholder engagement")),
    VocabularyEntry("negotiation", ("negotiating",)),
    VocabularyEntry("public speaking", ("presenting", "presentation skills", "presentation")),
    VocabularyEntry("finance", ("corporate finance", "financial planning")),
    VocabularyEntry("budgeting", ("budget", "budget management")),
    VocabularyEntry("P&L management", ("p&l", "p and l", "profit and loss")),
    VocabularyEntry("career development", ("career growth", "career planning")),
    VocabularyEntry("decision making", ("decisions",)),
    VocabularyEntry("change management", ("leading change",)),
    VocabularyEntry("executive presence", ()),
    VocabularyEntry("networking", ("building networks",)),
    VocabularyEntry("hiring", ("recruiting", "recruitment", "interviewing")),
    VocabularyEntry("customer relationships", ("client relationships", "client management")),
    VocabularyEntry("industry knowledge", ("industry insight", "market knowledge")),
    VocabularyEntry("operations", ("business operations",)),
    VocabularyEntry("product management", ()),
    VocabularyEntry("project management", ("managing projects",)),
)


class Vocabulary:
    """Maps any spelling of a known term to one canonical key, and a key back to a readable label."""

    def __init__(self, entries: Iterable[VocabularyEntry]) -> None:
        canonical_of: dict[str, str] = {}
        labels: dict[str, str] = {}
        for entry in entries:
            key = normalise_term(entry.label)
            labels[key] = entry.label
            for spelling in (entry.label, *entry.aliases):
                canonical_of.setdefault(normalise_term(spelling), key)
        self._canonical_of: Mapping[str, str] = canonical_of
        self._labels: Mapping[str, str] = labels
        self._keys = frozenset(labels)
        # Cached per instance: the same few hundred terms recur across thousands of profiles.
        self.canonical = lru_cache(maxsize=65536)(self._canonical)

    def _canonical(self, raw: str) -> str:
        """The key a term is compared by; "" for a blank term."""
        term = normalise_term(raw)
        if not term:
            return ""
        known = self._canonical_of.get(term)
        if known is not None:
            return known
        if len(term) > 3 and term.endswith("s"):
            # Only a known singular is trusted: stripping "s" blindly would turn "sales" into "sale".
            singular = self._canonical_of.get(term[:-1])
            if singular is not None:
                return singular
        return term

    def terms(self, raws: Iterable[str]) -> frozenset[str]:
        return frozenset(key for key in map(self.canonical, raws) if key)

    def label(self, key: str) -> str:
        return self._labels.get(key, key)

    def keys(self) -> frozenset[str]:
        """Every canonical term the vocabulary knows, for finding them in longer free text."""
        return self._keys


DEFAULT_VOCABULARY = Vocabulary(DEFAULT_ENTRIES)
