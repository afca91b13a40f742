"""Program admins are scoped to a platform and a workspace (Slack) or tenant (Teams).

A Slack user id is only unique inside its workspace: a request from another workspace carrying the
same id must get neither admin commands nor the stats and export of every workspace.
"""

from __future__ import annotations

import csv
import io
import logging

import pytest
from slack_bolt.authorization import AuthorizeResult

from bot.bootstrap import SlackHomeWorkspace, program_config
from bot.settings import Settings
from conversations.app import ADMIN_ONLY, Mentorbot
from conversations.domain import Cycle, Pairing, Participant, Role, UserRef
from conversations.events import CommandReceived
from conversations.messages import Reply
from conversations.platform_ids import AdminEntry, admin_entries, parse_admin
from conversations.services.context import ProgramConfig
from tests.unit.engine_harness import START, Harness

HOME = "T0HOME01"
OTHER = "T0OTHER1"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0b2e3f4a-1111-4222-8333-944445555666"
BOSS = "U0BOSS01"
TEAMS_BOSS = "29:1AbC-dEf_gHi:x"


def harness(*admins: str, slack_home: str | None = HOME, teams_home: str | None = None) -> Harness:
    homes = {k: v for k, v in (("slack", slack_home), ("teams", teams_home)) if v}
    return Harness(config=ProgramConfig(admins=frozenset(admins), home_workspaces=homes))


_ids = iter(range(1, 1_000_000))


async def say(h: Harness, who: UserRef, text: str) -> Reply:
    reply = await h.bot.handle(CommandReceived(who, text, f"scope-ev{next(_ids)}"))
    assert reply is not None
    return reply


def slack(workspace: str, user_id: str) -> UserRef:
    return UserRef("slack", workspace, user_id)


def teams(tenant: str, user_id: str) -> UserRef:
    return UserRef("teams", tenant, user_id)


async def seed_pair(h: Harness, leader: UserRef, mentor: UserRef, names: tuple[str, str]) -> None:
    """A pair in the store, without going through the matcher (which would mix workspaces)."""
    async with h.store() as uow:
        cycle = await uow.cycles.latest()
        if cycle is None:
            cycle = Cycle("cycle-1", 1, START, 12)
            await uow.cycles.add(cycle)
        for user, name, role in ((leader, names[0], Role.LEADER), (mentor, names[1], Role.MENTOR)):
            await uow.participants.save(
                Participant(
                    user,
                    name,
                    role,
                    "Engineering",
                    5 if role is Role.LEADER else 1,
                    "Europe/London",
                    joined_at=START,
                )
            )
        await uow.pairings.add(
            Pairing(f"pair-{names[0]}-{names[1]}", cycle.id, leader, mentor, 0.9, ("test",), START)
        )
        await uow.commit()
    h.advance(days=1)


async def two_workspaces(h: Harness) -> None:
    await seed_pair(h, slack(HOME, "U0LEA001"), slack(HOME, "U0MAX001"), ("HomeLeader", "HomeMentor"))
    await seed_pair(h, slack(OTHER, "U0LEA002"), slack(OTHER, "U0MAX002"), ("OtherLeader", "OtherMentor"))
    await seed_pair(h, teams(TENANT, "29:lee"), teams(TENANT, "29:mia"), ("TeamsLeader", "TeamsMentor"))


def exported_names(reply: Reply) -> set[str]:
    assert reply.message is not None and reply.message.attachment is not None
    rows = list(csv.DictReader(io.StringIO(reply.message.attachment.content.decode())))
    return {r["leader"] for r in rows} | {r["mentor"] for r in rows}


def active_pairs(reply: Reply) -> str:
    assert reply.message is not None
    return dict(reply.message.fields)["Active pairs"]


# --- reading the entries -------------------------------------------------------------------------


