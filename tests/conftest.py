"""Fixtures every suite shares."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.stores import close_test_stores


@pytest.fixture(autouse=True)
async def _close_test_stores() -> AsyncIterator[None]:
    """Dispose of the in-memory stores (`tests.support.stores.TestStore`) a test made."""
    yield
    await close_test_stores()
