"""Cached embeddings of skill and goal terms: one row per model and normalised term, float32 bytes."""

from __future__ import annotations

from array import array
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from storage import tables
from storage.repositories import _IN_CHUNK, _chunks, _SqlRepository


def pack(vector: Sequence[float]) -> bytes:
    packed = array("f", vector)
    if packed.itemsize != 4:
        raise RuntimeError("this platform has no 4-byte float")
    if not _LITTLE_ENDIAN:
        packed.byteswap()
    return packed.tobytes()


def unpack(data: bytes) -> tuple[float, ...]:
    unpacked = array("f")
    unpacked.frombytes(data)
    if not _LITTLE_ENDIAN:
        unpacked.byteswap()
    return tuple(unpacked)


_LITTLE_ENDIAN = array("H", [1]).tobytes() == b"\x01\x00"


class SqlTermVectors(_SqlRepository):
    t = tables.term_vectors

    async def get_many(self, model: str, terms: Collection[str]) -> dict[str, tuple[float, ...]]:
        found: dict[str, tuple[float, ...]] = {}
        for chunk in _chunks(sorted(set(terms)), _IN_CHUNK):
            stmt = select(self.t.c.term, self.t.c.dimensions, self.t.c.vector).where(
                self.t.c.model == model, self.t.c.term.in_(chunk)
            )
            for term, dimensions, data in (await self.session.execute(stmt)).all():
                vector = unpack(data)
                if len(vector) == dimensions:
                    found[term] = vector
        return found

    async def add_many(self, model: str, vectors: Mapping[str, Sequence[float]], at: datetime) -> int:
        rows = [
            {
                "model": model,
                "term": term,
                "dimensions": len(vector),
                "vector": pack(vector),
                "created_at": at,
            }
            for term, vector in vectors.items()
        ]
        return len(await self._insert_many_if_absent(self.t, rows, "term"))
