"""Slack's documented Block Kit and message limits, in one place for the renderer and the tests.

Slack rejects a whole message (`invalid_blocks`) when one element is a character too long, so the
renderer truncates or splits to stay inside these numbers rather than hoping the text is short.
"""

from __future__ import annotations

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 3000
"""Top-level `text` is the notification fallback; Slack truncates at 40,000 and advises 4,000."""

SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BLOCK_ID = 255

BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255

OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
PLACEHOLDER = 150
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLAIN_TEXT_INPUT_MAX = 3000

VIEW_TITLE = 24
VIEW_SUBMIT = 24
VIEW_CLOSE = 24
VIEW_PRIVATE_METADATA = 3000
VIEW_CALLBACK_ID = 255
