"""Slack acknowledgement latency: the Mentorbot server against a bare Bolt app that only acks.

Run alone: `.venv/bin/python bench/slack_ack.py [--rate 1000 --seconds 10]` (default 300/s for 5 s per
target). In one run it starts, each in its own process on 127.0.0.1:

- a sink standing in for Slack (Web API and response_url), which counts the answers the bot sends;
- `mentorbot serve` (`python -m bot serve`) with Slack credentials pointing at the sink and a fresh
  SQLite database; if that server does not answer on POST /slack/events yet, the same parts assembled
  here instead (bootstrap's container and web app, the Slack front end attached to it) — the table
  says which;
- a bare Bolt `AsyncApp` whose only listener acks `/mentor`, served the same way (stock settings,
  and once more with `process_before_response=True`, the setting Mentorbot uses).

The load generator sends signed `/mentor help` slash commands at a fixed rate (open loop: request i
is due at start + i/rate and its latency is counted from then, so a slow server cannot slow the
generator down and hide its own queueing). Each target gets a short warm-up first, then the targets
take turns for `--rounds` rounds so background noise on the machine falls on all of them alike. Latency is from
the due time to the complete HTTP response, i.e. the ack Slack would see. "answers" is how many
ephemeral replies reached the sink's response_url after the run: the engine's work after the ack.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-0000-token"
TEAM_ID = "T0BENCH"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the processes ------------------------------------------------------------------------------


async def run_sink(port: int) -> None:
    """Answers like Slack and counts response_url posts per path prefix."""
    counts: dict[str, int] = {}

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        await request.read()
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "team_id": TEAM_ID,
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "team": "Bench",
                    "user": "mentorbot",
                    "url": "https://bench.slack.com/",
                }
            )
        if method == "users.info":
            return web.json_response(
                {"ok": True, "user": {"id": "U1", "name": "u", "tz": "UTC", "profile": {}}}
            )
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": "D1", "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": True})

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        target = request.match_info["target"]
        counts[target] = counts.get(target, 0) + 1
        return web.Response(text="ok")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    app.router.add_route("*", "/api/{method}", api)
    app.router.add_post("/hooks/{target}/{n}", hook)
    app.router.add_get("/stats", stats)
    await _serve_forever(app, port)


async def _serve_forever(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


async def run_bare(port: int, api_url: str, before_response: bool) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=before_response,
    )

    @bolt.command("/mentor")
    async def only_ack(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    await _serve_forever(app, port)


async def run_assembled(port: int) -> None:
    """What `mentorbot serve` does for Slack, assembled from the same parts."""
    from adapters.slack.app import SlackConfig, SlackFrontEnd
    from adapters.slack.serving import attach_slack
    from bot.bootstrap import build_container
    from bot.settings import Settings
    from bot.web import build_web_app

    settings = Settings.from_env()
    container = build_container(settings)
    await container.database.migrate()
    app = build_web_app(container.database)
    front_end = SlackFrontEnd(
        container.bot,
        SlackConfig(
            settings.slack_bot_token or "", settings.slack_signing_secret or "", settings.slack_api_url
        ),
    )
    container.bot.register_chat(front_end.chat)
    attach_slack(app, front_end)
    await _serve_forever(app, port)


# --- the load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    name: str
    sent: int
    ok: int
    latencies_ms: list[float]
    answers: int

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[index]


def signed(body: str) -> dict[str, str]:
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body),
    }


def command_bodies(
    count: int, sink_url: str, target: str, text: str, first: int = 0
) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for n in range(first, first + count):
        body = urlencode(
            {
                "token": "x",
                "team_id": TEAM_ID,
                "team_domain": "bench",
                "channel_id": "C0BENCH",
                "channel_name": "bench",
                "user_id": f"U{n % 500:08d}",
                "user_name": "bench",
                "command": "/mentor",
                "text": text,
                "api_app_id": "A0BENCH",
                "is_enterprise_install": "false",
                "response_url": f"{sink_url}/hooks/{target}/{n}",
                "trigger_id": f"{n}.{time.time_ns()}.bench",
            }
        )
        out.append((body.encode(), signed(body)))
    return out


async def load(
    url: str, rate: float, seconds: float, sink_url: str, target: str, text: str, first: int = 0
) -> tuple[int, int, list[float]]:
    count = int(rate * seconds)
    requests = command_bodies(count, sink_url, target, text, first)
    latencies: list[float] = []
    ok = 0
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as session:

        async def one(due: float, body: bytes, headers: dict[str, str]) -> None:
            nonlocal ok
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        ok += 1
            except (TimeoutError, aiohttp.ClientError):
                return
            latencies.append((time.perf_counter() - due) * 1000)

        start = time.perf_counter() + 0.2
        await asyncio.gather(
            *(one(start + i / rate, body, headers) for i, (body, headers) in enumerate(requests))
        )
    return count, ok, latencies


async def wait_until_up(url: str, timeout: float = 30.0) -> int:
    """The status of an unsigned POST once the server answers at all (401 means Slack is wired)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url, data=b"") as response:
                    return response.status
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


