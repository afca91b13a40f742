"""Teams activities as engine events, and the conversation references worth keeping from them.

Everything here reads client-supplied JSON, so every field is treated as possibly missing or of the
wrong type: a malformed activity becomes `None` (ignored), never an exception.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.render import (
    RESERVED_SUBMIT_KEYS,
    SUBMIT_ACTION_ID,
    SUBMIT_CONTEXT,
    SUBMIT_FORM_ID,
    SUBMIT_MULTISELECT,
    SUBMIT_VALUE,
)
from conversations.domain import ConversationRef, UserRef
from conversations.events import (
    ButtonClicked,
    CommandReceived,
    FormSubmitted,
    InboundEvent,
    Installed,
    Where,
)
from conversations.options_search import search_options
from conversations.profile_form import valid_timezone

logger = logging.getLogger(__name__)

PLATFORM = "teams"
TENANT_REF_USER_ID = "*"
"""Conversation references are keyed by person; the tenant's own entry (service URL and the bot's
account, all `create_conversation` needs) is kept under this id, which no Teams user id can take."""
NO_TENANT = "no-tenant"
"""The Bot Framework Emulator sends no tenant; its people all share this one."""

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACES = re.compile(r"\s+")
_MAX_COMMAND_CHARS = 2000
_INSTALL_ACTIONS = ("add", "add-upgrade")
SEARCH_INVOKE = "application/search"
"""What Teams sends as a person types in a filtered ChoiceSet whose `choices.data` names a dataset."""
MAX_SEARCH_RESULTS = 25
"""Teams shows about fifteen; a few more cover its own paging without a second round trip."""
_MAX_SEARCH_SKIP = 1000


def tenant_of(activity: Activity) -> str:
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    if isinstance(tenant_id, str) and tenant_id:
        return tenant_id
    conversation = activity.conversation
    if conversation is not None and isinstance(conversation.tenant_id, str) and conversation.tenant_id:
        return conversation.tenant_id
    return NO_TENANT


def actor_of(activity: Activity) -> UserRef | None:
    sender = activity.from_property
    if sender is None or not isinstance(sender.id, str) or not sender.id:
        return None
    return UserRef(PLATFORM, tenant_of(activity), sender.id)


def event_id_of(activity: Activity) -> str:
    """Teams redelivers with the same activity id; activities without one get a digest of their body."""
    if isinstance(activity.id, str) and activity.id:
        return f"{PLATFORM}:{activity.id}"
    body = json.dumps(activity.serialize(), sort_keys=True, default=str)
    return f"{PLATFORM}:sha256:{hashlib.sha256(body.encode()).hexdigest()}"


def conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    if isinstance(kind, str) and kind:
        return kind
    is_group = getattr(conversation, "is_group", None) if conversation else None
    return "groupChat" if is_group is True else "personal"


def channel_id_of(activity: Activity) -> str | None:
    """The channel a channel conversation belongs to (`19:…@thread.tacv2`), without the thread suffix."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    channel = channel_data.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else None
    if isinstance(channel_id, str) and channel_id:
        return channel_id
    conversation = activity.conversation
    if conversation is not None and isinstance(conversation.id, str) and conversation.id:
        return conversation.id.split(";", 1)[0]
    return None


def where_of(activity: Activity) -> Where:
    kind = conversation_type(activity)
    if kind == "personal":
        return Where()
    if kind == "channel":
        return Where(channel_id=channel_id_of(activity), is_direct=False)
    conversation = activity.conversation
    return Where(channel_id=getattr(conversation, "id", None), is_direct=False)


def command_text(activity: Activity) -> str:
    """The words typed to the bot: its @mention, markup and HTML entities taken out."""
    text = activity.text if isinstance(activity.text, str) else ""
    bot_id = getattr(activity.recipient, "id", None)
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned")
        mention_text = props.get("text")
        if (
            getattr(entity, "type", None) == "mention"
            and isinstance(mentioned, dict)
            and mentioned.get("id") == bot_id
            and isinstance(mention_text, str)
            and mention_text
        ):
            text = text.replace(mention_text, " ")
    bot_name = getattr(activity.recipient, "name", None)
    if isinstance(bot_name, str) and bot_name:
        text = text.replace(f"<at>{bot_name}</at>", " ")
    text = html.unescape(_TAG.sub(" ", text))
    return _SPACES.sub(" ", text).strip()[:_MAX_COMMAND_CHARS]


