"""`mentorbot serve` warns at start of every workspace or tenant where a help request would reach nobody."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time

from conversations.domain import Participant, Role, UserRef
from storage.database import Database
from tests.e2e.conftest import ROOT, clean_env, free_port
from tests.e2e.test_serve import wait_for

TENANT = "5a9b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
WARNING = f"No admin can receive help requests in the Teams tenant {TENANT}"


async def a_member_in_the_tenant(url: str) -> None:
    database = Database(url)
    await database.migrate()
    async with database.unit_of_work() as uow:
        await uow.participants.save(
            Participant(UserRef("teams", TENANT, "29:lee"), "Lee", Role.LEADER, "Ops", 5, "UTC")
        )
        await uow.commit()
    await database.dispose()


def serve_log(url: str, **settings: str) -> str:
    port = free_port()
    env = clean_env(DATABASE_URL=url, PORT=str(port), **settings)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err[-2000:]
    return out + err


def test_serve_warns_where_no_admin_or_help_contact_can_receive_help(sqlite_url: str) -> None:
    asyncio.run(a_member_in_the_tenant(sqlite_url))
    assert WARNING in serve_log(sqlite_url)
    assert WARNING not in serve_log(sqlite_url, MENTORBOT_ADMINS=f"teams:{TENANT}/29:ann")
