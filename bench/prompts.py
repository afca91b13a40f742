"""Prompt preparation for 10,000 pairs against a fake OpenAI-compatible server with a set latency.

Prints wall time against concurrency, what a fully cached re-run costs, how fast the weekly fan-out
reads the cache (and that it sends no LLM request at all), and what a hung LLM costs with the circuit
breaker. The fake runs in its own process so its work does not slow the client being measured.

    python bench/prompts.py [--pairs 10000] [--latency 0.05] [--concurrency 16,64,256]
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
from pathlib import Path

from adapters.llm import CircuitBreaker, OpenAISuggester
from conversations.ports import PairContext
from conversations.prompts import (
    FallbackSuggester,
    LibrarySuggester,
    prepare_weekly_prompts,
    prompts_for_fanout,
)
from storage.database import Database

API_KEY = "bench-key"
SKILLS = [
    "Python",
    "Power BI",
    "ChatGPT prompting",
    "Figma",
    "SQL",
    "automation",
    "negotiation",
    "budgeting",
    "hiring",
    "operations",
    "strategy",
    "public speaking",
]
GOALS = [
    "Use AI assistants for my weekly reports",
    "Read dashboards without help",
    "Run better hybrid meetings",
    "Understand how strategy is set",
    "Get promoted to team lead",
    "Give better feedback",
    "Learn what our competitors do online",
    "Build a network outside my team",
]


def pair(i: int, week: str) -> PairContext:
    return PairContext(
        pairing_id=f"pair-{i:05d}",
        week=week,
        leader_name=f"Leader {i}",
        mentor_name=f"Mentor {i}",
        leader_skills=(SKILLS[i % 12], SKILLS[(i * 5 + 3) % 12]),
        mentor_skills=(SKILLS[(i * 7) % 12], SKILLS[(i * 11 + 1) % 12]),
        leader_goals=(GOALS[i % 8],),
        mentor_goals=(GOALS[(i * 3 + 5) % 8],),
        recent_outcomes=("met",) if i % 3 else ("not_yet",),
    )


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


async def run(pairs: int, latency: float, levels: list[int]) -> None:
    library = LibrarySuggester()
    fake, base_url = start_fake(latency)
    hung, hung_url = start_fake(3600.0)
    workdir = tempfile.TemporaryDirectory()
    database = Database(f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}")
    try:
        await database.migrate()
        print(f"prompts for {pairs:,} pairs; fake LLM answers after {latency * 1000:.0f} ms; cache in SQLite")
        print()
        header = f"{'concurrency':>11} | {'wall time':>9} | {'pairs/s':>8} | {'floor':>7} | {'LLM requests':>12} | {'from LLM':>8} | {'library':>7}"
        print(header)
        print("-" * len(header))
        week = ""
        for n, concurrency in enumerate(levels):
            week = f"2025-W{10 + n:02d}"
            contexts = [pair(i, week) for i in range(pairs)]
            llm = OpenAISuggester.connect(API_KEY, base_url, timeout=15.0, library=library)
            before = requests_served(base_url)
            started = time.perf_counter()
            report = await prepare_weekly_prompts(
                database.unit_of_work,
                FallbackSuggester(llm, library),
                contexts,
                week,
                concurrency=concurrency,
            )
            wall = time.perf_counter() - started
            await llm.aclose()
            sent = requests_served(base_url) - before
            floor = pairs * latency / concurrency
            print(
                f"{concurrency:>11} | {wall:>8.1f}s | {pairs / wall:>8.0f} | {floor:>6.1f}s | {sent:>12,} | "
                f"{report.from_llm:>8,} | {report.from_library:>7,}"
            )
        print()
        print("floor = pairs x latency / concurrency: the best any client could do")
        print()

        contexts = [pair(i, week) for i in range(pairs)]
        llm = OpenAISuggester.connect(API_KEY, base_url, timeout=15.0, library=library)
        before = requests_served(base_url)
        started = time.perf_counter()
        again = await prepare_weekly_prompts(
            database.unit_of_work, FallbackSuggester(llm, library), contexts, week
        )
        rerun = time.perf_counter() - started
        await llm.aclose()
        print(
            f"re-run for {week}, all cached:     {rerun:6.2f}s, {again.already_cached:,} skipped, "
            f"{requests_served(base_url) - before} LLM requests"
        )

        before = requests_served(base_url)
        started = time.perf_counter()
        sources: dict[str, int] = {}
        async with database.unit_of_work() as uow:
            for context in contexts:
                prompts = await prompts_for_fanout(uow, library, context)
                sources[prompts.source] = sources.get(prompts.source, 0) + 1
        fanout = time.perf_counter() - started
        print(
            f"fan-out read of {pairs:,} pairs:     {fanout:6.2f}s ({fanout / pairs * 1e6:.0f} µs/pair), "
            f"{requests_served(base_url) - before} LLM requests, sources {sources}"
        )

        late = [pair(pairs + i, week) for i in range(1000)]
        started = time.perf_counter()
        async with database.unit_of_work() as uow:
            for context in late:
                await prompts_for_fanout(uow, library, context)
        missing = time.perf_counter() - started
        print(
            f"fan-out, 1,000 pairs not cached:  {missing:6.2f}s ({missing / 1000 * 1e6:.0f} µs/pair), "
            "library on the spot, 0 LLM requests"
        )

        outage_timeout, outage_concurrency = 2.0, 64
        breaker = CircuitBreaker()
        llm = OpenAISuggester.connect(
            API_KEY, hung_url, timeout=outage_timeout, library=library, breaker=breaker
        )
        contexts = [pair(i, "2025-W40") for i in range(pairs)]
        started = time.perf_counter()
        report = await prepare_weekly_prompts(
            database.unit_of_work,
            FallbackSuggester(llm, library),
            contexts,
            "2025-W40",
            concurrency=outage_concurrency,
        )
        outage = time.perf_counter() - started
        await llm.aclose()
        print(
            f"hung LLM, timeout {outage_timeout:.0f}s, concurrency {outage_concurrency}: {outage:6.2f}s for {pairs:,} pairs, "
            f"{requests_served(hung_url)} LLM requests, {report.from_library:,} from the library, circuit {breaker.state}"
        )
    finally:
        await database.dispose()
        for process in (fake, hung):
            process.terminate()
            process.wait(timeout=10)
        workdir.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake LLM takes per answer")
    parser.add_argument("--concurrency", default="16,64,256", help="comma-separated levels to measure")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.pairs, args.latency, [int(c) for c in args.concurrency.split(",")]))


if __name__ == "__main__":
    main()
