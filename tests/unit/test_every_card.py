"""Every kind of card the bot sends reads well where it is shown.

On Teams: a valid Adaptive Card 1.5 that shows all its buttons (at most five in a row, each row as wide
as a phone allows), whose texts wrap, carry no markup Teams shows literally (backticks, stray `**`),
and say a list as a list rather than "•" lines run into one paragraph. On Slack: blocks Slack accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.slack.render import form_view, message_payload, mrkdwn
from adapters.teams.render import BUTTON_GAP_PX, MAX_ACTIONS, PHONE_ROW_PX, button_px, render_card
from conversations.messages import Button, ItemList, OutgoingMessage
from tests.integration.slack.validate import check_message, check_view
from tests.unit.card_catalogue import CARD_KINDS, NAMES, answered_checkins, every_card, every_message
from tests.unit.teams.card_validation import assert_valid_card

BOLD = re.compile(r"\*\*[^*\n]+?\*\*")
LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")
"""A single line break, which Teams' markdown runs into the line before."""
LONE_MARKER = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s*$")
"""A TextBlock of only "1." or "-": Teams' markdown makes it an empty list item."""


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _action_rows(card: dict[str, Any]) -> list[list[dict[str, Any]]]:
    rows = [card["actions"]] if card.get("actions") else []
    return rows + [node["actions"] for node in _nodes(card["body"]) if node.get("type") == "ActionSet"]


def _markdown_texts(card: dict[str, Any]) -> list[str]:
    """Texts Teams reads as its markdown: TextBlocks and facts."""
    texts = [node["text"] for node in _nodes(card["body"]) if node.get("type") == "TextBlock"]
    for node in _nodes(card["body"]):
        if node.get("type") == "FactSet":
            texts += [part for fact in node["facts"] for part in (fact["title"], fact["value"])]
    return texts


def _literal_texts(card: dict[str, Any]) -> list[str]:
    """Texts Teams shows as they are: button titles, input labels and choices, the fallback."""
    texts = [card.get("fallbackText", "")]
    for node in _nodes(card):
        kind = str(node.get("type", ""))
        if kind.startswith("Action."):
            texts.append(node["title"])
        if kind.startswith("Input."):
            texts += [node.get("label", ""), node.get("placeholder", ""), node.get("errorMessage", "")]
            texts += [choice["title"] for choice in node.get("choices", [])]
        if kind == "TextRun":
            texts.append(node["text"])
    return texts


def teams_problems(card: dict[str, Any]) -> list[str]:
    """What a person would see go wrong in Teams, as its renderer and host config lay a card out."""
    problems: list[str] = []
    for row in _action_rows(card):
        titles = [str(action["title"]) for action in row]
        if len(row) > MAX_ACTIONS:
            problems.append(f"{len(row)} actions in one row, Teams shows {MAX_ACTIONS}: {titles}")
        width = sum(button_px(title) for title in titles) + BUTTON_GAP_PX * (len(titles) - 1)
        if len(row) > 1 and width > PHONE_ROW_PX:
            problems.append(f"a row {width} px wide does not fit a phone: {titles}")
    for node in _nodes(card["body"]):
        if node.get("type") == "TextBlock" and node.get("wrap") is not True:
            problems.append(f"a TextBlock that does not wrap: {node['text'][:60]!r}")
    for text in _markdown_texts(card):
        left = BOLD.sub("", text)
        if "`" in left or "**" in left:
            problems.append(f"markup Teams shows literally: {text[:80]!r}")
        if text.count("•") > 1 or LINE_BREAK.search(text):
            problems.append(f"lines Teams runs into one paragraph: {text[:80]!r}")
        if LONE_MARKER.match(text):
            problems.append(f"a list marker Teams reads as an empty list: {text!r}")
    for text in _literal_texts(card):
        if "`" in text or "**" in text:
            problems.append(f"markup in text Teams shows as it is: {text[:80]!r}")
    return problems


def slack_problems(message: OutgoingMessage) -> list[str]:
    problems = check_message(message_payload(message))
    if message.form is not None:
        problems += check_view(form_view(message.form, message))
    return problems


