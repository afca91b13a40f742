"""Helpers to run the real `mentorbot` command as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**overrides: str) -> dict[str, str]:
    """The machine's environment minus every Mentorbot setting, so tests see only what they set."""
    prefixes = ("SLACK_", "MICROSOFT_", "OPENAI_", "MENTORBOT_", "TO_BOT_", "TO_CHANNEL_")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(prefixes) and k not in ("DATABASE_URL", "PORT")
    }
    env.update(overrides)
    return env


def mentorbot(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}"
