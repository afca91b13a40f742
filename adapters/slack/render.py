"""Platform-neutral messages and forms turned into Block Kit messages, modals and the App Home tab.

Every string that reaches Slack is cut to the documented limit (see `limits.py`) on a boundary that
keeps mrkdwn entities (`&amp;`, `<@U123>`) whole, because one overlong element makes Slack refuse the
whole message. Values that cannot be shortened without changing their meaning (button values, option
values) are dropped with a warning instead of being truncated.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from adapters.slack import limits
from conversations.messages import (
    Button,
    ButtonStyle,
    Form,
    FormInput,
    InputKind,
    Option,
    OutgoingMessage,
    render_mentions,
)

logger = logging.getLogger(__name__)

FORM_CALLBACK_ID = "mentorbot_form"
INPUT_ACTION_ID = "value"
SEARCH_ACTION_PREFIX = "search:"
"""An `external_select`'s action_id is this and its dataset, so the options listener knows what to search."""
SEARCH_MIN_QUERY_LENGTH = 0
"""Slack asks for options as soon as the menu opens: the common choices show before anything is typed."""
ELLIPSIS = "…"
BUTTONS_PER_ROW = 5
_SLACK_ID = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,40}$")
_DUPLICATE_SUFFIX = re.compile(r"#\d+$")


class RenderError(ValueError):
    """The message cannot be shown in Slack without losing what it means."""


# --- text -----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as control characters in mrkdwn and plain text alike."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Everything escaped except the engine's own mentions, so typed `<@U…>` or `<!channel>` stays text."""
    return render_mentions(text, _slack_mention, escape)


def _slack_mention(user_id: str) -> str:
    return f"<@{user_id}>" if _SLACK_ID.match(user_id) else escape("@" + user_id)


def plain(text: str) -> str:
    """Plain-text objects are not parsed for markup, so mentions can only be shown as `@id`."""
    return render_mentions(text, lambda uid: f"@{uid}")


def _safe_cut(text: str, end: int) -> int:
    """Move `end` back so the cut doesn't split an `<…>` link/mention or an `&…;` entity."""
    head = text[:end]
    open_link = head.rfind("<")
    if open_link > head.rfind(">"):
        end = open_link
    head = text[:end]
    amp = head.rfind("&")
    if amp >= 0 and ";" not in head[amp:] and len(head) - amp <= 5:
        end = amp
    return end if end > 0 else min(len(text), 1)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, limit - len(ELLIPSIS))
    return text[:cut].rstrip() + ELLIPSIS if cut < len(text) else text[:limit]


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at a paragraph, line or word where there is one."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > limit // 3:
                cut = position
                break
        if cut <= 0:
            cut = limit
        cut = _safe_cut(rest, cut)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest.strip():
        chunks.append(rest)
    return [c for c in chunks if c.strip()]


def _text_object(text: str, limit: int, kind: str = "plain_text") -> dict[str, Any]:
    body = truncate(text, limit) or " "
    obj: dict[str, Any] = {"type": kind, "text": body}
    if kind == "plain_text":
        obj["emoji"] = True
    return obj


# --- messages -------------------------------------------------------------------------------------


def fallback_text(message: OutgoingMessage) -> str:
    """The top-level `text`: shown in notifications and read by screen readers."""
    lines = [f"*{mrkdwn(message.title)}*"] if message.title else []
    lines.append(mrkdwn(message.text))
    lines += [f"{mrkdwn(name)}: {mrkdwn(value)}" for name, value in message.fields]
    return truncate("\n".join(line for line in lines if line), limits.MESSAGE_TEXT) or " "


def encode_action_id(action_id: str, seen: set[str]) -> str:
    """Slack refuses two buttons with the same action_id in one block; number the repeats."""
    candidate = action_id
    n = 1
    while candidate in seen:
        n += 1
        candidate = f"{action_id}#{n}"
    seen.add(candidate)
    return candidate


def decode_action_id(action_id: str) -> str:
    return _DUPLICATE_SUFFIX.sub("", action_id)


