"""Where the published schemas and API specs live: `shared/schemas/` beside the repository.

`MENTORBOT_SCHEMAS_DIR` overrides the place. A missing schema fails the test that needs it with the
path it looked in: validating against nothing would pass anything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def schemas_dir() -> Path:
    override = os.environ.get("MENTORBOT_SCHEMAS_DIR")
    return Path(override) if override else ROOT.parent / "shared" / "schemas"


def schema_path(name: str) -> Path:
    path = schemas_dir() / name
    if not path.is_file():
        pytest.fail(f"schema {name} not found in {path.parent} (set MENTORBOT_SCHEMAS_DIR to its folder)", pytrace=False)
    return path
