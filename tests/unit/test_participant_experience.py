"""What participants read, as each platform shows it: commands named natively, answers that fit the
answer, dates people say, their own words, and times to meet that suit both people."""

from __future__ import annotations

import ast
import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from adapters.slack.render import message_payload
from adapters.teams.render import render_card
from conversations import buttons
from conversations.domain import CheckinAnswer
from conversations.meeting_slots import Slot, slot_label, within_working_hours
from conversations.messages import ItemList, MeetingOffer, OutgoingMessage, Reply, message_from_dict
from tests.integration.slack.validate import check_message
from tests.unit.engine_harness import ADMIN, Harness
from tests.unit.teams.card_validation import assert_valid_card

ROOT = Path(__file__).resolve().parents[2]
NEW_YORK, BERLIN = "America/New_York", "Europe/Berlin"
TYPE_A_COMMAND = re.compile(r"\btype\s+`", re.IGNORECASE)
CODE_SPAN = re.compile(r"`([^`]*)`")
RATING_QUESTION = "How useful was this week"


async def new_pair(group_dm: bool, *, lea_goals: tuple[str, ...] = ("Generative AI",)) -> Harness:
    """Lea (leader, New York) and Max (mentor, Berlin), paired on Monday 5 January 2026."""
    h = Harness()
    h.chat._group_dm = group_dm
    await h.join(
        "lea", "leader", skills=("Company strategy",), goals=lea_goals, level="5", department="Finance",
        timezone=NEW_YORK,
    )  # fmt: skip
    await h.join(
        "max", "mentor", skills=("Generative AI", "AI assistants"), goals=("Company strategy",),
        timezone=BERLIN,
    )  # fmt: skip
    await h.pair_up()
    return h


def intro_to(h: Harness, user_id: str) -> OutgoingMessage:
    (intro,) = [s.message for s in h.sent_to(user_id) if s.message.title == "Meet your mentoring partner"]
    return intro


async def weekly_checkin(h: Harness, user_id: str) -> OutgoingMessage:
    """The first weekly check-in, a week after the introduction."""
    h.advance(days=7, hours=12)
    await h.bot.jobs.tick()
    return next(s.message for s in reversed(h.sent_to(user_id)) if s.message.title == "Weekly check-in")


def answer_button(message: OutgoingMessage, answer: CheckinAnswer) -> buttons.Button:
    return next(
        b
        for b in message.buttons
        if b.action_id == buttons.CHECKIN_ANSWER.action_id and b.value.endswith(":" + answer.value)
    )


def slack_words(message: OutgoingMessage) -> str:
    """Everything Slack would show of the message: the fallback text and every block."""
    return json.dumps(message_payload(message), ensure_ascii=False)


def assert_native_in_slack(message: OutgoingMessage) -> None:
    shown = slack_words(message)
    assert not TYPE_A_COMMAND.search(shown), shown
    for span in CODE_SPAN.findall(shown):
        assert span.startswith("/mentor "), f"`{span}` is a bare command word in Slack: {shown}"
    assert check_message(message_payload(message)) == []


def assert_valid_everywhere(message: OutgoingMessage) -> None:
    assert_native_in_slack(message)
    assert_valid_card(render_card(message, {"lea": "Lea", "max": "Max"}))
    assert message_from_dict(json.loads(json.dumps(message.to_dict()))) == message


# --- commands as each platform runs them ---------------------------------------------------------