def test_entries_name_platform_workspace_and_user_and_teams_colons_survive() -> None:
    assert parse_admin(f"slack:{HOME}/{BOSS}") == AdminEntry("slack", HOME, BOSS)
    assert parse_admin(f"teams:{TENANT}/{TEAMS_BOSS}") == AdminEntry("teams", TENANT, TEAMS_BOSS)
    assert parse_admin(f"{TENANT}/{TEAMS_BOSS}") == AdminEntry("teams", TENANT, TEAMS_BOSS)
    assert parse_admin(f"{HOME}/{BOSS}") == AdminEntry("slack", HOME, BOSS)
    assert parse_admin(TEAMS_BOSS) == AdminEntry("teams", None, TEAMS_BOSS)
    assert parse_admin(f"teams:{TEAMS_BOSS}") == AdminEntry("teams", None, TEAMS_BOSS)
    assert parse_admin(BOSS) == AdminEntry("slack", None, BOSS)
    assert parse_admin(f"slack:{BOSS}") == AdminEntry("slack", None, BOSS)
    assert parse_admin("slack:*/W0GRID01") == AdminEntry("slack", "*", "W0GRID01")
    assert parse_admin(f"org:slack:{HOME}/{BOSS}") == AdminEntry("slack", HOME, BOSS, org_wide=True)
    assert parse_admin(f"org:teams:{TENANT}/{TEAMS_BOSS}") == AdminEntry(
        "teams", TENANT, TEAMS_BOSS, org_wide=True
    )
    assert parse_admin("admin") == AdminEntry(None, None, "admin")


