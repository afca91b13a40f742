"""`mentorbot serve` as a subprocess: it answers /healthz and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request

from tests.e2e.conftest import ROOT, clean_env, free_port


def wait_for(url: str, deadline: float) -> tuple[int, dict]:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, json.loads(response.read())
        except Exception as error:  # not listening yet
            last = error
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered: {last}")


def test_serve_reports_health_and_stops_on_sigterm(sqlite_url: str) -> None:
    port = free_port()
    env = clean_env(DATABASE_URL=sqlite_url, PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, body = wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        assert status == 200 and body == {"status": "ok", "database": "reachable"}
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err
