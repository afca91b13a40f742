"""Files for Teams: a bot sends one by asking first (the file consent card), then uploading it to the
person's OneDrive at the URL Teams gives with their consent, and showing it with a file info card.

The file waits here between the offer and the answer, for `OFFER_SECONDS`, under an unguessable token
that only the person it was offered to can redeem. It is held in this process's memory: an answer
that reaches another replica, or comes after a restart, is told to ask again.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from botbuilder.schema import Activity, ActivityTypes
from botbuilder.schema import Attachment as CardAttachment

from adapters.remembered import Remembered
from conversations.domain import UserRef
from conversations.errors import DeliveryError
from conversations.messages import Attachment

logger = logging.getLogger(__name__)

FILE_CONSENT_INVOKE = "fileConsent/invoke"
CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
INFO_CARD = "application/vnd.microsoft.teams.card.file.info"
OFFER_SECONDS = 15 * 60
OFFERS_KEPT = 1_000
UPLOAD_TIMEOUT_SECONDS = 60
OFFER_KEY = "offer"


@dataclass(frozen=True)
class Offer:
    owner: UserRef
    attachment: Attachment
    taken: bool = False


class FileOffers:
    """Files offered and not yet accepted or declined."""

    def __init__(self, seconds: float = OFFER_SECONDS) -> None:
        self._offers: Remembered[str, Offer] = Remembered(OFFERS_KEPT, ttl=seconds)

    def offer(self, owner: UserRef, attachment: Attachment) -> str:
        token = secrets.token_urlsafe(24)
        self._offers.put(token, Offer(owner, attachment))
        return token

    def take(self, token: object, actor: UserRef | None) -> Offer | None:
        """The offer behind `token` if `actor` is the person it was made to; it can be taken once."""
        if not isinstance(token, str):
            return None
        found = self._offers.get(token)
        if found is None or found.taken or found.owner != actor:
            return None
        self._offers.put(token, replace(found, taken=True))
        return found


def consent_activity(attachment: Attachment, token: str) -> Activity:
    """The file consent card: Teams shows the name and size with Allow / Decline."""
    context = {OFFER_KEY: token}
    return Activity(
        type=ActivityTypes.message,
        attachments=[
            CardAttachment(
                content_type=CONSENT_CARD,
                name=attachment.filename,
                content={
                    "description": attachment.description or attachment.filename,
                    "sizeInBytes": attachment.size,
                    "acceptContext": context,
                    "declineContext": context,
                },
            )
        ],
    )


def info_activity(upload_info: dict[str, Any]) -> Activity:
    """The file info card: the uploaded file, opened from the person's OneDrive."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[
            CardAttachment(
                content_type=INFO_CARD,
                name=str(upload_info.get("name") or ""),
                content_url=str(upload_info.get("contentUrl") or ""),
                content={
                    "uniqueId": str(upload_info.get("uniqueId") or ""),
                    "fileType": str(upload_info.get("fileType") or ""),
                },
            )
        ],
    )


async def upload(upload_url: str, content: bytes) -> None:
    """The whole file in one PUT to the upload session Teams opened (OneDrive takes up to 60 MiB so)."""
    headers = {
        "Content-Length": str(len(content)),
        "Content-Range": f"bytes 0-{len(content) - 1}/{len(content)}",
    }
    timeout = aiohttp.ClientTimeout(total=UPLOAD_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.put(upload_url, data=content, headers=headers) as response:
                if response.status not in (200, 201):
                    raise DeliveryError(f"teams: the file upload answered {response.status}")
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DeliveryError(f"teams: the file upload failed ({type(error).__name__})") from error
