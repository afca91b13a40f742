"""What Slack would refuse, checked on everything the bot sends to the fake Web API.

A fake accepts anything, so every call is held to slack_sdk's own Block Kit models, Slack's documented
limits (`adapters.slack.limits` is checked against the literal numbers here, not trusted) and the
Web API's published method arguments.
"""

from __future__ import annotations

import inspect
import json
from functools import cache
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.support.schemas import schema_path

OPENAPI_NAME = "slack_web_openapi_v2.json"

KNOWN_BLOCK_TYPES = {"section", "header", "actions", "context", "divider", "input", "image"}
TEXT_LIMITS = {"header": 150}


@cache
def _spec() -> dict[str, Any]:
    return json.loads(schema_path(OPENAPI_NAME).read_text())


NEWER_METHODS: dict[str, tuple[set[str], set[str]]] = {
    "files.getUploadURLExternal": (
        {"filename", "length", "alt_txt", "snippet_type"},
        {"filename", "length"},
    ),
    "files.completeUploadExternal": (
        {"files", "channel_id", "channels", "initial_comment", "thread_ts", "blocks"},
        {"files"},
    ),
}
"""Methods Slack added after the 2020 spec, with the arguments their reference pages document (all,
and required); the spec's own entry wins once it is regenerated."""


def method_parameters(method: str) -> tuple[set[str], set[str]]:
    """(all argument names, required ones) from the OpenAPI spec plus slack_sdk's newer signature."""
    path = _spec()["paths"].get("/" + method)
    if path is None and method in NEWER_METHODS:
        names, required = NEWER_METHODS[method]
        return set(names), set(required)
    if path is None:
        raise AssertionError(f"{method} is not a Slack Web API method")
    names: set[str] = set()
    required: set[str] = set()
    for operation in path.values():
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "token":
                continue
            names.add(parameter["name"])
            if parameter.get("required"):
                required.add(parameter["name"])
    sdk_method = getattr(WebClient, method.replace(".", "_"), None)
    if sdk_method is not None:
        names |= {
            name
            for name, p in inspect.signature(sdk_method).parameters.items()
            if name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
        }
    return names, required


UNIVERSAL_ARGUMENTS = {"team_id"}
"""slack_sdk adds `team_id` to every call of a client made for one workspace (org-wide installs)."""


def check_arguments(method: str, args: dict[str, Any]) -> list[str]:
    names, required = method_parameters(method)
    names |= UNIVERSAL_ARGUMENTS
    problems = [f"{method}: unknown argument {a!r}" for a in args if a not in names]
    problems += [f"{method}: missing required argument {r!r}" for r in required if r not in args]
    return problems


def _text_of(obj: Any) -> str:
    return obj.get("text", "") if isinstance(obj, dict) else ""