async def measure(targets: list[tuple[str, str]], args: argparse.Namespace, sink_url: str) -> list[Result]:
    """Warm every target up, then load them in turns (`--rounds`), so a noisy neighbour on the machine
    weighs on all of them alike rather than on whichever happened to run during it."""
    for name, url in targets:
        await load(url, min(args.rate, 200), 0.5, sink_url, f"warmup-{name}", args.text)
    totals = {name: (0, 0, []) for name, _ in targets}
    for round_number in range(args.rounds):
        for name, url in targets:
            sent, ok, latencies = await load(
                url,
                args.rate,
                args.seconds / args.rounds,
                sink_url,
                _slug(name),
                args.text,
                first=round_number * 1_000_000,
            )
            before = totals[name]
            totals[name] = (before[0] + sent, before[1] + ok, before[2] + latencies)
            await asyncio.sleep(0.3)
    await asyncio.sleep(1.0)  # let the last answers reach the sink
    async with aiohttp.ClientSession() as session, session.get(f"{sink_url}/stats") as response:
        answers = await response.json()
    return [Result(name, *totals[name], answers.get(_slug(name), 0)) for name, _ in targets]


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name)


async def bench(args: argparse.Namespace) -> list[Result]:
    sink_port = free_port()
    sink_url = f"http://127.0.0.1:{sink_port}"
    script = str(Path(__file__).resolve())
    sink = spawn([script, "--role", "sink", "--port", str(sink_port)])
    processes = [sink]
    results: list[Result] = []
    try:
        await wait_until_up(f"{sink_url}/api/auth.test")
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": f"{sink_url}/api/",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
                "MENTORBOT_TICK_SECONDS": "3600",
            }
            env.pop("SLACK_APP_TOKEN", None)
            targets: list[tuple[str, str]] = []
            bot_port = free_port()
            serve = spawn(["-m", "bot", "serve"], {**env, "PORT": str(bot_port)})
            processes.append(serve)
            bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
            name = "mentorbot serve"
            try:
                status = await wait_until_up(bot_url, timeout=20)
            except RuntimeError:
                status = 0
            if status != 401:
                stop(serve)
                bot_port = free_port()
                processes.append(
                    spawn(
                        [script, "--role", "assembled", "--port", str(bot_port)],
                        {
                            **env,
                            "PORT": str(bot_port),
                            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/assembled.db",
                        },
                    )
                )
                bot_url = f"http://127.0.0.1:{bot_port}/slack/events"
                await wait_until_up(bot_url)
                name = "mentorbot (assembled)"
            targets.append((name, bot_url))

            for label, extra in (
                ("bare Bolt (stock)", []),
                ("bare Bolt (process_before_response)", ["--before-response"]),
            ):
                port = free_port()
                processes.append(
                    spawn(
                        [
                            script,
                            "--role",
                            "bare",
                            "--port",
                            str(port),
                            "--api-url",
                            f"{sink_url}/api/",
                            *extra,
                        ]
                    )
                )
                url = f"http://127.0.0.1:{port}/slack/events"
                await wait_until_up(url)
                targets.append((label, url))
            results = await measure(targets, args, sink_url)
    finally:
        for process in reversed(processes):
            stop(process)
    return results


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    print(
        f"Slack ack latency: signed `/mentor {args.text}` at {args.rate:g}/s for {args.seconds:g} s per target "
        f"(in {args.rounds} interleaved rounds), 127.0.0.1, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'target':<38} {'sent':>6} {'200 OK':>6} {'answers':>7} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<38} {r.sent:>6} {r.ok:>6} {r.answers:>7} {r.percentile(50):>8.2f} {r.percentile(99):>8.2f} "
            f"{r.percentile(99.9):>9.2f}"
        )
    bot, bare = results[0], results[1]
    print(
        f"overhead ratio (mentorbot / bare Bolt stock): p50 {bot.percentile(50) / bare.percentile(50):.2f}x, "
        f"p99 {bot.percentile(99) / bare.percentile(99):.2f}x"
    )
    if len(results) > 2:
        pbr = results[2]
        print(
            f"overhead ratio (mentorbot / bare Bolt process_before_response): p50 "
            f"{bot.percentile(50) / pbr.percentile(50):.2f}x, p99 {bot.percentile(99) / pbr.percentile(99):.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=300.0, help="slash commands per second (default 300)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load per target (default 5)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="turns the targets take, interleaved (default 5)"
    )
    parser.add_argument("--text", default="help", help="the command text sent after /mentor")
    parser.add_argument(
        "--role", choices=["bench", "sink", "bare", "assembled"], default="bench", help=argparse.SUPPRESS
    )
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--before-response", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "sink":
        asyncio.run(run_sink(args.port))
    elif args.role == "bare":
        asyncio.run(run_bare(args.port, args.api_url, args.before_response))
    elif args.role == "assembled":
        asyncio.run(run_assembled(args.port))
    else:
        print_table(asyncio.run(bench(args)), args)


if __name__ == "__main__":
    main()
