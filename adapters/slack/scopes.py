"""What the Slack adapter asks of a workspace: one place, so `manifest.yaml` can be checked against it.

Every Web API method the code calls is listed with the bot scope it needs; a test fails when the code
calls a method missing here, and another when the manifest asks for more or less than this.
"""

from __future__ import annotations

from conversations.commands import listed_commands

SLASH_COMMAND = "/mentor"
USAGE_HINT = " | ".join(c.name for c in listed_commands(admin=False))
"""The slash command's usage hint in `manifest.yaml`: every command offered to everyone, in help's order
(admins' commands stay out of a hint every user sees)."""

METHOD_SCOPES: dict[str, str | None] = {
    "apps.connections.open": None,
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "conversations.members": "channels:read",
    "conversations.open": "mpim:write",
    "files.completeUploadExternal": "files:write",
    "files.getUploadURLExternal": "files:write",
    "users.info": "users:read",
    "users.list": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": None,
    "views.publish": None,
}
"""`conversations.open` is only used for group DMs (a 1:1 DM is a chat.postMessage to the user id).
The two `files.*` methods upload an admin's export and the `stats` chart (slack_sdk's `files_upload_v2`).
`conversations.members` lists a public channel's people for `invite here` (a private channel's
would also need `groups:read`, which the app does not ask for). `apps.connections.open` (Socket Mode) runs on the app-level token, whose `connections:write` scope is
chosen when that token is created, not in the manifest."""

BOT_EVENTS: frozenset[str] = frozenset({"app_home_opened"})

REQUIRED_SCOPES: frozenset[str] = frozenset(
    {"commands"} | {scope for scope in METHOD_SCOPES.values() if scope is not None}
)
