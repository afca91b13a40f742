"""Requests the bot must not trust or must not act on twice, and Slack pushing back with 429."""

from __future__ import annotations

import time
from datetime import timedelta

from adapters.slack.app import RecentEventIds
from conversations.domain import CheckinAnswer, DeliveryStatus
from conversations.messages import OutgoingMessage
from tests.integration.slack.conftest import SlackDriver, button
from tests.integration.slack.fake_slack import Failure
from tests.integration.slack.program import EVE, LEA, MAX, pair_lea_and_max, user, weekly_checkin_to


async def test_a_bad_signature_is_refused_and_nothing_happens(slack: SlackDriver) -> None:
    body = slack.command_body(LEA, "join")
    forged = "v0=" + "0" * 64
    sent = await slack.post(body, "application/x-www-form-urlencoded", signature=forged)
    await slack.settle()
    assert sent.status == 401
    assert slack.fake.calls == [] and not await slack.store.inbound_events()


async def test_a_body_changed_after_signing_is_refused(slack: SlackDriver) -> None:
    body = slack.command_body(LEA, "help")
    signature = slack.signed_headers(body)["X-Slack-Signature"]
    sent = await slack.post(
        body.replace("help", "stats"), "application/x-www-form-urlencoded", signature=signature
    )
    await slack.settle()
    assert sent.status == 401 and slack.fake.calls == []


async def test_a_stale_timestamp_is_refused_even_when_correctly_signed(slack: SlackDriver) -> None:
    six_minutes_ago = int(time.time()) - 6 * 60
    sent = await slack.post(
        slack.command_body(LEA, "join"), "application/x-www-form-urlencoded", timestamp=six_minutes_ago
    )
    await slack.settle()
    assert sent.status == 401
    assert slack.fake.calls == [] and not await slack.store.inbound_events()


async def test_a_forged_click_from_outside_the_pairing_is_refused_and_nothing_recorded(
    slack: SlackDriver,
) -> None:
    await pair_lea_and_max(slack)
    checkin_dm = await weekly_checkin_to(slack, LEA)
    slack.fake.clear()

    sent = await slack.click(EVE, button(checkin_dm.args["blocks"], CheckinAnswer.MET.label), checkin_dm)

    assert sent.status == 200
    (answer,) = slack.fake.responses
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert all(c.answer is None for c in (await slack.store.checkins()).values())


async def test_a_retried_event_is_handled_once(slack: SlackDriver) -> None:
    event = {"type": "app_home_opened", "user": LEA, "channel": "D0LEA0001", "tab": "home", "event_ts": "1.2"}

    first = await slack.send_event(event, "Ev0HOME0001")
    again = await slack.send_event(event, "Ev0HOME0001", retry=1)
    assert first.status == again.status == 200
    assert len(slack.fake.successful("views.publish")) == 1

    # A retry that reaches another replica (or this one after a restart) is dropped by the engine.
    slack.front_end._recent = RecentEventIds()
    third = await slack.send_event(event, "Ev0HOME0001", retry=2)
    assert third.status == 200
    assert len(slack.fake.successful("views.publish")) == 1


async def test_the_home_tab_shows_my_pairing_and_runs_commands(slack: SlackDriver) -> None:
    await pair_lea_and_max(slack)
    slack.fake.clear()
    await slack.send_event(
        {"type": "app_home_opened", "user": LEA, "tab": "home", "event_ts": "1.3"}, "Ev0HOME0002"
    )
    (published,) = slack.fake.successful("views.publish")
    assert published.args["user_id"] == LEA and published.args["view"]["type"] == "home"
    assert f"<@{MAX}>" in str(published.args["view"]["blocks"])

    slack.fake.clear()
    profile = button(published.args["view"]["blocks"], "Edit my profile")
    await slack.click(LEA, profile, from_home=True)
    assert slack.last_opened_view()["callback_id"] == "mentorbot_form"


def to_the_pair(args: dict) -> bool:
    """The intro: the one message posted to the group DM of the pair."""
    return str(args.get("channel", "")).startswith("G")


async def test_a_429_keeps_the_message_queued_until_retry_after_then_sends_it_once(
    slack: SlackDriver,
) -> None:
    rate_limited = Failure(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    slack.fake.fail_next("chat.postMessage", rate_limited, when=to_the_pair)

    await pair_lea_and_max(slack)

    assert [c.status for c in slack.fake.of("chat.postMessage") if to_the_pair(c.args)] == [429]
    intro = next(d for d in (await slack.store.deliveries()).values() if len(d.destination.users) == 2)
    assert intro.status is DeliveryStatus.PENDING and intro.last_error and "ratelimited" in intro.last_error
    assert intro.not_before >= slack.clock.now() + timedelta(seconds=1)
    assert user(LEA) in await slack.store.participants()

    slack.clock.advance(timedelta(seconds=1))
    await slack.engine.jobs.deliver_due()
    attempts = [c for c in slack.fake.of("chat.postMessage") if to_the_pair(c.args)]
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[0].args == attempts[1].args
    assert {d.status for d in (await slack.store.deliveries()).values()} == {DeliveryStatus.SENT}


async def test_a_429_holds_every_other_message_to_the_workspace_until_retry_after(slack: SlackDriver) -> None:
    """Slack's limit is per workspace and method: the next message waits, it does not fire at once."""
    rate_limited = Failure(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    slack.fake.fail_next("chat.postMessage", rate_limited, when=to_the_pair)
    await pair_lea_and_max(slack)
    (limited,) = [c for c in slack.fake.of("chat.postMessage") if c.status == 429]

    await slack.front_end.chat.send_dm(user(EVE), OutgoingMessage(text="Hello"))

    later = [c for c in slack.fake.of("chat.postMessage") if c.at > limited.at]
    assert later and all(c.status == 200 for c in later)
    assert min(c.at for c in later) - limited.at >= 1.0, "nothing was sent before Retry-After had elapsed"
