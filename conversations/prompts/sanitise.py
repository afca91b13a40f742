"""Make suggested text safe to post: no pings, no links, no markup, bounded length.

Prompts from a language model are untrusted output shaped by users' text. Slack expands `<!channel>`,
`<@U…>` and links; Teams renders `<at>` tags and Markdown links; both auto-link bare URLs and
domains. Anything that could ping a crowd, point people somewhere, or break a message layout goes.
"""

from __future__ import annotations

import re
import unicodedata

from conversations.ports import PromptSet

MAX_PROMPT_CHARS = 280
MAX_TASK_CHARS = 240
MAX_PROMPTS = 5

_SLACK_LINK_WITH_LABEL = re.compile(r"<(?:https?|mailto|ftp|tel|slack)[^<>|]*\|([^<>]*)>", re.IGNORECASE)
_SLACK_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+(?:\|([^<>]*))?>", re.IGNORECASE)
_SLACK_SPECIAL = re.compile(r"<[!@][^<>]*>")
_TEAMS_AT = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_ANGLE_TAG = re.compile(r"<[^<>]*>")
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_REF_LINK = re.compile(r"\[([^\]]*)\]\[[^\]]*\]")
_URL = re.compile(r"\b(?:https?|ftp|mailto|tel|slack|javascript|data):[^\s<>]+", re.IGNORECASE)
_WWW = re.compile(r"\bwww\.[^\s<>]+", re.IGNORECASE)
_DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|ai|co|dev|app|xyz|info|biz|me|ly|gg|ru|cn|uk|de|fr|us|link"
    r"|site|online|top|click|zip|mov)\b(?:/[^\s<>]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_BROADCAST = re.compile(r"@+\s*(?:everyone|channel|here|all|team|room)", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@(?=[\w.])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_EMPHASIS_RUN = re.compile(r"[*_~`]{2,}")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")
_REPEATED_SEPARATORS = re.compile(r"([,;:])(?:\s*[,;:])+")


def _drop_invisible(text: str) -> str:
    """Zero-width and control characters can hide `@every\u200bone` from a naive filter."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\n\r\t":
            out.append(" ")
        elif category in ("Cc", "Cf", "Co", "Cs"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def truncate(text: str, limit: int) -> str:
    """Cut at a word boundary and say so with an ellipsis, rather than mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def clean_text(text: str, limit: int = MAX_PROMPT_CHARS) -> str:
    """Plain, single-line text with no mentions, links or markup, at most `limit` characters.

    Cleaned until nothing changes: removing one piece (`@**everyone**`) can join the pieces around it
    into something new to remove.
    """
    for _ in range(5):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return truncate(text, limit)


def _clean_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _drop_invisible(text)
    text = _TEAMS_AT.sub(r"\1", text)
    text = _SLACK_LINK_WITH_LABEL.sub(r"\1", text)
    text = _SLACK_CHANNEL_REF.sub(lambda m: m.group(1) or "", text)
    text = _SLACK_SPECIAL.sub("", text)
    text = _ANGLE_TAG.sub("", text)
    text = text.replace("<", "").replace(">", "")
    text = _MARKDOWN_IMAGE.sub(r"\1", text)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_REF_LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _WWW.sub("", text)
    text = _EMAIL.sub("", text)
    text = _DOMAIN.sub("", text)
    text = _EMPHASIS_RUN.sub("", text)
    text = _BROADCAST.sub("", text)
    text = _MENTION.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    text = _REPEATED_SEPARATORS.sub(r"\1", text)
    text = _LIST_MARKER.sub("", text)
    return text.strip(" \"'")


def sanitise_prompt_set(prompts: PromptSet) -> PromptSet:
    """Clean every text; drop prompts that end up empty, keeping topics aligned with what is left."""
    kept: list[str] = []
    kept_topics: list[str] = []
    for i, raw in enumerate(prompts.prompts):
        text = clean_text(raw, MAX_PROMPT_CHARS)
        if not text:
            continue
        kept.append(text)
        if len(prompts.topics) == len(prompts.prompts):
            kept_topics.append(prompts.topics[i])
        if len(kept) == MAX_PROMPTS:
            break
    return PromptSet(
        prompts=tuple(kept),
        task=clean_text(prompts.task, MAX_TASK_CHARS),
        source=prompts.source,
        topics=tuple(kept_topics) if len(kept_topics) == len(kept) else (),
    )
