"""The org chart: reading a program manager's CSV, and the management chains it gives.

An import is all or nothing, so a half-read file can never leave the chart with people whose managers
went missing: every row is checked (and the whole chart for cycles) before anything is written, and
each problem names the line to fix. The file is the whole chart: people missing from it are removed.

Chains are walked up from a person through their managers, so a manager who never joined the
program still links the people above and below them.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from conversations.domain import SENIORITY_LEVELS
from conversations.profile_form import valid_timezone

COLUMNS: tuple[str, ...] = ("email", "name", "department", "level", "manager_email", "timezone")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
"""Far above any real org chart (100,000 people take about 8 MB), low enough to refuse a wrong file fast."""
MAX_PROBLEMS_SHOWN = 20
MAX_EMAIL = 254
MAX_NAME = 80
MAX_DEPARTMENT = 60
_EMAIL = re.compile(r"[^=+\-@\s,;<>\"'][^@\s,;<>\"']*@[^@\s,;<>\"']+")
FORMULA_STARTS = ("=", "+", "-", "@")
"""Spreadsheet apps run a cell starting with one of these as a formula: refused in names and departments,
so an export opened in one is safe and still imports unchanged."""
_FORMULA_TEXT = "= + - or @ (spreadsheets run it as a formula)"


@dataclass(frozen=True)
class OrgPerson:
    """One row of the org chart; `email` is lower-cased, and is how people are found in it."""

    email: str
    name: str
    department: str
    level: int
    manager_email: str | None
    timezone: str
    """An IANA zone, or "" when the chart does not say."""

    def row(self) -> tuple[str, ...]:
        return (
            self.email,
            self.name,
            self.department,
            str(self.level),
            self.manager_email or "",
            self.timezone,
        )


@dataclass(frozen=True)
class OrgProblem:
    line: int | None
    """The file's line (1 is the header); None for the file as a whole."""
    reason: str

    def __str__(self) -> str:
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


