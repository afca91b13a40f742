"""Development paths prepared for 10,000 pairs (20,000 people) against a fake OpenAI-compatible server
with a set latency, through the same job the clock runs after the introductions.

Prints wall time against concurrency, the LLM requests per person (the goal is at most one per round),
what a second run costs once every path is stored, and the library alone (no key). The fake runs in
its own process so its work does not slow the client being measured.

    python bench/growth.py [--pairs 10000] [--latency 0.1] [--concurrency 16,64]
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
from datetime import UTC, datetime
from pathlib import Path

from adapters.llm import OpenAIPathSuggester
from conversations.domain import Cycle, Pairing, Participant, Role, UserRef
from conversations.growth import FallbackPathSuggester, LibraryPathSuggester
from conversations.growth.preparation import prepare_paths
from conversations.matching.optimal import OptimalMatcher
from conversations.ports import PathSuggester, UnitOfWork
from conversations.prompts import LibrarySuggester
from conversations.services.context import Ctx, ProgramConfig
from storage.database import Database

API_KEY = "bench-key"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GOALS = [
    "Use AI assistants for my weekly reports",
    "Read dashboards without help",
    "Automate my expense approvals",
    "Understand how strategy is set",
    "Learn how budgets are made",
    "Give better feedback",
    "Build a network outside my team",
]
BATCH = 2_000


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


async def seed(database: Database, pairs: int, cycle_id: str) -> None:
    """One round of `pairs` introduced pairs, their people with goals of each kind."""
    async with database.unit_of_work() as uow:
        await uow.cycles.add(Cycle(cycle_id, int(cycle_id.rsplit("-", 1)[1]), NOW, 12))
        await uow.commit()
    for start in range(0, pairs, BATCH):
        async with database.unit_of_work() as uow:
            for i in range(start, min(pairs, start + BATCH)):
                leader = UserRef("slack", "T1", f"L{cycle_id}{i:05d}")
                mentor = UserRef("slack", "T1", f"M{cycle_id}{i:05d}")
                for user, role, goal in (
                    (leader, Role.LEADER, GOALS[i % 7]),
                    (mentor, Role.MENTOR, GOALS[(i + 3) % 7]),
                ):
                    await uow.participants.save(
                        Participant(
                            user, f"Person {user.user_id}", role, "Ops", 3, "UTC", ("Excel",), (goal,)
                        )
                    )
                await uow.pairings.add(Pairing(f"{cycle_id}-{i:05d}", cycle_id, leader, mentor, 1.0, (), NOW))
            await uow.commit()


def contexts(uow: UnitOfWork) -> Ctx:
    return Ctx(uow, NOW, ProgramConfig(), {}, OptimalMatcher(), LibrarySuggester())


async def one_round(
    workdir: Path, pairs: int, suggester: PathSuggester, concurrency: int, base_url: str | None
) -> tuple[float, int, int, float, int]:
    """(wall time, people, LLM requests, second run's wall time, its LLM requests) on a fresh database."""
    database = Database(f"sqlite+aiosqlite:///{workdir / f'bench-{concurrency}-{time.monotonic_ns()}.db'}")
    try:
        await database.migrate()
        await seed(database, pairs, "cycle-1")
        before = requests_served(base_url) if base_url else 0
        started = time.perf_counter()
        report = await prepare_paths(database.unit_of_work, contexts, suggester, concurrency=concurrency)
        wall = time.perf_counter() - started
        sent = (requests_served(base_url) - before) if base_url else 0
        started = time.perf_counter()
        again = await prepare_paths(database.unit_of_work, contexts, suggester, concurrency=concurrency)
        rerun = time.perf_counter() - started
        resent = (requests_served(base_url) - before - sent) if base_url else 0
        assert again.people == 0, again
        return wall, report.people, sent, rerun, resent
    finally:
        await database.dispose()


async def run(pairs: int, latency: float, levels: list[int]) -> None:
    fake, base_url = start_fake(latency)
    workdir = tempfile.TemporaryDirectory()
    try:
        print(
            f"paths for {pairs:,} pairs ({2 * pairs:,} people); fake LLM answers after {latency * 1000:.0f} ms; "
            "stored in SQLite"
        )
        print()
        header = (
            f"{'source':>8} | {'concurrency':>11} | {'wall time':>9} | {'people/s':>8} | {'floor':>7} | "
            f"{'LLM requests':>12} | {'per person':>10} | {'second run':>10} | {'its requests':>12}"
        )
        print(header)
        print("-" * len(header))
        for concurrency in levels:
            llm = OpenAIPathSuggester.connect(API_KEY, base_url, timeout=15.0)
            try:
                wall, people, sent, rerun, resent = await one_round(
                    Path(workdir.name), pairs, FallbackPathSuggester(llm), concurrency, base_url
                )
            finally:
                await llm.aclose()
            floor = people * latency / concurrency
            print(
                f"{'LLM':>8} | {concurrency:>11} | {wall:>8.1f}s | {people / wall:>8.0f} | {floor:>6.1f}s | "
                f"{sent:>12,} | {sent / people:>10.2f} | {rerun:>9.2f}s | {resent:>12,}"
            )
        wall, people, _sent, rerun, _resent = await one_round(
            Path(workdir.name), pairs, LibraryPathSuggester(), levels[0], None
        )
        print(
            f"{'library':>8} | {levels[0]:>11} | {wall:>8.1f}s | {people / wall:>8.0f} | {'—':>7} | "
            f"{0:>12,} | {0:>10.2f} | {rerun:>9.2f}s | {0:>12,}"
        )
        print()
        print("floor = people x latency / concurrency: the best any client could do")
    finally:
        fake.terminate()
        fake.wait(timeout=10)
        workdir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake LLM takes per answer")
    parser.add_argument("--concurrency", default="16,64", help="comma-separated levels to measure")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.pairs, args.latency, [int(c) for c in args.concurrency.split(",")]))


if __name__ == "__main__":
    main()
