import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.ports import PromptSet
from conversations.prompts import clean_text, sanitise_prompt_set
from conversations.prompts.sanitise import MAX_PROMPT_CHARS, MAX_PROMPTS, MAX_TASK_CHARS, truncate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ask <!channel> what they think", "Ask what they think"),
        ("Ask <!here|here> and <!everyone>", "Ask and"),
        ("Ping <!subteam^S123|@leads> now", "Ping now"),
        ("Tell <@U024BE7LH> and <@W123|bob> hello", "Tell and hello"),
        ("Post in <#C024BE7LR|general> today", "Post in general today"),
        ("Read <https://evil.example.com/x|this guide> first", "Read this guide first"),
        ("Read <https://evil.example.com/x> first", "Read first"),
        ("Read [the guide](https://evil.example.com) first", "Read the guide first"),
        ("See ![chart](http://img.example.com/a.png) here", "See chart here"),
        ("Go to https://evil.example.com/login?x=1 now", "Go to now"),
        ("Go to www.evil.example and sign in", "Go to and sign in"),
        ("Visit evil-site.com/login today", "Visit today"),
        ("Mail boss@corp.example.com now", "Mail now"),
        ("Hey @everyone and @channel and @here", "Hey and and"),
        ("Hey @Everyone, listen", "Hey, listen"),
        ("Hey @every\u200bone", "Hey"),
        ("Hey \uff20channel", "Hey"),
        ("Thank <at>Sam</at> for the demo", "Thank Sam for the demo"),
        ("Ask @sam about it", "Ask sam about it"),
        ("1. **Mentor**: show a pivot table", "Mentor: show a pivot table"),
        ("- Leader: share a story", "Leader: share a story"),
        ("Line one\nline two\tend", "Line one line two end"),
        ('"Quoted prompt"', "Quoted prompt"),
        ("<script>alert(1)</script> Hello", "alert(1) Hello"),
        ("Look at the data: where it lives", "Look at the data: where it lives"),
        ("Use e.g. a pivot table", "Use e.g. a pivot table"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_long_text_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 100
    cleaned = clean_text(text)
    assert len(cleaned) <= MAX_PROMPT_CHARS
    assert cleaned.endswith("word…")


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("x" * 20, 10) == "x" * 9 + "…"


DANGEROUS = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "@everyone",
        "@channel",
        "@here",
        "<@U123ABC>",
        "<https://evil.example.com|click>",
        "[click](https://evil.example.com)",
        "https://evil.example.com",
        "www.evil.com",
        "\u200b",
        "<",
        ">",
        "@",
        "!",
        "|",
        "[",
        "]",
        "(",
        ")",
        "evil.com",
        "\n",
        "＠",
    ]
)
WORDS = st.sampled_from(["Mentor", "show", "the", "leader", "a", "chart", "here", "channel", "every", "one"])


@given(st.lists(st.one_of(DANGEROUS, WORDS), max_size=40))
def test_no_mention_or_link_survives(parts: list[str]) -> None:
    cleaned = clean_text(" ".join(parts)).lower()
    assert "<!" not in cleaned and "<@" not in cleaned and "<" not in cleaned and ">" not in cleaned
    for broadcast in ("@everyone", "@channel", "@here"):
        assert broadcast not in cleaned
    assert "http" not in cleaned and "www." not in cleaned and ".com" not in cleaned
    assert "\u200b" not in cleaned and "\n" not in cleaned
    assert len(cleaned) <= MAX_PROMPT_CHARS


@given(st.lists(st.one_of(DANGEROUS, WORDS), max_size=40))
def test_no_mention_survives_without_spaces(parts: list[str]) -> None:
    cleaned = clean_text("".join(parts)).lower()
    assert "<!" not in cleaned and "<@" not in cleaned
    assert not any(b in cleaned for b in ("@everyone", "@channel", "@here"))


def test_prompt_set_drops_empty_prompts_and_keeps_topics_aligned() -> None:
    raw = PromptSet(
        prompts=(
            "<!channel>",
            "Mentor: show <https://x.example.com|a tool>",
            "@everyone",
            "Leader: tell a story",
        ),
        task="Try <!here> this " + "x" * 400,
        source="llm",
        topics=("data", "ai_tools", "career", "strategy"),
    )
    clean = sanitise_prompt_set(raw)
    assert clean.prompts == ("Mentor: show a tool", "Leader: tell a story")
    assert clean.topics == ("ai_tools", "strategy")
    assert clean.source == "llm"
    assert len(clean.task) <= MAX_TASK_CHARS and "<!here>" not in clean.task


def test_prompt_set_is_capped_and_topics_dropped_when_misaligned() -> None:
    raw = PromptSet(prompts=tuple(f"Prompt {i}" for i in range(9)), task="t", source="llm", topics=("data",))
    clean = sanitise_prompt_set(raw)
    assert len(clean.prompts) == MAX_PROMPTS
    assert clean.topics == ()


@pytest.mark.parametrize("raw", ["@**everyone**", "@<b>channel</b>", "@[here](x)", "<!<!here>channel>"])
def test_removing_one_piece_cannot_assemble_another(raw: str) -> None:
    cleaned = clean_text(f"Hi {raw} there").lower()
    assert not any(b in cleaned for b in ("@everyone", "@channel", "@here", "<!"))