def _check_text_object(obj: Any, limit: int, where: str, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{where}: not a text object: {obj!r}"]
    if plain_only and obj["type"] != "plain_text":
        return [f"{where}: must be plain_text"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}: empty text"]
    if len(text) > limit:
        return [f"{where}: {len(text)} characters, limit {limit}"]
    return []


def _check_element(element: dict[str, Any], where: str, action_ids: set[str]) -> list[str]:
    problems: list[str] = []
    kind = element.get("type")
    action_id = element.get("action_id")
    if action_id is not None:
        if not isinstance(action_id, str) or not 1 <= len(action_id) <= 255:
            problems.append(f"{where}: action_id length {len(str(action_id))}")
        if action_id in action_ids:
            problems.append(f"{where}: duplicate action_id {action_id!r}")
        action_ids.add(action_id)
    if kind == "button":
        problems += _check_text_object(element.get("text"), 75, f"{where}.text", plain_only=True)
        if "value" in element and not 1 <= len(element["value"]) <= 2000:
            problems.append(f"{where}: button value length {len(element['value'])}")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}: bad style {element.get('style')!r}")
    if "placeholder" in element:
        problems += _check_text_object(element["placeholder"], 150, f"{where}.placeholder", plain_only=True)
    if kind in ("static_select", "multi_static_select"):
        options = element.get("options") or []
        if not 1 <= len(options) <= 100:
            problems.append(f"{where}: {len(options)} options")
        values = set()
        for i, option in enumerate(options):
            problems += _check_text_object(option.get("text"), 75, f"{where}.options[{i}]", plain_only=True)
            if not 1 <= len(option.get("value", "")) <= 150:
                problems.append(f"{where}.options[{i}]: value length")
            values.add(option.get("value"))
        initial = element.get("initial_options") or (
            [element["initial_option"]] if "initial_option" in element else []
        )
        for option in initial:
            if option not in options:
                problems.append(f"{where}: initial option {option!r} is not one of the options")
    if kind in ("external_select", "multi_external_select"):
        if "options" in element or "option_groups" in element:
            problems.append(f"{where}: an external select loads its options; it carries none")
        min_query_length = element.get("min_query_length", 3)
        if (
            isinstance(min_query_length, bool)
            or not isinstance(min_query_length, int)
            or min_query_length < 0
        ):
            problems.append(f"{where}: min_query_length {min_query_length!r}")
        initial = element.get("initial_options") or (
            [element["initial_option"]] if "initial_option" in element else []
        )
        for i, option in enumerate(initial):
            problems += _check_option(option, f"{where}.initial[{i}]")
    if kind == "users_select" and "initial_user" in element:
        if not isinstance(element["initial_user"], str) or not element["initial_user"]:
            problems.append(f"{where}: initial_user {element['initial_user']!r}")
    if kind == "multi_users_select":
        users = element.get("initial_users", [])
        if not isinstance(users, list) or not all(isinstance(u, str) and u for u in users):
            problems.append(f"{where}: initial_users {users!r}")
        most = element.get("max_selected_items")
        if most is not None and (isinstance(most, bool) or not isinstance(most, int) or most < 1):
            problems.append(f"{where}: max_selected_items {most!r}")
        elif most is not None and len(users) > most:
            problems.append(f"{where}: more initial_users than max_selected_items")
    if kind == "plain_text_input":
        max_length = element.get("max_length", 3000)
        if not 1 <= max_length <= 3000:
            problems.append(f"{where}: max_length {max_length}")
        if len(element.get("initial_value", "")) > max_length:
            problems.append(f"{where}: initial_value longer than max_length")
    return problems


def _check_option(option: Any, where: str) -> list[str]:
    if not isinstance(option, dict):
        return [f"{where}: not an option object: {option!r}"]
    problems = _check_text_object(option.get("text"), 75, f"{where}.text", plain_only=True)
    value = option.get("value")
    if not isinstance(value, str) or not 1 <= len(value) <= 150:
        problems.append(f"{where}: value {value!r} must be 1-150 characters")
    return problems


def check_options_response(body: Any) -> list[str]:
    """The answer to a block_suggestion: `{"options": [...]}`, at most 100 option objects."""
    if not isinstance(body, dict) or not isinstance(body.get("options"), list):
        return [f"an options response is an object with an options list, not {body!r}"]
    options = body["options"]
    problems = [] if len(options) <= 100 else [f"{len(options)} options, limit 100"]
    for i, option in enumerate(options):
        problems += _check_option(option, f"options[{i}]")
    return problems


