"""Matching benchmark: the optimal matcher against the exact optimum, greedy and a random shuffle.

Run alone: `.venv/bin/python bench/matching.py [--sizes 1000,5000,10000]`. For each size it generates an
organisation with that many leaders and that many mentors (timezones on four continents, departments,
seniority levels, managers, recent pairings, skills and goals spelt in several ways), then measures
each matcher in a fresh child process so that one run's memory never shows up in another's figures.

- wall time: `time.perf_counter()` around `match()` alone (generation excluded).
- peak memory: `resource.getrusage(RUSAGE_SELF).ru_maxrss` of the child process at the end, i.e. the
  peak resident set of a whole Python process that generated the organisation and matched it.
- fit %: total fit of the pairs as a percentage of the exact optimum, computed by `linear_sum_assignment`
  over the full dense matrix of every pair (feasible up to `--exact-limit` pairs; beyond that the column
  says n/a and the other columns are relative to the optimal matcher instead).
- random: leaders and mentor places shuffled and zipped, as Microsoft Icebreaker pairs people; pairs that
  break a hard rule count as zero fit, and the share of such pairs is shown.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conversations.domain import Role, UserRef  # noqa: E402
from conversations.matching import OptimalMatcher  # noqa: E402
from conversations.matching.fit import TermProfile, fit_of  # noqa: E402
from conversations.matching.model import Candidate, MatchResult, MatchRules  # noqa: E402
from conversations.matching.pool import split_sides  # noqa: E402
from conversations.matching.rules import broken_rule  # noqa: E402
from conversations.matching.vocabulary import DEFAULT_VOCABULARY  # noqa: E402
from conversations.matching.working_hours import ZoneTable  # noqa: E402
from tests.support.greedy_matcher import GreedyMatcher  # noqa: E402

AT = datetime(2025, 3, 3, 12, tzinfo=UTC)


def bench_rules(capacity: int) -> MatchRules:
    return MatchRules(
        min_seniority_gap=1, repeat_lookback_cycles=3, min_overlap_hours=2.0, mentor_capacity=capacity
    )


ZONES = [
    ("Europe/London", 18), ("Europe/Berlin", 14), ("Europe/Madrid", 5), ("America/New_York", 18),
    ("America/Chicago", 7), ("America/Los_Angeles", 9), ("America/Sao_Paulo", 3), ("Asia/Kolkata", 9),
    ("Asia/Singapore", 6), ("Asia/Tokyo", 4), ("Australia/Sydney", 4), ("Africa/Johannesburg", 3),
]  # fmt: skip
DEPARTMENTS = [
    "Finance", "Engineering", "Sales", "Marketing", "Operations", "Legal", "HR", "Product",
    "Customer Success", "Supply Chain", "Research", "Strategy",
]  # fmt: skip
DIGITAL = [
    ["generative AI", "GenAI", "gen-ai"], ["machine learning", "ML"], ["prompt engineering", "prompting"],
    ["ChatGPT"], ["Copilot", "Microsoft Copilot"], ["data analysis", "analytics"], ["Python"], ["SQL"],
    ["Excel", "spreadsheets"], ["Power BI", "PowerBI"], ["automation", "workflow automation"],
    ["no-code tools", "low code"], ["social media"], ["digital marketing"], ["cybersecurity", "infosec"],
    ["cloud computing", "cloud"], ["UX design", "UX"], ["data visualisation", "dashboards"],
    ["large language models", "LLMs"], ["collaboration tools"], ["agile ways of working", "agile"],
    ["AI", "artificial intelligence"], ["TikTok"], ["Notion"], ["Figma"], ["Zapier"], ["APIs"],
    ["JavaScript"], ["R"], ["Tableau"], ["Jira"], ["Miro"], ["podcasting"], ["video editing"],
    ["LinkedIn"], ["web3"], ["robotic process automation"], ["data ethics"], ["computer vision"], ["NLP"],
]  # fmt: skip
LEADERSHIP = [
    ["strategy", "business strategy"], ["leadership"], ["people management", "managing people"],
    ["stakeholder management"], ["negotiation"], ["public speaking", "presenting"], ["finance"],
    ["budgeting"], ["P&L management", "P&L"], ["career development", "career growth"], ["decision making"],
    ["change management"], ["executive presence"], ["networking"], ["hiring", "recruiting"],
    ["customer relationships", "client relationships"], ["industry knowledge"], ["operations"],
    ["product management"], ["project management"], ["mergers and acquisitions"], ["board reporting"],
    ["crisis management"], ["storytelling"], ["pricing"], ["regulation"], ["sustainability"],
    ["coaching"], ["conflict resolution"], ["influencing"],
]  # fmt: skip


def _pick_terms(rng: random.Random, groups: list[list[str]], low: int, high: int) -> tuple[str, ...]:
    """A few terms, popular ones more often (Zipf-like), each written in one of its spellings."""
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(groups))]
    chosen: set[int] = set()
    want = rng.randint(low, high)
    while len(chosen) < want:
        chosen.add(rng.choices(range(len(groups)), weights)[0])
    return tuple(rng.choice(groups[k]) for k in sorted(chosen))


def generate_organisation(per_side: int, seed: int = 7) -> list[Candidate]:
    rng = random.Random(seed)
    zone_names = [z for z, _ in ZONES]
    zone_weights = [w for _, w in ZONES]
    leaders: list[Candidate] = []
    mentors: list[Candidate] = []
    for k in range(per_side):
        manager = f"L{rng.randrange(per_side)}" if k and rng.random() < 0.6 else None
        leaders.append(
            Candidate(
                user=UserRef("slack", "T-BENCH", f"L{k}"),
                display_name=f"Leader {k}",
                role=Role.LEADER,
                department=rng.choice(DEPARTMENTS),
                seniority=rng.choices([3, 4, 5, 6], [1, 5, 4, 2])[0],
                timezone=rng.choices(zone_names, zone_weights)[0],
                skills=_pick_terms(rng, LEADERSHIP, 2, 5),
                learning_goals=_pick_terms(rng, DIGITAL, 1, 4),
                manager_chain=(manager,) if manager and manager != f"L{k}" else (),
            )
        )
    for k in range(per_side):
        chain = (f"L{rng.randrange(per_side)}",) if rng.random() < 0.5 else ()
        recent = frozenset(f"L{rng.randrange(per_side)}" for _ in range(rng.choice([0, 0, 0, 1, 2])))
        mentors.append(
            Candidate(
                user=UserRef("slack", "T-BENCH", f"M{k}"),
                display_name=f"Mentor {k}",
                role=Role.MENTOR,
                department=rng.choice(DEPARTMENTS),
                seniority=rng.choices([1, 2, 3, 4], [5, 4, 2, 1])[0],
                timezone=rng.choices(zone_names, zone_weights)[0],
                skills=_pick_terms(rng, DIGITAL, 2, 6),
                learning_goals=_pick_terms(rng, LEADERSHIP, 1, 4),
                manager_chain=chain,
                recent_partners=recent,
            )
        )
    return leaders + mentors


def total_fit(candidates: list[Candidate], result: MatchResult) -> float:
    """Recomputed from the formula: a pair's stored score is rounded for display."""
    by_user = {c.user: c for c in candidates}
    zones = ZoneTable([c.timezone for c in candidates], AT)
    total = 0.0
    for pair in result.pairs:
        leader, mentor = by_user[pair.leader], by_user[pair.mentor]
        overlap = zones.overlap_hours(leader.timezone, mentor.timezone)
        profiles = TermProfile.of(leader, DEFAULT_VOCABULARY), TermProfile.of(mentor, DEFAULT_VOCABULARY)
        total += fit_of(*profiles, overlap).score
    return total


