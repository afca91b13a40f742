"""Fan-out benchmark: a weekly check-in for every person of N/2 pairs, through the real Slack and Teams
chat ports, to fake platforms on 127.0.0.1 that enforce a rate and answer 429 beyond it.

Run alone: `.venv/bin/python bench/fanout.py [--recipients 20000] [--rate 50]`. The default is 2,000
recipients so the whole table takes about two minutes on two cores; `--recipients 20000` is the
10,000-pair run. `.venv/bin/python bench/fanout.py --enqueue-only` times the tick alone (below).

Each scenario starts from an empty database: the program (pairs half on a Slack workspace, half on a
Teams tenant) is written directly, then one engine tick at Monday 10:30 enqueues the check-ins, then the
sender replicas start, each a process of its own (`tests/integration/delivery/sender_process.py`) with
the real `SlackChat` and Teams chat port, pacing at the platform's rate. The fake platforms run in
another process and count every message they accept, per recipient.

- wall: from the moment the replicas are told to go (after Python has started and connected) to the
  moment the last one has found nothing left to send, on the wall clock.
- ideal: the busiest workspace's recipients ÷ the rate per workspace (Slack and Teams each have their
  own limit, as the real platforms do); ratio = wall ÷ ideal. 1.00 means the platform's budget was used
  from the first message to the last.
- 429s: answered by the fake platforms. lost: recipients who received nothing. duplicated: messages
  beyond the first per recipient.
- enqueue: the tick that creates the check-ins (and their prompts) in the database.

`--enqueue-only` times the tick alone, without platforms or senders: for each store it seeds
`--recipients`/2 pairs (default here 10,000 pairs, 20,000 check-ins), times one `enqueue_due` (the check-ins
with their prompts prepared) and then a second one, which must enqueue nothing (the idempotency keys make it
a no-op), and prints one row per store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import freeze_startup_objects  # noqa: E402
from conversations.clock import ManualClock  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.integration.delivery.replica import build_replica  # noqa: E402
from tests.integration.delivery.seeding import CHECKIN_TICK, SeededProgram, recipient_key, seed_program  # noqa: E402
from tests.support.postgres import temporary_database, unreachable_reason  # noqa: E402


@dataclass(frozen=True)
class Scenario:
    store: str  # "sqlite" | "postgres"
    replicas: int

    @property
    def name(self) -> str:
        return f"{self.store} ×{self.replicas}"


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    recipients: int
    wall: float
    ideal: float
    rejected: int
    lost: int
    duplicated: int
    enqueue: float
    sent_by: tuple[int, ...]

    @property
    def ratio(self) -> float:
        return self.wall / self.ideal


@contextmanager
def fake_platforms(rate: float, latency: float) -> Iterator[tuple[str, int]]:
    """The fake Slack and Teams in a process of their own; yields (base URL, port)."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.delivery.fake_platforms",
            "--rate",
            str(rate),
            "--latency",
            str(latency),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("listening "):
            raise RuntimeError("the fake platforms did not start")
        port = int(line.split()[1])
        yield f"http://127.0.0.1:{port}", port
    finally:
        process.terminate()
        process.wait(10)


def fetch_stats(base_url: str) -> dict[str, object]:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}/stats", timeout=30) as response:
        return json.loads(response.read())


@contextmanager
def database_for(store: str) -> Iterator[str]:
    if store == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
    else:
        with temporary_database() as url:
            yield url


async def prepare(url: str, base_url: str, pairs: int, rate: float) -> tuple[SeededProgram, float]:
    async with Database(url) as database:
        await database.migrate()
        program = await seed_program(
            database.unit_of_work, pairs, teams_service_url=lambda tenant: f"{base_url}/teams/{tenant}/"
        )
        started = time.perf_counter()
        tick = await build_replica(
            database.unit_of_work, ManualClock(CHECKIN_TICK), f"{base_url}/slack/api/", rate=rate
        ).bot.jobs.enqueue_due()
        enqueue = time.perf_counter() - started
    if tick.checkins != len(program.people):
        raise RuntimeError(f"the tick enqueued {tick.checkins} check-ins for {len(program.people)} people")
    return program, enqueue


