"""Delivery under platform faults: the outbox sender against a 429 storm, and against `kill -9`.

Why: `bench/fanout.py` measures a fan-out on a well-behaved platform. The README ("Delivery, several
replicas, and cron") also promises what happens when things go wrong: a 429 holds every send of the
workspace / tenant until Retry-After and nothing arrives early, is lost or repeats; and a sender killed
at any moment repeats at most the requests that were on the wire, about rate x latency + 1. This
script measures both, per platform (Slack, Teams) and per store (SQLite, PostgreSQL), each run on an
empty database seeded by `tests/integration/delivery/seeding.py`, with the check-ins enqueued by one
engine tick and sent by `tests/integration/delivery/sender_process.py` processes (helpers reused from
`bench/fanout.py`). Run alone: `.venv/bin/python bench/delivery_faults.py [--store sqlite|postgres|both]`.

STORM: the fake platforms run in a thread of this process (their CLI has no storm control) and allow
`--rate` requests/s per workspace / tenant with a burst of `--burst`; the sender paces at `--rate` too
(or `--pace`). Once a third of the recipients have received their message, `storm(--storm)` answers
429 with Retry-After to everything. Columns: delivered (recipients that got their message), wall (the
sender's go to its exit), ratio = delivered / (wall - storm seconds) / rate (goal >= 0.95), early
(requests that arrived while their workspace / tenant had been told to wait, beyond the fake's 0.1 s
grace for requests already on the wire; goal 0), lost and duplicated (goal 0), 429s answered (the
storm's, plus any earned by requests that land less than 1 / rate apart).
The default burst is 2, not 1: with burst 1 every pair of requests landing even a few ms closer than
1 / rate (the gate spaces slots evenly, but connection set-up, thread pools and scheduling between the
gate and the wire are not even) earns a 429, and each costs a whole second (Retry-After is in whole
seconds), so `--burst 1` measures that jitter rather than the storm (ratio ~0.1 on a 2-core machine).

CRASH: the fake runs as a process of its own, `--crash-rate` requests/s with `--crash-latency`
seconds per answer. A sender (`--lease-seconds`) starts; `--kill-after` seconds after the fake's
`/stats` first shows a message, it gets SIGKILL. How the columns are computed:
- at kill: messages the fake had recorded when the sender was dead (read right after `wait()`).
- landed: messages the fake recorded afterwards, after waiting latency + 0.5 s: requests it was still
  processing at the kill (the fake records a message once its latency has passed).
- recorded: delivery rows with status `sent` in the database after the kill (the process is dead, so
  this is final until the restart).
- in flight = |recipients the fake has after `landed` - recipients of rows recorded as sent|: messages
  the platform accepted but the database does not know about. These, and only these, are at risk of
  being sent again; the goal is in flight <= bound = rate x latency + 1.
- repeats: recipients that received the message twice once a fresh sender (started at once) has
  finished the job after the lease; goal repeats <= in flight, and "outside" (repeated recipients not
  in the in-flight set) = 0. lost (goal 0); restart sent / restart s: the fresh sender's sends and time.
  A repeat "outside" was not caused by the kill: a send the sender cut at its lease's finish deadline
  (0.9 x lease after the claim) that reached the platform anyway, then was sent again.
Each crash is repeated `--runs` times, one row each.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.fanout import (  # noqa: E402
    database_for,
    fake_platforms,
    fetch_stats,
    go,
    launch_sender,
    markdown_table,
    run_replicas,
    wait_ready,
)
from conversations.clock import ManualClock  # noqa: E402
from conversations.domain import DeliveryStatus, UserRef  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.integration.delivery.fake_platforms import FakePlatforms, PlatformLimits  # noqa: E402
from tests.integration.delivery.replica import build_replica  # noqa: E402
from tests.integration.delivery.seeding import (  # noqa: E402
    CHECKIN_TICK,
    SeededProgram,
    recipient_key,
    seed_program,
)
from tests.support.postgres import unreachable_reason  # noqa: E402

POLL_SECONDS = 0.01
BENCH_EARLY_GRACE = 0.1
"""Stricter than the tests' grace: the benchmark runs on a quiet machine."""
RUN_LIMIT_SECONDS = 300.0
"""No wait in this script (for a storm trigger, a first message, a sender) lasts longer than this."""


