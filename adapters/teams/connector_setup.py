"""Makes building a Bot Connector client cheap enough to do for every message.

botbuilder builds a new connector client for every turn, proactive ones included, and msrest builds a
retry policy for each client by testing 999 status codes for membership in a 500-item list: about
17 ms of CPU, twice per message, on the event loop. At 50 messages a second that is more than a whole
core, so sends queue behind it and their outcomes are recorded late. Holding the same codes in a
frozenset gives the same policy in microseconds.
"""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy


def make_connector_clients_cheap() -> None:
    """Idempotent; call before the first Teams request."""
    codes = ClientRetryPolicy.safe_codes
    if not isinstance(codes, frozenset):
        # Declared as a list; every use is `in`, which a frozenset answers the same.
        setattr(ClientRetryPolicy, "safe_codes", frozenset(codes))  # noqa: B010
