"""Peak memory of a `mentorbot serve` process holding a program of 20,000 participants.

Run alone: `.venv/bin/python bench/serve_memory.py [--participants 20000] [--seconds 90]`.

The program (half on a Slack workspace, half on a Teams tenant, paired four days before this week's
Monday check-in) is written to a fresh SQLite database, or to `--database-url`. Then the real command
`python -m bot serve` starts with Slack and Teams pointed at the fake platforms on 127.0.0.1 (rate
limited at 50 requests/s per workspace), ticks at once (every check-in of the week becomes due and is
enqueued, with its prompts) and starts sending. The peak resident set (`VmHWM` in /proc) is read
while it works and once more before it is stopped; an idle server with an empty database is measured
the same way for comparison. Target: ≤ 200 MB with 20,000 participants.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.database import Database  # noqa: E402
from tests.integration.delivery.seeding import SLACK_TOKEN, seed_program  # noqa: E402

TIMEZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Measure:
    label: str
    participants: int
    peak_mb: float
    end_mb: float
    enqueued: int
    sent: int
    seconds: float


def paired_at_for_this_week(now: datetime) -> datetime:
    """Four days before the latest Monday 10:00 (London) that has passed: this week's check-in is due."""
    local = now.astimezone(TIMEZONE)
    monday = local.date() - timedelta(days=local.weekday())
    slot = datetime.combine(monday, clock_time(10), tzinfo=TIMEZONE)
    if slot > local:
        slot -= timedelta(days=7)
    return (slot - timedelta(days=4)).astimezone(UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> tuple[float, float]:
    """(peak, current) resident set of a process, from /proc, in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                values[name] = int(rest.split()[0]) / 1024
    return values["VmHWM"], values["VmRSS"]


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


async def prepare(url: str, participants: int, fake_url: str) -> None:
    async with Database(url) as database:
        await database.migrate()
        if participants:
            await seed_program(
                database.unit_of_work,
                participants // 2,
                teams_service_url=lambda tenant: f"{fake_url}/teams/{tenant}/",
                paired_at=paired_at_for_this_week(datetime.now(UTC)),
            )


async def count_deliveries(url: str) -> int:
    async with Database(url) as database:
        async with database.unit_of_work() as uow:
            return sum((await uow.deliveries.count_by_status()).values())


def measure(label: str, url: str, participants: int, seconds: float, fake_url: str) -> Measure:
    asyncio.run(prepare(url, participants, fake_url))
    port = free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_", "OPENAI_"))
        },
        "DATABASE_URL": url,
        "PORT": str(port),
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": "benchmark-signing-secret",
        "SLACK_API_URL": f"{fake_url}/slack/api/",
        "MENTORBOT_TICK_SECONDS": "3600",
    }
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        started = time.monotonic()
        peak = end = 0.0
        try:
            while time.monotonic() - started < seconds:
                if server.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"mentorbot serve exited:\n{log.read()[-3000:]}")
                peak, end = memory_mb(server.pid)
                time.sleep(0.25)
            peak, end = memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    enqueued = asyncio.run(count_deliveries(url))
    sent = sum(get_json(f"{fake_url}/stats")["received"].values())  # type: ignore[union-attr]
    return Measure(label, participants, peak, end, enqueued, sent, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=90.0, help="how long the server runs while measured")
    parser.add_argument("--database-url", default=None, help="an empty database to use instead of SQLite")
    parser.add_argument("--rate", type=float, default=50.0)
    args = parser.parse_args()

    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.delivery.fake_platforms",
            "--rate",
            str(args.rate),
            "--latency",
            "0.05",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = fake.stdout.readline() if fake.stdout else ""
        fake_url = f"http://127.0.0.1:{int(line.split()[1])}"
        results = []
        with tempfile.TemporaryDirectory() as folder:
            idle_url = f"sqlite+aiosqlite:///{Path(folder) / 'idle.db'}"
            print("measuring an idle server…", file=sys.stderr, flush=True)
            results.append(measure("idle, empty database", idle_url, 0, 15.0, fake_url))
            url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'program.db'}"
            print(f"measuring a server with {args.participants:,} participants…", file=sys.stderr, flush=True)
            results.append(measure("program", url, args.participants, args.seconds, fake_url))
    finally:
        fake.terminate()
        fake.wait(10)

    store = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n`mentorbot serve` memory ({store}; Slack and Teams connected to fake platforms at {args.rate:g} req/s)\n"
    )
    print(
        "| server | participants | peak RSS MB | RSS at end MB | deliveries enqueued | sent in window | window s |"
    )
    print(
        "| ------ | ------------ | ----------- | ------------- | ------------------- | -------------- | -------- |"
    )
    for r in results:
        print(
            f"| {r.label} | {r.participants:,} | {r.peak_mb:.0f} | {r.end_mb:.0f} | {r.enqueued:,} | {r.sent:,} | {r.seconds:.0f} |"
        )


if __name__ == "__main__":
    main()