async def seed(url: str, base_url: str, recipients: int, platform: str, rate: float) -> SeededProgram:
    """`recipients` people on one platform, each with a check-in due and enqueued by one tick."""
    async with Database(url) as database:
        await database.migrate()
        program = await seed_program(
            database.unit_of_work,
            recipients // 2,
            platforms=(platform,),
            teams_service_url=lambda tenant: f"{base_url}/teams/{tenant}/",
        )
        tick = await build_replica(
            database.unit_of_work, ManualClock(CHECKIN_TICK), f"{base_url}/slack/api/", rate=rate
        ).bot.jobs.enqueue_due()
    if tick.checkins != len(program.people):
        raise RuntimeError(f"the tick enqueued {tick.checkins} check-ins for {len(program.people)} people")
    return program


def lost_and_duplicated(received: Mapping[str, int], expected: set[str]) -> tuple[int, int]:
    lost = len(expected - received.keys())
    duplicated = sum(count - 1 if key in expected else count for key, count in received.items())
    return lost, duplicated


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    print(f"\n{title}\n")
    if not rows:
        print("(no runs)")
        return
    markdown_table(tuple(header), [tuple(row) for row in rows], text_columns=2)


# --- STORM ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StormResult:
    store: str
    platform: str
    recipients: int
    delivered: int
    wall: float
    storm: float
    """Seconds of storm actually applied (0 if the fan-out ended before the trigger)."""
    rate: float
    early: int
    lost: int
    duplicated: int
    rejected: int

    @property
    def ratio(self) -> float:
        return self.delivered / (self.wall - self.storm) / self.rate


def storm_when(
    fake: FakePlatforms, threshold: int, seconds: float, stop: threading.Event, applied: list[float]
) -> None:
    """Poll the in-process fake; once `threshold` messages have arrived, start the storm."""
    deadline = time.monotonic() + RUN_LIMIT_SECONDS
    while not stop.is_set() and time.monotonic() < deadline:
        if fake.total_received() >= threshold:
            fake.storm(seconds)
            applied.append(seconds)
            return
        stop.wait(POLL_SECONDS)


def run_storm(store: str, platform: str, args: argparse.Namespace) -> StormResult:
    fake = FakePlatforms(
        PlatformLimits(rate=args.rate, burst=args.burst, latency=args.latency, early_grace=BENCH_EARLY_GRACE)
    ).start()
    stop = threading.Event()
    applied: list[float] = []
    try:
        base_url = f"http://127.0.0.1:{fake.port}"
        with database_for(store) as url:
            program = asyncio.run(seed(url, base_url, args.recipients, platform, args.rate))
            threshold = max(1, round(len(program.people) * args.storm_at))
            watcher = threading.Thread(
                target=storm_when, args=(fake, threshold, args.storm, stop, applied), daemon=True
            )
            watcher.start()
            try:
                wall, _ = run_replicas(url, base_url, 1, args.pace or args.rate, args.in_flight)
            finally:
                stop.set()
                watcher.join(5)
        stats = fake.stats()
    finally:
        stop.set()
        fake.stop()
    received: dict[str, int] = stats["received"]
    expected = program.recipient_keys()
    lost, duplicated = lost_and_duplicated(received, expected)
    return StormResult(
        store,
        platform,
        len(expected),
        len(expected & received.keys()),
        wall,
        sum(applied),
        args.rate,
        int(stats["early"]),
        lost,
        duplicated,
        int(stats["rejected"]),
    )


