"""The resources file: the shipped catalogue is sound, an organisation's file adds to it, and a bad row
refuses the start with its line number and reason, in the settings and in `mentorbot tick`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from conversations.growth.picks import DIGITAL_TERMS
from conversations.growth.resource_catalogue import (
    HEADER,
    ResourceFileInvalid,
    ResourceFormat,
    is_safe_url,
    load_catalogue,
    shipped_resources,
)

REPOSITORY = Path(__file__).resolve().parents[3]
GOOD_ROW = "team-okrs,Team OKRs in practice,https://intranet.example.com/okrs,strategy;leadership,beginner,20,article,en"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "resources.csv"
    path.write_text("\n".join((",".join(HEADER), *rows)) + "\n", encoding="utf-8")
    return path


def test_the_shipped_catalogue_is_sound_and_serves_both_sides() -> None:
    shipped = shipped_resources()
    assert len(shipped) >= 40
    assert all(is_safe_url(r.url) and r.url.startswith("https://") for r in shipped)
    assert {r.format for r in shipped} == set(ResourceFormat)
    digital = [r for r in shipped if r.terms & DIGITAL_TERMS]
    business = [r for r in shipped if not r.terms & DIGITAL_TERMS]
    assert len(digital) >= 15 and len(business) >= 15
    assert {"en", "es"} <= {r.language for r in shipped}
    assert all(r.terms for r in shipped), "every resource names skills the vocabulary reads"


def test_an_organisations_file_adds_to_the_shipped_catalogue(tmp_path: Path) -> None:
    catalogue = load_catalogue(write(tmp_path, GOOD_ROW))
    own = catalogue.get("team-okrs")
    assert own is not None and own.minutes == 20 and own.format is ResourceFormat.ARTICLE
    assert own.terms == {"strategy", "leadership"}
    assert len(catalogue) == len(shipped_resources()) + 1


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("no-url,A title,,strategy,beginner,20,article,en", "missing url"),
        (
            "plain-http,A title,http://example.com/x,strategy,beginner,20,article,en",
            "must be an https address",
        ),
        ("podcast,A title,https://example.com/x,strategy,beginner,20,podcast,en", "unknown format 'podcast'"),
        ("team-okrs,Again,https://example.com/y,strategy,beginner,20,article,en", "duplicate id 'team-okrs'"),
        ("long-one,A title,https://example.com/x,strategy,beginner,an hour,video,en", "minutes 'an hour'"),
        (
            "elements-of-ai,Shadow,https://example.com/x,AI,beginner,5,video,en",
            "duplicate id 'elements-of-ai'",
        ),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_reason(tmp_path: Path, bad_row: str, reason: str) -> None:
    path = write(tmp_path, GOOD_ROW, "", bad_row)
    with pytest.raises(ResourceFileInvalid) as refused:
        load_catalogue(path)
    assert refused.value.line == 4 and reason in refused.value.reason
    with pytest.raises(SettingsError) as settings_refused:
        Settings.from_env({"MENTORBOT_RESOURCES": str(path)})
    assert f"MENTORBOT_RESOURCES {path}: line 4: " in str(settings_refused.value)


def test_a_file_with_the_wrong_header_is_refused_at_line_one(tmp_path: Path) -> None:
    path = tmp_path / "resources.csv"
    path.write_text("title,url\nA,https://example.com\n", encoding="utf-8")
    with pytest.raises(ResourceFileInvalid) as refused:
        load_catalogue(path)
    assert refused.value.line == 1


@pytest.mark.parametrize("command", ["tick", "demo"])
def test_mentorbot_refuses_to_start_with_a_bad_file(tmp_path: Path, command: str) -> None:
    path = write(tmp_path, GOOD_ROW, "podcast,A title,https://example.com/x,strategy,beginner,20,podcast,en")
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MENTORBOT_", "SLACK_", "MICROSOFT_", "OPENAI_"))
        },
        "PYTHONPATH": str(REPOSITORY),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mentorbot.db'}",
        "MENTORBOT_RESOURCES": str(path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert f"{path}: line 3: unknown format 'podcast'" in done.stderr
    assert not (tmp_path / "mentorbot.db").exists(), "nothing ran"
