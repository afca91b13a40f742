"""Pictures of the introduction for the README, built from what the bot really sends.

Two people join a program run by the real engine (SQLite in a temporary folder, the console chat, a
clock set to a Monday morning) and are paired. Their introduction is rendered by the Slack renderer
into Block Kit, which this script draws in Slack's look (`slack-introduction.png`), and by the Teams
renderer into an Adaptive Card (`teams-introduction.json`), which Microsoft's Adaptive Cards renderer
draws as Teams shows it (`teams-introduction.png`, see the README).

    python docs/pictures/draw.py            (from the repository root)
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from adapters.console import ConsoleChat  # noqa: E402
from adapters.slack.render import message_payload  # noqa: E402
from adapters.teams.render import render_card  # noqa: E402
from bot.bootstrap import build_container  # noqa: E402
from bot.settings import Settings  # noqa: E402
from conversations.clock import ManualClock  # noqa: E402
from conversations.domain import UserRef  # noqa: E402
from conversations.events import CommandReceived, FormSubmitted  # noqa: E402
from conversations.messages import OutgoingMessage  # noqa: E402

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NAMES = {"ULEA": "Lea Fischer", "UMAX": "Max Okafor", "UADMIN": "Program admin"}
PEOPLE = (
    ("ULEA", "leader", "Finance", "5", "Europe/London", ["Company strategy"], ["Generative AI"]),
    ("UMAX", "mentor", "Engineering", "1", "Europe/Berlin", ["Generative AI"], ["Company strategy"]),
)


async def introductions() -> tuple[OutgoingMessage, OutgoingMessage]:
    """(the introduction both people share in Slack, Lea's own in Teams), from one real program each."""
    found = []
    for group_dm in (True, False):
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{folder}/pictures.db", admins=frozenset({"UADMIN"})
            )
            container = build_container(settings, clock=ManualClock(MONDAY))
            chat = ConsoleChat(names=dict(NAMES), group_dm=group_dm)
            container.bot.register_chat(chat)
            await container.database.migrate()
            for n, (user_id, role, department, level, zone, skills, goals) in enumerate(PEOPLE):
                user = UserRef("console", "T1", user_id)
                await container.bot.handle(CommandReceived(user, "join", f"join-{n}"))
                answers: dict[str, str | list[str]] = {"role": role, "department": department}
                answers |= {
                    "skills": list(skills),
                    "learning_goals": list(goals),
                    "seniority": level,
                    "timezone": zone,
                }
                await container.bot.handle(
                    FormSubmitted(user, "join", answers, f"form-{n}", context=NAMES[user_id])
                )
            await container.bot.handle(CommandReceived(UserRef("console", "T1", "UADMIN"), "pair", "pair"))
            await container.bot.jobs.deliver_due()
            found.append(
                next(s.message for s in chat.transcript if s.message.title == "Meet your mentoring partner")
            )
            await container.close()
    return found[0], found[1]


# --- Slack's look ---------------------------------------------------------------------------------

WIDTH = 760
LEFT = 72
TEXT_WIDTH = WIDTH - LEFT - 24
INK, GREY, LINK, MENTION_BG = (29, 28, 29), (97, 96, 97), (18, 100, 163), (232, 245, 250)
FONTS = Path("/usr/share/fonts/truetype")


def font(style: str = "Regular", size: int = 15) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (
        FONTS / f"noto/NotoSans-{style}.ttf",
        FONTS / f"dejavu/DejaVuSans{'' if style == 'Regular' else '-' + style}.ttf",
    ):
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class Run:
    text: str
    style: str = "Regular"
    colour: tuple[int, int, int] = INK
    mention: bool = False


TOKEN = re.compile(
    r"<@(\w+)>|<!date\^\d+\^[^|>]*\|([^>]*)>|<([^|>]+)\|([^>]+)>|\*([^*\n]+)\*|_([^_\n]+)_|`([^`\n]+)`"
)


def runs(mrkdwn: str) -> Iterator[Run]:
    """Slack's mrkdwn as styled runs: bold, italic, code, mentions, dates and links."""
    text = mrkdwn.replace("&lt;", "\0lt").replace("&gt;", "\0gt")
    position = 0
    for match in TOKEN.finditer(text):
        if match.start() > position:
            yield Run(_unescape(text[position : match.start()]))
        user, date, _url, label, bold, italic, code = match.groups()
        if user:
            yield Run("@" + NAMES.get(user, user), "Regular", LINK, mention=True)
        elif date:
            yield Run(_unescape(date))
        elif label:
            yield Run(_unescape(label), "Regular", LINK)
        elif bold:
            yield Run(_unescape(bold), "Bold")
        elif italic:
            yield Run(_unescape(italic), "Italic")
        elif code:
            yield Run(_unescape(code), "Regular", (224, 30, 90))
        position = match.end()
    if position < len(text):
        yield Run(_unescape(text[position:]))


