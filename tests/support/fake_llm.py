"""An OpenAI-compatible chat server that runs on 127.0.0.1, for tests, benchmarks and offline demos.

It answers `POST /v1/chat/completions` and `POST /v1/embeddings` with the same body shapes as the real
API (completions, embedding lists, error objects, `retry-after` headers), records every request, and
can be told to be slow, to fail, or to talk nonsense. Its default chat answer reads the pair's data out
of the request, so a test can tell that the prompts were personalised (and a resource ranking gets
the candidates' ids, last first); its embeddings are a fixed
vector per text, or per meaning when given `MeaningClusters`, so paraphrases of one meaning are close. Run alone (`python -m tests.support.fake_llm`) it prints its
base URL and serves until stopped.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import base64
import hashlib
import itertools
import json
import math
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Behaviour = Callable[[dict[str, object]], Awaitable[web.Response]]
Embedding = Callable[[str], list[float]]
"""Text -> its vector (the fake's model)."""

EMBEDDING_DIMENSIONS = 32

_PAIR_DATA = re.compile(r"<pair_data>\s*(.*?)\s*</pair_data>", re.DOTALL)
_PERSON_DATA = re.compile(r"<person_data>\s*(.*?)\s*</person_data>", re.DOTALL)
_ids = itertools.count(1)


def completion_body(content: str, model: str, finish_reason: str = "stop") -> dict[str, object]:
    return {
        "id": f"chatcmpl-fake{next(_ids):08d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 420, "completion_tokens": 160, "total_tokens": 580},
    }


def completion(content: str, model: str = "gpt-4o-mini") -> web.Response:
    return web.json_response(completion_body(content, model))


def error(status: int, message: str, code: str, retry_after: float | None = None) -> web.Response:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    body = {
        "error": {
            "message": message,
            "type": "server_error" if status >= 500 else "requests",
            "param": None,
            "code": code,
        }
    }
    return web.json_response(body, status=status, headers=headers)


def pair_data_of(request: dict[str, object]) -> dict[str, Any]:
    """The JSON block a suggester sent, or {} when there is none."""
    messages = request.get("messages")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content", "") if isinstance(message, dict) else ""
        match = _PAIR_DATA.search(str(content))
        if match:
            data = json.loads(match.group(1))
            return data if isinstance(data, dict) else {}
    return {}


def person_data_of(request: dict[str, object]) -> dict[str, Any] | None:
    """The person's JSON block a development-path or resource-ranking request sent, or None for any
    other request."""
    messages = request.get("messages")
    for message in messages if isinstance(messages, list) else []:
        content = message.get("content", "") if isinstance(message, dict) else ""
        match = _PERSON_DATA.search(str(content))
        if match:
            data = json.loads(match.group(1))
            return data if isinstance(data, dict) else {}
    return None


def path_answer(data: Mapping[str, Any]) -> str:
    """Milestones built from the person's own first learning goal, as a helpful model might write."""
    goal = (data.get("learning_goals") or ["a new tool"])[0]
    return json.dumps(
        {
            "milestones": [
                f"List three moments in your week where '{goal}' could help.",
                f"Try '{goal}' on one real task with your partner watching.",
                f"Use '{goal}' alone for a week and note what changed.",
                f"Show a colleague what you learned about '{goal}'.",
            ]
        }
    )


def ranking_answer(data: Mapping[str, Any]) -> str:
    """What a model asked to rank might say: the candidates' ids, the last one first."""
    candidates = data.get("candidates") or []
    return json.dumps({"ids": [c["id"] for c in reversed(candidates) if isinstance(c, dict)]})


def personalised_answer(request: dict[str, object]) -> str:
    """What a helpful model might say: prompts built from the pair's own goals and skills."""
    data = pair_data_of(request)
    leader = data.get("leader", {}) if isinstance(data.get("leader"), dict) else {}
    mentor = data.get("mentor", {}) if isinstance(data.get("mentor"), dict) else {}
    leader_goal = (leader.get("learning_goals") or ["using AI tools day to day"])[0]
    mentor_goal = (mentor.get("learning_goals") or ["how strategy is set"])[0]
    mentor_skill = (mentor.get("skills") or ["a favourite digital tool"])[0]
    answer = {
        "prompts": [
            {
                "text": f"Mentor: use {mentor_skill} to show one concrete step towards '{leader_goal}'.",
                "topic": "ai_tools",
                "direction": "mentor_teaches",
            },
            {
                "text": f"Leader: share a story from your career that speaks to '{mentor_goal}'.",
                "topic": "career",
                "direction": "leader_shares",
            },
            {
                "text": "Together: pick one task from the leader's week and try it with an AI assistant.",
                "topic": "ai_tools",
                "direction": "both",
            },
        ],
        "task": f"Spend 15 minutes on '{leader_goal}' together and note one thing to try next week.",
    }
    return json.dumps(answer)


def hashed_vector(key: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A fixed pseudo-random unit vector per key: two different keys are close to orthogonal."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    vector = [rng.gauss(0.0, 1.0) for _ in range(dimensions)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


@dataclass(frozen=True)
class MeaningClusters:
    """An embeddings model that knows which texts mean the same: each text named in `meaning_of` gets
    its meaning's vector plus a little noise of its own (cosine about 0.99 between paraphrases); any
    other text a vector of its own."""

    meaning_of: Mapping[str, str]
    dimensions: int = EMBEDDING_DIMENSIONS
    noise: float = 0.1

    def __call__(self, text: str) -> list[float]:
        meaning = self.meaning_of.get(text)
        if meaning is None:
            return hashed_vector("text:" + text, self.dimensions)
        base = hashed_vector("meaning:" + meaning, self.dimensions)
        own = hashed_vector("text:" + text, self.dimensions)
        return [b + self.noise * o for b, o in zip(base, own, strict=True)]


def embeddings_body(
    vectors: Sequence[Sequence[float]], model: str, encoding: str = "float"
) -> dict[str, object]:
    def encoded(vector: Sequence[float]) -> object:
        if encoding == "base64":
            return base64.b64encode(array.array("f", vector).tobytes()).decode()
        return list(vector)

    return {
        "object": "list",
        "data": [{"object": "embedding", "index": k, "embedding": encoded(v)} for k, v in enumerate(vectors)],
        "model": model,
        "usage": {"prompt_tokens": 4 * len(vectors), "total_tokens": 4 * len(vectors)},
    }


def inputs_of(body: Mapping[str, object]) -> list[str]:
    raw = body.get("input")
    return [raw] if isinstance(raw, str) else [str(x) for x in raw] if isinstance(raw, list) else []


@dataclass
class RecordedRequest:
    body: dict[str, object]
    headers: dict[str, str]


@dataclass
class FakeOpenAI:
    """The server's state; tests swap `behaviour` (or queue one-off `script` entries) at will."""

    latency: float = 0.0
    api_key: str | None = None
    """When set, requests without `Authorization: Bearer <api_key>` get a 401 like the real API."""
    behaviour: Behaviour | None = None
    script: list[Behaviour] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    base_url: str = ""
    embedding: Embedding = hashed_vector
    """The embeddings model: text -> vector (`MeaningClusters` makes paraphrases close)."""
    embedding_behaviour: Behaviour | None = None
    """When set, answers `/v1/embeddings` instead of `embedding` (a fault: slow, 500, wrong dimension)."""
    embedding_requests: list[RecordedRequest] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_get("/fake/stats", self._stats)
        return app

    @property
    def embedded_texts(self) -> list[str]:
        """Every text sent for embedding, in order."""
        return [text for r in self.embedding_requests for text in inputs_of(r.body)]

    async def _embeddings(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return error(400, "We could not parse the JSON body of your request.", "invalid_json")
        self.embedding_requests.append(RecordedRequest(body=body, headers=dict(request.headers)))
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided.", "invalid_api_key")
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.embedding_behaviour is not None:
            return await self.embedding_behaviour(body)
        vectors = [self.embedding(text) for text in inputs_of(body)]
        return web.json_response(
            embeddings_body(vectors, str(body.get("model", "")), str(body.get("encoding_format", "float")))
        )

    async def _chat(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return error(400, "We could not parse the JSON body of your request.", "invalid_json")
        self.requests.append(RecordedRequest(body=body, headers=dict(request.headers)))
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return error(401, "Incorrect API key provided.", "invalid_api_key")
        if self.latency:
            await asyncio.sleep(self.latency)
        behaviour = self.script.pop(0) if self.script else self.behaviour
        if behaviour is not None:
            return await behaviour(body)
        person = person_data_of(body)
        if person is not None:
            answer = ranking_answer(person) if "candidates" in person else path_answer(person)
            return completion(answer, str(body.get("model", "")))
        return completion(personalised_answer(body), str(body.get("model", "")))

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"requests": len(self.requests), "embedding_requests": len(self.embedding_requests)}
        )

    # Ready-made behaviours -------------------------------------------------------------------

    def slow(self) -> Behaviour:
        """Never answers until the test releases it (at teardown), like a hung upstream."""

        async def behave(body: dict[str, object]) -> web.Response:
            await self.release.wait()
            return completion(personalised_answer(body))

        return behave

    @staticmethod
    def status(code: int, retry_after: float | None = None) -> Behaviour:
        async def behave(body: dict[str, object]) -> web.Response:
            if code == 429:
                return error(
                    429, "Rate limit reached for requests per min.", "rate_limit_exceeded", retry_after
                )
            return error(code, "The server had an error while processing your request.", "server_error")

        return behave

    def hangs(self) -> Behaviour:
        """Never answers until the test releases it, then fails: any endpoint, like a hung upstream."""

        async def behave(body: dict[str, object]) -> web.Response:
            await self.release.wait()
            return error(503, "The server is overloaded.", "server_error")

        return behave

    def embeds_with(self, change: Callable[[list[list[float]]], list[list[float]]]) -> Behaviour:
        """Embeddings of the fake's model, altered by `change` (a wrong dimension, a NaN, one missing)."""

        async def behave(body: dict[str, object]) -> web.Response:
            vectors = change([self.embedding(text) for text in inputs_of(body)])
            return web.json_response(embeddings_body(vectors, str(body.get("model", ""))))

        return behave

    @staticmethod
    def says(content: str) -> Behaviour:
        async def behave(body: dict[str, object]) -> web.Response:
            return completion(content, str(body.get("model", "")))

        return behave


class RunningFake:
    """The fake served on the running event loop, on an ephemeral port of 127.0.0.1."""

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        self._runner = web.AppRunner(fake.app(), shutdown_timeout=1.0)
        self.base_url = ""

    async def start(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = self.fake.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        self.fake.release.set()
        await self._runner.cleanup()


async def _serve(port: int, latency: float) -> None:
    fake = FakeOpenAI(latency=latency)
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
    print(f"http://127.0.0.1:{runner.addresses[0][1]}/v1", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible chat server on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.port, args.latency))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
