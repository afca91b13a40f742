"""Celebrations, the round-end survey and the round's report, played through the engine with fakes."""

from __future__ import annotations

from dataclasses import replace

from conversations.domain import Pairing, StoryStatus, UserRef
from conversations.messages import Reply, mention
from tests.unit.engine_harness import ADMIN, Harness, paired_harness

GOAL_DONE = "🎉 A goal is done!"
SURVEY_ASK = "Round 1 is over: four quick questions"
ROUND_DONE = "🎉 Round 1 is complete: congratulations!"
REPORT = "Reverse mentoring: round 1 report"


def titled(h: Harness, title: str) -> list:
    return [s for s in h.chat.transcript if s.message.title == title]


async def the_pairing(h: Harness) -> Pairing:
    (pairing,) = (await h.store.pairings()).values()
    return pairing


def short_rounds(h: Harness) -> Harness:
    h.config = replace(h.config, cycle_weeks=2, next_round_after=None)
    h.__post_init__()
    return h


async def finish_round(h: Harness) -> None:
    h.advance(weeks=2, hours=1)
    report = await h.bot.jobs.tick()
    assert report.ended_pairs >= 1


def answers(recommend: str = "9", story: str = "") -> dict[str, str]:
    return {"recommend": recommend, "learned": "How to prompt well", "again": "yes", "story": story}


async def answer_survey(h: Harness, user_id: str, fields: dict[str, str]) -> Reply:
    ask = next(s for s in h.sent_to(user_id) if s.message.title == SURVEY_ASK)
    (button,) = ask.message.buttons
    opened = await h.click(user_id, button.action_id, button.value)
    assert opened.message is not None and opened.message.form is not None
    form = opened.message.form
    assert [i.name for i in form.inputs] == ["recommend", "learned", "again", "story"]
    reply = await h.submit(user_id, form.form_id, fields, context=form.context)
    assert reply.message is not None
    return reply


async def test_a_goal_done_is_celebrated_with_both_once_however_it_was_marked() -> None:
    h = await paired_harness()
    await h.say("lea", "goals add use an AI assistant for my weekly update")
    await h.say("max", "goals add understand how budgets are set")
    await h.say("lea", "goals done 1")
    await h.say("lea", "goals done 1")
    await h.say("max", "goals progress 1 100")
    await h.say("max", "goals progress 1 100")
    await h.bot.jobs.deliver_due()
    sent = titled(h, GOAL_DONE)
    assert len(sent) == 2 and all(set(s.recipients) == {"lea", "max"} for s in sent)
    texts = sorted(s.message.text for s in sent)
    assert mention("lea") in texts[0] and "weekly update" in texts[0]
    assert mention("max") in texts[1] and "budgets" in texts[1]


async def test_without_group_dms_each_side_gets_the_goal_celebration() -> None:
    h = await paired_harness(group_dm=False)
    await h.say("max", "goals add understand how budgets are set")
    await h.say("max", "goals progress 1 40")
    await h.say("max", "goals progress 1 100")
    await h.bot.jobs.deliver_due()
    assert sorted(s.recipients for s in titled(h, GOAL_DONE)) == [("lea",), ("max",)]


async def test_the_round_ends_with_a_survey_whose_story_waits_for_the_partner() -> None:
    h = short_rounds(Harness())
    from tests.unit.engine_harness import pair_lea_and_max

    await pair_lea_and_max(h)
    await finish_round(h)
    assert sorted(s.recipients for s in titled(h, SURVEY_ASK)) == [("lea",), ("max",)]
    # the survey is the pair's own: someone else's click is refused
    ask = next(s for s in h.sent_to("lea") if s.message.title == SURVEY_ASK)
    (button,) = ask.message.buttons
    await h.join("eve", "mentor")
    refused = await h.click("eve", button.action_id, button.value)
    assert refused.message is not None and refused.message.form is None

    invalid = await answer_survey(h, "lea", answers(recommend="11", story="too short"))
    assert set(invalid.form_errors) == {"recommend", "story"}
    story = "Max showed me how to draft my board update with an assistant, in half the time."
    thanks = await answer_survey(h, "lea", answers(recommend="10", story=story))
    assert "partner to approve" in thanks.message.text
    reopened = await h.click("lea", button.action_id, button.value)
    assert "already answered" in reopened.message.text and reopened.message.form is None
    pairing = await the_pairing(h)
    resent = await h.submit("lea", "round_survey", answers(recommend="0"), context=pairing.id)
    assert "already answered" in resent.message.text

    async with h.store() as uow:
        stored = await uow.round_end.answers(pairing.cycle_id)
    assert [(a.user.user_id, a.recommend, a.again) for a in stored] == [("lea", 10, True)]
    (proposed,) = (await h.store.stories()).values()
    assert proposed.status is StoryStatus.PROPOSED and stored[0].story_id == proposed.id
    await h.bot.jobs.deliver_due()
    assert any(s.message.title == "May we share your story?" for s in h.sent_to("max"))
    assert not any("CSTORIES" in s.recipients for s in h.chat.transcript)


