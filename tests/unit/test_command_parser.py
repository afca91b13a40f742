from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.commands import KNOWN, parse_command, parse_date, parse_int
from tests.unit.engine_harness import Harness


def test_parses_words_flags_and_aliases() -> None:
    cmd = parse_command("  /mentor   PAIR   --dry-run ")
    assert cmd.name == "pair" and "--dry-run" in cmd.flags
    assert parse_command("check-in met 4").name == "checkin"
    assert parse_command("").name == "help"
    unknown = parse_command("frobnicate now")
    assert unknown.name == "help" and unknown.unknown == "frobnicate"


def test_numbers_and_dates_are_bounded() -> None:
    assert parse_int("5", 1, 5) == 5 and parse_int("6", 1, 5) is None and parse_int("x", 1, 5) is None
    assert parse_int("9" * 50, 0, 100) is None
    assert parse_date("2026-02-30") is None and parse_date("2026-02-28") is not None


@given(st.text(max_size=300))
def test_no_text_crashes_the_parser(text: str) -> None:
    cmd = parse_command(text)
    assert cmd.name in KNOWN
    assert len(cmd.rest) <= 2000


@settings(max_examples=60, deadline=None)
@given(
    st.text(max_size=120),
    st.sampled_from(
        ["help", "join", "pause", "goals", "checkin", "story", "end", "stats", "assess", "leave"]
    ),
)
async def test_no_command_text_crashes_the_engine(tail: str, word: str) -> None:
    h = Harness()
    await h.join("ann", "mentor")
    for actor in ("ann", "UADMIN", "stranger"):
        reply = await h.say(actor, f"{word} {tail}")
        assert reply.message is not None
        assert "Traceback" not in reply.message.text and "something went wrong" not in reply.message.text
