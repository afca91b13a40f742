"""Draws `stats-chart.png` for the README: the chart an admin's `stats` attaches at the end of the demo.

Run from the repository: `.venv/bin/python docs/pictures/make_stats_chart.py` (the demo's simulated
organisation, seed 7, six weeks; about a minute).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bot.demo import Demo  # noqa: E402
from conversations.messages import Reply  # noqa: E402


class ChartOfTheDemo(Demo):
    """The demo, keeping the file its admin's `stats` came with."""

    chart: bytes | None = None

    async def say(self, user_id: str, text: str) -> Reply | None:
        reply = await super().say(user_id, text)
        if text == "stats" and reply and reply.message and reply.message.attachment:
            self.chart = reply.message.attachment.content
        return reply


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mentorbot-chart-") as folder:
        demo = ChartOfTheDemo(
            49, 6, 7, f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}", False, lambda _: None
        )
        await demo.run()
    if demo.chart is None:
        raise SystemExit("the demo's stats came without a chart")
    (HERE / "stats-chart.png").write_bytes(demo.chart)
    print(f"wrote {HERE / 'stats-chart.png'} ({len(demo.chart):,} bytes)")


if __name__ == "__main__":
    asyncio.run(main())
