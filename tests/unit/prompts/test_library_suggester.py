from collections import Counter
from dataclasses import replace

from conversations.ports import PairContext
from conversations.prompts import Direction, LibrarySuggester, load_library
from conversations.prompts.library_suggester import QUICK_TASK_MINUTES, week_ordinal
from tests.unit.prompts.contexts import ai_curious_leader, blank_pair, data_minded_pair

library = LibrarySuggester()
by_text = {p.text: p for p in load_library().prompts}
tasks_by_text = {t.text: t for t in load_library().tasks}


def weeks(count: int, start: int = 10) -> list[str]:
    return [f"2025-W{n:02d}" for n in range(start, start + count)]


async def test_suggest_gives_one_prompt_per_direction_and_a_task() -> None:
    result = await library.suggest(ai_curious_leader())
    assert result.source == "library"
    directions = [by_text[p].direction.value for p in result.prompts]
    assert directions == ["mentor_teaches", "leader_shares", "both"]
    assert result.task in tasks_by_text
    assert result.topics == tuple(by_text[p].topic.value for p in result.prompts)


def test_same_pair_and_week_always_get_the_same_prompts() -> None:
    first = library.choose(ai_curious_leader())
    again = LibrarySuggester().choose(ai_curious_leader())
    assert first == again


def test_prompts_do_not_repeat_over_eight_consecutive_weeks() -> None:
    for make in (ai_curious_leader, data_minded_pair, blank_pair):
        shown = [p for week in weeks(8) for p in library.choose(make(week=week)).prompts]
        assert len(shown) == len(set(shown)), make.__name__


def test_rotation_continues_across_a_year_boundary() -> None:
    assert week_ordinal("2026-W01") == week_ordinal("2025-W52") + 1
    late = library.choose(ai_curious_leader(week="2025-W52"))
    early = library.choose(ai_curious_leader(week="2026-W01"))
    assert not set(late.prompts) & set(early.prompts)


def test_a_week_that_is_not_iso_still_gives_stable_prompts() -> None:
    odd = ai_curious_leader(week="spring-kickoff")
    assert library.choose(odd) == library.choose(odd)


def test_different_pairs_get_different_prompts_the_same_week() -> None:
    sets = {library.choose(blank_pair(pairing_id=f"p{i}")).prompts for i in range(20)}
    assert len(sets) > 10


def test_prompts_follow_the_leaders_learning_goals() -> None:
    topics = Counter(library.choose(ai_curious_leader(week=w)).topics[0] for w in weeks(10))
    assert topics["ai_tools"] >= 5
    data = Counter(library.choose(data_minded_pair(week=w)).topics[0] for w in weeks(10))
    assert data["data"] >= 5


def test_leader_prompts_follow_the_mentors_goals() -> None:
    topics = Counter(library.choose(data_minded_pair(week=w)).topics[1] for w in weeks(10))
    assert topics["leadership"] >= 5


def test_one_topic_never_fills_a_whole_rotation() -> None:
    topics = Counter(library.choose(ai_curious_leader(week=w)).topics[0] for w in weeks(10))
    assert len(topics) >= 2


def _topic_share(contexts: list[PairContext], topic: str) -> int:
    return sum(library.choose(c).topics.count(topic) for c in contexts)


def test_liked_topics_come_up_more_and_disliked_less() -> None:
    base = [blank_pair(pairing_id=f"p{i}", week=w) for i in range(15) for w in weeks(4)]
    plain = _topic_share(base, "career")
    liked = _topic_share([replace(c, liked_topics=("career",)) for c in base], "career")
    disliked = _topic_share([replace(c, disliked_topics=("career",)) for c in base], "career")
    assert liked > plain > disliked


def test_unknown_topic_names_in_preferences_are_ignored() -> None:
    context = replace(ai_curious_leader(), liked_topics=("nonsense",), disliked_topics=("",))
    assert library.choose(context) == library.choose(ai_curious_leader())


def test_recent_prompts_are_not_shown_again() -> None:
    first = library.choose(ai_curious_leader())
    fresh = library.choose(replace(ai_curious_leader(), recent_prompts=(*first.prompts, first.task)))
    assert not set(first.prompts) & set(fresh.prompts)
    assert fresh.task != first.task
    assert len(fresh.prompts) == 3


def test_even_with_everything_recent_a_full_set_comes_back() -> None:
    everything = tuple(p.text for p in load_library().prompts) + tuple(t.text for t in load_library().tasks)
    result = library.choose(replace(ai_curious_leader(), recent_prompts=everything))
    assert len(result.prompts) == 3 and result.task


def test_a_pair_that_has_not_met_gets_a_quick_task() -> None:
    for w in weeks(6):
        context = replace(data_minded_pair(week=w), recent_outcomes=("not_yet", "rescheduled"))
        assert tasks_by_text[library.choose(context).task].minutes <= QUICK_TASK_MINUTES


def _top_topics(context: PairContext, n: int = 5) -> Counter[str]:
    return Counter(p.topic.value for p in library.ranked_prompts(context, Direction.MENTOR_TEACHES)[:n])


def test_done_goals_count_for_less_than_open_ones() -> None:
    ai_goal, data_goal = "Use AI assistants to draft my emails", "Build dashboards from spreadsheet data"
    context = replace(blank_pair(), leader_goals=(ai_goal, data_goal))
    ai_done = replace(
        context, goal_progress=(("leader", ai_goal, 100, True), ("leader", data_goal, 20, False))
    )
    data_done = replace(
        context, goal_progress=(("leader", ai_goal, 40, False), ("leader", data_goal, 100, True))
    )
    assert _top_topics(ai_done)["data"] > _top_topics(ai_done)["ai_tools"]
    assert _top_topics(data_done)["ai_tools"] > _top_topics(data_done)["data"]


def test_topic_of_maps_library_text_back_to_its_topic() -> None:
    prompt = load_library().prompts[0]
    assert library.topic_of(prompt.text) == prompt.topic.value
    assert library.topic_of("something the LLM wrote") is None


def test_a_pair_reading_spanish_gets_the_same_choice_in_spanish() -> None:
    english = library.choose(ai_curious_leader())
    spanish = library.choose(replace(ai_curious_leader(), language="es"))
    assert spanish.prompts == tuple(by_text[p].text_in("es") for p in english.prompts)
    assert spanish.task == tasks_by_text[english.task].text_in("es")
    assert spanish.topics == english.topics
    assert library.choose(replace(ai_curious_leader(), language="de")) == english  # not in the library


def test_a_prompt_shown_in_spanish_is_not_shown_again_in_english() -> None:
    """Fresh ideas for the same week, after the pair's language changed: none of the ones just seen."""
    first = library.choose(replace(ai_curious_leader(), language="es"))
    later = library.choose(replace(ai_curious_leader(), recent_prompts=first.prompts))
    assert not {by_text[p].id for p in later.prompts} & {
        p.id for p in load_library().prompts if p.text_in("es") in first.prompts
    }
    assert all(library.topic_of(p) is not None for p in first.prompts)