def _unescape(text: str) -> str:
    return text.replace("\0lt", "<").replace("\0gt", ">").replace("&amp;", "&")


class Canvas:
    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, 4000), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.y = 20

    def paragraph(self, mrkdwn: str, left: int = LEFT, width: int = TEXT_WIDTH, size: int = 15) -> int:
        """Word-wrapped mrkdwn from `self.y`; returns the height used."""
        top = self.y
        line_height = int(size * 1.55)
        for line in mrkdwn.split("\n"):
            quote = line.startswith("&gt; ")
            x0 = left + (14 if quote else 0)
            if quote:
                line = line[5:]
            x: float = x0
            start = self.y
            for run in runs(line):
                face = font(run.style, size)
                for word in [run.text] if run.mention else re.split(r"(\s+)", run.text):
                    if not word:
                        continue
                    w = self.draw.textlength(word, font=face)
                    if x + w > left + width and not word.isspace() and x > x0:
                        x = x0
                        self.y += line_height
                    if word.isspace() and x == x0:
                        continue
                    if run.mention:
                        self.draw.rounded_rectangle(
                            (x - 1, self.y + 2, x + w + 1, self.y + line_height - 3), 3, fill=MENTION_BG
                        )
                    self.draw.text((x, self.y), word, font=face, fill=run.colour)
                    x += w
            self.y += line_height
            if quote:
                self.draw.rectangle((left, start + 3, left + 3, self.y - 3), fill=(221, 221, 221))
        return self.y - top

    def block(self, block: dict[str, Any]) -> None:
        kind = block["type"]
        if kind == "header":
            self.paragraph(f"*{block['text']['text']}*", size=19)
            self.y += 4
        elif kind == "section" and "text" in block:
            self.paragraph(block["text"]["text"])
            self.y += 8
        elif kind == "section":
            self.fields([f["text"] for f in block["fields"]])
        elif kind == "context":
            for element in block["elements"]:
                self.paragraph(element["text"], size=12)
        elif kind == "divider":
            self.draw.line((LEFT, self.y + 6, WIDTH - 24, self.y + 6), fill=(221, 221, 221))
            self.y += 14
        elif kind == "actions":
            self.buttons(block["elements"])

    def fields(self, texts: list[str]) -> None:
        column = TEXT_WIDTH // 2
        for i in range(0, len(texts), 2):
            top, heights = self.y, []
            for j, text in enumerate(texts[i : i + 2]):
                self.y = top
                heights.append(self.paragraph(text, LEFT + j * column, column - 16))
            self.y = top + max(heights) + 8

    def buttons(self, elements: list[dict[str, Any]]) -> None:
        x, face = LEFT, font("Bold", 14)
        for element in elements:
            label = element["text"]["text"]
            w = int(self.draw.textlength(label, font=face)) + 28
            primary = element.get("style") == "primary"
            fill, edge, ink = (
                ((0, 122, 90), (0, 122, 90), "white") if primary else ("white", (200, 200, 200), INK)
            )
            self.draw.rounded_rectangle((x, self.y, x + w, self.y + 34), 5, fill=fill, outline=edge)
            self.draw.text((x + 14, self.y + 7), label, font=face, fill=ink)
            x += w + 8
        self.y += 46

    def message(self, blocks: list[dict[str, Any]]) -> Image.Image:
        self.draw.rounded_rectangle((16, 20, 56, 60), 8, fill=(98, 100, 167))
        self.draw.text((27, 27), "M", font=font("Bold", 20), fill="white")
        self.draw.text((LEFT, self.y - 2), "Mentorbot", font=font("Bold", 15), fill=INK)
        badge_x = LEFT + self.draw.textlength("Mentorbot", font=font("Bold", 15)) + 6
        self.draw.rounded_rectangle((badge_x, self.y + 1, badge_x + 30, self.y + 17), 3, fill=(232, 232, 232))
        self.draw.text((badge_x + 4, self.y + 2), "APP", font=font("Bold", 10), fill=GREY)
        self.draw.text((badge_x + 38, self.y + 1), "9:00 AM", font=font("Regular", 12), fill=GREY)
        self.y += 26
        for block in blocks:
            self.block(block)
        return self.image.crop((0, 0, WIDTH, self.y + 8))


def main() -> None:
    shared, own = asyncio.run(introductions())
    Canvas().message(message_payload(shared)["blocks"]).save(HERE / "slack-introduction.png")
    card = render_card(own, {"ULEA": NAMES["ULEA"], "UMAX": NAMES["UMAX"]})
    (HERE / "teams-introduction.json").write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
