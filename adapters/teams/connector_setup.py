"""Makes Bot Connector clients cheap to build, and builds one per service URL instead of one per turn.

botbuilder's CloudAdapter asks its connector factory for a new client on every turn, proactive ones
included. A new client is a new `requests` session, so every message opened a TCP connection of its
own (TLS too, against the real service): a handshake on the way of every send, and an uneven delay
between the send gate and the wire that let paced requests arrive bunched and earn 429s. Clients are
safe to share between turns (the adapter never closes them, and the credentials inside refresh their
own token), so `ReusedConnectorsAuthentication` keeps one per app, service URL and audience.

msrest also builds a retry policy for each client by testing 999 status codes for membership in a
500-item list: about 17 ms of CPU on the event loop. Holding the same codes in a frozenset gives the
same policy in microseconds.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity, ConnectorFactory
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.remembered import Remembered

REMEMBERED_CLIENTS = 1_000
"""Service URLs differ by region, not by conversation, so a handful is usual; the bound is a guard."""


def make_connector_clients_cheap() -> None:
    """Idempotent; call before the first Teams request."""
    codes = ClientRetryPolicy.safe_codes
    if not isinstance(codes, frozenset):
        # Declared as a list; every use is `in`, which a frozenset answers the same.
        setattr(ClientRetryPolicy, "safe_codes", frozenset(codes))  # noqa: B010


_ClientKey = tuple[str, str, str | None]


class _ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, app_id: str, clients: Remembered[_ClientKey, Any]) -> None:
        self._inner = inner
        self._app_id = app_id
        self._clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience)
        client = self._clients.get(key)
        if client is None:
            client = self._clients.put(key, await self._inner.create(service_url, audience))
        return client


class ReusedConnectorsAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """The configuration's authentication, whose connector factories share their clients."""

    def __init__(self, configuration: Any, **kwargs: Any) -> None:
        super().__init__(configuration, **kwargs)
        self._clients: Remembered[_ClientKey, Any] = Remembered(REMEMBERED_CLIENTS)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        claims = claims_identity.claims or {}
        app_id = str(
            claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
            or claims.get(AuthenticationConstants.APP_ID_CLAIM)
            or ""
        )
        return _ReusedConnectors(super().create_connector_factory(claims_identity), app_id, self._clients)
