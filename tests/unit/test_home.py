"""A person's home is one read of the engine: status, then the pair's goals and this week's ideas."""

from __future__ import annotations

from tests.unit.engine_harness import Harness, paired_harness


async def test_a_paired_person_sees_where_they_stand_their_goals_and_this_weeks_ideas() -> None:
    h = await paired_harness()
    remembered = await h.store.inbound_events()
    parts = await h.bot.home(h.user("lea"))
    texts = [part.title or part.text for part in parts]
    assert len(parts) == 3, texts
    assert dict(parts[0].fields).get("Role") == "leader"
    assert any("What tool saved you time this week?" in (p.text + str(p.fields)) for p in parts[1:])
    assert all(part.form is None for part in parts), "a home view never opens a form"
    assert await h.store.inbound_events() == remembered, "opening the home records no event"


async def test_someone_who_has_not_joined_is_told_how_to_and_nothing_is_written() -> None:
    h = Harness()
    parts = await h.bot.home(h.user("newcomer"))
    assert len(parts) == 1 and "join" in parts[0].plain_text().lower()
    assert not await h.store.inbound_events()
