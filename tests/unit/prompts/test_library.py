"""The curated library is data people edit by hand: check its shape so a typo cannot ship."""

from collections import Counter

from conversations.prompts import Direction, Topic, clean_text, load_library
from conversations.prompts.sanitise import MAX_PROMPT_CHARS, MAX_TASK_CHARS


def test_library_has_enough_prompts_for_a_long_program() -> None:
    assert len(load_library().prompts) >= 120


def test_every_topic_has_prompts_in_every_direction() -> None:
    cells = Counter((p.topic, p.direction) for p in load_library().prompts)
    for topic in Topic:
        for direction in Direction:
            assert cells[(topic, direction)] >= 5, (topic, direction)


def test_every_topic_has_a_together_task() -> None:
    topics = {t.topic for t in load_library().tasks}
    assert topics == set(Topic)
    assert all(0 < t.minutes <= 60 for t in load_library().tasks)


def test_ids_and_texts_are_unique() -> None:
    library = load_library()
    ids = [p.id for p in library.prompts] + [t.id for t in library.tasks]
    texts = [p.text for p in library.prompts] + [t.text for t in library.tasks]
    assert len(ids) == len(set(ids))
    assert len(texts) == len(set(texts))


def test_library_text_is_already_clean_and_within_limits() -> None:
    library = load_library()
    for prompt in library.prompts:
        assert len(prompt.text) <= MAX_PROMPT_CHARS
        assert clean_text(prompt.text) == prompt.text, prompt.id
    for task in library.tasks:
        assert len(task.text) <= MAX_TASK_CHARS
        assert clean_text(task.text, MAX_TASK_CHARS) == task.text, task.id


def test_prompt_wording_says_who_speaks() -> None:
    prefix = {
        Direction.MENTOR_TEACHES: "Mentor:",
        Direction.LEADER_SHARES: "Leader:",
        Direction.BOTH: "Together:",
    }
    for prompt in load_library().prompts:
        assert prompt.text.startswith(prefix[prompt.direction]), prompt.id


def test_every_text_is_in_every_language_the_library_lists_clean_and_within_limits() -> None:
    library = load_library()
    assert library.languages == ("en", "es")
    for entry in (*library.prompts, *library.tasks):
        assert {language for language, _text in entry.translations} == set(library.languages) - {"en"}, (
            entry.id
        )
        limit = MAX_PROMPT_CHARS if entry in library.prompts else MAX_TASK_CHARS
        for language, text in entry.translations:
            assert text != entry.text and len(text) <= limit, (entry.id, language)
            assert clean_text(text, limit) == text, (entry.id, language)
    spanish = [p.text_in("es") for p in library.prompts]
    assert len(spanish) == len(set(spanish))


def test_spanish_prompts_say_who_speaks() -> None:
    prefix = {
        Direction.MENTOR_TEACHES: "Mentor:",
        Direction.LEADER_SHARES: "Líder:",
        Direction.BOTH: "Juntos:",
    }
    for prompt in load_library().prompts:
        assert prompt.text_in("es").startswith(prefix[prompt.direction]), prompt.id
