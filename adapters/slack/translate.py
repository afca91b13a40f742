"""Slack request payloads turned into engine events.

Everything here is pure and defensive: a payload that lacks what an event needs gives None (the
caller answers with a friendly line), never an exception, because payload fields come from the
network. Event ids are Slack's own, so the engine can drop a request Slack sends twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.chat import PLATFORM
from adapters.slack.render import SEARCH_ACTION_PREFIX, decode_action_id, read_form_submission
from conversations.domain import UserRef
from conversations.events import ButtonClicked, CommandReceived, FormSubmitted, Installed, Where

MAX_COMMAND_TEXT = 4000


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _team_id(body: Mapping[str, Any]) -> str | None:
    user = _mapping(body.get("user"))
    return (
        _text(body.get("team_id"))
        or _text(_mapping(body.get("team")).get("id"))
        or _text(user.get("team_id"))
    )


def _where(channel_id: str | None) -> Where:
    if channel_id is None:
        return Where()
    return Where(channel_id=channel_id, is_direct=channel_id.startswith("D"))


def command_event(body: Mapping[str, Any]) -> CommandReceived | None:
    """A slash command (form-encoded: team_id, user_id, channel_id, text, trigger_id, ...)."""
    team_id, user_id = _text(body.get("team_id")), _text(body.get("user_id"))
    trigger_id = _text(body.get("trigger_id"))
    if not (team_id and user_id and trigger_id):
        return None
    text = body.get("text") if isinstance(body.get("text"), str) else ""
    channel_id = _text(body.get("channel_id"))
    where = Where() if body.get("channel_name") == "directmessage" else _where(channel_id)
    return CommandReceived(
        actor=UserRef(PLATFORM, team_id, user_id),
        text=(text or "").strip()[:MAX_COMMAND_TEXT],
        event_id=f"slack:command:{trigger_id}",
        where=where,
        display_name=_text(body.get("user_name")),
    )


def action_event(body: Mapping[str, Any]) -> ButtonClicked | None:
    """A block_actions payload: the first action is the button that was clicked."""
    user = _mapping(body.get("user"))
    team_id, user_id = _team_id(body), _text(user.get("id"))
    actions = body.get("actions")
    action = _mapping(actions[0]) if isinstance(actions, list) and actions else {}
    action_id = _text(action.get("action_id"))
    unique = _text(body.get("trigger_id")) or _text(action.get("action_ts"))
    if not (team_id and user_id and action_id and unique):
        return None
    channel_id = _text(_mapping(body.get("channel")).get("id")) or _text(
        _mapping(body.get("container")).get("channel_id")
    )
    value = action.get("value")
    return ButtonClicked(
        actor=UserRef(PLATFORM, team_id, user_id),
        action_id=decode_action_id(action_id),
        value=value if isinstance(value, str) else "",
        event_id=f"slack:action:{unique}",
        where=_where(channel_id),
    )


def form_event(body: Mapping[str, Any]) -> FormSubmitted | None:
    """A view_submission payload from one of our modals."""
    user = _mapping(body.get("user"))
    view = _mapping(body.get("view"))
    team_id, user_id = _team_id(body), _text(user.get("id"))
    unique = _text(body.get("trigger_id")) or (
        f"{view.get('id')}:{view.get('hash')}" if _text(view.get("id")) and _text(view.get("hash")) else None
    )
    if not (team_id and user_id and unique and view):
        return None
    form_id, context, fields = read_form_submission(view)
    if not form_id:
        return None
    return FormSubmitted(
        actor=UserRef(PLATFORM, team_id, user_id),
        form_id=form_id,
        fields=fields,
        event_id=f"slack:view:{unique}",
        context=context,
    )


@dataclass(frozen=True)
class SearchRequest:
    """What a `block_suggestion` asks: options of `dataset` matching `query` (what has been typed)."""

    dataset: str
    query: str
    current: str | None = None
    """The value the menu holds now (selected, or preselected when the modal opened), listed first."""


def search_request(body: Mapping[str, Any]) -> SearchRequest | None:
    """A block_suggestion from one of our `external_select` menus (action_id `search:<dataset>`)."""
    action_id = body.get("action_id")
    if body.get("type") != "block_suggestion" or not isinstance(action_id, str):
        return None
    if not action_id.startswith(SEARCH_ACTION_PREFIX):
        return None
    query = body.get("value")
    return SearchRequest(
        dataset=action_id[len(SEARCH_ACTION_PREFIX) :],
        query=query if isinstance(query, str) else "",
        current=_current_choice(body, action_id),
    )


def _current_choice(body: Mapping[str, Any], action_id: str) -> str | None:
    view = _mapping(body.get("view"))
    block_id = _text(body.get("block_id"))
    if block_id is None:
        return None
    values = _mapping(_mapping(view.get("state")).get("values"))
    selected = _mapping(_mapping(_mapping(values.get(block_id)).get(action_id)).get("selected_option"))
    if _text(selected.get("value")):
        return str(selected["value"])
    blocks = view.get("blocks")
    for block in blocks if isinstance(blocks, list) else ():
        block = _mapping(block)
        if block.get("block_id") == block_id:
            initial = _mapping(_mapping(block.get("element")).get("initial_option"))
            return _text(initial.get("value"))
    return None


def home_opened_event(body: Mapping[str, Any]) -> Installed | None:
    """app_home_opened on the Home tab: the moment to greet someone and show their program."""
    event = _mapping(body.get("event"))
    team_id, user_id, event_id = (
        _text(body.get("team_id")),
        _text(event.get("user")),
        _text(body.get("event_id")),
    )
    if event.get("tab") != "home" or not (team_id and user_id and event_id):
        return None
    return Installed(
        actor=UserRef(PLATFORM, team_id, user_id),
        event_id=f"slack:event:{event_id}",
        conversation={"channel": event.get("channel") or ""},
    )


def retry_number(headers: Mapping[str, Any]) -> int:
    """Slack's `X-Slack-Retry-Num` (0 for a first delivery)."""
    for name, value in headers.items():
        if name.lower() == "x-slack-retry-num":
            raw = value[0] if isinstance(value, (list, tuple)) and value else value
            try:
                return max(0, int(str(raw)))
            except ValueError:
                return 0
    return 0
