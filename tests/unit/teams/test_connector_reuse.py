"""Connector clients are shared between turns, one per app, service URL and audience.

A client per turn meant a new HTTP connection per message (and a TLS handshake against the real
service), which bunched paced requests on their way to the wire."""

from __future__ import annotations

from types import SimpleNamespace

from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from adapters.teams.connector_setup import ReusedConnectorsAuthentication


def proactive_identity(app_id: str) -> ClaimsIdentity:
    return ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: app_id}, is_authenticated=True)


def emulator_authentication() -> ReusedConnectorsAuthentication:
    return ReusedConnectorsAuthentication(SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant"))


async def test_turns_share_the_client_of_a_service_url() -> None:
    auth = emulator_authentication()
    first = await auth.create_connector_factory(proactive_identity("")).create("https://a.example/")
    second = await auth.create_connector_factory(proactive_identity("")).create("https://a.example/")
    assert first is second


async def test_each_service_url_and_audience_has_its_own_client() -> None:
    auth = emulator_authentication()
    factory = auth.create_connector_factory(proactive_identity(""))
    a = await factory.create("https://a.example/")
    b = await factory.create("https://b.example/")
    a_other_audience = await factory.create("https://a.example/", "https://api.botframework.com")
    assert a is not b
    assert a is not a_other_audience
    assert a.config.base_url == "https://a.example/"
    assert b.config.base_url == "https://b.example/"