def to_event(activity: Activity) -> InboundEvent | None:
    actor = actor_of(activity)
    if actor is None or not isinstance(activity.type, str):
        return None
    event_id = event_id_of(activity)
    if activity.type == ActivityTypes.message:
        return _message_event(activity, actor, event_id)
    installed = (activity.type == ActivityTypes.conversation_update and _bot_was_added(activity)) or (
        activity.type == ActivityTypes.installation_update and activity.action in _INSTALL_ACTIONS
    )
    if installed:
        # The engine files `conversation` under the actor, so only a 1:1 chat is theirs to keep; team and
        # channel references are saved separately (see references_to_save).
        personal = conversation_type(activity) == "personal"
        return Installed(
            actor=actor,
            event_id=event_id,
            conversation=reference_data(activity) if personal else {},
            locale=locale_of(activity),
        )
    return None


def is_personal_uninstall(activity: Activity) -> bool:
    """The person removed the app from their personal scope: their saved chat is no longer usable."""
    return (
        activity.type == ActivityTypes.installation_update
        and isinstance(activity.action, str)
        and activity.action.startswith("remove")
        and conversation_type(activity) == "personal"
    )


def _bot_was_added(activity: Activity) -> bool:
    bot_id = getattr(activity.recipient, "id", None)
    return any(getattr(member, "id", None) == bot_id for member in activity.members_added or [])


def _message_event(activity: Activity, actor: UserRef, event_id: str) -> InboundEvent | None:
    value = activity.value
    if isinstance(value, dict):
        if isinstance(value.get(SUBMIT_ACTION_ID), str):
            return ButtonClicked(
                actor=actor,
                action_id=value[SUBMIT_ACTION_ID],
                value=_as_text(value.get(SUBMIT_VALUE, "")),
                event_id=event_id,
                where=where_of(activity),
                locale=locale_of(activity),
            )
        if isinstance(value.get(SUBMIT_FORM_ID), str):
            return FormSubmitted(
                actor=actor,
                form_id=value[SUBMIT_FORM_ID],
                fields=_form_fields(value),
                event_id=event_id,
                context=_as_text(value.get(SUBMIT_CONTEXT, "")),
                locale=locale_of(activity),
            )
    text = command_text(activity)
    if not text:
        return None
    sender_name = getattr(activity.from_property, "name", None)
    return CommandReceived(
        actor=actor,
        text=text,
        event_id=event_id,
        where=where_of(activity),
        display_name=sender_name if isinstance(sender_name, str) and sender_name else None,
        locale=locale_of(activity),
    )


def locale_of(activity: Activity) -> str | None:
    """The person's Teams language (`activity.locale`, else the `clientInfo` entity's), e.g. `es-es`."""
    if isinstance(activity.locale, str) and activity.locale:
        return activity.locale[:35]
    for entity in activity.entities or []:
        extra = getattr(entity, "additional_properties", None) or {}
        locale = extra.get("locale")
        if getattr(entity, "type", None) == "clientInfo" and isinstance(locale, str) and locale:
            return locale[:35]
    return None


def _form_fields(value: dict[str, Any]) -> dict[str, str | list[str]]:
    """Input values as the engine expects them: multi-select answers (comma-joined by Teams) as lists."""
    multiselect = value.get(SUBMIT_MULTISELECT)
    multi_names = {n for n in multiselect if isinstance(n, str)} if isinstance(multiselect, list) else set()
    fields: dict[str, str | list[str]] = {}
    for name, raw in value.items():
        if not isinstance(name, str) or name in RESERVED_SUBMIT_KEYS or name == "msteams":
            continue
        if name in multi_names:
            items = raw if isinstance(raw, list) else _as_text(raw).split(",")
            fields[name] = [s for s in (_as_text(item).strip() for item in items) if s]
        else:
            fields[name] = _as_text(raw)
    return fields


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return json.dumps(value, default=str)


# --- time zone ---------------------------------------------------------------------------------


def timezone_of(activity: Activity) -> str | None:
    """The sender's IANA time zone, which Teams sends with every activity: `localTimezone`, or the
    `timezone` of a `clientInfo` entity. Whatever is not a real zone is ignored."""
    candidates: list[object] = [activity.local_timezone]
    for entity in activity.entities or []:
        if getattr(entity, "type", None) == "clientInfo":
            props = getattr(entity, "additional_properties", None) or {}
            candidates.append(props.get("timezone"))
    for candidate in candidates:
        if isinstance(candidate, str) and valid_timezone(candidate):
            return candidate
    return None


