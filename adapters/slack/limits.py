"""Slack's documented limits that slack_sdk's Block Kit models do not check.

The renderer reads every other limit from the models (`SectionBlock.text_max_length`, ...).

Slack rejects a whole message (`invalid_blocks`) when one element is a character too long, so the
renderer truncates or splits to stay inside these numbers rather than hoping the text is short.
"""

from __future__ import annotations

MESSAGE_BLOCKS = 50
MESSAGE_TEXT = 3000
"""Top-level `text` is the notification fallback; Slack truncates at 40,000 and advises 4,000."""

SECTION_FIELD_TEXT = 2000
SELECT_OPTIONS = 100
"""Options in an answer to a block_suggestion, which has no model; a static select's too."""
PLAIN_TEXT_INPUT_MAX = 3000
