"""Joining with an org chart: the account is linked by the platform's email, and the chart prefills the
form's department, level and time zone, so a new member picks only their role, skills and goals."""

from __future__ import annotations

from datetime import UTC, datetime

from conversations.domain import Profile, UserRef
from conversations.matching import MatchRules, OptimalMatcher
from conversations.messages import Form, Reply
from conversations.services import participants
from conversations.services.context import Ctx, ProgramConfig
from conversations.services.org import changes, parse_org_csv
from tests.support.stores import TestStore

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
ANN = UserRef("slack", "T1", "UANN")
CHART = b"""email,name,department,level,manager_email,timezone
boss@x.org,Bo,Finance,Director,,Asia/Tokyo
ann@x.org,Ann,Treasury,Early career,boss@x.org,Asia/Kolkata
"""


async def store_with_chart() -> TestStore:
    store = TestStore()
    async with store() as uow:
        await uow.org_chart.apply(changes([], parse_org_csv(CHART)), NOW)
        await uow.commit()
    return store


async def open_form(store: TestStore, profile: Profile | None, editing: bool = False) -> Reply:
    async with store() as uow:
        ctx = Ctx(uow, NOW, ProgramConfig(match_rules=MatchRules()), {}, OptimalMatcher(), None)  # type: ignore[arg-type]
        reply = await participants.open_profile_form(ctx, ANN, profile, editing=editing)
        await uow.commit()
    return reply


def initial(form: Form | None) -> dict[str, object]:
    assert form is not None
    return {i.name: i.initial for i in form.inputs}


async def submit(store: TestStore, fields: dict[str, str | list[str]], name: str = "Ann") -> Reply:
    async with store() as uow:
        ctx = Ctx(uow, NOW, ProgramConfig(), {}, OptimalMatcher(), None)  # type: ignore[arg-type]
        reply = await participants.submit_profile(ctx, ANN, fields, name)
        await uow.commit()
    return reply


async def test_the_chart_prefills_the_join_form_and_links_the_account() -> None:
    store = await store_with_chart()
    reply = await open_form(store, Profile("Ann", "Europe/London", " Ann@X.org "))
    values = initial(reply.message.form if reply.message else None)
    assert (values["department"], values["seniority"], values["timezone"]) == (
        "Treasury",
        "1",
        "Asia/Kolkata",
    )
    assert values["role"] is None and values["skills"] == ()
    async with store() as uow:
        assert await uow.org_chart.links() == {ANN: "ann@x.org"}

    # what is left to answer: role, skills and goals; the prefilled answers are sent back as they are
    fields: dict[str, str | list[str]] = {
        "role": "mentor",
        "skills": ["Generative AI"],
        "learning_goals": ["Company strategy"],
        "department": str(values["department"]),
        "seniority": str(values["seniority"]),
        "timezone": str(values["timezone"]),
    }
    assert "Welcome" in (await submit(store, fields)).message.text  # type: ignore[union-attr]
    async with store() as uow:
        joined = await uow.participants.get(ANN)
    assert joined is not None
    assert (joined.department, joined.seniority, joined.timezone) == ("Treasury", 1, "Asia/Kolkata")


async def test_without_an_email_or_a_chart_entry_nothing_is_linked_or_prefilled() -> None:
    store = await store_with_chart()
    for profile in (Profile("Ann", "Europe/London"), Profile("Ann", "Europe/London", "ann@elsewhere.org")):
        values = initial((await open_form(store, profile)).message.form)  # type: ignore[union-attr]
        assert (values["department"], values["seniority"], values["timezone"]) == (
            None,
            None,
            "Europe/London",
        )
    async with store() as uow:
        assert await uow.org_chart.links() == {}


async def test_a_member_editing_their_profile_keeps_their_own_answers() -> None:
    store = await store_with_chart()
    fields: dict[str, str | list[str]] = {
        "role": "mentor", "skills": ["Python"], "department": "Data", "seniority": "2", "timezone": "UTC",
    }  # fmt: skip
    await submit(store, fields)
    values = initial((await open_form(store, Profile("Ann", None, "ann@x.org"), editing=True)).message.form)  # type: ignore[union-attr]
    assert (values["department"], values["seniority"], values["timezone"]) == ("Data", "2", "UTC")
    async with store() as uow:
        assert await uow.org_chart.links() == {ANN: "ann@x.org"}


async def test_deleting_my_data_removes_the_link() -> None:
    store = await store_with_chart()
    await open_form(store, Profile("Ann", None, "ann@x.org"))
    fields: dict[str, str | list[str]] = {
        "role": "mentor", "skills": ["Python"], "department": "Data", "seniority": "2", "timezone": "UTC",
    }  # fmt: skip
    await submit(store, fields)
    async with store() as uow:
        ctx = Ctx(uow, NOW, ProgramConfig(), {}, OptimalMatcher(), None)  # type: ignore[arg-type]
        await participants.leave(ctx, ANN, delete_data=True)
        await uow.commit()
    async with store() as uow:
        assert await uow.org_chart.links() == {}
        assert await uow.participants.get(ANN) is None
        assert len(await uow.org_chart.list()) == 2  # the chart itself is the program manager's
