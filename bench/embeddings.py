"""Meaning-based matching benchmark: fit with and without embeddings, and the vector cache at scale.

Run alone: `.venv/bin/python bench/embeddings.py [--per-side 100,1000] [--people 20000]`. The embeddings come
the way the bot gets them: the engine's `term_meanings` asks the OpenAI adapter, over HTTP, a fake
OpenAI-compatible server on 127.0.0.1 (`tests/support/fake_llm.py`) whose model knows which texts mean
the same (`MeaningClusters`: paraphrases of one meaning have a cosine similarity of about 0.99, other
texts about 0), and caches them in a SQLite database.

1. Fit on a paraphrase pool. Every skill and goal is one of several paraphrases of a meaning that the
   vocabulary does not know ("automating monthly reports", "scripts that do the boring work"), so the
   vocabulary matches two people only when they happen to pick the same words. Each matching is scored
   by its *meaning fit*: the documented formula with every term replaced by its meaning, i.e. what the
   pairs really share. Shown as a percentage of the best meaning fit possible (the optimal matcher run
   on the meanings themselves), with the share of pairs whose leader is taught something they want.
2. The cache. The terms of `--people` people (half leaders, half mentors; paraphrases with a
   qualifier now and then, "spotting phishing for Finance", so thousands of distinct terms) are embedded into an empty
   database, then again: the second run must make no request at all.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.llm import OpenAIEmbedder  # noqa: E402
from conversations.domain import Participant, Role, UserRef  # noqa: E402
from conversations.matching import OptimalMatcher  # noqa: E402
from conversations.matching.fit import TermProfile, fit_of  # noqa: E402
from conversations.matching.model import Candidate, MatchResult, MatchRules, TermVectors  # noqa: E402
from conversations.matching.vocabulary import DEFAULT_VOCABULARY  # noqa: E402
from conversations.matching.working_hours import ZoneTable  # noqa: E402
from conversations.services.term_meanings import pool_terms, term_vectors  # noqa: E402
from storage.database import Database  # noqa: E402
from tests.support.fake_llm import FakeOpenAI, MeaningClusters, RunningFake  # noqa: E402

AT = datetime(2025, 3, 3, 12, tzinfo=UTC)
API_KEY = "bench-key"
MODEL = "fake-embeddings"

DIGITAL: dict[str, tuple[str, ...]] = {
    "reporting automation": ("automating monthly reports", "scripts that do the boring work",
                             "getting reports to build themselves", "python scripting for reports"),
    "AI assistants": ("using chatbots at work", "asking an assistant to draft things",
                      "getting answers from a chat model", "everyday help from AI"),
    "dashboards": ("live charts of the numbers", "one screen for the team's metrics",
                   "building a KPI board", "seeing the numbers at a glance"),
    "spreadsheets": ("spreadsheet wizardry", "formulas that do the work", "pivot tables and lookups",
                     "taming big workbooks"),
    "data querying": ("pulling numbers out of databases", "writing queries", "asking the warehouse",
                      "getting my own data"),
    "design tools": ("making slides look good", "mock-ups in a design tool", "prototyping screens",
                     "visual design for decks"),
    "social platforms": ("posting on professional networks", "growing an audience online",
                         "short videos for the brand", "how people use social apps"),
    "security hygiene": ("spotting phishing", "keeping accounts safe", "password managers and 2FA",
                         "not getting hacked"),
    "no-code building": ("apps without programming", "drag and drop workflows", "building tools without code",
                         "automating with connectors"),
    "cloud basics": ("what the cloud really is", "moving files off the laptop", "storing things online safely",
                     "shared drives done right"),
}  # fmt: skip
LEADERSHIP: dict[str, tuple[str, ...]] = {
    "strategy": ("where the company is heading", "setting direction", "long-term planning",
                 "choosing what not to do"),
    "stakeholders": ("getting buy-in", "working with senior people", "managing up", "keeping sponsors on side"),
    "influence": ("persuading without authority", "making the case", "winning people over",
                  "being heard in meetings"),
    "career": ("growing my career", "what to do next in my career", "getting promoted", "career moves"),
    "finance": ("reading a P&L statement", "how budgets are set", "understanding the numbers of a business",
                "where the money goes"),
    "leading people": ("running a team", "giving feedback", "looking after people", "building a team"),
    "negotiating": ("striking deals", "haggling with suppliers", "getting to yes", "negotiating contracts"),
    "presenting": ("speaking to large rooms", "telling the story in a deck", "presenting to the board",
                   "talking without notes"),
}  # fmt: skip
DEPARTMENTS = ["Finance", "Engineering", "Sales", "Marketing", "Operations", "Legal", "HR", "Product"]
ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
QUALIFIERS = (
    *(f"for {d}" for d in DEPARTMENTS),
    *(f"in {city}" for city in ("London", "Berlin", "New York", "Mumbai", "Madrid", "Toronto", "Sydney",
                                "Singapore", "Paris", "Chicago", "Tokyo", "Dublin")),
    "for beginners", "at scale", "in practice", "for my team", "for small teams", "for managers",
    "on a budget", "step by step", "the basics", "in depth",
)  # fmt: skip
"""Words people add to a term now and then ("spotting phishing for Finance"): a few thousand distinct
terms at 20,000 people, as free text gives."""


def meaning_of_every_text(qualified: bool) -> dict[str, str]:
    """Each paraphrase's key (as the vocabulary normalises it) -> its meaning."""
    meanings: dict[str, str] = {}
    for groups in (DIGITAL, LEADERSHIP):
        for meaning, texts in groups.items():
            for text in texts:
                meanings[DEFAULT_VOCABULARY.canonical(text)] = meaning
                if qualified:
                    for qualifier in QUALIFIERS:
                        meanings[DEFAULT_VOCABULARY.canonical(f"{text} {qualifier}")] = meaning
    return meanings


