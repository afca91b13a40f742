"""Learning resources prepared for 10,000 pairs (20,000 people) against a fake OpenAI-compatible server
with a set latency, as the weekly tick prepares them: in chunks of its check-ins, before the fan-out.

Prints wall time without a model (the deterministic picks) and with the model ranking each person's
shortlist at several concurrencies, what a re-run of the same week costs (the stored picks are read,
no request), and how many picks came from the model's ranking. The fake runs in its own process.

    python bench/resources.py [--pairs 10000] [--latency 0.1] [--concurrency 16,64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from adapters.llm import OpenAIResourceRanker
from conversations.domain import Cycle, Pairing, Participant, Role, UserRef
from conversations.growth.picks import ResourceLibrary
from conversations.growth.resource_catalogue import shipped_catalogue
from conversations.growth.resource_preparation import ResourcePreparation
from conversations.jobs import CHECKIN_CHUNK
from storage import convert, tables
from storage.database import Database

API_KEY = "bench-key"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GOALS = [
    "Generative AI",
    "Power BI",
    "prompting",
    "SQL",
    "automation",
    "negotiation",
    "budgeting",
    "hiring",
    "company strategy",
    "public speaking",
    "leading change",
]


def people_and_pairs(pairs: int) -> tuple[dict[UserRef, Participant], list[Pairing]]:
    people: dict[UserRef, Participant] = {}
    pairings: list[Pairing] = []
    for i in range(pairs):
        leader = UserRef("slack", "T1", f"UL{i:06d}")
        mentor = UserRef("slack", "T1", f"UM{i:06d}")
        people[leader] = Participant(
            leader,
            f"Leader {i}",
            Role.LEADER,
            "Sales",
            5,
            "UTC",
            learning_goals=(GOALS[i % 5], GOALS[(i * 3) % 11]),
        )
        people[mentor] = Participant(
            mentor, f"Mentor {i}", Role.MENTOR, "Tech", 1, "UTC", learning_goals=(GOALS[5 + i % 6],)
        )
        pairings.append(
            Pairing(f"pair-{i:06d}", "cycle-1", leader, mentor, 1.0, (), NOW - timedelta(days=30))
        )
    return people, pairings


async def seed(database: Database, people: dict[UserRef, Participant], pairings: list[Pairing]) -> None:
    async with database.unit_of_work() as uow:
        await uow.cycles.add(Cycle("cycle-1", 1, NOW - timedelta(days=30), 12))
        await uow.commit()
    async with database.engine.begin() as connection:  # 20,000 people at once, not one save each
        await connection.execute(
            insert(tables.participants), [convert.participant.values(p) for p in people.values()]
        )
        await connection.execute(insert(tables.pairings), [convert.pairing.values(p) for p in pairings])


def start_fake(latency: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_llm", "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def requests_served(base_url: str) -> int:
    stats_url = base_url.removesuffix("/v1") + "/fake/stats"
    with urllib.request.urlopen(stats_url, timeout=5) as response:  # noqa: S310 - loopback only
        return int(json.load(response)["requests"])


async def prepare_week(
    preparation: ResourcePreparation,
    database: Database,
    pairings: list[Pairing],
    people: dict[UserRef, Participant],
    week: str,
) -> int:
    """The tick's way: one preparation per chunk of check-ins. Returns the picks made or found."""
    due = [(p, member, week) for p in pairings for member in p.members()]
    found = 0
    for start in range(0, len(due), CHECKIN_CHUNK):
        made = await preparation.prepare(
            database.unit_of_work, due[start : start + CHECKIN_CHUNK], people, NOW
        )
        found += sum(len(r) for r in made.values())
    return found


async def run(pairs: int, latency: float, levels: list[int]) -> None:
    library = ResourceLibrary(shipped_catalogue())
    fake, base_url = start_fake(latency)
    workdir = tempfile.TemporaryDirectory()
    database = Database(f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}")
    try:
        await database.migrate()
        people, pairings = people_and_pairs(pairs)
        await seed(database, people, pairings)
        print(
            f"resources for {pairs:,} pairs ({2 * pairs:,} people); fake LLM answers after {latency * 1000:.0f} ms; SQLite"
        )
        print()
        header = f"{'ranking':>22} | {'wall time':>9} | {'people/s':>8} | {'floor':>7} | {'LLM requests':>12} | {'picks':>7}"
        print(header)
        print("-" * len(header))
        week_number = 10

        started = time.perf_counter()
        picks = await prepare_week(
            ResourcePreparation(library), database, pairings, people, f"2026-W{week_number:02d}"
        )
        wall = time.perf_counter() - started
        print(
            f"{'none (deterministic)':>22} | {wall:>8.1f}s | {2 * pairs / wall:>8.0f} | {'-':>7} | {0:>12,} | {picks:>7,}"
        )

        for concurrency in levels:
            week_number += 1
            ranker = OpenAIResourceRanker.connect(API_KEY, base_url, timeout=15.0)
            preparation = ResourcePreparation(library, ranker, concurrency=concurrency)
            before = requests_served(base_url)
            started = time.perf_counter()
            picks = await prepare_week(preparation, database, pairings, people, f"2026-W{week_number:02d}")
            wall = time.perf_counter() - started
            sent = requests_served(base_url) - before
            floor = 2 * pairs * latency / concurrency
            label = f"LLM, {concurrency} at once"
            print(
                f"{label:>22} | {wall:>8.1f}s | {2 * pairs / wall:>8.0f} | {floor:>6.1f}s | {sent:>12,} | {picks:>7,}"
            )
            last_week = f"2026-W{week_number:02d}"

            before = requests_served(base_url)
            started = time.perf_counter()
            picks = await prepare_week(preparation, database, pairings, people, last_week)
            rerun = time.perf_counter() - started
            await ranker.aclose()
            label = "re-run, all stored"
            sent = requests_served(base_url) - before
            print(
                f"{label:>22} | {rerun:>8.1f}s | {2 * pairs / rerun:>8.0f} | {'-':>7} | {sent:>12,} | {picks:>7,}"
            )
        print()
        print("floor = people x latency / concurrency: the best any client could do")
        print("the check-in chunks run one after another, as in the tick (1,000 check-ins each)")
    finally:
        fake.terminate()
        fake.wait()
        await database.dispose()
        workdir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", default="16,64")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.pairs, args.latency, [int(c) for c in args.concurrency.split(",")]))


if __name__ == "__main__":
    main()