# --- CRASH ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrashResult:
    store: str
    platform: str
    run: int
    recipients: int
    at_kill: int
    landed: int
    recorded: int
    in_flight: int
    bound: float
    repeats: int
    outside: int
    lost: int
    restart_sent: int
    restart_wall: float


def start_sender(url: str, base_url: str, args: argparse.Namespace, log: IO[str]) -> subprocess.Popen[str]:
    """A sender process, connected and told to go; returns once it has been told."""
    lease = ("--lease-seconds", str(args.lease_seconds))
    process = launch_sender(url, base_url, args.crash_rate, args.in_flight, log, *lease)
    try:
        wait_ready(process)
        go(process)
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return process


def received_of(base_url: str) -> dict[str, int]:
    return dict(fetch_stats(base_url)["received"])  # type: ignore[call-overload]


async def outbox_state(url: str) -> tuple[set[str], int]:
    """The recipients of rows the database holds as sent, and how many rows are not sent."""
    t = tables.deliveries
    query = select(t.c.platform, t.c.workspace_id, t.c.users).where(t.c.status == DeliveryStatus.SENT.value)
    async with Database(url) as database:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        async with database.unit_of_work() as uow:
            counts = await uow.deliveries.count_by_status()
    sent = {recipient_key(UserRef(platform, workspace, users[0])) for platform, workspace, users in rows}
    return sent, sum(n for status, n in counts.items() if status != DeliveryStatus.SENT)


