"""Reading a `Retry-After` header, shared by the Slack and Teams adapters.

HTTP allows either a number of seconds or an HTTP date; both platforms' proxies may send either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def seconds_to_wait(raw: object, now: datetime | None = None) -> float | None:
    """Seconds asked for by a Retry-After value, or None when it is missing or unreadable."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
