"""Platform-neutral messages and forms turned into Block Kit messages, modals and the App Home tab.

Blocks are built from slack_sdk's models, whose `to_dict()` refuses what Slack would refuse. A
person's text must shorten rather than fail the send, so every string is still cut to the model's
limit first, on a boundary that keeps mrkdwn entities (`&amp;`, `<@U123>`) whole. Values that cannot
be shortened without changing their meaning (button values, option values) are dropped with a
warning instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models import blocks as kit
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.views import View

from adapters.slack import limits
from adapters.slack.scopes import SLASH_COMMAND
from conversations.i18n import _
from conversations.meeting_slots import Slot, google_calendar_link, outlook_web_link, slot_label
from conversations.messages import (
    LINK_SEPARATOR,
    SHORT_FIELD_CHARS,
    Attachment,
    Button,
    ButtonStyle,
    FieldValue,
    Form,
    FormInput,
    InputKind,
    ItemList,
    Link,
    MeetingOffer,
    Option,
    OutgoingMessage,
    render_commands,
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
FILENAME_LENGTH = 150
_SLACK_ID = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,40}$")
_DUPLICATE_SUFFIX = re.compile(r"#\d+$")
_Model = TypeVar("_Model", bound=JsonObject)


class RenderError(ValueError):
    """The message cannot be shown in Slack without losing what it means."""


# --- text -----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack reads `&`, `<` and `>` as control characters in mrkdwn and plain text alike."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Everything escaped except the engine's own mentions, so typed `<@U…>` or `<!channel>` stays text.

    A command the engine names is shown as the slash command that runs it: in Slack, typing a bare
    word to the app runs nothing."""
    return render_mentions(render_commands(text, _slack_command_code), _slack_mention, escape)


def _slack_command_code(words: str) -> str:
    return f"`{slash_command(words)}`"


def slash_command(words: str) -> str:
    """`/mentor goals`: how a command is run in Slack."""
    return f"{SLASH_COMMAND} {words}".strip()


def _slack_mention(user_id: str) -> str:
    return f"<@{user_id}>" if _SLACK_ID.match(user_id) else escape("@" + user_id)


def plain(text: str) -> str:
    """Plain-text objects are not parsed for markup, so mentions can only be shown as `@id`."""
    return render_mentions(render_commands(text, slash_command), lambda uid: f"@{uid}")


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


def _plain(text: str, limit: int) -> str:
    """Text for a plain_text object, which Slack refuses when empty or over its limit."""
    return truncate(plain(text), limit) or " "


def _valid(model: _Model) -> _Model | None:
    """The model, or None when slack_sdk says Slack would refuse it (a value too long to cut)."""
    try:
        model.validate_json()
    except SlackObjectFormationError:
        return None
    return model


def _or_blank(blocks: list[kit.Block], text: str = " ") -> list[kit.Block]:
    """Slack refuses a message or view without blocks."""
    return blocks or [kit.SectionBlock(text=text)]


# --- messages -------------------------------------------------------------------------------------


def fallback_text(message: OutgoingMessage) -> str:
    """The top-level `text`: shown in notifications and read by screen readers."""
    lines = [f"*{mrkdwn(message.title)}*"] if message.title else []
    lines.append(mrkdwn(message.text))
    if message.quote:
        lines.append(quoted(message.quote))
    for name, value in message.fields:
        if isinstance(value, ItemList):
            lines += [f"{mrkdwn(name)}:", list_text(value)]
        else:
            lines.append(f"{mrkdwn(name)}: {mrkdwn(value)}")
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


def _button(button: Button, seen: set[str]) -> kit.ButtonElement | None:
    action_id = encode_action_id(button.action_id, seen)
    element = _valid(
        kit.ButtonElement(
            text=_plain(button.label or button.action_id, kit.ButtonElement.text_max_length),
            action_id=action_id,
            value=button.value or None,
            style=button.style.value if button.style in (ButtonStyle.PRIMARY, ButtonStyle.DANGER) else None,
            confirm=_confirm(button),
        )
    )
    if element is None:
        seen.discard(action_id)
        logger.warning("dropping button %r: its action id or value is longer than Slack allows", button.label)
    return element


