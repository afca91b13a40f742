"""Engine messages as Adaptive Cards (version 1.5, the newest Teams renders in bot messages).

Buttons and forms become `Action.Submit`: Teams answers it with an ordinary message activity whose
`value` holds the action's `data` merged with the card's input values, which `translate.py` reads back.
`Action.Execute` is avoided on purpose: botbuilder 4.17 serialises invoke responses twice.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from botbuilder.schema import Activity, ActivityTypes, Attachment

from conversations.i18n import _
from conversations.meeting_slots import (
    Slot,
    google_calendar_link,
    outlook_web_link,
    slot_label,
    teams_meeting_link,
)
from conversations.messages import (
    LINK_SEPARATOR,
    SHORT_FIELD_CHARS,
    Button,
    ButtonStyle,
    FieldValue,
    Form,
    FormInput,
    InputKind,
    ItemList,
    Link,
    MeetingOffer,
    OutgoingMessage,
    mentioned_in,
    render_commands,
    render_mentions,
)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"

SUBMIT_ACTION_ID = "action_id"
SUBMIT_VALUE = "value"
SUBMIT_FORM_ID = "form_id"
SUBMIT_CONTEXT = "context"
SUBMIT_MULTISELECT = "multiselect"
"""Names of the form's multi-select inputs, so their comma-joined answers are split back into lists."""
RESERVED_SUBMIT_KEYS = frozenset(
    {SUBMIT_ACTION_ID, SUBMIT_VALUE, SUBMIT_FORM_ID, SUBMIT_CONTEXT, SUBMIT_MULTISELECT}
)


_BUTTON_STYLES = {
    ButtonStyle.DEFAULT: "default",
    ButtonStyle.PRIMARY: "positive",
    ButtonStyle.DANGER: "destructive",
}

PEOPLE_DATASET = "graph.microsoft.com/users"
"""The people picker's dataset: Teams searches the organisation's directory itself."""

UNKNOWN_PERSON = "a colleague"
LOOKALIKE_LT = "\u2039"
"""`‹`: reads like `<` but opens no tag."""


def mention_tag(name: str) -> str:
    return f"<at>{html.escape(name, quote=False)}</at>"


def literal(text: str) -> str:
    """Text the engine did not mark as a mention, kept from forming an `<at>` tag or a masked link.

    Adaptive Cards show no HTML, and Teams does not reliably decode entities in card text, so the
    characters that open markup are swapped for look-alikes rather than escaped.
    """
    return text.replace("<", LOOKALIKE_LT).replace("](", "] (")


def command_words(words: str) -> str:
    """A command in bold: in Teams it runs when typed to the bot as it is shown."""
    return f"**{words}**"


def render_text(text: str, names: Mapping[str, str]) -> str:
    """Engine mentions become Teams mention tags (paired with entities in the card); the rest is literal."""
    return render_mentions(
        render_commands(text, command_words), lambda uid: mention_tag(names.get(uid, UNKNOWN_PERSON)), literal
    )


def shown(text: str) -> str:
    """For card parts Teams cannot mention in: a person is named in words, nothing becomes markup."""
    return render_mentions(render_commands(text, lambda words: words), lambda _uid: UNKNOWN_PERSON, literal)


