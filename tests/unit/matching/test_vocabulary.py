"""Spellings of one subject match; different subjects do not."""

from __future__ import annotations

import pytest

from conversations.matching.vocabulary import DEFAULT_VOCABULARY, Vocabulary, VocabularyEntry, normalise_term


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Gen-AI ", "gen ai"),
        ("GEN_AI", "gen ai"),
        ("gen   ai", "gen ai"),
        ("Machine Learning.", "machine learning"),
        ("(python)", "python"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("Node.js", "node.js"),
        ("ＧｅｎＡＩ", "genai"),
        ("   ", ""),
    ],
)
def test_normalising_folds_case_width_separators_and_edge_punctuation(raw: str, expected: str) -> None:
    assert normalise_term(raw) == expected


@pytest.mark.parametrize(
    ("spellings", "label"),
    [
        (
            ["GenAI", "gen ai", "Gen-AI", "generative AI", "Generative Artificial Intelligence"],
            "generative AI",
        ),
        (["ML", "ml", "Machine learning"], "machine learning"),
        (["LLM", "LLMs", "large language models", "Large Language Model"], "large language models"),
        (["prompting", "Prompt Engineering"], "prompt engineering"),
        (["business strategy", "Strategy", "strategic planning"], "strategy"),
        (["presenting", "Presentation skills", "presentations", "public speaking"], "public speaking"),
        (["P&L", "profit and loss"], "P&L management"),
        (["dashboards", "Data Visualization", "data visualisation"], "data visualisation"),
    ],
)
def test_aliases_and_plurals_reach_one_canonical_term(spellings: list[str], label: str) -> None:
    keys = {DEFAULT_VOCABULARY.canonical(s) for s in spellings}
    assert len(keys) == 1
    assert DEFAULT_VOCABULARY.label(keys.pop()) == label


@pytest.mark.parametrize(
    ("a", "b"),
    [("AI", "generative AI"), ("machine learning", "data analysis"), ("strategy", "leadership")],
)
def test_related_but_different_subjects_stay_apart(a: str, b: str) -> None:
    assert DEFAULT_VOCABULARY.canonical(a) != DEFAULT_VOCABULARY.canonical(b)


def test_unknown_terms_match_after_normalising_and_are_shown_as_written() -> None:
    assert DEFAULT_VOCABULARY.canonical("Kubernetes ") == DEFAULT_VOCABULARY.canonical("kubernetes")
    assert DEFAULT_VOCABULARY.label(DEFAULT_VOCABULARY.canonical("Kubernetes")) == "kubernetes"


def test_a_plural_is_only_stripped_towards_a_known_term() -> None:
    assert DEFAULT_VOCABULARY.canonical("sales") == "sales"
    assert DEFAULT_VOCABULARY.canonical("budgets") == DEFAULT_VOCABULARY.canonical("budget")


def test_blank_terms_are_dropped_from_a_profile() -> None:
    assert DEFAULT_VOCABULARY.terms(["", "  ", "GenAI", "genai"]) == frozenset({"generative ai"})


def test_a_custom_vocabulary_can_join_any_spellings() -> None:
    vocabulary = Vocabulary([VocabularyEntry("Salesforce", ("sfdc", "crm"))])
    assert vocabulary.canonical("SFDC") == vocabulary.canonical("CRM") == "salesforce"
    assert vocabulary.canonical("genai") == "genai"
