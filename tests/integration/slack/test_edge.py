"""The Slack endpoint as an attacker meets it: the signature is checked over the raw bytes before any
parsing, bodies are capped, malformed timestamps and payloads are 4xx, and a refusal logs one line."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import pytest

from adapters.slack import serving
from tests.integration.slack.conftest import SlackDriver
from tests.integration.slack.program import LEA

FORM = "application/x-www-form-urlencoded"


def flood_body(fields: int = 100_000) -> str:
    """About 889 KB of form parameters: what an attacker sends to make the bot parse."""
    return "&".join(f"f{n}=x" for n in range(fields))


async def test_an_unsigned_body_is_refused_before_anything_parses_it(
    slack: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(serving, "parse_qs", lambda *a, **k: parsed.append("form") or {})
    monkeypatch.setattr(serving.json, "loads", lambda *a, **k: parsed.append("json") or {})
    body = flood_body(20_000)  # under the size cap, so only the signature can stop it
    assert len(body) < serving.MAX_BODY_BYTES

    sent = await slack.post(body, FORM, signature="v0=" + "0" * 64)
    unsigned = await slack.post(body, FORM, extra_headers={"X-Slack-Signature": ""})

    assert (sent.status, unsigned.status) == (401, 401)
    assert parsed == []
    assert slack.fake.calls == [] and not await slack.store.inbound_events()


async def test_an_oversized_body_is_refused_whether_or_not_it_is_signed(slack: SlackDriver) -> None:
    body = flood_body()
    assert len(body) > 800_000
    assert (await slack.post(body, FORM, signature="v0=" + "0" * 64)).status == 413
    assert (await slack.post(body, FORM)).status == 413


@pytest.mark.parametrize("timestamp", ["abc", "1796298020.5", "9" * 400, "", "-5", " 1796298020"])
async def test_a_malformed_timestamp_is_refused_without_a_traceback(
    slack: SlackDriver, timestamp: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = slack.command_body(LEA, "help")
    ts = timestamp
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack.verifier.generate_signature(timestamp=ts, body=body),
    }
    with caplog.at_level(logging.DEBUG):
        sent = await slack.post(body, FORM, extra_headers=headers)
    assert sent.status == 401
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)


async def test_a_signed_body_with_too_many_fields_is_a_bad_request(slack: SlackDriver) -> None:
    body = slack.command_body(LEA, "help") + "&" + flood_body(serving.MAX_FORM_FIELDS)
    sent = await slack.post(body, FORM)
    assert sent.status == 400
    assert not await slack.store.inbound_events()


async def test_deeply_nested_json_in_a_signed_payload_is_a_bad_request(slack: SlackDriver) -> None:
    deep = "[" * 20_000 + "]" * 20_000
    body = urlencode({"payload": '{"type": "block_actions", "actions": ' + deep + "}"})
    assert len(body) < serving.MAX_BODY_BYTES
    assert (await slack.post(body, FORM)).status == 400
    nested_event = '{"type": "event_callback", "event": ' + deep + "}"
    assert (await slack.post(nested_event, "application/json")).status == 400


async def test_a_refused_request_writes_one_short_log_line_and_never_its_body(
    slack: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    body = "secret-marker&" + flood_body(20_000)
    with caplog.at_level(logging.DEBUG):
        for _ in range(37):
            assert (await slack.post(body, FORM, signature="v0=" + "1" * 64)).status == 401
    assert "secret-marker" not in caplog.text
    assert len(caplog.text) < 37 * 300, f"{len(caplog.text)} characters logged for 37 refusals"


async def test_a_correctly_signed_command_still_goes_through(slack: SlackDriver) -> None:
    sent = await slack.post(slack.command_body(LEA, "help"), FORM)
    await slack.settle()
    assert sent.status == 200
    assert int(time.time()) > 0 and slack.fake.responses, "help was answered"
