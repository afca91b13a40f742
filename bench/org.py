"""Org chart benchmark: importing 100,000 people, and what the reporting-line rule costs a round.

Run alone: `.venv/bin/python bench/org.py [--people 100000] [--per-side 10000] [--stores sqlite,postgres]`.

- import: a generated org (a tree of spans 6-8, about seven levels deep, departments, time zones, levels
  by depth) is written as CSV, then `mentorbot org import FILE` runs as a child process against an
  already migrated database, as a program manager would run it. Wall time of the whole command
  (Python start included) and its peak RSS (`ru_maxrss` of that child, from `os.wait4`). A second
  import of the same file (everything unchanged) is timed too.
- matching: 10,000 leaders (levels 2-6) and 10,000 mentors (level 1) drawn from that org, matched by
  `OptimalMatcher` in a fresh child process already connected to the database: once with every chain
  of the reporting-line rule at depth 2 (managers read from the imported chart through the repository,
  chains walked with `chain_of`; that time is counted, and also shown on its own), once with no chains
  at all. Each runs `--repeats` times, the two kinds taking turns; the median is shown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fanout import database_for, markdown_table  # noqa: E402
from bench.matching import DEPARTMENTS, DIGITAL, LEADERSHIP, ZONES, _pick_terms  # noqa: E402
from conversations.domain import Role, UserRef  # noqa: E402
from conversations.matching import OptimalMatcher  # noqa: E402
from conversations.matching.model import Candidate, MatchRules  # noqa: E402
from conversations.services.org import COLUMNS, chain_of  # noqa: E402
from storage.database import Database  # noqa: E402

DEPTH = 2
LEVEL_BY_DEPTH = (6, 6, 5, 4, 3, 2, 1, 1)


def generate_org(people: int, seed: int) -> list[tuple[str, str, str, int, str, str]]:
    """(email, name, department, level, manager email, time zone), managers before their reports."""
    rng = random.Random(seed)
    zone_names = [z for z, _ in ZONES]
    zone_weights = [w for _, w in ZONES]
    rows: list[tuple[str, str, str, int, str, str]] = [
        ("p0@example.org", "Person 0", "Board", 6, "", "Europe/London")
    ]
    depth_of = [0]
    frontier = 0
    while len(rows) < people:
        manager = rows[frontier]
        department = rng.choice(DEPARTMENTS) if depth_of[frontier] == 0 else manager[2]
        zone = manager[5] if rng.random() < 0.7 else rng.choices(zone_names, zone_weights)[0]
        for _ in range(rng.randint(6, 8)):
            if len(rows) == people:
                break
            k = len(rows)
            depth = depth_of[frontier] + 1
            level = LEVEL_BY_DEPTH[min(depth, len(LEVEL_BY_DEPTH) - 1)]
            rows.append((f"p{k}@example.org", f"Person {k}", department, level, manager[0], zone))
            depth_of.append(depth)
        frontier += 1
    return rows


def write_csv(rows: list[tuple[str, str, str, int, str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(COLUMNS) + "\n")
        for row in rows:
            handle.write(",".join(str(cell) for cell in row) + "\n")


def run_cli(args: list[str], database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, "-m", "bot", "--log-level", "WARNING", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mentorbot {' '.join(args)} failed:\n{done.stderr}")


def pool(rows: list[tuple[str, str, str, int, str, str]], per_side: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed + 1)
    senior = [r for r in rows if r[3] >= 2]
    junior = [r for r in rows if r[3] == 1]
    leaders = rng.sample(senior, min(per_side, len(senior)))
    mentors = rng.sample(junior, min(per_side, len(junior)))
    people: list[Candidate] = []
    for role, chosen in ((Role.LEADER, leaders), (Role.MENTOR, mentors)):
        for email, name, department, level, _manager, zone in chosen:
            digital = _pick_terms(rng, DIGITAL, 2, 6)
            business = _pick_terms(rng, LEADERSHIP, 1, 4)
            people.append(
                Candidate(
                    user=UserRef("slack", "T-BENCH", email),
                    display_name=name,
                    role=role,
                    department=department,
                    seniority=level,
                    timezone=zone,
                    skills=business if role is Role.LEADER else digital,
                    learning_goals=digital if role is Role.LEADER else business,
                )
            )
    return people


def run_child(kind: str, people: int, per_side: int, seed: int, database_url: str) -> dict[str, float]:
    """In a fresh process: the pool, then (for "chains") the chains from the stored chart, then the match."""
    candidates = pool(generate_org(people, seed), per_side, seed)
    return asyncio.run(match_pool(kind, candidates, database_url))


async def match_pool(kind: str, candidates: list[Candidate], database_url: str) -> dict[str, float]:
    """Both kinds connect first, as the running bot is connected before an admin asks for a round."""
    import resource
    from dataclasses import replace

    async with Database(database_url) as database:
        await database.ping()
        rules = MatchRules(reporting_depth=DEPTH)
        started = time.perf_counter()
        blocked = 0
        chains: dict[str, tuple[str, ...]] = {}
        if kind == "chains":
            async with database.unit_of_work() as uow:
                managers = await uow.org_chart.managers()
            in_pool = {c.user.user_id for c in candidates}
            for c in candidates:
                chain = tuple(e for e in chain_of(c.user.user_id, managers, DEPTH) if e in in_pool)
                blocked += len(chain)
                chains[c.user.user_id] = chain
        else:
            rules = replace(rules, separate_reporting_lines=False)
        chains_seconds = time.perf_counter() - started
        # A round builds its candidates in both cases; only the chains differ.
        candidates = [replace(c, manager_chain=chains.get(c.user.user_id, ())) for c in candidates]
        result = OptimalMatcher().match(candidates, rules)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "chains_seconds": chains_seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pairs": len(result.pairs),
        "chain_links": blocked,
    }


def measure_match(kind: str, args: argparse.Namespace, database_url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--people", str(args.people),
         "--per-side", str(args.per_side), "--seed", str(args.seed), "--database-url", database_url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--per-side", type=int, default=10_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", choices=["chains", "none"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.people, args.per_side, args.seed, args.database_url)))
        return

    rows = generate_org(args.people, args.seed)
    header = (
        "store", "people", "import s", "import peak RSS MB", "re-import s", "pool", "match s, chains at depth 2",
        "of which chains s", "match s, no chain rule", "ratio", "chain links", "pairs with / without",
    )  # fmt: skip
    table: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "org.csv"
        write_csv(rows, csv_path)
        size_mb = csv_path.stat().st_size / 1024 / 1024
        for store in [s for s in args.stores.split(",") if s.strip()]:
            with database_for(store) as url:
                run_cli(["migrate"], url)
                first = timed_import(csv_path, url)
                second = timed_import(csv_path, url)
                with_rule, without = [], []
                for _ in range(args.repeats):  # interleaved, so a busy spell on the machine hits both
                    with_rule.append(measure_match("chains", args, url))
                    without.append(measure_match("none", args, url))
            w = statistics.median(r["seconds"] for r in with_rule)
            wo = statistics.median(r["seconds"] for r in without)
            chains = statistics.median(r["chains_seconds"] for r in with_rule)
            table.append(
                (
                    store, f"{args.people:,}", f"{first[0]:.2f}", f"{first[1]:.0f}", f"{second[0]:.2f}",
                    f"{args.per_side:,} x {args.per_side:,}", f"{w:.2f}", f"{chains:.2f}", f"{wo:.2f}",
                    f"{w / wo:.2f}",
                    f"{int(with_rule[0]['chain_links']):,}",
                    f"{int(with_rule[0]['pairs']):,} / {int(without[0]['pairs']):,}",
                )
            )  # fmt: skip
            print(f"{store}: import said: {first[2]}", file=sys.stderr, flush=True)
    markdown_table(header, table, text_columns=1)
    print(
        f"\nCSV {size_mb:.1f} MB; import = wall time of `mentorbot org import` (a child process, Python start "
        f"included) into a migrated database; match = median of {args.repeats} fresh processes, chain reading "
        "and walking included; chain links = managers within 2 levels that are in the pool."
    )


def timed_import(csv_path: Path, url: str) -> tuple[float, float, str]:
    """Wall time, peak RSS of just this child (os.wait4), and what the command printed."""
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "--log-level", "WARNING", "org", "import", str(csv_path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"org import failed:\n{err.decode()}")
    return seconds, usage.ru_maxrss / 1024, out.decode().strip()


if __name__ == "__main__":
    main()