def check_blocks(blocks: Any, limit: int) -> list[str]:
    if not isinstance(blocks, list) or not blocks:
        return ["blocks must be a non-empty list"]
    problems = [] if len(blocks) <= limit else [f"{len(blocks)} blocks, limit {limit}"]
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, raw in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind not in KNOWN_BLOCK_TYPES:
            problems.append(f"{where}: unexpected block type {kind!r}")
            continue
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(f"{where}: slack_sdk cannot parse it")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            problems.append(f"{where}: {error}")
        block_id = raw.get("block_id")
        if block_id is not None:
            if not 1 <= len(block_id) <= 255 or block_id in block_ids:
                problems.append(f"{where}: bad or duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        if kind == "section":
            if "text" not in raw and "fields" not in raw:
                problems.append(f"{where}: section without text or fields")
            if "text" in raw:
                problems += _check_text_object(raw["text"], 3000, f"{where}.text")
            fields = raw.get("fields", [])
            if len(fields) > 10:
                problems.append(f"{where}: {len(fields)} fields")
            for j, field in enumerate(fields):
                problems += _check_text_object(field, 2000, f"{where}.fields[{j}]")
        elif kind == "header":
            problems += _check_text_object(raw.get("text"), 150, f"{where}.text", plain_only=True)
        elif kind == "actions":
            elements = raw.get("elements", [])
            if not 1 <= len(elements) <= 25:
                problems.append(f"{where}: {len(elements)} elements")
            local: set[str] = set()
            for j, element in enumerate(elements):
                problems += _check_element(element, f"{where}.elements[{j}]", local)
            overlap = local & action_ids
            if overlap:
                problems.append(f"{where}: action_ids repeated across blocks {overlap}")
            action_ids |= local
        elif kind == "context":
            elements = raw.get("elements", [])
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}: {len(elements)} context elements")
        elif kind == "input":
            problems += _check_text_object(raw.get("label"), 2000, f"{where}.label", plain_only=True)
            if "hint" in raw:
                problems += _check_text_object(raw["hint"], 2000, f"{where}.hint", plain_only=True)
            problems += _check_element(raw.get("element", {}), f"{where}.element", set())
    return problems


def check_view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return [f"view is not an object: {view!r}"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view type {kind!r}"]
    problems = check_blocks(view.get("blocks"), 100)
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as error:
        problems.append(f"view: {error}")
    if kind == "modal":
        problems += _check_text_object(view.get("title"), 24, "title", plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                problems += _check_text_object(view[key], 24, key, plain_only=True)
        if any(b.get("type") == "input" for b in view.get("blocks") or []) and "submit" not in view:
            problems.append("a modal with inputs needs a submit button")
    if len(view.get("private_metadata", "")) > 3000:
        problems.append("private_metadata over 3000 characters")
    if len(view.get("callback_id", "")) > 255:
        problems.append("callback_id over 255 characters")
    return problems


def check_message(args: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    text = args.get("text")
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not text and not blocks:
        problems.append("a message needs text or blocks")
    if text is not None and len(text) > 40_000:
        problems.append("text over 40,000 characters")
    if blocks is not None:
        problems += check_blocks(blocks, 50)
    return problems


def check_call(method: str, args: dict[str, Any]) -> list[str]:
    """Everything Slack would refuse in one Web API call."""
    problems = check_arguments(method, args)
    if method in ("chat.postMessage", "chat.update"):
        problems += check_message(args)
    if method in ("views.open", "views.publish", "views.update", "views.push"):
        view = args.get("view")
        problems += check_view(json.loads(view) if isinstance(view, str) else view)
    if method == "files.getUploadURLExternal":
        problems += _check_upload_request(args)
    if method == "files.completeUploadExternal":
        problems += _check_upload_completion(args)
    return problems


def _check_upload_request(args: dict[str, Any]) -> list[str]:
    problems = []
    if not str(args.get("length", "")).isdigit() or int(args["length"]) <= 0:
        problems.append(
            f"files.getUploadURLExternal: length must be a positive integer, not {args.get('length')!r}"
        )
    if not str(args.get("filename", "")).strip():
        problems.append("files.getUploadURLExternal: empty filename")
    if len(str(args.get("alt_txt") or "")) > 1000:
        problems.append("files.getUploadURLExternal: alt_txt is longer than 1000 characters")
    return problems


def _check_upload_completion(args: dict[str, Any]) -> list[str]:
    """`files` is a JSON array of {"id", "title"?} objects, sent as a string."""
    try:
        files = json.loads(args["files"]) if isinstance(args.get("files"), str) else args.get("files")
    except ValueError:
        return ["files.completeUploadExternal: files is not JSON"]
    if not isinstance(files, list) or not files:
        return ["files.completeUploadExternal: files must be a non-empty array"]
    problems = []
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.append(f"files.completeUploadExternal: a file without an id: {item!r}")
        elif set(item) - {"id", "title"}:
            problems.append(
                f"files.completeUploadExternal: unknown file keys {sorted(set(item) - {'id', 'title'})}"
            )
    return problems