CONFIRM_TEXT_MAX = 300
"""Slack's limit on a confirm dialog's text."""


def _confirm(button: Button) -> kit.ConfirmObject | None:
    """The dialog Slack shows before a click on a button that asks for confirmation counts."""
    if button.confirm is None:
        return None
    return kit.ConfirmObject(
        title=_plain(_("Are you sure?"), 100),
        text=kit.PlainTextObject(text=_plain(button.confirm, CONFIRM_TEXT_MAX)),
        confirm=_plain(button.label, 30),
        deny=_plain(_("Cancel"), 30),
        style="danger" if button.style is ButtonStyle.DANGER else "primary",
    )


def _action_blocks(buttons: Iterable[Button], seen: set[str]) -> list[kit.Block]:
    elements = [e for e in (_button(b, seen) for b in buttons) if e is not None]
    return [
        kit.ActionsBlock(elements=elements[i : i + BUTTONS_PER_ROW])
        for i in range(0, len(elements), BUTTONS_PER_ROW)
    ]


def list_text(items: ItemList) -> str:
    """mrkdwn has no list syntax: Slack's own lists are bullets or numbers starting each line."""
    return "\n".join(
        f"{marker} {_linked(items.link_of(i), item)}"
        for i, (marker, item) in enumerate(zip(items.markers(), items.items, strict=True))
    )


def _linked(link: Link | None, item: str) -> str:
    """An item with its link first: the title, escaped, as the link's label."""
    if link is None:
        return mrkdwn(item)
    label = f"<{link.url}|{escape(link.title)}>"
    return LINK_SEPARATOR.join(part for part in (label, mrkdwn(item)) if part)


def quoted(text: str) -> str:
    """A quote in mrkdwn: every line behind `>` (the text is escaped first, so its own `>` stays text)."""
    return "\n".join(f"> {line}" for line in mrkdwn(text).split("\n"))


def _field_blocks(fields: Iterable[tuple[str, FieldValue]]) -> list[kit.Block]:
    """Short fields side by side in sections; a list or a paragraph gets a section of its own, under
    its name, rather than half the width.

    Slack documents 2,000 characters for a field; slack_sdk does not check it, so it is ours."""
    blocks: list[kit.Block] = []
    rendered: list[str] = []
    size = kit.SectionBlock.fields_max_length

    def flush() -> None:
        blocks.extend(kit.SectionBlock(fields=rendered[i : i + size]) for i in range(0, len(rendered), size))
        rendered.clear()

    for name, value in fields:
        if isinstance(value, ItemList) or len(value) > SHORT_FIELD_CHARS:
            flush()
            shown = list_text(value) if isinstance(value, ItemList) else mrkdwn(value)
            text = f"*{mrkdwn(name)}*\n{shown}"
            blocks += [kit.SectionBlock(text=c) for c in split_text(text, kit.SectionBlock.text_max_length)]
        else:
            rendered.append(truncate(f"*{mrkdwn(name)}*\n{mrkdwn(value)}", limits.SECTION_FIELD_TEXT))
    flush()
    return blocks


def _slack_date(moment_utc: float, tokens: str, fallback: str) -> str:
    """Slack shows `<!date^…>` on each reader's own clock; the fallback is for clients that cannot."""
    return f"<!date^{int(moment_utc)}^{tokens}|{escape(fallback)}>"