async def test_the_round_is_celebrated_once_both_have_said_how_they_grew() -> None:
    h = short_rounds(Harness())
    from tests.unit.engine_harness import pair_lea_and_max

    await pair_lea_and_max(h)
    await h.say("lea", "assess before 2")
    await h.say("max", "assess before 3")
    await h.say("lea", "goals add use an AI assistant for my weekly update")
    await h.say("lea", "goals done 1")
    await h.say("max", "goals add understand how budgets are set")
    await h.join("eve", "mentor")
    await finish_round(h)
    await h.say("lea", "assess after 4")
    await h.bot.jobs.deliver_due()
    assert titled(h, ROUND_DONE) == []
    await h.say("max", "assess after 5")
    await h.say("max", "assess after 4")
    await h.bot.jobs.deliver_due()
    (celebration,) = titled(h, ROUND_DONE)
    assert set(celebration.recipients) == {"lea", "max"}
    fields = dict(celebration.message.fields)
    assert fields["Meetings logged"] == "0"
    assert "1 of 1 goals done" in fields["The leader's growth"]
    assert "2/5 → 4/5 (+2)" in fields["The leader's growth"]
    assert "0 of 1 goals done" in fields["The mentor's growth"]
    assert "3/5 → 5/5 (+2)" in fields["The mentor's growth"]
    assert not any(ROUND_DONE == s.message.title for s in h.sent_to("eve"))


async def test_a_pair_that_answered_after_before_the_close_is_celebrated_at_the_close() -> None:
    h = short_rounds(Harness())
    from tests.unit.engine_harness import pair_lea_and_max

    await pair_lea_and_max(h)
    await h.say("lea", "assess after 4")
    await h.say("max", "assess after 4")
    await h.bot.jobs.deliver_due()
    assert titled(h, ROUND_DONE) == []
    await finish_round(h)
    (celebration,) = titled(h, ROUND_DONE)
    assert "4/5 after, no before answer" in str(celebration.message.fields)


async def test_the_window_closes_after_a_week_with_celebrations_and_a_report_for_admins() -> None:
    h = short_rounds(Harness())
    from tests.unit.engine_harness import pair_lea_and_max

    await pair_lea_and_max(h)
    await h.say("lea", "checkin met 5 private words about the board")
    await finish_round(h)
    await answer_survey(h, "lea", answers(recommend="10"))
    h.advance(days=6)
    await h.bot.jobs.tick()
    assert titled(h, REPORT) == [] and titled(h, ROUND_DONE) == []
    h.advance(days=1, hours=1)
    await h.bot.jobs.tick()
    (celebration,) = titled(h, ROUND_DONE)
    assert "no after answer yet" not in str(celebration.message.fields)
    assert "Confidence with AI and digital tools: not answered." in str(celebration.message.fields)
    (report,) = titled(h, REPORT)
    assert report.recipients == (ADMIN,)
    fields = dict(report.message.fields)
    assert fields["Net Promoter Score"] == "fewer than 5 answers"
    assert fields["Meeting rate"] == "fewer than 5 people"
    assert fields["Stories shared"] == "0"
    everything = report.message.plain_text()
    assert "private words" not in everything and "prompt well" not in everything
    pairing = await the_pairing(h)
    async with h.store() as uow:
        assert await uow.round_end.reported([pairing.cycle_id]) == {pairing.cycle_id}
    h.advance(hours=2)
    await h.bot.jobs.tick()
    assert len(titled(h, REPORT)) == 1 and len(titled(h, ROUND_DONE)) == 1


LEADERS = ("lea", "lia", "lou", "lux", "lyn")
MENTORS = ("max", "mia", "mo", "mel", "mat")
SELF_ASSESSED = {"lea": (1, 4), "lia": (2, 3), "lou": (3, 3), "lux": (2, 2), "lyn": (1, 2), "max": (2, 4)}
RECOMMEND = {"lea": 10, "lia": 9, "lou": 8, "lux": 7, "lyn": 3, "max": 10, "mia": 6, "mo": 9, "mel": 10}