def _pick(
    rng: random.Random, groups: dict[str, tuple[str, ...]], count: int, qualified: bool
) -> tuple[str, ...]:
    chosen = rng.sample(sorted(groups), count)
    texts = [rng.choice(groups[meaning]) for meaning in chosen]
    if qualified:
        texts = [f"{t} {rng.choice(QUALIFIERS)}" if rng.random() < 0.3 else t for t in texts]
    return tuple(texts)


def paraphrase_pool(per_side: int, seed: int, qualified: bool = False) -> list[Candidate]:
    rng = random.Random(seed)
    people: list[Candidate] = []
    for side, role in (("L", Role.LEADER), ("M", Role.MENTOR)):
        for k in range(per_side):
            department = rng.choice(DEPARTMENTS)
            digital = _pick(rng, DIGITAL, rng.randint(1, 3), qualified)
            leadership = _pick(rng, LEADERSHIP, rng.randint(1, 3), qualified)
            people.append(
                Candidate(
                    user=UserRef("slack", "T-BENCH", f"{side}{k}"),
                    display_name=f"{role.value} {k}",
                    role=role,
                    department=department,
                    seniority=rng.choice([4, 5, 6]) if role is Role.LEADER else rng.choice([1, 2, 3]),
                    timezone=rng.choice(ZONES),
                    skills=leadership if role is Role.LEADER else digital,
                    learning_goals=digital if role is Role.LEADER else leadership,
                )
            )
    return people