def test_buttons_are_measured_as_wide_as_teams_draws_them() -> None:
    """Widths Microsoft's renderer gave these buttons with Teams' host config: a thumb is wider than a letter."""
    drawn = (
        ("👍 1", 53),
        ("1★", 44),
        ("Fresh ideas", 97),
        ("Add a private note", 138),
        ("Leave and delete my data", 185),
    )
    for title, drawn_px in drawn:
        assert button_px(title) >= drawn_px, title


def test_no_row_holds_more_buttons_than_teams_shows() -> None:
    message = OutgoingMessage(
        text="Rate it", buttons=tuple(Button(str(n), "rate", str(n)) for n in range(1, 8))
    )
    card = render_card(message)
    assert_valid_card(card)
    assert teams_problems(card) == []
    assert [len(row) for row in _action_rows(card)] == [5, 2]


def test_the_journey_reaches_every_kind_of_card() -> None:
    assert sorted(every_card()) == sorted(CARD_KINDS)


@pytest.mark.parametrize("kind", CARD_KINDS)
def test_a_card_reads_well_in_teams_and_slack(kind: str) -> None:
    message = every_card()[kind]
    card = render_card(message, NAMES)
    assert_valid_card(card)
    assert teams_problems(card) == []
    assert slack_problems(message) == []


def test_every_message_of_the_journey_reads_well_in_teams_and_slack() -> None:
    """Repeats and the messages no kind names (reminders, acknowledgements) are held to it too."""
    messages = every_message()
    assert len(messages) > len(CARD_KINDS)
    for message in messages:
        card = render_card(message, NAMES)
        assert_valid_card(card)
        assert teams_problems(card) == [], message.plain_text()
        assert slack_problems(message) == [], message.plain_text()


def test_lists_are_lists_on_both_platforms() -> None:
    """Help, the first visit, the introduction and the check-in say their lists as lists."""
    cards = every_card()
    for kind in ("help", "unknown command", "welcome", "first visit", "introduction", "check-in", "prompts"):
        listed = [value for _, value in cards[kind].fields if isinstance(value, ItemList)]
        assert listed, f"{kind} has no list"
        card = render_card(cards[kind], NAMES)
        rows = [node for node in _nodes(card["body"]) if node.get("type") == "ColumnSet"]
        assert len(rows) == sum(len(items.items) for items in listed), kind
        blocks = message_payload(cards[kind])["blocks"]
        shown = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
        for items in listed:
            for i, (marker, item) in enumerate(zip(items.markers(), items.items, strict=True)):
                link = items.link_of(i)
                start = f"<{link.url}|" if link else mrkdwn(item)[:30]
                assert any(f"\n{marker} {start}" in text for text in shown), (kind, item)


def test_a_story_to_approve_is_quoted_apart_from_the_question() -> None:
    message = every_card()["story to approve"]
    card = render_card(message, NAMES)
    (quote,) = [node for node in card["body"] if node.get("type") == "Container"]
    assert quote["style"] == "emphasis" and "board notes" in quote["items"][0]["text"]
    assert not any("board notes" in node["text"] for node in card["body"] if node.get("type") == "TextBlock")
    blocks = message_payload(message)["blocks"]
    assert any(b["type"] == "section" and b["text"]["text"].startswith("> Lea now drafts") for b in blocks)


def test_an_answered_check_in_keeps_that_weeks_ideas() -> None:
    answered = answered_checkins()
    assert len(answered) == 4
    for checkin, after in answered:
        ideas = dict(checkin.fields)["Ideas for this week"]
        assert isinstance(ideas, ItemList) and ideas.items
        assert dict(after.fields).get("Ideas for this week") == ideas, after.text
        assert after.buttons and not set(after.buttons) & set(checkin.buttons), (
            "the answer's buttons replace the question's"
        )
        shown = str(render_card(after, NAMES)["body"])
        assert all(idea in shown for idea in ideas.items), after.text
        slack = str(message_payload(after)["blocks"])
        assert all(mrkdwn(idea)[:40] in slack for idea in ideas.items), after.text
