"""`mentorbot serve`: the web server, the platform adapters and the scheduler in one process."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.bootstrap import build_container, connect_platforms, help_warnings
from bot.settings import Settings
from bot.web import build_web_app
from scheduler.clock import start_scheduler

logger = logging.getLogger(__name__)


async def serve(settings: Settings, ready: asyncio.Event | None = None) -> None:
    container = build_container(settings)
    await container.database.check_reachable()
    await container.database.migrate()
    app = build_web_app(container.database)
    await connect_platforms(container, app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host="0.0.0.0", port=settings.port)
    await site.start()
    clock = start_scheduler(
        container.bot.jobs, settings.tick_seconds, delivery_poll_seconds=settings.delivery_poll_seconds
    )
    logger.info("mentorbot listening on port %s (database %s)", settings.port, container.database.safe_url)
    for warning in await help_warnings(container):
        logger.warning(warning)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        logger.info("mentorbot stopping")
        await clock.aclose()
        await runner.cleanup()
        await container.close()