def as_meanings(people: list[Candidate], meaning_of: dict[str, str]) -> list[Candidate]:
    """The pool as it really is: every term replaced by the meaning it stands for."""

    def meanings(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(meaning_of[DEFAULT_VOCABULARY.canonical(t)] for t in texts)

    return [replace(c, skills=meanings(c.skills), learning_goals=meanings(c.learning_goals)) for c in people]


def meaning_fit(truth: list[Candidate], result: MatchResult) -> tuple[float, int]:
    """(total fit of the pairs by what they really share, pairs whose leader is taught something)."""
    by_user = {c.user: c for c in truth}
    zones = ZoneTable([c.timezone for c in truth], AT)
    total, taught = 0.0, 0
    for pair in result.pairs:
        leader, mentor = by_user[pair.leader], by_user[pair.mentor]
        fit = fit_of(
            TermProfile.of(leader, DEFAULT_VOCABULARY),
            TermProfile.of(mentor, DEFAULT_VOCABULARY),
            zones.overlap_hours(leader.timezone, mentor.timezone),
        )
        total += fit.score
        taught += bool(fit.taught)
    return total, taught


def participants(people: list[Candidate]) -> list[Participant]:
    return [
        Participant(
            c.user, c.display_name, c.role, c.department, c.seniority, c.timezone, c.skills, c.learning_goals
        )  # fmt: skip
        for c in people
    ]


class Embeddings:
    """The fake model served on this loop, the adapter that asks it, and a database of cached vectors."""

    def __init__(self, meaning_of: dict[str, str], folder: Path) -> None:
        self.fake = FakeOpenAI(api_key=API_KEY, embedding=MeaningClusters(meaning_of))
        self.running = RunningFake(self.fake)
        self.folder = folder

    async def __aenter__(self) -> Embeddings:
        await self.running.start()
        self.embedder = OpenAIEmbedder.connect(API_KEY, self.fake.base_url, MODEL, timeout=30.0)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.database = Database(f"sqlite+aiosqlite:///{self.folder / 'vectors.db'}")
        await self.database.migrate()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.embedder.aclose()
        await self.database.dispose()
        await self.running.stop()

    async def vectors(self, people: list[Participant]) -> tuple[TermVectors | None, int, int, float]:
        """(vectors, distinct terms, requests made, seconds) for one round's preparation."""
        terms = pool_terms(people)
        before = len(self.fake.embedding_requests)
        started = time.perf_counter()
        found = await term_vectors(self.database.unit_of_work, self.embedder, terms, AT, deadline=120.0)
        seconds = time.perf_counter() - started
        return found, len(terms), len(self.fake.embedding_requests) - before, seconds


async def fit_table(per_side: int, seed: int, folder: Path) -> None:
    pool = paraphrase_pool(per_side, seed)
    meaning_of = meaning_of_every_text(qualified=False)
    truth = as_meanings(pool, meaning_of)
    rules = MatchRules(min_seniority_gap=1, repeat_lookback_cycles=3, min_overlap_hours=2.0)
    matcher = OptimalMatcher(at=AT)
    async with Embeddings(meaning_of, folder) as embeddings:
        vectors, terms, requests, _ = await embeddings.vectors(participants(pool))
    assert vectors is not None, "the fake model failed"
    best, _ = meaning_fit(truth, matcher.match(truth, rules))
    header = f"{'matching':<32} | {'pairs':>6} | {'meaning fit % of best':>21} | {'leaders taught something':>24} | {'match s':>7}"
    print(f"Paraphrase pool: {per_side} leaders and {per_side} mentors, {terms} distinct terms "
          f"({requests} embedding requests)")  # fmt: skip
    print(header)
    print("-" * len(header))
    for name, meanings in (("vocabulary only", None), ("vocabulary + embeddings", vectors)):
        started = time.perf_counter()
        result = matcher.match(pool, rules, meanings=meanings)
        seconds = time.perf_counter() - started
        total, taught = meaning_fit(truth, result)
        print(f"{name:<32} | {len(result.pairs):>6} | {100 * total / best:>21.1f} | "
              f"{100 * taught / max(1, len(result.pairs)):>23.1f}% | {seconds:>7.2f}")  # fmt: skip
    print()


async def cache_table(people: int, seed: int, folder: Path) -> None:
    pool = participants(paraphrase_pool(people // 2, seed, qualified=True))
    async with Embeddings(meaning_of_every_text(qualified=True), folder) as embeddings:
        header = f"{'run':<24} | {'people':>6} | {'distinct terms':>14} | {'requests':>8} | {'seconds':>7}"
        print(header)
        print("-" * len(header))
        for run in ("first (empty cache)", "second (cached)"):
            vectors, terms, requests, seconds = await embeddings.vectors(pool)
            assert vectors is not None and len(vectors.vectors) == terms
            print(f"{run:<24} | {len(pool):>6} | {terms:>14} | {requests:>8} | {seconds:>7.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--per-side", default="100,1000", help="leaders (and mentors) of each fit pool, comma-separated"
    )
    parser.add_argument(
        "--people", type=int, default=20000, help="people whose terms are embedded and cached"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as fit_folder, tempfile.TemporaryDirectory() as cache_folder:
        for per_side in (int(n) for n in args.per_side.split(",") if n.strip()):
            await fit_table(per_side, args.seed, Path(fit_folder) / str(per_side))
        await cache_table(args.people, args.seed, Path(cache_folder))


if __name__ == "__main__":
    asyncio.run(main())
