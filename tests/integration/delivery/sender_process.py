"""A sender replica as a process of its own, so a test can kill it with SIGKILL mid-batch and a
benchmark can run several side by side.

    python -m tests.integration.delivery.sender_process --database-url URL --slack-url URL [--ready]

It drains the outbox through the real Slack and Teams chat ports until no delivery is pending or
leased, then prints one JSON line: what it sent and when it started and finished (wall clock). With
`--ready` it prints `ready` once connected and waits for a line on stdin before sending, so the time
to start Python is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from datetime import timedelta

from adapters.teams.threads import use_request_threads
from conversations.clock import SystemClock
from conversations.domain import DeliveryStatus
from conversations.sender import SenderOptions, SendReport
from storage.database import Database
from tests.integration.delivery.replica import build_replica

IDLE_POLL_SECONDS = 0.05


async def run(args: argparse.Namespace) -> dict[str, object]:
    database = Database(args.database_url)
    options = SenderOptions(
        in_flight_per_workspace=args.in_flight,
        claim_size=args.claim_size,
        lease=timedelta(seconds=args.lease_seconds),
    )
    use_request_threads(args.in_flight + 8)  # as `serve` and `tick` do for Teams
    replica = build_replica(
        database.unit_of_work, SystemClock(), args.slack_url, rate=args.rate, options=options
    )
    try:
        await database.check_reachable()
        if args.ready:
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        started = time.time()
        total = SendReport()
        while True:
            report = await replica.bot.jobs.deliver_due()
            total += report
            if report.handled:
                continue
            async with database.unit_of_work() as uow:
                counts = await uow.deliveries.count_by_status()
            if not counts.get(DeliveryStatus.PENDING) and not counts.get(DeliveryStatus.SENDING):
                break
            await asyncio.sleep(IDLE_POLL_SECONDS)  # rows leased by another replica, or told to wait
        finished = time.time()
    finally:
        await database.dispose()
    return {
        "sent": total.sent,
        "retried": total.retried,
        "failed": total.failed,
        "rate_limited": total.rate_limited,
        "released": total.released,
        "started": started,
        "finished": finished,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--slack-url", required=True)
    parser.add_argument(
        "--rate", type=float, default=50.0, help="adapter pacing per workspace/tenant (req/s)"
    )
    parser.add_argument("--in-flight", type=int, default=SenderOptions.in_flight_per_workspace)
    parser.add_argument("--claim-size", type=int, default=SenderOptions.claim_size)
    parser.add_argument("--lease-seconds", type=float, default=SenderOptions.lease.total_seconds())
    parser.add_argument("--ready", action="store_true", help="print `ready`, then wait for a line on stdin")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