def _button(button: Button, seen: set[str]) -> dict[str, Any] | None:
    if len(button.value) > limits.BUTTON_VALUE or len(button.action_id) > limits.ACTION_ID - 4:
        logger.warning("dropping button %r: its action id or value is longer than Slack allows", button.label)
        return None
    element: dict[str, Any] = {
        "type": "button",
        "text": _text_object(plain(button.label) or button.action_id, limits.BUTTON_TEXT),
        "action_id": encode_action_id(button.action_id, seen),
    }
    if button.value:
        element["value"] = button.value
    if button.style in (ButtonStyle.PRIMARY, ButtonStyle.DANGER):
        element["style"] = button.style.value
    return element


def _action_blocks(buttons: Iterable[Button], seen: set[str]) -> list[dict[str, Any]]:
    elements = [e for e in (_button(b, seen) for b in buttons) if e is not None]
    return [
        {"type": "actions", "elements": elements[i : i + BUTTONS_PER_ROW]}
        for i in range(0, len(elements), BUTTONS_PER_ROW)
    ]


def _field_blocks(fields: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    rendered = [
        _text_object(f"*{mrkdwn(name)}*\n{mrkdwn(value)}", limits.SECTION_FIELD_TEXT, "mrkdwn")
        for name, value in fields
    ]
    return [
        {"type": "section", "fields": rendered[i : i + limits.SECTION_FIELDS]}
        for i in range(0, len(rendered), limits.SECTION_FIELDS)
    ]


def _content_blocks(message: OutgoingMessage) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if message.title:
        blocks.append({"type": "header", "text": _text_object(plain(message.title), limits.HEADER_TEXT)})
    for chunk in split_text(mrkdwn(message.text), limits.SECTION_TEXT):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    blocks += _field_blocks(message.fields)
    if message.attachment is not None:
        fence = "```"
        body = truncate(escape(message.attachment.content), limits.SECTION_TEXT - 200)
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":page_facing_up: *{escape(message.attachment.filename)}*\n{fence}{body}{fence}",
                },
            }
        )
    return blocks