class OrgImportError(ValueError):
    """The file cannot be imported; nothing was. Each problem names its line."""

    def __init__(self, problems: Sequence[OrgProblem]) -> None:
        self.problems = tuple(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            shown.append(f"... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class OrgChanges:
    """What an import changes, worked out before anything is written."""

    added: tuple[OrgPerson, ...] = ()
    updated: tuple[OrgPerson, ...] = ()
    unchanged: int = 0
    removed: tuple[str, ...] = ()
    """Emails of people in the stored chart that the file no longer lists."""

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed"
        )


def _levels_text() -> str:
    low, high = min(SENIORITY_LEVELS), max(SENIORITY_LEVELS)
    return f"{low}-{high} or one of {', '.join(SENIORITY_LEVELS.values())}"


def parse_org_csv(data: bytes) -> list[OrgPerson]:
    """Every person in the file, in file order; `OrgImportError` listing every problem otherwise."""
    if len(data) > MAX_IMPORT_BYTES:
        raise OrgImportError([OrgProblem(None, too_large(len(data)))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise OrgImportError(
            [OrgProblem(line, f"the file is not UTF-8 text (byte 0x{byte}); save it as CSV UTF-8")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[OrgProblem] = []
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = [h.strip().lower() for h in record]
                continue
            if "".join(record).strip():
                rows.append((line, record))
    except csv.Error as error:
        problems.append(OrgProblem(start, f"the CSV cannot be read ({error})"))
        raise OrgImportError(problems) from None
    missing = [c for c in COLUMNS if header is None or c not in header]
    if missing:
        raise OrgImportError(
            [
                OrgProblem(
                    1,
                    "the first line must be a header naming the columns "
                    f"{','.join(COLUMNS)} (missing: {', '.join(missing)})",
                )
            ]
        )
    assert header is not None
    rows_reader = _RowReader([header.index(name) for name in COLUMNS])
    people: list[OrgPerson] = []
    lines: dict[str, int] = {}
    # Every row whose email can be read, problems elsewhere or not: duplicates, unknown managers and
    # cycles are all found in one reading instead of one fix at a time.
    managers: dict[str, str | None] = {}
    for line, record in rows:
        email, manager, person = rows_reader.read(record, line, problems)
        if email is None:
            continue
        if email in lines:
            problems.append(OrgProblem(line, f"duplicate email {email} (first on line {lines[email]})"))
            continue
        lines[email] = line
        managers[email] = manager
        if person is not None:
            people.append(person)
    if not rows:
        problems.append(OrgProblem(None, "the file has a header but nobody in it"))
    problems.extend(_manager_problems(managers, lines))
    if problems:
        raise OrgImportError(sorted(problems, key=lambda p: p.line or 0))
    return people


def _is_email(text: str) -> bool:
    return 0 < len(text) <= MAX_EMAIL and _EMAIL.fullmatch(text) is not None


def too_large(size: int) -> str:
    return (
        f"the file is {size / 1024 / 1024:.1f} MB; an org chart may be at most "
        f"{MAX_IMPORT_BYTES // 1024 // 1024} MB"
    )


_LEVELS: dict[str, int] = {
    **{str(number): number for number in SENIORITY_LEVELS},
    **{label.lower(): number for number, label in SENIORITY_LEVELS.items()},
}


class _RowReader:
    """Checks one row at a time. A chart may have 100,000 rows: what repeats (time zones, levels) is
    checked once, and each row is split into its cells once."""

    def __init__(self, columns: Sequence[int]) -> None:
        self.cells = operator.itemgetter(*columns)
        self.width = max(columns) + 1
        self.zones: dict[str, bool] = {"": True}

    def read(
        self, record: list[str], line: int, problems: list[OrgProblem]
    ) -> tuple[str | None, str | None, OrgPerson | None]:
        """(the email when it is one, its manager's email when that is one, the person when all is well)."""
        if len(record) < self.width:
            record = record + [""] * (self.width - len(record))
        e, n, d, lv, m, tz = self.cells(record)
        found = len(problems)
        email = e.strip().lower()
        email_ok = _is_email(email)
        if not email:
            problems.append(OrgProblem(line, "email is empty"))
        elif not email_ok:
            problems.append(OrgProblem(line, f"{email[:60]!r} is not an email address"))
        name = " ".join(n.split())
        if not name:
            problems.append(OrgProblem(line, "name is empty"))
        elif len(name) > MAX_NAME:
            problems.append(OrgProblem(line, f"name is longer than {MAX_NAME} characters"))
        department = " ".join(d.split())
        if len(department) > MAX_DEPARTMENT:
            problems.append(OrgProblem(line, f"department is longer than {MAX_DEPARTMENT} characters"))
        if name.startswith(FORMULA_STARTS) or department.startswith(FORMULA_STARTS):
            for column, value in (("name", name), ("department", department)):
                if value.startswith(FORMULA_STARTS):
                    problems.append(OrgProblem(line, f"{column} must not start with {_FORMULA_TEXT}"))
        raw_level = " ".join(lv.split())
        level = _LEVELS.get(raw_level.lower())
        if level is None:
            shown = f"level {raw_level[:30]!r}" if raw_level else "level is empty; it"
            problems.append(OrgProblem(line, f"{shown} must be {_levels_text()}"))
        manager: str | None = m.strip().lower() or None
        if manager is not None and not _is_email(manager):
            problems.append(OrgProblem(line, f"manager_email {manager[:60]!r} is not an email address"))
            manager = None
        timezone = tz.strip()
        zone_ok = self.zones.get(timezone)
        if zone_ok is None:
            zone_ok = self.zones[timezone] = valid_timezone(timezone)
        if not zone_ok:
            problems.append(
                OrgProblem(line, f"timezone {timezone[:40]!r} is not a time zone such as Europe/London")
            )
        if not email_ok:
            return None, None, None
        if len(problems) > found or level is None:
            return email, manager, None
        return email, manager, OrgPerson(email, name, department, level, manager, timezone)


def _manager_problems(managers: Mapping[str, str | None], lines: Mapping[str, int]) -> list[OrgProblem]:
    """Managers must be people of the file, and nobody may be their own manager however far up."""
    problems: list[OrgProblem] = []
    known: dict[str, str | None] = {}
    for email, manager in managers.items():
        if manager is not None and manager not in lines:
            problems.append(
                OrgProblem(lines[email], f"manager_email {manager} is not anyone's email in the file")
            )
            manager = None
        known[email] = manager
    for cycle in find_cycles(known):
        if len(cycle) == 1:
            problems.append(OrgProblem(lines[cycle[0]], f"{cycle[0]} is their own manager"))
            continue
        first = min(cycle, key=lambda email: lines[email])
        at = cycle.index(first)
        ordered = [*cycle[at:], *cycle[:at], first]
        problems.append(OrgProblem(lines[first], f"manager cycle: {' manages '.join(reversed(ordered))}"))
    return problems


def find_cycles(managers: Mapping[str, str | None]) -> list[list[str]]:
    """Each cycle of "is managed by" once, as the people in it from one of them upwards."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    cycles: list[list[str]] = []
    for start in managers:
        path: list[str] = []
        email: str | None = start
        while email is not None and email in managers and email not in state:
            state[email] = 1
            path.append(email)
            email = managers[email]
        if email is not None and state.get(email) == 1:
            cycles.append(path[path.index(email) :])
        for walked in path:
            state[walked] = 2
    return cycles


def chain_of(email: str, managers: Mapping[str, str | None], depth: int) -> tuple[str, ...]:
    """The managers above `email`, nearest first, at most `depth` of them (fewer at the top)."""
    chain: list[str] = []
    boss = managers.get(email)
    while boss is not None and len(chain) < depth and boss != email and boss not in chain:
        chain.append(boss)
        boss = managers.get(boss)
    return tuple(chain)


def changes(stored: Iterable[OrgPerson], incoming: Sequence[OrgPerson]) -> OrgChanges:
    """What importing `incoming` over the `stored` chart does, person by person."""
    before = {p.email: p for p in stored}
    added: list[OrgPerson] = []
    updated: list[OrgPerson] = []
    unchanged = 0
    for person in incoming:
        old = before.pop(person.email, None)
        if old is None:
            added.append(person)
        elif old != person:
            updated.append(person)
        else:
            unchanged += 1
    return OrgChanges(tuple(added), tuple(updated), unchanged, tuple(sorted(before)))


def export_csv(people: Iterable[OrgPerson]) -> str:
    """The chart in the import's own format, so an export can be edited and imported again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(p.row() for p in people)
    return out.getvalue()