async def test_no_message_a_participant_can_get_tells_a_slack_user_to_type_a_word() -> None:
    h = Harness()
    h.chat._group_dm = False
    seen: list[OutgoingMessage] = []

    async def say(user_id: str, text: str) -> Reply:
        reply = await h.say(user_id, text)
        if reply.message is not None:
            seen.append(reply.message)
        return reply

    for text in ("goals", "status", "profile", "checkin", "dance", "help"):
        await say("newcomer", text)
    seen += await h.bot.home(h.user("newcomer"))
    await h.join("lea", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5")
    await h.join("max", "mentor", skills=("Generative AI",), goals=("Company strategy",))
    for text in ("join", "goals", "checkin", "pause until someday", "pause", "resume", "story too short"):
        await say("lea", text)
    seen += await h.bot.home(h.user("lea"))
    await h.pair_up()
    for text in (
        "goals progress",
        "goals progress 1",
        "goals add",
        "goals frobnicate",
        "goals add use an AI assistant weekly",
        "assess during",
        "checkin maybe",
    ):
        await say("lea", text)
    seen += await h.bot.home(h.user("lea"))
    h.advance(days=16)
    for _ in range(3):
        await h.bot.jobs.tick()
        h.advance(days=3)
    await say("max", "leave --keep")
    seen += [s.message for s in h.chat.transcript]
    assert len(seen) > 30
    for message in seen:
        assert_native_in_slack(message)


def test_no_text_in_the_engine_tells_anyone_to_type_a_word() -> None:
    """Texts no journey above happens to reach are held to the same rule: a command is `command()`."""
    found: list[str] = []
    for path in (ROOT / "conversations").rglob("*.py"):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if TYPE_A_COMMAND.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert not found, "\n".join(found)


async def test_a_command_is_a_slash_command_in_slack_and_a_bold_word_in_teams() -> None:
    h = Harness()
    reply = await h.say("newcomer", "goals")
    assert reply.message is not None
    slack = slack_words(reply.message)
    assert "`/mentor join`" in slack
    card = json.dumps(render_card(reply.message, {}))
    assert "**join**" in card and "/mentor" not in card


# --- answers that fit the answer ----------------------------------------------------------------


async def test_need_help_reassures_and_names_who_reaches_out_without_asking_for_a_rating() -> None:
    h = await new_pair(group_dm=False)
    checkin = await weekly_checkin(h, "lea")
    button = answer_button(checkin, CheckinAnswer.NEED_HELP)
    reply = await h.click("lea", button.action_id, button.value)
    assert reply.message is not None
    text = reply.message.text
    assert RATING_QUESTION not in text and "admins" in text and "reach out" in text
    assert not any(b.action_id == buttons.CHECKIN_RATING.action_id for b in reply.message.buttons)
    assert_valid_everywhere(reply.message)
    await h.bot.jobs.deliver_due()
    assert any(s.message.title == "Private: a participant asked for help" for s in h.sent_to(ADMIN))


async def test_not_yet_offers_three_times_inside_both_working_days_and_no_rating() -> None:
    h = await new_pair(group_dm=False)
    checkin = await weekly_checkin(h, "max")
    button = answer_button(checkin, CheckinAnswer.NOT_YET)
    reply = await h.click("max", button.action_id, button.value)
    message = reply.message
    assert message is not None and RATING_QUESTION not in message.text
    assert not any(b.action_id == buttons.CHECKIN_RATING.action_id for b in message.buttons)
    assert len(message.meetings) == 3
    for meeting in message.meetings:
        slot = Slot(meeting.start, meeting.end)
        assert within_working_hours(slot, NEW_YORK) and within_working_hours(slot, BERLIN)
        assert meeting.start > h.clock.now()
        assert meeting.timezones == (BERLIN,), "shown on the clock of the one who reads it"
    assert_valid_everywhere(message)

    booked = next(b for b in message.buttons if b.action_id == buttons.MEETING_BOOKED.action_id)
    assert booked.label == "We booked it"
    assert (await h.click("max", booked.action_id, booked.value)).message is not None
    (stored,) = [c for c in (await h.store.checkins()).values() if c.user == h.user("max")]
    assert stored.answer is CheckinAnswer.RESCHEDULED
    refused = await h.click("newcomer", booked.action_id, booked.value)
    assert refused.message is not None and "another pairing" in refused.message.text


async def test_typed_not_yet_and_need_help_get_the_same_answers_as_the_buttons() -> None:
    h = await new_pair(group_dm=False)
    h.advance(days=7, hours=12)
    not_yet = (await h.say("max", "checkin not-yet 4")).message
    assert not_yet is not None and len(not_yet.meetings) == 3 and RATING_QUESTION not in not_yet.text
    help_reply = (await h.say("lea", "checkin need-help")).message
    assert help_reply is not None and RATING_QUESTION not in help_reply.text and "admins" in help_reply.text
    met = (await h.say("lea", "checkin")).message
    assert met is not None


# --- nudges --------------------------------------------------------------------------------------


async def test_a_pair_that_never_met_is_told_no_meeting_is_logged_yet() -> None:
    h = await new_pair(group_dm=True)
    h.advance(days=15)
    await h.bot.jobs.tick()
    nudges = [s.message for s in h.sent_to("lea") if s.message.title == "Time to catch up?"]
    assert nudges, [s.message.title for s in h.sent_to("lea")]
    assert "logged yet" in nudges[0].text and "last met" not in nudges[0].text
    assert_valid_everywhere(nudges[0])


async def test_a_pair_that_met_once_is_told_how_long_it_has_been() -> None:
    h = await new_pair(group_dm=True)
    checkin = await weekly_checkin(h, "lea")
    button = answer_button(checkin, CheckinAnswer.MET)
    await h.click("lea", button.action_id, button.value)
    h.advance(days=16)
    await h.bot.jobs.tick()
    nudges = [s.message for s in h.sent_to("max") if s.message.title == "Time to catch up?"]
    assert nudges and "in the last 14 days" in nudges[-1].text and "logged yet" not in nudges[-1].text


async def test_reminders_name_the_week_by_its_date_not_its_iso_number() -> None:
    h = await new_pair(group_dm=True)
    await weekly_checkin(h, "lea")  # Monday 12 January, in New York
    h.advance(days=3)
    await h.bot.jobs.tick()
    reminders = [s.message for s in h.sent_to("lea") if s.message.title == "Quick reminder"]
    assert reminders
    assert "the week of 12 January" in reminders[0].text and "-W" not in reminders[0].text
    assert_valid_everywhere(reminders[0])


# --- the introduction ----------------------------------------------------------------------------


async def test_why_you_two_keeps_the_casing_people_typed() -> None:
    h = await new_pair(group_dm=True, lea_goals=("AI assistants",))
    why = dict(intro_to(h, "lea").fields)["Why you two"]
    assert "AI assistants" in why and "ai assistants" not in why


async def test_the_introduction_carries_ground_rules_an_agenda_both_ways_and_the_ways_out() -> None:
    h = await new_pair(group_dm=True)
    intro = intro_to(h, "lea")
    fields = dict(intro.fields)
    rules = " ".join(fields["Ground rules"].items)
    assert "confidential" in rules.lower() or "between you" in rules
    assert "No question is too basic" in rules
    agenda = " ".join(fields["Your first meeting (30 minutes)"].items)
    assert "AI or digital tool" in agenda and "strategic decision" in agenda
    shown = slack_words(intro)
    assert "`/mentor end`" in shown and "`/mentor checkin need-help`" in shown
    assert_valid_everywhere(intro)


async def test_the_ground_rules_come_from_the_setting() -> None:
    from dataclasses import replace

    h = Harness()
    h.config = replace(h.config, ground_rules="Cameras on; Phones away")
    h.bot.config = h.config
    await h.join("lea", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5")
    await h.join("max", "mentor", skills=("Generative AI",), goals=("Company strategy",))
    await h.pair_up()
    assert dict(intro_to(h, "lea").fields)["Ground rules"] == ItemList(("Cameras on.", "Phones away."))
    onboarding = [s.message for s in h.sent_to("max") if s.message.title == "How reverse mentoring works"]
    assert onboarding and "Cameras on." in dict(onboarding[0].fields)["Ground rules"].items


async def test_a_shared_slack_intro_shows_each_slot_on_both_clocks_with_calendar_links() -> None:
    h = await new_pair(group_dm=True)
    intro = intro_to(h, "lea")
    assert len(intro.meetings) == 3
    blocks = message_payload(intro)["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    for meeting in intro.meetings:
        assert meeting.timezones == (NEW_YORK, BERLIN)
        (text,) = [t for t in texts if f"<!date^{int(meeting.start.timestamp())}^" in t]
        for zone in (NEW_YORK, BERLIN):
            assert slot_label(meeting.start, meeting.end, zone) in text
        links = dict(
            (label, url.replace("&amp;", "&"))
            for url, label in re.findall(r"<(https://[^|>]+)\|([^>]+)>", text)
        )
        assert set(links) == {"Google Calendar", "Outlook"}
        assert_calendar_links(links["Google Calendar"], links["Outlook"], meeting)
    assert any(b.action_id == buttons.MEETING_BOOKED.action_id for b in intro.buttons)


async def test_a_teams_intro_shows_each_slot_on_the_readers_clock() -> None:
    h = await new_pair(group_dm=False)
    for reader, zone in (("lea", NEW_YORK), ("max", BERLIN)):
        intro = intro_to(h, reader)
        assert [m.timezones for m in intro.meetings] == [(zone,)] * 3
        card = render_card(intro, {"lea": "Lea", "max": "Max"})
        assert_valid_card(card)
        body = json.dumps(card["body"], ensure_ascii=False)
        for meeting in intro.meetings:
            assert slot_label(meeting.start, meeting.end, zone) in body


def test_a_teams_card_links_to_a_teams_meeting_with_both_attendees() -> None:
    meeting = MeetingOffer(
        datetime.fromisoformat("2026-01-06T15:00:00+00:00"),
        datetime.fromisoformat("2026-01-06T15:30:00+00:00"),
        (BERLIN,),
        "Reverse-mentoring catch-up",
        "Bring a tool and a question.",
        ("lea@example.com", "max@example.com"),
    )
    card = render_card(OutgoingMessage(text="Times", meetings=(meeting,)), {})
    assert_valid_card(card)
    (action_set,) = [b for b in card["body"] if b["type"] == "ActionSet"]
    urls = {a["title"]: a["url"] for a in action_set["actions"] if a["type"] == "Action.OpenUrl"}
    teams = urlsplit(urls["Teams"])
    assert (teams.scheme, teams.netloc, teams.path) == ("https", "teams.microsoft.com", "/l/meeting/new")
    query = parse_qs(teams.query)
    assert query["attendees"] == ["lea@example.com,max@example.com"]
    assert query["startTime"] == ["2026-01-06T15:00:00Z"] and query["endTime"] == ["2026-01-06T15:30:00Z"]
    assert_calendar_links(urls["Google"], urls["Outlook"], meeting)
    assert "Tuesday 6 January, 16:00–16:30 (Europe/Berlin)" in json.dumps(card["body"], ensure_ascii=False)


def assert_calendar_links(google: str, outlook: str, meeting: MeetingOffer) -> None:
    start, end = (m.strftime("%Y%m%dT%H%M%SZ") for m in (meeting.start, meeting.end))
    parts = urlsplit(google)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendar.google.com", "/calendar/render")
    assert parse_qs(parts.query)["dates"] == [f"{start}/{end}"]
    parts = urlsplit(outlook)
    assert (parts.scheme, parts.netloc) == ("https", "outlook.office.com")
    query = parse_qs(parts.query)
    assert query["startdt"] == [meeting.start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert query["enddt"] == [meeting.end.strftime("%Y-%m-%dT%H:%M:%SZ")]


# --- home ----------------------------------------------------------------------------------------


def command_buttons(parts: list[OutgoingMessage]) -> list[str]:
    return [b.value for part in parts for b in part.buttons if b.action_id == buttons.RUN_COMMAND.action_id]


async def test_the_home_offers_the_buttons_that_fit_where_someone_stands() -> None:
    h = Harness()
    first_visit = await h.bot.home(h.user("lea"))
    assert command_buttons(first_visit) == ["join", "help"]
    assert "Ground rules" in dict(first_visit[0].fields)
    join = next(b for b in first_visit[0].buttons if b.value == "join")
    opened = await h.click("lea", join.action_id, join.value)
    assert opened.message is not None and opened.message.form is not None, "Join opens the profile form"

    await h.join("lea", "leader", skills=("Company strategy",), goals=("Generative AI",), level="5")
    assert command_buttons(await h.bot.home(h.user("lea"))) == ["profile", "help"]
    await h.join("max", "mentor", skills=("Generative AI",), goals=("Company strategy",))
    await h.pair_up()
    paired = await h.bot.home(h.user("lea"))
    assert command_buttons(paired) == ["profile", "goals", "checkin", "help"]
    for part in first_visit + paired:
        assert_valid_everywhere(part)
