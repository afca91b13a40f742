from conversations.domain import UserRef
from conversations.platform_ids import ids_for, platform_of
from conversations.services.context import ProgramConfig
from tests.unit.engine_harness import Harness


def test_ids_are_placed_by_prefix_or_shape() -> None:
    assert platform_of("slack:U1") == ("slack", "U1")
    assert platform_of("teams:29:abc") == ("teams", "29:abc")
    assert platform_of("29:abc") == ("teams", "29:abc")
    assert platform_of("U012ABC") == ("slack", "U012ABC")
    assert platform_of("admin") == (None, "admin")
    entries = frozenset({"U012ABC", "29:abc", "admin", "teams:29:def"})
    assert ids_for(entries, "slack") == ["U012ABC", "admin"]
    assert ids_for(entries, "teams") == ["29:abc", "admin", "29:def"]


async def test_a_teams_help_request_reaches_only_teams_admins() -> None:
    # A bare Slack id counts in the workspace of the bot's token only, so the bot must know it.
    h = Harness(
        config=ProgramConfig(admins=frozenset({"UADMIN01", "29:boss"}), home_workspaces={"slack": "T1"})
    )
    ctx_user = UserRef("teams", "tenant", "29:lee")
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert [a.user_id for a in ctx.admins_of(ctx_user)] == ["29:boss"]
        assert ctx.is_admin(UserRef("teams", "tenant", "29:boss"))
        assert not ctx.is_admin(UserRef("teams", "tenant", "UADMIN01"))
        assert ctx.is_admin(UserRef("slack", "T1", "UADMIN01"))


async def test_stories_go_to_the_channel_of_the_approvers_platform() -> None:
    h = Harness(config=ProgramConfig(stories_channel="slack:C0STORIES,teams:19:stories@thread.tacv2"))
    async with h.store() as uow:
        ctx = h.bot._ctx(uow)
        assert ctx.stories_channel_for("slack") == "C0STORIES"
        assert ctx.stories_channel_for("teams") == "19:stories@thread.tacv2"
        assert ctx.stories_channel_for("console") is None
