import json

import pytest

from adapters.llm import LLMAnswerInvalid
from adapters.llm.answer import parse_answer


def answer(prompts: object, task: object = "Try one small thing together this week") -> str:
    return json.dumps({"prompts": prompts, "task": task})


def test_objects_with_topics_are_read_in_order() -> None:
    result = parse_answer(
        answer(
            [
                {
                    "text": "Mentor: show a formula that saves time",
                    "topic": "data",
                    "direction": "mentor_teaches",
                },
                {"text": "Leader: how do you plan a quarter?", "topic": "STRATEGY"},
                {
                    "text": "Together: compare the course each of you takes to build a skill",
                    "topic": "not-a-topic",
                },
            ]
        )
    )
    assert result.prompts[0] == "Mentor: show a formula that saves time"
    assert result.topics == ("data", "strategy", "career")
    assert result.source == "llm"


def test_plain_strings_are_accepted_and_extra_prompts_dropped() -> None:
    texts = [f"Prompt number {i} about dashboards" for i in range(6)]
    result = parse_answer(answer(texts), max_prompts=3)
    assert result.prompts == tuple(texts[:3])
    assert result.topics == ("data", "data", "data")


def test_duplicates_and_too_short_prompts_do_not_count() -> None:
    with pytest.raises(LLMAnswerInvalid):
        parse_answer(answer(["Mentor: the same prompt again", "Mentor: the same prompt again", "short"]))


def test_task_may_come_as_an_object() -> None:
    result = parse_answer(
        answer(
            ["Mentor: a long enough prompt", "Leader: another long prompt"], {"text": "Do a thing together"}
        )
    )
    assert result.task == "Do a thing together"


@pytest.mark.parametrize(
    "content",
    [
        None,
        "",
        "   ",
        "not json",
        "[1, 2]",
        '{"prompts": 3, "task": "x"}',
        answer(["Mentor: fine prompt here", "Leader: fine prompt too"], ""),
        answer([{"txt": "wrong key"}, {"text": 5}, None]),
    ],
)
def test_unusable_answers_raise(content: str | None) -> None:
    with pytest.raises(LLMAnswerInvalid):
        parse_answer(content)


def test_answers_are_cleaned() -> None:
    result = parse_answer(
        answer(
            ["<!here> Mentor: see <https://a.example.com|this>", "- Leader: tell @channel a story"],
            "Go to https://x.example.com and try it together",
        )
    )
    assert result.prompts == ("Mentor: see this", "Leader: tell a story")
    assert result.task == "Go to and try it together"
