"""Learning resources in Slack over real HTTP: the check-in DM lists them as links to catalogue
addresses, with 👍/👎 buttons, and a 👍 is recorded for the person who clicked."""

from __future__ import annotations

import re

from conversations.growth.resource_catalogue import shipped_catalogue
from tests.integration.slack.conftest import SlackDriver, button
from tests.integration.slack.program import LEA, pair_lea_and_max, user, weekly_checkin_to


async def test_a_checkin_brings_resources_and_a_thumbs_up_is_recorded(slack: SlackDriver) -> None:
    await pair_lea_and_max(slack)
    checkin = await weekly_checkin_to(slack, LEA)
    blocks = checkin.args["blocks"]
    (section,) = [b for b in blocks if b["type"] == "section" and "Worth a look" in str(b.get("text"))]
    links = re.findall(r"\n(\d)\. <(https://[^|>]+)\|([^>]+)>", section["text"]["text"])
    catalogue = {r.url: r for r in shipped_catalogue()}
    assert [n for n, _url, _title in links] == ["1", "2"]
    assert all(url in catalogue and catalogue[url].title == title for _n, url, title in links)
    assert "generative ai" in catalogue[links[0][1]].terms, "Lea wants to learn generative AI"

    slack.fake.clear()
    clicked = await slack.click(LEA, button(blocks, "👍 1"), checkin)
    assert clicked.status == 200
    assert "Later picks will lean towards" in str(slack.fake.responses)
    async with slack.store() as uow:
        picks = (await uow.resource_picks.for_users([user(LEA)]))[user(LEA)]
    voted = {p.resource_id: p.vote for p in picks}
    assert voted[catalogue[links[0][1]].id] == 1 and voted[catalogue[links[1][1]].id] == 0
