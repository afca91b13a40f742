"""`mentorbot org import` / `org export` as a program manager runs them: every bad file is refused
with the line to fix, exit status 2 and nothing imported; a good one is imported whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import clean_env, mentorbot

HEADER = "email,name,department,level,manager_email,timezone"
CHART = f"""{HEADER},desk
ceo@x.org,Cora Eng,Board,Executive,,Europe/London,1
vp@x.org,"Pike, Vic",Finance,5,ceo@x.org,America/New_York,2
ann@x.org,Ann,Finance,Early career,vp@x.org,,3
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


def export(env: dict[str, str]) -> str:
    result = mentorbot("org", "export", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_export_and_re_import(tmp_path: Path, sqlite_url: str) -> None:
    env = clean_env(DATABASE_URL=sqlite_url)
    first = mentorbot("org", "import", write(tmp_path, "chart.csv", CHART), env=env)
    assert first.returncode == 0, first.stderr
    assert "3 added, 0 updated, 0 unchanged, 0 removed" in first.stdout
    exported = export(env)
    assert exported.splitlines() == [
        HEADER,
        "ann@x.org,Ann,Finance,1,vp@x.org,",
        "ceo@x.org,Cora Eng,Board,6,,Europe/London",
        'vp@x.org,"Pike, Vic",Finance,5,ceo@x.org,America/New_York',
    ]
    out = tmp_path / "out.csv"
    assert mentorbot("org", "export", "-o", str(out), env=env).returncode == 0
    assert out.read_text(encoding="utf-8") == exported
    again = mentorbot("org", "import", str(out), env=env)
    assert "0 added, 0 updated, 3 unchanged, 0 removed" in again.stdout

    changed = exported.replace("Ann,Finance,1", "Ann,Treasury,2").replace("ceo@x.org,Cora", "cy@x.org,Cora")
    changed = changed.replace(",ceo@x.org,", ",cy@x.org,")
    update = mentorbot("org", "import", write(tmp_path, "changed.csv", changed), env=env)
    assert update.returncode == 0, update.stderr
    assert "1 added, 2 updated, 0 unchanged, 1 removed" in update.stdout
    assert "ann@x.org,Ann,Treasury,2,vp@x.org," in export(env)


BAD_FILES = [  # name, content, what stderr must say
    ("no-header.csv", "ceo@x.org,Cy,Board,6,,\n", "line 1: the first line must be a header"),
    (
        "duplicate.csv",
        f"{HEADER}\nceo@x.org,Cy,Board,6,,\nann@x.org,A,Ops,1,ceo@x.org,\nANN@x.org,A,Ops,1,,\n",
        "line 4: duplicate email ann@x.org (first on line 3)",
    ),
    (
        "cycle.csv",
        f"{HEADER}\na@x.org,A,Ops,5,b@x.org,\nb@x.org,B,Ops,4,a@x.org,\n",
        "line 2: manager cycle: a@x.org manages b@x.org manages a@x.org",
    ),
    (
        "unknown-manager.csv",
        f"{HEADER}\nceo@x.org,Cy,Board,6,,\nann@x.org,A,Ops,1,boss@x.org,\n",
        "line 3: manager_email boss@x.org is not anyone's email in the file",
    ),
    (
        "level.csv",
        f"{HEADER}\nceo@x.org,Cy,Board,6,,\nann@x.org,A,Ops,9,,\n",
        "line 3: level '9' must be 1-6",
    ),
    (
        "latin-1.csv",
        f"{HEADER}\nceo@x.org,Cy,Board,6,,\nann@x.org,Andr\u00e9,Ops,1,,\n".encode("latin-1"),
        "line 3: the file is not UTF-8 text",
    ),
]


@pytest.mark.parametrize(("name", "content", "said"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_with_its_line_and_imports_nothing(
    tmp_path: Path, sqlite_url: str, name: str, content: str | bytes, said: str
) -> None:
    env = clean_env(DATABASE_URL=sqlite_url)
    assert mentorbot("org", "import", write(tmp_path, "chart.csv", CHART), env=env).returncode == 0
    before = export(env)
    result = mentorbot("org", "import", write(tmp_path, name, content), env=env)
    assert result.returncode == 2
    assert said in result.stderr and "was not imported (nothing was changed)" in result.stderr
    assert "Traceback" not in result.stderr
    assert export(env) == before


def test_a_50_mb_file_is_refused_by_its_size(tmp_path: Path, sqlite_url: str) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write((HEADER + "\n").encode())
        handle.truncate(50 * 1024 * 1024)
    result = mentorbot("org", "import", str(big), env=clean_env(DATABASE_URL=sqlite_url))
    assert result.returncode == 2
    assert "the file is 50.0 MB; an org chart may be at most 20 MB" in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path, sqlite_url: str) -> None:
    result = mentorbot("org", "import", str(tmp_path / "nope.csv"), env=clean_env(DATABASE_URL=sqlite_url))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_help_lists_the_org_commands() -> None:
    result = mentorbot("org", "--help", env=clean_env())
    assert result.returncode == 0 and "import" in result.stdout and "export" in result.stdout
