"""Where the published schemas and API specs live: `tests/schemas/`, vendored into the repository.

A missing schema fails the test that needs it with the path it looked in: validating against nothing
would pass anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "schemas"


def schema_path(name: str) -> Path:
    path = SCHEMAS_DIR / name
    if not path.is_file():
        pytest.fail(f"schema {name} not found in {path.parent}", pytrace=False)
    return path