async def five_pairs_finished() -> Harness:
    h = short_rounds(Harness())
    for user_id in LEADERS:
        await h.join(user_id, "leader", level="5")
    for user_id in MENTORS:
        await h.join(user_id, "mentor", level="1")
    await h.pair_up()
    await h.say("lea", "checkin met 4")
    await h.say("lia", "checkin not-yet")
    await h.say("lea", "goals add use an AI assistant for my weekly update")
    await h.say("lea", "goals done 1")
    for user_id, (before, _after) in SELF_ASSESSED.items():
        await h.say(user_id, f"assess before {before}")
    await finish_round(h)
    for user_id, (_before, after) in SELF_ASSESSED.items():
        await h.say(user_id, f"assess after {after}")
    return h


async def test_everyone_answering_closes_the_window_early_with_the_numbers() -> None:
    h = await five_pairs_finished()
    for user_id, score in RECOMMEND.items():
        await answer_survey(h, user_id, answers(recommend=str(score)))
    h.advance(hours=2)
    await h.bot.jobs.tick()
    assert titled(h, REPORT) == []  # mat has not answered, and the week is not over
    await answer_survey(h, "mat", answers(recommend="0"))
    h.advance(hours=2)
    await h.bot.jobs.tick()
    (report,) = titled(h, REPORT)
    fields = dict(report.message.fields)
    # promoters 5 (10, 9, 10, 9, 10), detractors 3 (3, 6, 0), of 10 answers
    assert fields["Net Promoter Score"] == "+20"
    assert fields["Would do it again"] == "100%"
    assert fields["Meeting rate"] == "20%"
    assert fields["Check-in response rate"] == "100%"
    assert fields["Goals done (leaders)"] == "1 of 1"
    assert fields["Goals done (mentors)"] == "0 of 0"
    # leaders: +3, +1, 0, 0, +1; only one mentor answered both
    assert fields["Leaders' confidence change"] == "+1.0 points (1-5 scale)"
    assert fields["Mentors' own growth"] == "fewer than 5 answers"
    assert "Pairs: 5; people: 10; survey answers: 10." in report.message.text
    assert len(titled(h, ROUND_DONE)) == 5


async def test_report_on_demand_is_for_admins_and_covers_the_last_finished_round() -> None:
    h = await paired_harness()
    assert "No round has finished yet" in (await h.say(ADMIN, "report")).message.text
    assert "admins only" in (await h.say("lea", "report")).message.text
    h.advance(weeks=12, hours=1)
    await h.bot.jobs.tick()
    shown = (await h.say(ADMIN, "report")).message
    assert shown.title == REPORT and "every workspace and tenant" not in shown.text
    assert "admins only" in (await h.say("max", "report")).message.text


class TwoWorkspaces(Harness):
    """People whose id starts with `t2` are in workspace T2; everyone else in T1."""

    def user(self, user_id: str) -> UserRef:
        return UserRef("console", "T2" if user_id.startswith("t2") else "T1", user_id)


async def test_each_workspace_admin_gets_their_own_workspace_report_only() -> None:
    admins = frozenset({f"console:T1/{ADMIN}", "console:T2/t2boss"})
    h = TwoWorkspaces()
    h.config = replace(h.config, admins=admins, cycle_weeks=2, next_round_after=None)
    h.__post_init__()
    for user_id, role, level in (
        ("lea", "leader", "5"),
        ("max", "mentor", "1"),
        ("t2ana", "leader", "5"),
        ("t2ben", "mentor", "1"),
        ("t2cat", "mentor", "1"),
    ):
        await h.join(user_id, role, level=level)
    await h.pair_up()
    await h.say("t2boss", "pair")
    await h.bot.jobs.deliver_due()
    pairs = {(p.leader.workspace_id, p.mentor.workspace_id) for p in (await h.store.pairings()).values()}
    assert pairs == {("T1", "T1"), ("T2", "T2")}
    await finish_round(h)
    h.advance(days=7, hours=1)
    await h.bot.jobs.tick()
    reports = titled(h, REPORT)
    assert sorted(r.recipients for r in reports) == [(ADMIN,), ("t2boss",)]
    assert all("Pairs: 1; people: 2;" in r.message.text for r in reports)
    own = (await h.say("t2boss", "report")).message
    assert "Pairs: 1; people: 2;" in own.text and "this console workspace only" in own.text
