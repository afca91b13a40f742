"""Fan-out benchmark: a weekly check-in for every person of N/2 pairs, through the real Slack and Teams
chat ports, to fake platforms on 127.0.0.1 that enforce a rate and answer 429 beyond it.

Run alone: `.venv/bin/python bench/fanout.py [--recipients 20000] [--rate 50]`. The default is 2,000
recipients so the whole table takes about two minutes on two cores; `--recipients 20000` is the
10,000-pair run.

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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
        [sys.executable, "-m", "tests.integration.delivery.fake_platforms", "--rate", str(rate), "--latency", str(latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
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
        ).bot.enqueue_due()
        enqueue = time.perf_counter() - started
    if tick.checkins != len(program.people):
        raise RuntimeError(f"the tick enqueued {tick.checkins} check-ins for {len(program.people)} people")
    return program, enqueue


def run_replicas(url: str, base_url: str, count: int, rate: float, in_flight: int) -> tuple[float, tuple[int, ...]]:
    """Start `count` sender processes, let them connect, start them together; wall time and sends."""
    command = [
        sys.executable, "-m", "tests.integration.delivery.sender_process", "--database-url", url,
        "--slack-url", f"{base_url}/slack/api/", "--rate", str(rate), "--in-flight", str(in_flight), "--ready",
    ]
    with ExitStack() as stack:
        processes = []
        logs = []
        for _ in range(count):
            log = stack.enter_context(tempfile.TemporaryFile("w+"))
            logs.append(log)
            process = subprocess.Popen(
                command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            stack.callback(process.kill)
            processes.append(process)
        for process in processes:
            if (process.stdout.readline() if process.stdout else "").strip() != "ready":
                raise RuntimeError("a sender replica did not start")
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process, log in zip(processes, logs):
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
        sum(count - 1 for count in received.values() if count > 1) + sum(1 for k in received if k not in expected),
        enqueue,
        sent_by,
    )


def print_table(results: list[Result], rate: float, latency: float) -> None:
    print(f"\nFan-out: weekly check-ins through the Slack and Teams chat ports; {rate:g} requests/s per workspace"
          f" and per tenant, {latency * 1000:g} ms per request, half the recipients on each platform\n")
    header = ("store", "replicas", "recipients", "wall s", "ideal s", "ratio", "429s", "lost", "duplicated", "sent by", "enqueue s")
    rows = [
        (r.scenario.store, str(r.scenario.replicas), f"{r.recipients:,}", f"{r.wall:.1f}", f"{r.ideal:.1f}",
         f"{r.ratio:.3f}", str(r.rejected), str(r.lost), str(r.duplicated), "+".join(map(str, r.sent_by)),
         f"{r.enqueue:.1f}")
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000, help="people to reach (2 per pair); 20000 is the full run")
    parser.add_argument("--rate", type=float, default=50.0, help="requests/s the fake allows per workspace/tenant")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake takes to answer a request")
    parser.add_argument("--in-flight", type=int, default=32, help="sends in flight per workspace in each replica")
    parser.add_argument(
        "--share-rate", action="store_true",
        help="each of N replicas paces at rate ÷ N instead of the full rate (fewer 429s, same throughput)",
    )
    parser.add_argument("--scenarios", default="sqlite:1,postgres:1,postgres:2", help="store:replicas,...")
    args = parser.parse_args()

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
