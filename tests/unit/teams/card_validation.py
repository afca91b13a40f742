"""Checks a card the bot sends against the Adaptive Card 1.5 schema, as Teams would reject it.

The schema is strict, so Teams' own extensions are taken out first (see tests/schemas/README.md).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError

from tests.support.schemas import schema_path


@cache
def card_validator() -> Draft6Validator:
    return Draft6Validator(json.loads(schema_path("adaptive-card.1.5.json").read_text()))


def without_teams_extensions(card: dict[str, Any]) -> dict[str, Any]:
    """`msteams` on the card and on images, `choices.data`, and ChoiceSet `style: filtered` removed."""
    card = copy.deepcopy(card)

    def clean(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("msteams", None)
            if node.get("type") == "Input.ChoiceSet":
                if node.get("style") == "filtered":
                    node.pop("style")
                # Teams' typeahead: a literal "choices.data" key holding a Data.Query (checked below).
                node.pop("choices.data", None)
                if isinstance(node.get("choices"), dict):
                    node.pop("choices")
            for value in node.values():
                clean(value)
        elif isinstance(node, list):
            for item in node:
                clean(item)

    clean(card)
    return card


def _deepest(error: ValidationError) -> list[str]:
    if not error.context:
        return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"]
    return [line for sub in error.context for line in _deepest(sub)]


DATA_QUERY_KEYS = {"type", "dataset", "count", "skip", "associatedInputs"}


def teams_extension_problems(card: dict[str, Any]) -> list[str]:
    """What Teams documents for its extensions (typeahead search), which the schema cannot check."""
    problems: list[str] = []

    def check(node: Any) -> None:
        if isinstance(node, dict):
            if "choices.data" in node or node.get("style") == "filtered":
                if node.get("type") != "Input.ChoiceSet":
                    problems.append(
                        f"{node.get('id')}: choices.data / filtered only belong on Input.ChoiceSet"
                    )
            query = node.get("choices.data")
            if query is not None:
                if not isinstance(query, dict) or query.get("type") != "Data.Query":
                    problems.append(f"{node.get('id')}: choices.data must be a Data.Query")
                elif not isinstance(query.get("dataset"), str) or not query["dataset"]:
                    problems.append(f"{node.get('id')}: Data.Query needs a dataset")
                elif set(query) - DATA_QUERY_KEYS:
                    problems.append(
                        f"{node.get('id')}: unknown Data.Query keys {set(query) - DATA_QUERY_KEYS}"
                    )
                if not isinstance(node.get("choices", []), list):
                    problems.append(f"{node.get('id')}: choices must stay a list beside choices.data")
            for value in node.values():
                check(value)
        elif isinstance(node, list):
            for item in node:
                check(item)

    check(card)
    return problems


def assert_valid_card(card: dict[str, Any]) -> None:
    errors = list(card_validator().iter_errors(without_teams_extensions(card)))
    details = sorted({line for error in errors for line in _deepest(error)}, key=len)[:15]
    details += teams_extension_problems(card)
    if details:
        raise AssertionError("invalid Adaptive Card:\n" + "\n".join(details))


def assert_valid_activity(activity: dict[str, Any]) -> None:
    """Every Adaptive Card attachment of a serialised activity is valid."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            assert_valid_card(attachment["content"])