def random_shuffle(candidates: list[Candidate], rules: MatchRules, seed: int) -> tuple[float, int, int]:
    """(total fit of allowed pairs, pairs made, pairs that break a hard rule)."""
    rng = random.Random(seed)
    sides = split_sides(candidates, rules.mentor_capacity)
    leaders = list(sides.leaders)
    places = [m for m in sides.mentors for _ in range(max(0, rules.mentor_capacity))]
    rng.shuffle(leaders)
    rng.shuffle(places)
    zones = ZoneTable([c.timezone for c in candidates], AT)
    total, broken = 0.0, 0
    for leader, mentor in zip(leaders, places, strict=False):
        overlap = zones.overlap_hours(leader.timezone, mentor.timezone)
        if broken_rule(leader, mentor, rules, overlap) is not None:
            broken += 1
            continue
        leader_profile = TermProfile.of(leader, DEFAULT_VOCABULARY)
        total += fit_of(leader_profile, TermProfile.of(mentor, DEFAULT_VOCABULARY), overlap).score
    return total, min(len(leaders), len(places)), broken


def run_child(kind: str, per_side: int, capacity: int, seed: int) -> dict[str, float]:
    """Runs in a fresh process: generate, match, report figures as JSON on stdout."""
    candidates = generate_organisation(per_side, seed)
    rules = bench_rules(capacity)
    if kind == "random":
        fit, pairs, broken = random_shuffle(candidates, rules, seed)
        return {"fit": fit, "pairs": pairs, "broken": broken}
    matcher = {
        "optimal": OptimalMatcher(at=AT),
        "greedy": GreedyMatcher(at=AT),
        "exact": OptimalMatcher(at=AT, dense_limit=10**12),
    }[kind]
    started = time.perf_counter()
    result = matcher.match(candidates, rules)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "peak_mb": peak_kib / 1024,
        "fit": total_fit(candidates, result),
        "pairs": len(result.pairs),
        "waitlist": len(result.waitlist),
    }


