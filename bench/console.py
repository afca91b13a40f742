"""Admin console benchmark: `stats` with its chart, and `export`, over a large program.

Run alone: `.venv/bin/python bench/console.py [--participants 20000] [--pairs 10000] [--weeks 12]
[--stores sqlite,postgres] [--repeats 3]`.

A program is written straight through the repositories (`tests/support/program_history.py`): the
participants of one Slack workspace, one round of pairs with a check-in per person per week (answers,
ratings and private notes), two goals per person (some done) and before/after self-assessments. Each
operation then runs in a fresh child process already connected to the database, as the engine runs it
for an admin's command (`Mentorbot.handle`, one unit of work, the chart drawn in a worker thread):
`seconds` is the command's wall time in that process, `peak RSS` the child's high-water mark
(`VmHWM` in /proc/self/status, which starts afresh at exec, unlike `ru_maxrss`, which keeps the
forked parent's size: the interpreter, the libraries and the connection are included), and `base RSS`
that mark just before the command, to show what the command itself adds. The median of `--repeats`
runs is shown, each in its own child.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conversations.app import Mentorbot  # noqa: E402
from conversations.clock import ManualClock  # noqa: E402
from conversations.domain import UserRef  # noqa: E402
from conversations.events import CommandReceived  # noqa: E402
from conversations.matching import OptimalMatcher  # noqa: E402
from conversations.prompts.library_suggester import LibrarySuggester  # noqa: E402
from conversations.services.context import ProgramConfig  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.support.program_history import ROUND_START, seed_history  # noqa: E402

WORKSPACE = "T0BENCH"
ADMIN = UserRef("slack", WORKSPACE, "UADMIN0")
OPERATIONS = ("stats", "export")


def high_water_mb() -> float:
    """This process's peak resident set since it started (exec'd), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def asked_at(weeks: int) -> object:
    return ROUND_START + timedelta(weeks=weeks - 1, days=3)


async def seed(url: str, participants: int, pairs: int, weeks: int) -> float:
    async with Database(url) as database:
        await database.migrate()
        started = time.perf_counter()
        await seed_history(
            database.unit_of_work,
            participants=participants,
            pairs=pairs,
            weeks=weeks,
            workspace_id=WORKSPACE,
        )
        return time.perf_counter() - started


async def run_operation(url: str, operation: str, weeks: int) -> dict[str, float]:
    """In the child: connect, then time one admin command through the engine."""
    async with Database(url) as database:
        config = ProgramConfig(admins=frozenset({ADMIN.user_id}), home_workspaces={"slack": WORKSPACE})
        engine = Mentorbot(
            database.unit_of_work,
            ManualClock(asked_at(weeks)),  # type: ignore[arg-type]
            OptimalMatcher(),
            LibrarySuggester(),
            config,
        )
        async with database.unit_of_work() as uow:  # connect before timing
            await uow.cycles.latest()
        base = high_water_mb()
        started = time.perf_counter()
        reply = await engine.handle(CommandReceived(ADMIN, operation, f"bench-{operation}-{time.time_ns()}"))
        seconds = time.perf_counter() - started
    attachment = reply.message.attachment if reply and reply.message else None
    if attachment is None:
        raise SystemExit(f"{operation} gave no file: {reply}")
    return {"seconds": seconds, "base_mb": base, "peak_mb": high_water_mb(), "bytes": attachment.size}


def child(url: str, operation: str, weeks: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", operation, "--url", url, "--weeks", str(weeks)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{operation} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=OPERATIONS)
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(run_operation(args.url, args.child, args.weeks))))
        return

    # Only the parent needs these (and what they import): a child's RSS is the engine's and storage's.
    from bench.fanout import database_for, markdown_table
    from tests.support.postgres import unreachable_reason

    rows: list[tuple[str, ...]] = []
    for store in args.stores.split(","):
        if store == "postgres" and (reason := unreachable_reason()):
            print(f"skipping PostgreSQL: {reason}")
            continue
        with database_for(store) as url:
            seeded = asyncio.run(seed(url, args.participants, args.pairs, args.weeks))
            print(
                f"{store}: seeded {args.participants:,} participants, {args.pairs:,} pairs, {args.weeks} weeks in {seeded:.0f} s"
            )
            for operation in OPERATIONS:
                runs = [child(url, operation, args.weeks) for _ in range(args.repeats)]
                seconds = statistics.median(r["seconds"] for r in runs)
                peak = statistics.median(r["peak_mb"] for r in runs)
                base = statistics.median(r["base_mb"] for r in runs)
                size = runs[0]["bytes"]
                label = "stats + chart" if operation == "stats" else "export (CSV)"
                rows.append(
                    (store, label, f"{seconds:.2f}", f"{peak:.0f}", f"{base:.0f}", f"{size / 1024:,.0f} KB")
                )
    print()
    print(
        f"{args.participants:,} participants, {args.pairs:,} pairs, {args.weeks} weeks of check-ins; "
        f"median of {args.repeats} runs, each in a fresh process"
    )
    markdown_table(("store", "operation", "seconds", "peak RSS MB", "base RSS MB", "file"), rows, 2)


if __name__ == "__main__":
    main()
