"""Activities shaped as Teams sends them, for the unit and integration tests."""

from __future__ import annotations

import itertools
from typing import Any

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:bot-app-id"
BOT_NAME = "Mentorbot"
_ids = itertools.count(1)


def next_id() -> str:
    return f"1700000000{next(_ids):06d}"


def _base(user_id: str, user_name: str, service_url: str, conversation: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": next_id(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-01-05T09:00:00.000Z",
        "from": {"id": user_id, "name": user_name, "aadObjectId": "00000000-0000-0000-0000-000000000001"},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
    }


def personal_conversation(user_id: str) -> dict[str, Any]:
    return {"id": f"a:1-personal-{user_id}", "conversationType": "personal", "tenantId": TENANT}


def personal_message(user_id: str, text: str, service_url: str, user_name: str = "") -> dict[str, Any]:
    activity = _base(user_id, user_name or user_id, service_url, personal_conversation(user_id))
    activity.update(type="message", text=text, textFormat="plain")
    return activity


def channel_mention(
    user_id: str, text: str, service_url: str, channel_id: str = "19:general@thread.tacv2"
) -> dict:
    conversation = {
        "id": f"{channel_id};messageid=1700000000001",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT,
    }
    activity = _base(user_id, user_id, service_url, conversation)
    activity["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": channel_id},
        "channel": {"id": channel_id},
    }
    activity.update(
        type="message",
        text=f"<at>{BOT_NAME}</at>&nbsp;{text}",
        entities=[
            {"type": "mention", "text": f"<at>{BOT_NAME}</at>", "mentioned": {"id": BOT_ID, "name": BOT_NAME}}
        ],
    )
    return activity


def card_submit(user_id: str, value: dict[str, Any], service_url: str, reply_to: str = "") -> dict[str, Any]:
    activity = _base(user_id, user_id, service_url, personal_conversation(user_id))
    activity.update(type="message", value=value)
    if reply_to:
        activity["replyToId"] = reply_to
    return activity


def personal_install(user_id: str, service_url: str) -> dict[str, Any]:
    activity = _base(user_id, user_id, service_url, personal_conversation(user_id))
    activity.update(type="conversationUpdate", membersAdded=[{"id": BOT_ID}, {"id": user_id}])
    return activity


def team_install(
    user_id: str, service_url: str, channel_id: str = "19:general@thread.tacv2"
) -> dict[str, Any]:
    activity = _base(
        user_id,
        user_id,
        service_url,
        {"id": channel_id, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
    )
    activity["channelData"] = {
        "tenant": {"id": TENANT},
        "team": {"id": channel_id, "name": "Everyone"},
        "channel": {"id": channel_id},
        "eventType": "teamMemberAdded",
    }
    activity.update(type="conversationUpdate", membersAdded=[{"id": BOT_ID}])
    return activity
