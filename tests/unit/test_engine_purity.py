"""The one rule of direction: the engine imports no platform, database or HTTP library."""

import ast
from pathlib import Path

import pytest

FORBIDDEN = {
    "slack_bolt",
    "slack_sdk",
    "botbuilder",
    "botframework",
    "sqlmodel",
    "sqlalchemy",
    "openai",
    "aiohttp",
    "apscheduler",
    "asyncpg",
    "aiosqlite",
    "requests",
    "httpx",
    "msrest",
    "alembic",
    "bot",
    "adapters",
    "storage",
    "scheduler",
}
ENGINE = Path(__file__).resolve().parents[2] / "conversations"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def engine_files() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def test_engine_has_modules() -> None:
    assert len(engine_files()) > 5


@pytest.mark.parametrize("path", engine_files(), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_imports_nothing_outside(path: Path) -> None:
    leaks = imported_roots(path) & FORBIDDEN
    assert not leaks, f"{path} imports {sorted(leaks)}; add a port in conversations/ports.py instead"


def test_scanner_catches_a_leak(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom slack_sdk import WebClient\n")
    assert imported_roots(bad) & FORBIDDEN == {"slack_sdk"}