def measure(kind: str, per_side: int, capacity: int, seed: int) -> dict[str, float]:
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--sizes",
            str(per_side),
            "--capacity",
            str(capacity),
            "--seed",
            str(seed),
        ],  # fmt: skip
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,5000,10000", help="people per side, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--capacity", type=int, default=1, help="leaders per mentor")
    parser.add_argument(
        "--exact-limit", type=int, default=100_000_000, help="largest leaders x mentors solved exactly"
    )
    parser.add_argument("--child", choices=["optimal", "greedy", "exact", "random"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.child:
        print(json.dumps(run_child(args.child, sizes[0], args.capacity, args.seed)))
        return

    header = (
        f"{'per side':>8} | {'optimal s':>9} | {'peak RSS MB':>11} | {'pairs':>6} | {'fit % of exact':>14} | "
        f"{'greedy s':>8} | {'greedy fit %':>12} | {'random fit %':>12} | {'random broken':>13} | "
        f"{'exact s':>7} | {'exact peak RSS MB':>17}"
    )
    rows: list[str] = []
    for per_side in sizes:
        optimal, greedy, shuffle = (measure(kind, per_side, args.capacity, args.seed)
                                    for kind in ("optimal", "greedy", "random"))  # fmt: skip
        feasible = per_side * per_side * args.capacity <= args.exact_limit
        exact = measure("exact", per_side, args.capacity, args.seed) if feasible else None
        reference = exact["fit"] if exact else optimal["fit"]

        def pct(value: float, reference: float = reference) -> str:
            return f"{100 * value / reference:.2f}" if reference else "n/a"

        rows.append(
            f"{per_side:>8} | {optimal['seconds']:>9.2f} | {optimal['peak_mb']:>11.0f} | "
            f"{int(optimal['pairs']):>6} | {pct(optimal['fit']) if exact else 'n/a':>14} | "
            f"{greedy['seconds']:>8.2f} | {pct(greedy['fit']):>12} | {pct(shuffle['fit']):>12} | "
            f"{100 * shuffle['broken'] / max(1, shuffle['pairs']):>12.1f}% | "
            f"{exact['seconds'] if exact else float('nan'):>7.2f} | "
            f"{exact['peak_mb'] if exact else float('nan'):>17.0f}"
        )
        print(rows[-1] if len(rows) > 1 else f"{header}\n{'-' * len(header)}\n{rows[-1]}", flush=True)
    print(
        f"capacity {args.capacity}; peak RSS = ru_maxrss of a fresh process that generated the pool "
        "and matched it; fit % of the exact optimum (dense linear_sum_assignment over every pair); "
        "where the exact solve was not feasible (n/a), greedy and random are relative to the optimal "
        "matcher."
    )


if __name__ == "__main__":
    main()