@pytest.mark.parametrize(
    "entry",
    [
        f"slack:{BOSS}/{HOME}",  # the wrong way round
        f"teams:{TEAMS_BOSS}/{TENANT}",
        f"teams:{HOME}/{TEAMS_BOSS}",  # a Slack workspace is no tenant
        f"slack:{TENANT}/{BOSS}",
        f"slack:/{BOSS}",
        f"slack:{HOME}/",
        f"slack:{HOME}/{BOSS}/extra",
        "slack:",
    ],
)
def test_ambiguous_or_malformed_entries_are_ignored_with_a_warning(
    entry: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert parse_admin(entry) is None
    with caplog.at_level(logging.WARNING):
        assert admin_entries(frozenset({entry, BOSS})) == (AdminEntry("slack", None, BOSS),)
    assert entry in caplog.text


# --- who is an admin, where ----------------------------------------------------------------------


async def test_the_same_slack_id_sent_from_another_workspace_is_no_admin() -> None:
    h = harness(BOSS)
    await two_workspaces(h)
    for command in ("stats", "export", "pair"):
        reply = await say(h, slack(OTHER, BOSS), command)
        assert reply.message is not None and reply.message.text == ADMIN_ONLY, command
        assert reply.message.attachment is None
    assert (await say(h, slack(HOME, BOSS), "stats")).message.title == "Reverse mentoring: program stats"


async def test_a_bare_slack_id_is_admin_nowhere_until_the_bots_workspace_is_known() -> None:
    h = harness(BOSS, slack_home=None)
    reply = await say(h, slack(HOME, BOSS), "stats")
    assert reply.message is not None and reply.message.text == ADMIN_ONLY
    h.bot.learn_home_workspace("slack", HOME)
    assert active_pairs(await say(h, slack(HOME, BOSS), "stats")) == "0"
    assert (await say(h, slack(OTHER, BOSS), "stats")).message.text == ADMIN_ONLY


async def test_a_scoped_entry_counts_only_in_its_workspace() -> None:
    h = harness(f"slack:{OTHER}/{BOSS}")
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert ctx.is_admin(slack(OTHER, BOSS))
        assert not ctx.is_admin(slack(HOME, BOSS))
        assert not ctx.is_admin(teams(TENANT, BOSS))
        assert not ctx.is_admin(UserRef("console", OTHER, BOSS))
    assert (await say(h, slack(HOME, BOSS), "export")).message.text == ADMIN_ONLY


async def test_a_scoped_teams_entry_counts_only_in_its_tenant() -> None:
    h = harness(f"teams:{TENANT}/{TEAMS_BOSS}")
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert ctx.is_admin(teams(TENANT, TEAMS_BOSS))
        assert ctx.is_admin(teams(TENANT.upper(), TEAMS_BOSS)), "tenant ids are GUIDs: case does not matter"
        assert not ctx.is_admin(teams(OTHER_TENANT, TEAMS_BOSS))
        assert not ctx.is_admin(slack(TENANT, TEAMS_BOSS))


async def test_bare_teams_ids_count_only_on_teams_and_bare_slack_ids_only_on_slack() -> None:
    h = harness(BOSS, TEAMS_BOSS)
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert ctx.is_admin(slack(HOME, BOSS)) and ctx.is_admin(teams(TENANT, TEAMS_BOSS))
        assert not ctx.is_admin(slack(HOME, TEAMS_BOSS))
        assert not ctx.is_admin(teams(TENANT, BOSS))
        assert not ctx.is_admin(UserRef("console", HOME, BOSS))


async def test_a_bare_teams_id_counts_only_in_the_apps_own_tenant_when_it_is_known() -> None:
    h = harness(TEAMS_BOSS, teams_home=TENANT)
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert ctx.is_admin(teams(TENANT, TEAMS_BOSS))
        assert not ctx.is_admin(teams(OTHER_TENANT, TEAMS_BOSS))
    loose = harness(TEAMS_BOSS)  # a multi-tenant app without MICROSOFT_APP_TENANT_ID: any tenant, as before
    async with loose.store() as uow:
        assert loose.bot._ctx(uow).is_admin(teams(OTHER_TENANT, TEAMS_BOSS))


async def test_help_requests_go_only_to_the_admins_of_the_askers_workspace() -> None:
    h = harness(
        BOSS, f"slack:{OTHER}/U0OTHERB", f"org:slack:{OTHER}/U0ORGADM", TEAMS_BOSS, "slack:*/W0GRID01"
    )
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert sorted(a.user_id for a in ctx.admins_of(slack(HOME, "U0LEA001"))) == [BOSS, "W0GRID01"]
        assert all(
            a.workspace_id == HOME and a.platform == "slack" for a in ctx.admins_of(slack(HOME, "U0LEA001"))
        )
        assert sorted(a.user_id for a in ctx.admins_of(slack(OTHER, "U0LEA002"))) == [
            "U0ORGADM",
            "U0OTHERB",
            "W0GRID01",
        ]
        assert [a.user_id for a in ctx.admins_of(teams(TENANT, "29:lee"))] == [TEAMS_BOSS]


# --- what stats and export cover -----------------------------------------------------------------


async def test_stats_and_export_cover_only_the_asking_admins_workspace() -> None:
    h = harness(BOSS, f"slack:{OTHER}/U0OTHERB", TEAMS_BOSS)
    await two_workspaces(h)

    home_stats = await say(h, slack(HOME, BOSS), "stats")
    assert active_pairs(home_stats) == "1"
    assert "this Slack workspace only" in home_stats.message.text
    assert dict(home_stats.message.fields)["Participants by role"] == "mentor 1, leader 1, both 0"
    assert exported_names(await say(h, slack(HOME, BOSS), "export")) == {"HomeLeader", "HomeMentor"}

    assert exported_names(await say(h, slack(OTHER, "U0OTHERB"), "export")) == {"OtherLeader", "OtherMentor"}
    assert active_pairs(await say(h, slack(OTHER, "U0OTHERB"), "stats")) == "1"

    assert exported_names(await say(h, teams(TENANT, TEAMS_BOSS), "export")) == {"TeamsLeader", "TeamsMentor"}
    teams_stats = await say(h, teams(TENANT, TEAMS_BOSS), "stats")
    assert active_pairs(teams_stats) == "1" and "this Teams tenant only" in teams_stats.message.text


async def test_an_org_wide_admin_sees_every_workspace_and_tenant() -> None:
    h = harness(f"org:slack:{HOME}/{BOSS}")
    await two_workspaces(h)
    stats = await say(h, slack(HOME, BOSS), "stats")
    assert active_pairs(stats) == "3" and "every workspace and tenant" in stats.message.text
    assert dict(stats.message.fields)["Undeliverable messages"] == "0"
    assert exported_names(await say(h, slack(HOME, BOSS), "export")) == {
        "HomeLeader",
        "HomeMentor",
        "OtherLeader",
        "OtherMentor",
        "TeamsLeader",
        "TeamsMentor",
    }
    # org-wide widens what the admin sees, not where their id is trusted
    assert (await say(h, slack(OTHER, BOSS), "stats")).message.text == ADMIN_ONLY


async def test_a_pair_across_workspaces_counts_for_both() -> None:
    h = harness(BOSS, f"slack:{OTHER}/U0OTHERB")
    await seed_pair(h, slack(HOME, "U0LEA001"), slack(OTHER, "U0MAX002"), ("HomeLeader", "OtherMentor"))
    assert exported_names(await say(h, slack(HOME, BOSS), "export")) == {"HomeLeader", "OtherMentor"}
    assert exported_names(await say(h, slack(OTHER, "U0OTHERB"), "export")) == {"HomeLeader", "OtherMentor"}


async def test_the_operators_cli_export_covers_everything() -> None:
    h = harness(BOSS)
    await two_workspaces(h)
    content = await h.bot.export_csv()
    assert all(name in content for name in ("HomeLeader", "OtherLeader", "TeamsLeader"))


async def test_scoped_stats_do_not_show_program_wide_delivery_counts() -> None:
    h = harness(BOSS)
    await two_workspaces(h)
    fields = dict((await say(h, slack(HOME, BOSS), "stats")).message.fields)
    assert fields["Undeliverable messages"] == "— (org-wide admins only)"


def test_the_bot_learns_its_home_workspace_without_touching_other_settings() -> None:
    config = ProgramConfig(admins=frozenset({BOSS}), cycle_weeks=6, home_workspaces={"teams": TENANT})
    bot = Mentorbot(None, None, None, None, config)  # type: ignore[arg-type]
    bot.learn_home_workspace("slack", HOME)
    assert bot.config.home_workspaces == {"teams": TENANT, "slack": HOME}
    assert bot.config.cycle_weeks == 6 and config.home_workspaces == {"teams": TENANT}


# --- wiring: where a bare id's home comes from ---------------------------------------------------


class FakeSlackFrontEnd:
    """Stands for SlackFrontEnd: `_authorize` is its cached auth.test, already run by Bolt."""

    def __init__(self, team_id: str | None) -> None:
        self.calls = 0
        self.team_id = team_id

    async def _authorize(self) -> AuthorizeResult:
        self.calls += 1
        return AuthorizeResult(enterprise_id="E0ORG001", team_id=self.team_id, bot_token="xoxb-test")


async def test_slack_events_reach_the_engine_only_after_it_knows_the_workspace_of_the_bots_token() -> None:
    h = harness(BOSS, slack_home=None)
    front = SlackHomeWorkspace(h.bot)
    front.front_end = FakeSlackFrontEnd(HOME)
    reply = await front.handle(CommandReceived(slack(HOME, BOSS), "stats", "wired-1"))
    assert reply is not None and reply.message.title == "Reverse mentoring: program stats"
    assert h.bot.config.home_workspaces == {"slack": HOME}
    reply = await front.handle(CommandReceived(slack(OTHER, BOSS), "stats", "wired-2"))
    assert reply is not None and reply.message.text == ADMIN_ONLY
    assert front.front_end.calls == 1


async def test_an_org_wide_slack_install_leaves_bare_ids_admin_nowhere(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = harness(BOSS, f"slack:{HOME}/U0SCOPED", slack_home=None)
    front = SlackHomeWorkspace(h.bot)
    front.front_end = FakeSlackFrontEnd(None)
    with caplog.at_level(logging.WARNING):
        reply = await front.handle(CommandReceived(slack(HOME, BOSS), "stats", "grid-1"))
    assert reply is not None and reply.message.text == ADMIN_ONLY
    assert "count nowhere" in caplog.text
    reply = await front.handle(CommandReceived(slack(HOME, "U0SCOPED"), "stats", "grid-2"))
    assert reply is not None and reply.message.title == "Reverse mentoring: program stats"


def test_the_teams_apps_own_tenant_is_the_home_of_bare_teams_ids() -> None:
    assert program_config(
        Settings(admins=frozenset({TEAMS_BOSS}), microsoft_app_tenant_id=TENANT)
    ).home_workspaces == {"teams": TENANT}
    assert program_config(Settings(admins=frozenset({TEAMS_BOSS}))).home_workspaces == {}
