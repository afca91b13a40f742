"""A fake Slack Web API and Bot Connector on 127.0.0.1 that count every message and enforce a rate.

Each workspace (Slack, identified by its bot token) and tenant (Teams, in the service URL's path) has
a token bucket of `rate` requests per second with a burst of `burst`; beyond it the server answers 429
with Retry-After, like the real platforms. A `storm` answers 429 to every request for a number of
seconds, whatever the rate, with Retry-After saying how long is left. Every accepted message is counted
per recipient, so lost and repeated deliveries are visible even when the process that sent them was
killed; and every request that arrives while its workspace or tenant was told to wait is counted as
`early` (a client honouring Retry-After makes none; requests already on their way when the 429 was
answered get `early_grace` seconds to land).

In a thread of the test process the fake shares the interpreter with the client it measures, so on a
busy machine the client can take longer than the benchmark's 0.1 s to even read a 429: tests allow
`EARLY_GRACE` (0.25 s), still a small part of any storm they raise (3 s), in which a client that
ignored Retry-After would send hundreds of requests.

It runs either in a thread of the test process (`start()`) or as a process of its own
(`python -m tests.integration.delivery.fake_platforms --port ... --rate ...`), as the benchmark does so
the server does not share an event loop with the senders it measures. `GET /stats` reports the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SLACK_PREFIX = "/slack/api/"
EARLY_GRACE = 0.25
TEAMS_PREFIX = "/teams/"


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> float:
        """0 when a request may pass now; otherwise the seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class PlatformLimits:
    rate: float = 50.0
    """Requests per second per workspace or tenant; 0 for no limit."""
    burst: float | None = None
    """Requests allowed at once after a quiet spell; defaults to one second's worth."""
    latency: float = 0.0
    """Seconds each accepted request takes to answer, as a real API's round trip does."""
    early_grace: float = EARLY_GRACE
    """Seconds after a 429 in which a request still counts as already on its way, not early."""


class FakePlatforms:
    def __init__(self, limits: PlatformLimits | None = None, port: int = 0) -> None:
        self.limits = limits or PlatformLimits()
        self.port = port
        self.received: Counter[str] = Counter()
        """Accepted messages per recipient key (`slack:<workspace>:<channel>` / `teams:<tenant>:<conversation>`)."""
        self.rejected = 0
        """429s answered."""
        self._storm_until = 0.0
        self._armed_storm = 0.0
        self.early = 0
        """Requests that arrived while their workspace or tenant had been told to wait."""
        self._told_to_wait: dict[str, tuple[float, float]] = {}
        """Per limiter key: when the last 429 was answered, and until when it said to wait."""
        self._buckets: dict[str, TokenBucket] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # --- what tests and the benchmark read and steer -------------------------------------------------

    @property
    def slack_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{SLACK_PREFIX}"

    def teams_service_url(self, tenant: str) -> str:
        return f"http://127.0.0.1:{self.port}{TEAMS_PREFIX}{tenant}/"

    def storm(self, seconds: float) -> None:
        """Answer 429 to every request for the next `seconds`, whatever the rate."""
        with self._lock:
            self._storm_until = max(self._storm_until, time.monotonic() + seconds)

    def storm_from_next_request(self, seconds: float) -> None:
        """Start a storm of `seconds` when the next request arrives, however long the sender takes to start."""
        with self._lock:
            self._armed_storm = seconds

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"received": dict(self.received), "rejected": self.rejected, "early": self.early}

    def total_received(self) -> int:
        with self._lock:
            return sum(self.received.values())

    # --- serving -------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(SLACK_PREFIX + "{method}", self._slack)
        app.router.add_post(TEAMS_PREFIX + "{tenant}/v3/conversations/{conversation}/activities", self._teams)
        app.router.add_get("/stats", self._stats)
        return app

    async def serve(self) -> None:
        """Serve on this event loop until cancelled."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def start(self) -> FakePlatforms:
        """Serve from a thread of its own, so a blocking client in the test's loop cannot stall it."""
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.serve())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-platforms", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake platforms did not start")
        return self

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    # --- handlers ------------------------------------------------------------------------------------

    def _admit(self, limiter_key: str) -> float:
        """0 to accept; otherwise Retry-After seconds."""
        with self._lock:
            now = time.monotonic()
            if self._armed_storm:
                self._storm_until, self._armed_storm = now + self._armed_storm, 0.0
            issued, until = self._told_to_wait.get(limiter_key, (0.0, 0.0))
            if issued + self.limits.early_grace <= now < until:
                self.early += 1
            wait = self._storm_until - now
            if wait <= 0 and self.limits.rate > 0:
                bucket = self._buckets.get(limiter_key)
                if bucket is None:
                    burst = self.limits.burst if self.limits.burst is not None else max(1.0, self.limits.rate)
                    bucket = self._buckets[limiter_key] = TokenBucket(self.limits.rate, burst)
                wait = bucket.take()
            if wait <= 0:
                return 0.0
            wait = float(math.ceil(wait))
            self.rejected += 1
            self._told_to_wait[limiter_key] = (now, max(until, now + wait))
            return wait

    def _record(self, recipient: str) -> str:
        with self._lock:
            self.received[recipient] += 1
            return str(next(self._ids))

    async def _slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        workspace = token.removeprefix("xoxb-") or "none"  # the tests' tokens are `xoxb-<workspace>`
        wait = self._admit(f"slack:{workspace}")
        if wait > 0:
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(math.ceil(wait))},
            )
        body = await _json_body(request)
        if self.limits.latency:
            await asyncio.sleep(self.limits.latency)
        if method == "chat.postMessage":
            channel = str(body.get("channel") or "")
            if not channel or not (body.get("text") or body.get("blocks")):
                return web.json_response({"ok": False, "error": "no_text"})
            ts = f"{int(time.time())}.{self._record(f'slack:{workspace}:{channel}'):0>6}"
            dm = "D" + channel[1:] if channel.startswith("U") else channel
            return web.json_response({"ok": True, "channel": dm, "ts": ts})
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": workspace, "user_id": "UBOT", "bot_id": "BBOT"})
        if method == "conversations.open":
            users = str(body.get("users") or "")
            return web.json_response({"ok": True, "channel": {"id": "G" + users.replace(",", "-")}})
        return web.json_response({"ok": False, "error": "unknown_method"}, status=404)

    async def _teams(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        conversation = request.match_info["conversation"]
        wait = self._admit(f"teams:{tenant}")
        if wait > 0:
            return web.json_response(
                {"error": {"code": "TooManyRequests"}},
                status=429,
                headers={"Retry-After": str(math.ceil(wait))},
            )
        activity = await _json_body(request)
        if self.limits.latency:
            await asyncio.sleep(self.limits.latency)
        if activity.get("type") != "message":
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        return web.json_response({"id": f"1:{self._record(f'teams:{tenant}:{conversation}')}"}, status=201)

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response(self.stats())


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Slack and Teams APIs that enforce a rate.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--burst", type=float, default=None)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakePlatforms(PlatformLimits(args.rate, args.burst, args.latency), args.port)

    async def run() -> None:
        await fake.serve()
        print(f"listening {fake.port}", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
