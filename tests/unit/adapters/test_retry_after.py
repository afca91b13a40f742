from datetime import UTC, datetime

from adapters.retry_after import seconds_to_wait

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_seconds_and_http_dates_are_both_read() -> None:
    assert seconds_to_wait("7") == 7.0
    assert seconds_to_wait(["3"]) == 3.0
    assert seconds_to_wait("Wed, 25 Nov 2026 12:00:30 GMT", NOW) == 30.0
    assert seconds_to_wait("Wed, 25 Nov 2026 11:00:00 GMT", NOW) == 0.0


def test_missing_or_unreadable_values_give_none() -> None:
    for raw in (None, "", [], "soon", "-x"):
        assert seconds_to_wait(raw, NOW) is None