def launch_sender(
    url: str, base_url: str, rate: float, in_flight: int, log: IO[str], *options: str
) -> subprocess.Popen[str]:
    """A sender replica in a process of its own (`tests/integration/delivery/sender_process.py`): it
    connects, then waits to be told to go (`wait_ready`, then `go`), so several can start together."""
    command = [
        sys.executable,
        "-m",
        "tests.integration.delivery.sender_process",
        "--database-url",
        url,
        "--slack-url",
        f"{base_url}/slack/api/",
        "--rate",
        str(rate),
        "--in-flight",
        str(in_flight),
        *options,
        "--ready",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_ready(process: subprocess.Popen[str]) -> None:
    if (process.stdout.readline() if process.stdout else "").strip() != "ready":
        raise RuntimeError("a sender replica did not start")


def go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def run_replicas(
    url: str, base_url: str, count: int, rate: float, in_flight: int
) -> tuple[float, tuple[int, ...]]:
    """Start `count` sender processes, let them connect, start them together; wall time and sends."""
    with ExitStack() as stack:
        processes = []
        logs = []
        for _ in range(count):
            log = stack.enter_context(tempfile.TemporaryFile("w+"))
            logs.append(log)
            process = launch_sender(url, base_url, rate, in_flight, log)
            stack.callback(process.kill)
            processes.append(process)
        for process in processes:
            wait_ready(process)
        for process in processes:
            go(process)
        reports = []
        for process, log in zip(processes, logs, strict=False):
            out, _ = process.communicate(timeout=3600)
            if process.returncode != 0:
                log.seek(0)
                raise RuntimeError(f"a sender replica failed ({process.returncode}):\n{log.read()[-3000:]}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
    return wall, tuple(int(r["sent"]) for r in reports)


def run_scenario(
    scenario: Scenario, recipients: int, rate: float, latency: float, in_flight: int, share_rate: bool
) -> Result:
    pairs = recipients // 2
    pace = rate / scenario.replicas if share_rate else rate
    with fake_platforms(rate, latency) as (base_url, _port), database_for(scenario.store) as url:
        program, enqueue = asyncio.run(prepare(url, base_url, pairs, rate))
        wall, sent_by = run_replicas(url, base_url, scenario.replicas, pace, in_flight)
        stats = fetch_stats(base_url)
    received: dict[str, int] = stats["received"]  # type: ignore[assignment]
    expected = {recipient_key(p) for p in program.people}
    busiest = max(program.count_on("slack"), program.count_on("teams"))
    return Result(
        scenario,
        len(expected),
        wall,
        busiest / rate,
        int(stats["rejected"]),  # type: ignore[arg-type]
        len(expected - received.keys()),
        sum(count - 1 for count in received.values() if count > 1)
        + sum(1 for k in received if k not in expected),
        enqueue,
        sent_by,
    )


def print_table(results: list[Result], rate: float, latency: float) -> None:
    print(
        f"\nFan-out: weekly check-ins through the Slack and Teams chat ports; {rate:g} requests/s per workspace"
        f" and per tenant, {latency * 1000:g} ms per request, half the recipients on each platform\n"
    )
    header = (
        "store",
        "replicas",
        "recipients",
        "wall s",
        "ideal s",
        "ratio",
        "429s",
        "lost",
        "duplicated",
        "sent by",
        "enqueue s",
    )
    rows = [
        (
            r.scenario.store,
            str(r.scenario.replicas),
            f"{r.recipients:,}",
            f"{r.wall:.1f}",
            f"{r.ideal:.1f}",
            f"{r.ratio:.3f}",
            str(r.rejected),
            str(r.lost),
            str(r.duplicated),
            "+".join(map(str, r.sent_by)),
            f"{r.enqueue:.1f}",
        )
        for r in results
    ]
    markdown_table(header, rows, text_columns=2)


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]], text_columns: int) -> None:
    """A Markdown table: the first `text_columns` columns left-aligned, the figures right-aligned."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        cells = (
            c.rjust(w) if i >= text_columns else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        print("| " + " | ".join(cells) + " |")


@dataclass(frozen=True)
class EnqueueResult:
    store: str
    pairs: int
    checkins: int
    deliveries: int
    first: float
    second: float

    @property
    def per_second(self) -> float:
        return self.checkins / self.first if self.first else float("inf")


async def time_enqueue(url: str, pairs: int) -> EnqueueResult:
    """Seed `pairs` pairs, then time the tick that enqueues their check-ins, and a second tick."""
    dummy = "http://127.0.0.1:9"  # never called: enqueuing touches the database only
    async with Database(url) as database:
        await database.migrate()
        program = await seed_program(
            database.unit_of_work, pairs, teams_service_url=lambda tenant: f"{dummy}/teams/{tenant}/"
        )
        bot = build_replica(
            database.unit_of_work, ManualClock(CHECKIN_TICK), f"{dummy}/slack/api/", rate=50
        ).bot
        freeze_startup_objects()  # as `mentorbot tick` and `serve` do once wired
        started = time.perf_counter()
        first = await bot.jobs.enqueue_due()
        first_time = time.perf_counter() - started
        bot.jobs._hourly_ran_at = None  # the second tick does everything the first did, nudges included
        started = time.perf_counter()
        second = await bot.jobs.enqueue_due()
        second_time = time.perf_counter() - started
        async with database.unit_of_work() as uow:
            deliveries = sum((await uow.deliveries.count_by_status()).values())
    if first.checkins != len(program.people):
        raise RuntimeError(f"the tick enqueued {first.checkins} check-ins for {len(program.people)} people")
    if second.checkins != 0 or deliveries != len(program.people):
        raise RuntimeError(
            f"a second tick was not a no-op: {second.checkins} more check-ins, {deliveries} deliveries"
        )
    store = "postgres" if url.startswith("postgresql") else "sqlite"
    return EnqueueResult(store, pairs, first.checkins, deliveries, first_time, second_time)


def run_enqueue_only(stores: list[str], recipients: int) -> None:
    postgres_problem = unreachable_reason()
    results = []
    for store in stores:
        if store == "postgres" and postgres_problem:
            print(f"skipping postgres: {postgres_problem}", file=sys.stderr)
            continue
        print(
            f"seeding {recipients // 2:,} pairs on {store} and timing the tick…", file=sys.stderr, flush=True
        )
        with database_for(store) as url:
            results.append(asyncio.run(time_enqueue(url, recipients // 2)))
    print(
        "\nEnqueue: one scheduler tick (`Jobs.enqueue_due`) making every person's weekly check-in due,"
        " prompts prepared by a local suggester; then a second tick, which must add nothing\n"
    )
    header = ("store", "pairs", "check-ins", "deliveries", "enqueue s", "check-ins/s", "second tick s")
    rows = [
        (
            r.store,
            f"{r.pairs:,}",
            f"{r.checkins:,}",
            f"{r.deliveries:,}",
            f"{r.first:.2f}",
            f"{r.per_second:,.0f}",
            f"{r.second:.2f}",
        )
        for r in results
    ]
    markdown_table(header, rows, text_columns=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--recipients",
        type=int,
        default=None,
        help="people to reach (2 per pair); default 2000 (20000 with --enqueue-only); 20000 is the full run",
    )
    parser.add_argument(
        "--enqueue-only",
        action="store_true",
        help="time only the tick that enqueues the check-ins, on each store of --stores; no platforms, no senders",
    )
    parser.add_argument("--stores", default="sqlite,postgres", help="stores for --enqueue-only")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="requests/s the fake allows per workspace/tenant"
    )
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds the fake takes to answer a request"
    )
    parser.add_argument(
        "--in-flight", type=int, default=32, help="sends in flight per workspace in each replica"
    )
    parser.add_argument(
        "--share-rate",
        action="store_true",
        help="each of N replicas paces at rate ÷ N instead of the full rate (fewer 429s, same throughput)",
    )
    parser.add_argument("--scenarios", default="sqlite:1,postgres:1,postgres:2", help="store:replicas,...")
    args = parser.parse_args()

    if args.enqueue_only:
        run_enqueue_only([s.strip() for s in args.stores.split(",") if s.strip()], args.recipients or 20000)
        return
    args.recipients = args.recipients or 2000
    scenarios = [Scenario(s.split(":")[0], int(s.split(":")[1])) for s in args.scenarios.split(",")]
    postgres_problem = unreachable_reason()
    results = []
    for scenario in scenarios:
        if scenario.store == "postgres" and postgres_problem:
            print(f"skipping {scenario.name}: {postgres_problem}", file=sys.stderr)
            continue
        print(f"running {scenario.name} with {args.recipients:,} recipients…", file=sys.stderr, flush=True)
        results.append(
            run_scenario(scenario, args.recipients, args.rate, args.latency, args.in_flight, args.share_rate)
        )
    print_table(results, args.rate, args.latency)


if __name__ == "__main__":
    main()
