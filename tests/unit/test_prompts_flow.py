"""Prompts in the engine: shown with check-ins, refreshed on demand, rated, and steering later weeks."""

from tests.unit.engine_harness import Harness, paired_harness


async def test_ratings_are_recorded_once_and_steer_the_next_suggestion() -> None:
    h = await paired_harness()
    shown = await h.say("lea", "prompts")
    votes = [b for b in shown.message.buttons if b.action_id == "prompt_rate"]
    assert len(votes) == 4 and any(b.action_id == "prompts_refresh" for b in shown.message.buttons)
    up_first = next(b for b in votes if b.value.endswith(":0:up"))
    down_second = next(b for b in votes if b.value.endswith(":1:down"))
    assert "Thanks" in (await h.click("lea", "prompt_rate", up_first.value)).message.text
    assert "already rated" in (await h.click("lea", "prompt_rate", up_first.value)).message.text
    await h.click("max", "prompt_rate", down_second.value)
    assert "join" in (await h.click("eve", "prompt_rate", up_first.value)).message.text
    await h.join("eve", "mentor")
    assert "another pairing" in (await h.click("eve", "prompt_rate", up_first.value)).message.text
    assert len(await h.store.prompt_ratings()) == 2
    await h.click("lea", "prompts_refresh", up_first.value.split(":")[0])
    latest = h.prompts.contexts[-1]
    assert latest.liked_topics == ("ai_tools",) and latest.disliked_topics == ("strategy",)
    assert "What tool saved you time this week?" in latest.recent_prompts


async def test_forged_rating_values_change_nothing() -> None:
    h = await paired_harness()
    shown = await h.say("lea", "prompts")
    pairing_id, week = shown.message.buttons[0].value.split(":")[:2]
    for value in (
        f"{pairing_id}:{week}:9:up",
        f"{pairing_id}:{week}:0:sideways",
        f"{pairing_id}:1999-W01:0:up",
        "garbage",
    ):
        reply = await h.click("lea", "prompt_rate", value)
        assert reply.message is not None and "something went wrong" not in reply.message.text
    assert not await h.store.prompt_ratings()


async def test_unpaired_people_are_told_prompts_come_with_a_partner() -> None:
    h = Harness()
    await h.join("ann", "mentor")
    assert "not paired" in (await h.say("ann", "prompts")).message.text