def mention_entities(message: OutgoingMessage, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One entity per person named, as Teams needs to turn `<at>Name</at>` into a real mention."""
    seen: list[str] = []
    for user_id in mentioned_ids(message):
        if user_id not in seen:
            seen.append(user_id)
    return [
        {
            "type": "mention",
            "text": mention_tag(names.get(uid, UNKNOWN_PERSON)),
            "mentioned": {"id": uid, "name": names.get(uid, UNKNOWN_PERSON)},
        }
        for uid in seen
    ]


def mentioned_ids(message: OutgoingMessage) -> list[str]:
    """The declared ids and those the engine mentions in the text; typed look-alikes never count."""
    found: list[str] = list(message.mentions)
    texts = [message.title or "", message.text, message.quote or ""]
    for name, value in message.fields:
        texts += [name, *(value.items if isinstance(value, ItemList) else (value,))]
    for text in texts:
        found += mentioned_in(text)
    return found


def render_card(
    message: OutgoingMessage,
    names: Mapping[str, str] | None = None,
    form_errors: Mapping[str, str] | None = None,
    roster: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The card for one message; `form_errors` re-shows a form with the problems next to its inputs;
    `roster` (Teams id, name) replaces the people picker where it cannot work."""
    names = names or {}
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(_text_block(render_text(message.title, names), weight="Bolder", size="Medium"))
    if message.text and not (message.form and message.text == message.form.title):
        # A form's message says its title, which the form shows as its heading right below.
        body.extend(_paragraphs(render_text(message.text, names)))
    if message.quote:
        body.append(_quote_block(render_text(message.quote, names)))
    body.extend(_field_blocks(message.fields, names))
    for number, meeting in enumerate(message.meetings, 1):
        body.extend(_meeting_blocks(number, meeting))
    if message.attachment:
        body.append(_text_block(shown(message.attachment.announcement()), isSubtle=True, spacing="Medium"))
    buttons = [_action(button) for button in message.buttons]
    rows = button_rows(buttons)
    # A form's own submit is the card's action, below its inputs; its buttons go in rows above them.
    actions = rows[0] if len(rows) == 1 and not message.form else []
    if not actions:
        body.extend({"type": "ActionSet", "actions": row} for row in rows)
    if message.form:
        body.extend(_form_body(message.form, form_errors or {}, roster))
        actions.append(_form_submit(message.form))
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": plain_text(message),
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    entities = mention_entities(message, names)
    if entities:
        card["msteams"]["entities"] = entities
    return card


def render_activity(
    message: OutgoingMessage,
    names: Mapping[str, str] | None = None,
    form_errors: Mapping[str, str] | None = None,
    roster: Sequence[tuple[str, str]] | None = None,
) -> Activity:
    """A message activity holding the card; `summary` is what notifications and screen readers say."""
    return Activity(
        type=ActivityTypes.message,
        summary=plain_text(message)[:200],
        attachments=[
            Attachment(
                content_type=CARD_CONTENT_TYPE, content=render_card(message, names, form_errors, roster)
            )
        ],
    )


def plain_text(message: OutgoingMessage) -> str:
    """The card's fallback and the notification's summary: commands as the words typed to the bot."""
    return literal(message.plain_text(command_words=lambda words: words))


def _action(button: Button) -> dict[str, Any]:
    """A button as an `Action.Submit`; one that asks for confirmation opens a second step under it
    (`Action.ShowCard`) with the question and the button that counts, as Teams has no confirm dialog."""
    submit = {
        "type": "Action.Submit",
        "title": shown(button.label),
        "style": _BUTTON_STYLES[button.style],
        "data": {SUBMIT_ACTION_ID: button.action_id, SUBMIT_VALUE: button.value},
    }
    if button.confirm is None:
        return submit
    return {
        "type": "Action.ShowCard",
        "title": shown(button.label),
        "style": _BUTTON_STYLES[button.style],
        "card": {
            "type": "AdaptiveCard",
            "body": [_text_block(literal(button.confirm))],
            "actions": [{**submit, "title": shown(_("Yes, {action}", action=button.label.lower()))}],
        },
    }


PHONE_ROW_PX = 300
"""Width one row of buttons has on a phone: a 360 px screen less the chat's and the card's margins."""
MAX_ACTIONS = 5
"""Teams shows at most five actions in a row (its host config's `maxActions`) and drops the rest."""


def button_rows(buttons: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Buttons in rows that fit a phone, in order: one row when they all fit, which Teams shows as the
    card's own actions. Teams lays a card's actions out in a single row and cuts every label to fit
    ("W…", "N…"), and shows no more than `MAX_ACTIONS` of them, so what does not fit goes into rows
    of its own, each an ActionSet in the body."""
    rows: list[list[dict[str, Any]]] = []
    width = 0
    for button in buttons:
        needed = button_px(str(button["title"]))
        if rows and len(rows[-1]) < MAX_ACTIONS and width + BUTTON_GAP_PX + needed <= PHONE_ROW_PX:
            rows[-1].append(button)
            width += BUTTON_GAP_PX + needed
        else:
            rows.append([button])
            width = needed
    return rows


BUTTON_GAP_PX = 8


def button_px(title: str) -> int:
    """A button's width in Teams' renderer, roughly: padding and 8 px a character, 16 px a wide one
    (an emoji, a star, a CJK character)."""
    wide = sum(1 for char in title if unicodedata.east_asian_width(char) in "WFA")
    return 24 + 8 * (len(title) + wide)


def _text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _paragraphs(text: str, **style: Any) -> list[dict[str, Any]]:
    """One TextBlock a line: Teams' markdown runs single line breaks into one paragraph."""
    return [_text_block(line, **style) for line in text.split("\n") if line.strip()]


def _quote_block(text: str) -> dict[str, Any]:
    """Someone's own words set apart on a shaded background, as Teams draws no markdown quote."""
    return {"type": "Container", "style": "emphasis", "items": _paragraphs(text), "spacing": "Medium"}


def _item_blocks(items: ItemList, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each item its own row: the bullet or number in a narrow column, so a long item wraps under
    itself rather than under the marker, as a list does."""
    return [
        {
            "type": "ColumnSet",
            "spacing": "Small",
            "columns": [
                {"type": "Column", "width": "auto", "items": [_plain_run(marker)]},
                {
                    "type": "Column",
                    "width": "stretch",
                    "spacing": "Small",
                    "items": [_text_block(_linked(items.link_of(i), render_text(item, names)))],
                },
            ],
        }
        for i, (marker, item) in enumerate(zip(items.markers(), items.items, strict=True))
    ]


def _linked(link: Link | None, shown_item: str) -> str:
    """An item with its link first, as a Markdown link whose label is the title, kept from forming
    markup of its own; the address is from a vetted catalogue, so brackets in it are only escaped."""
    if link is None:
        return shown_item
    label = literal(link.title).replace("[", "(").replace("]", ")")
    url = link.url.replace("(", "%28").replace(")", "%29")
    return LINK_SEPARATOR.join(part for part in (f"[{label}]({url})", shown_item) if part)


def _plain_run(text: str) -> dict[str, Any]:
    """Text Teams shows as it is: a TextBlock would read a lone "1." as the start of a markdown list."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text}]}


def _field_blocks(
    fields: tuple[tuple[str, FieldValue], ...], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Short fields side by side in a FactSet; a list, or a longer field, as a heading and its own
    rows, since a FactSet runs its lines together and squeezes a paragraph into a narrow column."""
    blocks: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    for name, value in fields:
        if isinstance(value, str) and "\n" not in value and len(value) <= SHORT_FIELD_CHARS:
            facts.append({"title": render_text(name, names), "value": render_text(value, names) or "-"})
            continue
        if facts:
            blocks.append({"type": "FactSet", "facts": facts})
            facts = []
        blocks.append(_text_block(render_text(name, names), weight="Bolder", spacing="Medium"))
        if isinstance(value, ItemList):
            blocks.extend(_item_blocks(value, names))
        else:
            blocks.extend(_paragraphs(render_text(value, names), spacing="Small"))
    if facts:
        blocks.append({"type": "FactSet", "facts": facts})
    return blocks


def _meeting_blocks(number: int, meeting: MeetingOffer) -> list[dict[str, Any]]:
    """One proposed time on the reader's clock, and buttons that open it prefilled in a calendar or as
    a new Teams meeting with both people invited. The links are built here from the offer's fields."""
    slot = Slot(meeting.start, meeting.end)
    when = " / ".join(slot_label(meeting.start, meeting.end, zone) for zone in meeting.timezones or ("UTC",))
    links = (
        ("Teams", teams_meeting_link(slot, meeting.title, meeting.details, meeting.attendees)),
        ("Outlook", outlook_web_link(slot, meeting.title, meeting.details)),
        ("Google", google_calendar_link(slot, meeting.title, meeting.details)),
    )
    return [
        _text_block(_("**Option {number}:** {when}", number=number, when=literal(when)), spacing="Medium"),
        {
            "type": "ActionSet",
            "actions": [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links],
        },
    ]


def _form_body(
    form: Form, errors: Mapping[str, str], roster: Sequence[tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    title = _text_block(shown(form.title), weight="Bolder", size="Medium", spacing="Medium")
    blocks: list[dict[str, Any]] = [title]
    if errors:
        blocks.append(_text_block(_("Please fix the fields marked below."), color="Attention"))
    for form_input in form.inputs:
        if form_input.name in RESERVED_SUBMIT_KEYS:
            raise ValueError(f"form input name {form_input.name!r} is reserved for the submit data")
        element = _input_element(form_input, roster)
        error = errors.get(form_input.name)
        if error:
            element["errorMessage"] = shown(error)
        blocks.append(element)
        if error:
            blocks.append(_text_block(shown(error), color="Attention", size="Small", spacing="None"))
        if form_input.hint:
            blocks.append(_text_block(shown(form_input.hint), isSubtle=True, size="Small", spacing="None"))
    return blocks


def _form_submit(form: Form) -> dict[str, Any]:
    data: dict[str, Any] = {SUBMIT_FORM_ID: form.form_id, SUBMIT_CONTEXT: form.context}
    multiselect = [i.name for i in form.inputs if i.kind in (InputKind.MULTISELECT, InputKind.PEOPLE)]
    if multiselect:
        data[SUBMIT_MULTISELECT] = multiselect
    return {"type": "Action.Submit", "title": form.submit_label, "style": "positive", "data": data}


def _input_element(form_input: FormInput, roster: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "id": form_input.name,
        "label": shown(form_input.label),
        "isRequired": not form_input.optional,
    }
    if not form_input.optional:
        element["errorMessage"] = _("{field} is required.", field=shown(form_input.label))
    kind = form_input.kind
    initial = form_input.initial
    if kind in (InputKind.TEXT, InputKind.MULTILINE):
        element["type"] = "Input.Text"
        if kind is InputKind.MULTILINE:
            element["isMultiline"] = True
        if form_input.max_length:
            element["maxLength"] = form_input.max_length
        if initial:
            element["value"] = initial if isinstance(initial, str) else ", ".join(initial)
    elif kind in (InputKind.SELECT, InputKind.MULTISELECT):
        element["type"] = "Input.ChoiceSet"
        element["style"] = "compact"
        element["choices"] = [{"title": shown(o.label), "value": o.value} for o in form_input.options]
        if kind is InputKind.MULTISELECT:
            element["isMultiSelect"] = True
        if initial:
            element["value"] = initial if isinstance(initial, str) else ",".join(initial)
    elif kind is InputKind.SEARCH:
        _search_element(element, form_input)
    elif kind in (InputKind.PERSON, InputKind.PEOPLE):
        _people_element(element, form_input, roster)
    elif kind is InputKind.NUMBER:
        element["type"] = "Input.Number"
        number = _as_number(initial)
        if number is not None:
            element["value"] = number
    elif kind is InputKind.DATE:
        element["type"] = "Input.Date"
        if isinstance(initial, str) and initial:
            element["value"] = initial
    else:  # pragma: no cover - a new InputKind must be given a rendering here
        raise ValueError(f"no Adaptive Card input for {kind}")
    if form_input.placeholder and kind is not InputKind.MULTISELECT:
        element["placeholder"] = shown(form_input.placeholder)
    return element


def _search_element(element: dict[str, Any], form_input: FormInput) -> None:
    """A filtered ChoiceSet: the form's own choices at once, and Teams asks the bot for the rest as the
    person types (an `application/search` invoke naming the `Data.Query` dataset)."""
    if not form_input.dataset:
        raise ValueError(f"search input {form_input.name!r} names no dataset")
    initial = form_input.initial if isinstance(form_input.initial, str) else None
    choices = [{"title": shown(o.label), "value": o.value} for o in form_input.options]
    if initial and initial not in {c["value"] for c in choices}:
        choices.insert(0, {"title": shown(initial), "value": initial})
    element["type"] = "Input.ChoiceSet"
    element["style"] = "filtered"
    element["choices"] = choices
    element["choices.data"] = {"type": "Data.Query", "dataset": form_input.dataset}
    if initial:
        element["value"] = initial


def _people_element(
    element: dict[str, Any], form_input: FormInput, roster: Sequence[tuple[str, str]] | None
) -> None:
    """Teams' people picker: a filtered ChoiceSet searching the organisation's directory, whose value is
    an Azure AD object id (the engine maps it to the Teams account through the team roster).

    Where the picker cannot work (outside the Teams client, which alone can ask Microsoft Graph),
    `roster` is given instead: the team's members as static choices, valued by their Teams ids.
    """
    initial = form_input.initial
    chosen = [initial] if isinstance(initial, str) and initial else list(initial or ())
    choices = [{"title": shown(o.label), "value": o.value} for o in form_input.options]
    if roster is not None:
        choices += [{"title": shown(name), "value": value} for value, name in roster]
    known = {c["value"] for c in choices}
    choices += [{"title": shown(value), "value": value} for value in chosen if value not in known]
    element["type"] = "Input.ChoiceSet"
    element["style"] = "filtered"
    element["choices"] = list({c["value"]: c for c in choices}.values())
    if roster is None:
        element["choices.data"] = {"type": "Data.Query", "dataset": PEOPLE_DATASET}
    if form_input.kind is InputKind.PEOPLE:
        element["isMultiSelect"] = True
    if chosen:
        element["value"] = ",".join(chosen)


def _as_number(value: object) -> float | int | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else number
