"""Read the model's JSON answer into a `PromptSet`, or refuse it so the library steps in."""

from __future__ import annotations

import json
import re

from adapters.llm.errors import LLMAnswerInvalid
from conversations.ports import PromptSet
from conversations.prompts.sanitise import MAX_PROMPT_CHARS, MAX_TASK_CHARS, clean_text
from conversations.prompts.topics import classify_topic, parse_topic

MIN_PROMPT_CHARS = 15
MIN_TASK_CHARS = 10
MIN_PROMPTS = 2

_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


def _json_object(content: str) -> dict[str, object]:
    """JSON mode gives a bare object; servers without it often wrap one in a code fence."""
    fenced = _CODE_FENCE.match(content)
    if fenced:
        content = fenced.group(1)
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise LLMAnswerInvalid(f"answer is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise LLMAnswerInvalid("answer is not a JSON object")
    return data


def _text_of(item: object) -> tuple[str, object]:
    if isinstance(item, str):
        return item, None
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item["text"], item.get("topic")
    return "", None


def parse_answer(content: str | None, max_prompts: int = 3) -> PromptSet:
    if not content or not content.strip():
        raise LLMAnswerInvalid("empty answer")
    data = _json_object(content)
    raw_prompts = data.get("prompts")
    if not isinstance(raw_prompts, list):
        raise LLMAnswerInvalid("answer has no list of prompts")
    prompts: list[str] = []
    topics: list[str] = []
    for item in raw_prompts:
        raw_text, raw_topic = _text_of(item)
        text = clean_text(raw_text, MAX_PROMPT_CHARS)
        if len(text) < MIN_PROMPT_CHARS or text in prompts:
            continue
        prompts.append(text)
        topic = parse_topic(raw_topic) or classify_topic(text)
        topics.append(topic.value)
        if len(prompts) == max_prompts:
            break
    if len(prompts) < MIN_PROMPTS:
        raise LLMAnswerInvalid(f"only {len(prompts)} usable prompts")
    raw_task, _ = _text_of(data.get("task"))
    task = clean_text(raw_task, MAX_TASK_CHARS)
    if len(task) < MIN_TASK_CHARS:
        raise LLMAnswerInvalid("answer has no usable task")
    return PromptSet(prompts=tuple(prompts), task=task, source="llm", topics=tuple(topics))