def _meeting_text(number: int, meeting: MeetingOffer) -> str:
    """One proposed time, on each reader's clock, with links that open a prefilled calendar event.

    The links are built here from the offer's fields, never taken from text."""
    slot = Slot(meeting.start, meeting.end)
    fallback = " / ".join(slot_label(meeting.start, meeting.end, z) for z in meeting.timezones or ("UTC",))
    # Slack fills in the date and time in each reader's own words; the words around them are ours.
    when = _slack_date(meeting.start.timestamp(), _("{date_long_pretty} at {time}"), fallback)
    minutes = int((meeting.end - meeting.start).total_seconds() // 60)
    google = escape(google_calendar_link(slot, meeting.title, meeting.details))
    outlook = escape(outlook_web_link(slot, meeting.title, meeting.details))
    option = _("*Option {number}:* {when} ({minutes} min)", number=number, when=when, minutes=minutes)
    return f"{option}\n<{google}|Google Calendar>  ·  <{outlook}|Outlook>"


def _meeting_blocks(meetings: Sequence[MeetingOffer]) -> list[kit.Block]:
    return [kit.SectionBlock(text=_meeting_text(n, m)) for n, m in enumerate(meetings, 1)]


def _attachment_text(attachment: Attachment) -> str:
    """The file is uploaded beside the message, whole; the message names it (the name cut to fit)."""
    short = Attachment(truncate(attachment.filename, FILENAME_LENGTH), attachment.content)
    return f":page_facing_up: {escape(short.announcement())}"


def _content_blocks(message: OutgoingMessage) -> list[kit.Block]:
    blocks: list[kit.Block] = []
    if message.title:
        blocks.append(kit.HeaderBlock(text=_plain(message.title, kit.HeaderBlock.text_max_length)))
    blocks += [
        kit.SectionBlock(text=c) for c in split_text(mrkdwn(message.text), kit.SectionBlock.text_max_length)
    ]
    if message.quote:
        blocks += [
            kit.SectionBlock(text=c)
            for c in split_text(quoted(message.quote), kit.SectionBlock.text_max_length)
        ]
    blocks += _field_blocks(message.fields)
    blocks += _meeting_blocks(message.meetings)
    if message.attachment is not None:
        blocks.append(kit.SectionBlock(text=_attachment_text(message.attachment)))
    return blocks


def _fit(content: list[kit.Block], actions: list[kit.Block], limit: int) -> list[kit.Block]:
    """Keep the buttons (they are what the person acts on) and cut content to make room."""
    actions = actions[: max(0, limit - 1)]
    room = limit - len(actions)
    if len(content) > room:
        shortened = kit.ContextBlock(
            elements=[kit.MarkdownTextObject(text="_" + _("(shortened to fit in Slack)") + "_")]
        )
        content = content[: max(0, room - 1)] + [shortened]
    return content + actions


def message_blocks(message: OutgoingMessage, limit: int = limits.MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """slack_sdk has no message model, so the 50 blocks a message may hold are counted here."""
    blocks = _fit(_content_blocks(message), _action_blocks(message.buttons, set()), limit)
    return [block.to_dict() for block in _or_blank(blocks)]


def message_payload(message: OutgoingMessage) -> dict[str, Any]:
    """`text` and `blocks` as chat.postMessage, chat.update and response_url all take them."""
    return {"text": fallback_text(message), "blocks": message_blocks(message)}


# --- modals ---------------------------------------------------------------------------------------


def _option(option: Option) -> kit.Option | None:
    """A Block Kit option, or None when its value is empty or too long to be one."""
    label = _plain(option.label, kit.Option.label_max_length)
    return _valid(kit.Option(value=option.value, label=label)) if option.value else None


def options_response(options: Iterable[Option]) -> list[dict[str, Any]]:
    """The `options` of an answer to a block_suggestion request: at most the number Slack shows."""
    objects = [o for o in map(_option, options) if o is not None]
    return [o.to_dict() for o in objects[: limits.SELECT_OPTIONS]]


def _options(form_input: FormInput) -> list[kit.Option]:
    options = []
    for option in form_input.options:
        rendered = _option(option)
        if rendered is None:
            logger.warning(
                "dropping option %r of %s: its value is too long for Slack", option.label, form_input.name
            )
            continue
        options.append(rendered)
    wanted = _initial_values(form_input)
    if len(options) > limits.SELECT_OPTIONS:
        keep = [o for o in options if o.value in wanted]
        rest = [o for o in options if o.value not in wanted]
        options = keep + rest[: limits.SELECT_OPTIONS - len(keep)]
        logger.warning("%s has more options than Slack shows; keeping %d", form_input.name, len(options))
    return options


def _initial_values(form_input: FormInput) -> tuple[str, ...]:
    if form_input.initial is None:
        return ()
    if isinstance(form_input.initial, str):
        return (form_input.initial,) if form_input.initial else ()
    return tuple(form_input.initial)


def _text_element(form_input: FormInput, multiline: bool) -> kit.PlainTextInputElement:
    """Slack caps max_length at 3,000; slack_sdk does not check it, so it is ours."""
    max_length = min(form_input.max_length or limits.PLAIN_TEXT_INPUT_MAX, limits.PLAIN_TEXT_INPUT_MAX)
    initial = ", ".join(_initial_values(form_input))[:max_length]
    return kit.PlainTextInputElement(
        action_id=INPUT_ACTION_ID,
        max_length=max_length,
        multiline=multiline or None,
        initial_value=initial or None,
    )


def _search_element(form_input: FormInput) -> kit.ExternalDataSelectElement:
    """An `external_select`: Slack asks the bot (block_suggestion) for options as the person types."""
    if not form_input.dataset:
        raise RenderError(f"search input {form_input.name!r} names no dataset Slack can ask for")
    initial = _initial_values(form_input)
    labels = {o.value: o.label for o in form_input.options}
    return kit.ExternalDataSelectElement(
        action_id=SEARCH_ACTION_PREFIX + form_input.dataset,
        min_query_length=SEARCH_MIN_QUERY_LENGTH,
        initial_option=_option(Option(initial[0], labels.get(initial[0], initial[0]))) if initial else None,
    )


def _input_element(form_input: FormInput) -> kit.InputInteractiveElement:
    kind = form_input.kind
    initial = _initial_values(form_input)
    if kind is InputKind.SEARCH:
        return _search_element(form_input)
    if kind in (InputKind.PERSON, InputKind.PEOPLE):
        return _people_element(form_input, initial)
    if kind in (InputKind.SELECT, InputKind.MULTISELECT):
        options = _options(form_input)
        if not options:
            return _text_element(form_input, multiline=False)
        by_value = {o.value: o for o in options}
        chosen = [by_value[v] for v in initial if v in by_value]
        if kind is InputKind.SELECT:
            return kit.StaticSelectElement(
                action_id=INPUT_ACTION_ID, options=options, initial_option=chosen[0] if chosen else None
            )
        return kit.StaticMultiSelectElement(
            action_id=INPUT_ACTION_ID, options=options, initial_options=chosen
        )
    if kind is InputKind.NUMBER:
        number = initial[0] if initial and re.fullmatch(r"-?\d{1,15}", initial[0]) else None
        return kit.NumberInputElement(
            action_id=INPUT_ACTION_ID, is_decimal_allowed=False, initial_value=number
        )
    if kind is InputKind.DATE:
        day = initial[0] if initial and _is_iso_date(initial[0]) else None
        return kit.DatePickerElement(action_id=INPUT_ACTION_ID, initial_date=day)
    return _text_element(form_input, multiline=kind is InputKind.MULTILINE)


def _people_element(
    form_input: FormInput, initial: tuple[str, ...]
) -> kit.UserSelectElement | kit.UserMultiSelectElement:
    """Slack's own people pickers: they offer the workspace's members and show each one's name, so
    the form needs no list of people; only ids that look like Slack's are preselected."""
    chosen = [v for v in initial if _SLACK_ID.match(v)]
    if form_input.kind is InputKind.PERSON:
        return kit.UserSelectElement(action_id=INPUT_ACTION_ID, initial_user=chosen[0] if chosen else None)
    return kit.UserMultiSelectElement(
        action_id=INPUT_ACTION_ID,
        initial_users=chosen[: form_input.max_items] if form_input.max_items else chosen,
        max_selected_items=form_input.max_items,
    )


def _is_iso_date(value: str) -> bool:
    """slack_sdk checks only the shape of `initial_date`, and raises: 2026-02-31 must not sink a form."""
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _input_block(form_input: FormInput) -> kit.InputBlock:
    element = _input_element(form_input)
    if form_input.placeholder and not isinstance(element, kit.DatePickerElement):
        element.placeholder = kit.PlainTextObject.from_str(
            _plain(form_input.placeholder, element.placeholder_max_length)
        )
    return kit.InputBlock(
        block_id=form_input.name,
        label=_plain(form_input.label, kit.InputBlock.label_max_length),
        element=element,
        optional=form_input.optional,
        hint=_plain(form_input.hint, kit.InputBlock.hint_max_length) if form_input.hint else None,
    )


def form_view(form: Form, intro: OutgoingMessage | None = None) -> dict[str, Any]:
    """A modal whose inputs are keyed by input name, so errors and answers map back by block_id.

    What slack_sdk refuses here (an input name too long for a block_id, too many inputs, too much
    context for private_metadata) cannot be cut without breaking the form, so it is a RenderError.
    """
    if not all(i.name for i in form.inputs):
        raise RenderError(f"form {form.form_id!r} has an input without a name")
    inputs: list[kit.Block] = [_input_block(i) for i in form.inputs]
    preface = _without_header(_content_blocks(intro)) if intro and (intro.text or intro.fields) else []
    view = View(
        type="modal",
        callback_id=FORM_CALLBACK_ID,
        private_metadata=json.dumps(
            {"form_id": form.form_id, "context": form.context}, separators=(",", ":")
        ),
        title=_plain(form.title or "Mentorbot", View.title_max_length),
        submit=_plain(form.submit_label or _("Save"), View.submit_max_length),
        close=_plain(_("Cancel"), View.close_max_length),
        blocks=_or_blank(preface[: max(0, View.blocks_max_length - len(inputs))] + inputs),
    )
    try:
        return view.to_dict()
    except SlackObjectFormationError as error:
        raise RenderError(f"form {form.form_id!r} cannot be a Slack modal: {error}") from error


def result_view(message: OutgoingMessage, title: str = "Mentorbot") -> dict[str, Any]:
    """What a modal turns into after a successful submit: the answer, and only a close button."""
    blocks = _fit(_without_header(_content_blocks(message)), [], View.blocks_max_length)
    return View(
        type="modal",
        title=_plain(message.title or title, View.title_max_length),
        close=_plain(_("Done"), View.close_max_length),
        blocks=_or_blank(blocks, _("Done.")),
    ).to_dict()


def _without_header(blocks: list[kit.Block]) -> list[kit.Block]:
    return [b for b in blocks if not isinstance(b, kit.HeaderBlock)]


def home_view(parts: Sequence[OutgoingMessage], footer: Sequence[Button] = ()) -> dict[str, Any]:
    """The App Home tab: several engine answers one under the other, then the footer buttons."""
    seen: set[str] = set()
    blocks: list[kit.Block] = []
    for part in parts:
        if blocks:
            blocks.append(kit.DividerBlock())
        blocks += _content_blocks(part) + _action_blocks(part.buttons, seen)
    blocks = _fit(blocks, _action_blocks(footer, seen), View.blocks_max_length)
    return View(type="home", blocks=_or_blank(blocks)).to_dict()


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
    if kind == "users_select":
        return str(state.get("selected_user") or "")
    if kind == "multi_users_select":
        users = state.get("selected_users") or []
        return [str(u) for u in users if isinstance(u, str) and u] if isinstance(users, list) else []
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
            shown[name] = truncate(text, kit.InputBlock.hint_max_length)
        else:
            orphans.append(text)
    if orphans and input_ids:
        first = str(input_ids[0])
        shown[first] = truncate(
            " ".join([shown.get(first, ""), *orphans]).strip(), kit.InputBlock.hint_max_length
        )
    return shown