def _fit(content: list[dict[str, Any]], actions: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Keep the buttons (they are what the person acts on) and cut content to make room."""
    actions = actions[: max(0, limit - 1)]
    room = limit - len(actions)
    if len(content) > room:
        content = content[: max(0, room - 1)] + [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "_(shortened to fit in Slack)_"}]}
        ]
    return content + actions


def message_blocks(message: OutgoingMessage, limit: int = limits.MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    blocks = _fit(_content_blocks(message), _action_blocks(message.buttons, set()), limit)
    if not blocks:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": " "}}]
    return blocks


def message_payload(message: OutgoingMessage) -> dict[str, Any]:
    """`text` and `blocks` as chat.postMessage, chat.update and response_url all take them."""
    return {"text": fallback_text(message), "blocks": message_blocks(message)}


# --- modals ---------------------------------------------------------------------------------------


def option_object(option: Option) -> dict[str, Any] | None:
    """A Block Kit option object, or None when its value is empty or too long to be one."""
    if not option.value or len(option.value) > limits.OPTION_VALUE:
        return None
    return {"text": _text_object(plain(option.label), limits.OPTION_TEXT), "value": option.value}


def options_response(options: Iterable[Option]) -> list[dict[str, Any]]:
    """The `options` of an answer to a block_suggestion request: at most the number Slack shows."""
    objects = [o for o in map(option_object, options) if o is not None]
    return objects[: limits.SELECT_OPTIONS]


def _options(form_input: FormInput) -> list[dict[str, Any]]:
    options = []
    for option in form_input.options:
        rendered = option_object(option)
        if rendered is None:
            logger.warning(
                "dropping option %r of %s: its value is too long for Slack", option.label, form_input.name
            )
            continue
        options.append(rendered)
    wanted = _initial_values(form_input)
    if len(options) > limits.SELECT_OPTIONS:
        keep = [o for o in options if o["value"] in wanted]
        rest = [o for o in options if o["value"] not in wanted]
        options = keep + rest[: limits.SELECT_OPTIONS - len(keep)]
        logger.warning("%s has more options than Slack shows; keeping %d", form_input.name, len(options))
    return options


def _initial_values(form_input: FormInput) -> tuple[str, ...]:
    if form_input.initial is None:
        return ()
    if isinstance(form_input.initial, str):
        return (form_input.initial,) if form_input.initial else ()
    return tuple(form_input.initial)


def _text_element(form_input: FormInput, multiline: bool) -> dict[str, Any]:
    max_length = min(form_input.max_length or limits.PLAIN_TEXT_INPUT_MAX, limits.PLAIN_TEXT_INPUT_MAX)
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT_ACTION_ID,
        "max_length": max_length,
    }
    if multiline:
        element["multiline"] = True
    initial = ", ".join(_initial_values(form_input))
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _search_element(form_input: FormInput) -> dict[str, Any]:
    """An `external_select`: Slack asks the bot (block_suggestion) for options as the person types."""
    action_id = SEARCH_ACTION_PREFIX + (form_input.dataset or "")
    if not form_input.dataset or len(action_id) > limits.ACTION_ID:
        raise RenderError(f"search input {form_input.name!r} names no dataset Slack can ask for")
    element: dict[str, Any] = {
        "type": "external_select",
        "action_id": action_id,
        "min_query_length": SEARCH_MIN_QUERY_LENGTH,
    }
    initial = _initial_values(form_input)
    if initial:
        labels = {o.value: o.label for o in form_input.options}
        option = option_object(Option(initial[0], labels.get(initial[0], initial[0])))
        if option is not None:
            element["initial_option"] = option
    return element


def _input_element(form_input: FormInput) -> dict[str, Any]:
    kind = form_input.kind
    if kind is InputKind.SEARCH:
        return _search_element(form_input)
    if kind in (InputKind.SELECT, InputKind.MULTISELECT):
        options = _options(form_input)
        if not options:
            return _text_element(form_input, multiline=False)
        by_value = {o["value"]: o for o in options}
        initial = [by_value[v] for v in _initial_values(form_input) if v in by_value]
        if kind is InputKind.SELECT:
            element: dict[str, Any] = {
                "type": "static_select",
                "action_id": INPUT_ACTION_ID,
                "options": options,
            }
            if initial:
                element["initial_option"] = initial[0]
        else:
            element = {"type": "multi_static_select", "action_id": INPUT_ACTION_ID, "options": options}
            if initial:
                element["initial_options"] = initial
        return element
    if kind is InputKind.NUMBER:
        element = {"type": "number_input", "action_id": INPUT_ACTION_ID, "is_decimal_allowed": False}
        initial_number = _initial_values(form_input)
        if initial_number and re.fullmatch(r"-?\d{1,15}", initial_number[0]):
            element["initial_value"] = initial_number[0]
        return element
    if kind is InputKind.DATE:
        element = {"type": "datepicker", "action_id": INPUT_ACTION_ID}
        initial_date = _initial_values(form_input)
        if initial_date and _is_iso_date(initial_date[0]):
            element["initial_date"] = initial_date[0]
        return element
    return _text_element(form_input, multiline=kind is InputKind.MULTILINE)


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _input_block(form_input: FormInput) -> dict[str, Any]:
    element = _input_element(form_input)
    if form_input.placeholder and element["type"] not in ("datepicker",):
        element["placeholder"] = _text_object(plain(form_input.placeholder), limits.PLACEHOLDER)
    block: dict[str, Any] = {
        "type": "input",
        "block_id": form_input.name,
        "label": _text_object(plain(form_input.label), limits.INPUT_LABEL),
        "element": element,
        "optional": form_input.optional,
    }
    if form_input.hint:
        block["hint"] = _text_object(plain(form_input.hint), limits.INPUT_HINT)
    return block


def form_metadata(form: Form) -> str:
    metadata = json.dumps({"form_id": form.form_id, "context": form.context}, separators=(",", ":"))
    if len(metadata) > limits.VIEW_PRIVATE_METADATA:
        raise RenderError(f"form {form.form_id!r} carries more context than a Slack modal can hold")
    return metadata


def form_view(form: Form, intro: OutgoingMessage | None = None) -> dict[str, Any]:
    """A modal whose inputs are keyed by input name, so errors and answers map back by block_id."""
    for form_input in form.inputs:
        if not form_input.name or len(form_input.name) > limits.BLOCK_ID:
            raise RenderError(f"input name {form_input.name!r} cannot be a Slack block_id")
    inputs = [_input_block(i) for i in form.inputs]
    preface = _content_blocks(intro) if intro and (intro.text or intro.fields) else []
    if preface and preface[0]["type"] == "header":
        preface = preface[1:]
    if len(inputs) > limits.VIEW_BLOCKS:
        raise RenderError(f"form {form.form_id!r} has more inputs than a Slack modal can hold")
    blocks = preface[: limits.VIEW_BLOCKS - len(inputs)] + inputs
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK_ID,
        "private_metadata": form_metadata(form),
        "title": _text_object(plain(form.title) or "Mentorbot", limits.VIEW_TITLE),
        "submit": _text_object(plain(form.submit_label) or "Save", limits.VIEW_SUBMIT),
        "close": _text_object("Cancel", limits.VIEW_CLOSE),
        "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": " "}}],
    }


def result_view(message: OutgoingMessage, title: str = "Mentorbot") -> dict[str, Any]:
    """What a modal turns into after a successful submit: the answer, and only a close button."""
    return {
        "type": "modal",
        "title": _text_object(plain(message.title or title), limits.VIEW_TITLE),
        "close": _text_object("Done", limits.VIEW_CLOSE),
        "blocks": _fit(_without_header(_content_blocks(message)), [], limits.VIEW_BLOCKS)
        or [{"type": "section", "text": {"type": "mrkdwn", "text": "Done."}}],
    }


def _without_header(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] != "header"]


def home_view(parts: Sequence[OutgoingMessage], footer: Sequence[Button] = ()) -> dict[str, Any]:
    """The App Home tab: several engine answers one under the other, then the footer buttons."""
    seen: set[str] = set()
    blocks: list[dict[str, Any]] = []
    for part in parts:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += _content_blocks(part) + _action_blocks(part.buttons, seen)
    footer_blocks = _action_blocks(footer, seen)
    blocks = _fit(blocks, footer_blocks, limits.VIEW_BLOCKS)
    return {
        "type": "home",
        "blocks": blocks or [{"type": "section", "text": {"type": "mrkdwn", "text": " "}}],
    }


def read_form_submission(view: Mapping[str, Any]) -> tuple[str, str, dict[str, str | list[str]]]:
    """(form_id, context, answers) from a view_submission's view; unknown shapes give empty answers."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    form_id = str(metadata.get("form_id", ""))
    context = str(metadata.get("context", ""))
    answers: dict[str, str | list[str]] = {}
    values = (view.get("state") or {}).get("values") or {}
    if not isinstance(values, dict):
        return form_id, context, answers
    for block_id, actions in values.items():
        if not isinstance(actions, dict):
            continue
        state = actions.get(INPUT_ACTION_ID)
        if state is None:
            state = next((v for k, v in actions.items() if str(k).startswith(SEARCH_ACTION_PREFIX)), None)
        if isinstance(state, dict):
            answer = _answer(state)
            if answer is not None:
                answers[str(block_id)] = answer
    return form_id, context, answers


def _answer(state: Mapping[str, Any]) -> str | list[str] | None:
    kind = state.get("type")
    if kind in ("static_select", "external_select"):
        option = state.get("selected_option")
        return str(option.get("value", "")) if isinstance(option, dict) else ""
    if kind == "multi_static_select":
        options = state.get("selected_options") or []
        return [str(o.get("value", "")) for o in options if isinstance(o, dict)]
    if kind == "datepicker":
        return str(state.get("selected_date") or "")
    if kind in ("plain_text_input", "number_input"):
        return str(state.get("value") or "")
    return None


def view_errors(errors: Mapping[str, str], view: Mapping[str, Any]) -> dict[str, str]:
    """Errors keyed by input block; a message about no input in the modal goes on the first one."""
    input_ids = [b.get("block_id") for b in view.get("blocks") or () if b.get("type") == "input"]
    shown: dict[str, str] = {}
    orphans: list[str] = []
    for name, text in errors.items():
        if name in input_ids:
            shown[name] = truncate(text, limits.INPUT_HINT)
        else:
            orphans.append(text)
    if orphans and input_ids:
        first = str(input_ids[0])
        shown[first] = truncate(" ".join([shown.get(first, ""), *orphans]).strip(), limits.INPUT_HINT)
    return shown