def stored_timezone(data: Mapping[str, object]) -> str | None:
    """The time zone saved with a person's conversation reference, if it is (still) a valid zone."""
    timezone = data.get("timezone")
    return timezone if isinstance(timezone, str) and valid_timezone(timezone) else None


# --- searchable choices --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """An `application/search` invoke: the person typed `text` into a ChoiceSet searching `dataset`."""

    dataset: str
    text: str
    top: int
    skip: int


def search_query(activity: Activity) -> SearchQuery | None:
    """The query of an `application/search` invoke, or None for any other activity."""
    if activity.type != ActivityTypes.invoke or activity.name != SEARCH_INVOKE:
        return None
    value = activity.value if isinstance(activity.value, dict) else {}
    dataset = value.get("dataset")
    if not isinstance(dataset, str):
        return None
    text = value.get("queryText")
    options = value.get("queryOptions")
    options = options if isinstance(options, dict) else {}
    return SearchQuery(
        dataset=dataset,
        text=text if isinstance(text, str) else "",
        top=_bounded(options.get("top"), MAX_SEARCH_RESULTS, 1, MAX_SEARCH_RESULTS),
        skip=_bounded(options.get("skip"), 0, 0, _MAX_SEARCH_SKIP),
    )


SEARCH_RESPONSE_TYPE = "application/vnd.microsoft.search.searchResponse"


def search_response(query: SearchQuery) -> dict[str, Any]:
    """The invoke body Teams expects for a typeahead search: the matching choices, found in memory."""
    found = search_options(query.dataset, query.text, query.top, skip=query.skip)
    return {
        "type": SEARCH_RESPONSE_TYPE,
        "value": {"results": [{"title": option.label, "value": option.value} for option in found]},
    }


def _bounded(value: object, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return max(low, min(high, int(value)))


# --- conversation references --------------------------------------------------------------------


def reference_data(activity: Activity) -> dict[str, object]:
    """What `continue_conversation` needs later, as plain JSON for the database."""
    data: dict[str, object] = {
        "serviceUrl": activity.service_url,
        "channelId": activity.channel_id,
        "conversation": _serialized(activity.conversation),
        "bot": _serialized(activity.recipient),
        "user": _serialized(activity.from_property),
        "tenantId": tenant_of(activity),
    }
    if activity.locale:
        data["locale"] = activity.locale
    timezone = timezone_of(activity)
    if timezone:
        data["timezone"] = timezone
    return data


def _serialized(model: Any) -> dict[str, object] | None:
    if model is None:
        return None
    serialized = model.serialize()
    return serialized if isinstance(serialized, dict) else None


def references_to_save(activity: Activity) -> list[ConversationRef]:
    """The personal chat (to reach this person), the channel (to post there) and the tenant (to start
    new 1:1 chats) that this activity proves the bot can reach."""
    actor = actor_of(activity)
    service_url = activity.service_url
    if (
        actor is None
        or not isinstance(service_url, str)
        or not service_url.startswith(("http://", "https://"))
    ):
        return []
    conversation = activity.conversation
    if conversation is None or not isinstance(conversation.id, str) or not conversation.id:
        return []
    data = reference_data(activity)
    tenant = actor.workspace_id
    refs = [
        ConversationRef(
            UserRef(PLATFORM, tenant, TENANT_REF_USER_ID),
            {
                "serviceUrl": service_url,
                "channelId": activity.channel_id,
                "bot": data["bot"],
                "tenantId": tenant,
            },
        )
    ]
    kind = conversation_type(activity)
    if kind == "personal":
        refs.append(ConversationRef(actor, data))
    elif kind == "channel":
        channel_id = channel_id_of(activity)
        if channel_id:
            channel_conversation = dict(data["conversation"] or {})  # type: ignore[call-overload]
            channel_conversation["id"] = channel_id
            # The sender's time zone is theirs, not the channel's.
            channel_data = {k: v for k, v in data.items() if k != "timezone"}
            refs.append(
                ConversationRef(
                    UserRef(PLATFORM, tenant, channel_id),
                    {**channel_data, "conversation": channel_conversation},
                )
            )
    return refs