def run_crash(store: str, platform: str, run: int, args: argparse.Namespace) -> CrashResult:
    processes: list[subprocess.Popen[str]] = []
    with ExitStack() as stack:
        base_url, _port = stack.enter_context(fake_platforms(args.crash_rate, args.crash_latency))
        url = stack.enter_context(database_for(store))
        log = stack.enter_context(tempfile.TemporaryFile("w+"))
        try:
            program = asyncio.run(seed(url, base_url, args.crash_recipients, platform, args.crash_rate))
            doomed = start_sender(url, base_url, args, log)
            processes.append(doomed)
            deadline = time.monotonic() + RUN_LIMIT_SECONDS
            while not received_of(base_url):
                if doomed.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sender ended, or sent nothing, before the kill")
                time.sleep(POLL_SECONDS)
            time.sleep(args.kill_after)
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait(10)
            at_kill = sum(received_of(base_url).values())
            time.sleep(args.crash_latency + 0.5)  # what the fake was still processing lands
            settled = received_of(base_url)
            recorded, _ = asyncio.run(outbox_state(url))
            in_flight = settled.keys() - recorded

            started = time.monotonic()
            processes.append(restarted := start_sender(url, base_url, args, log))
            out, _ = restarted.communicate(timeout=RUN_LIMIT_SECONDS)
            restart_wall = time.monotonic() - started
            if restarted.returncode != 0:
                log.seek(0)
                raise RuntimeError(f"the restarted sender failed: {log.read()[-3000:]}")
            restart_sent = int(json.loads(out.strip().splitlines()[-1])["sent"])
            final = received_of(base_url)
            if (left := asyncio.run(outbox_state(url))[1]) != 0:
                raise RuntimeError(f"{left} deliveries are not sent after the restart")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
    repeats = {key for key, count in final.items() if count > 1}
    lost, _ = lost_and_duplicated(final, program.recipient_keys())
    bound = args.crash_rate * args.crash_latency + 1
    return CrashResult(
        store,
        platform,
        run,
        len(program.people),
        at_kill,
        sum(settled.values()) - at_kill,
        len(recorded),
        len(in_flight),
        bound,
        len(repeats),
        len(repeats - in_flight),
        lost,
        restart_sent,
        restart_wall,
    )


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--mode", choices=("storm", "crash", "both"), default="both")
    parser.add_argument("--platforms", default="slack,teams", help="comma-separated: slack, teams")
    parser.add_argument("--in-flight", type=int, default=32, help="sends in flight per workspace/tenant")
    storm = parser.add_argument_group("storm")
    storm.add_argument("--recipients", type=int, default=600, help="recipients per platform")
    storm.add_argument("--rate", type=float, default=20.0, help="the fake's limit and the sender's pace")
    storm.add_argument("--burst", type=float, default=2.0, help="the fake's burst per workspace/tenant")
    storm.add_argument("--pace", type=float, default=None, help="the sender's pace (req/s); default --rate")
    storm.add_argument("--latency", type=float, default=0.1, help="seconds the fake takes to answer")
    storm.add_argument("--storm", type=float, default=3.0, help="seconds of 429 to everything")
    storm.add_argument("--storm-at", type=float, default=1 / 3, help="fraction arrived when the storm starts")
    crash = parser.add_argument_group("crash")
    crash.add_argument("--crash-recipients", type=int, default=200, help="recipients per platform")
    crash.add_argument("--crash-rate", type=float, default=40.0)
    crash.add_argument("--crash-latency", type=float, default=0.3)
    crash.add_argument("--kill-after", type=float, default=1.0, help="seconds after the first message")
    crash.add_argument("--lease-seconds", type=float, default=3.0)
    crash.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    began = time.perf_counter()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    if "postgres" in stores and (problem := unreachable_reason()):
        print(f"skipping postgres: {problem}", file=sys.stderr)
        stores.remove("postgres")
    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()]

    if args.mode in ("storm", "both"):
        storms = []
        for store, platform in itertools.product(stores, platforms):
            print(f"storm: {store} {platform}…", file=sys.stderr, flush=True)
            storms.append(run_storm(store, platform, args))
        print_table(
            f"STORM: the fake allows {args.rate:g} req/s per workspace/tenant (burst {args.burst:g},"
            f" {args.latency * 1000:g} ms), the sender paces at {args.pace or args.rate:g}/s;"
            f" {args.storm:g} s of 429 to everything after {args.storm_at:.0%} had arrived",
            (
                "store",
                "platform",
                "recipients",
                "delivered",
                "wall s",
                "ratio (≥0.95)",
                "early (0)",
                "lost (0)",
                "duplicated (0)",
                "429s",
            ),
            [
                (
                    r.store,
                    r.platform,
                    str(r.recipients),
                    str(r.delivered),
                    f"{r.wall:.1f}",
                    f"{r.ratio:.3f}",
                    str(r.early),
                    str(r.lost),
                    str(r.duplicated),
                    str(r.rejected),
                )
                for r in storms
            ],
        )
    if args.mode in ("crash", "both"):
        crashes = []
        for store, platform, run in itertools.product(stores, platforms, range(1, args.runs + 1)):
            print(f"crash: {store} {platform} run {run}…", file=sys.stderr, flush=True)
            crashes.append(run_crash(store, platform, run, args))
        print_table(
            f"CRASH: {args.crash_rate:g} req/s, {args.crash_latency * 1000:g} ms per answer; SIGKILL"
            f" {args.kill_after:g} s after the first message, then a fresh sender"
            f" ({args.lease_seconds:g} s lease)",
            (
                "store",
                "platform",
                "run",
                "recipients",
                "at kill",
                "landed",
                "recorded",
                "in flight",
                "bound",
                "repeats",
                "outside (0)",
                "lost (0)",
                "restart sent",
                "restart s",
            ),
            [
                (
                    r.store,
                    r.platform,
                    str(r.run),
                    str(r.recipients),
                    str(r.at_kill),
                    str(r.landed),
                    str(r.recorded),
                    str(r.in_flight),
                    f"{r.bound:g}",
                    str(r.repeats),
                    str(r.outside),
                    str(r.lost),
                    str(r.restart_sent),
                    f"{r.restart_wall:.1f}",
                )
                for r in crashes
            ],
        )
    print(f"\ntotal {time.perf_counter() - began:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
