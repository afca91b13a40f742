"""A fake Bot Framework on 127.0.0.1: the channel's token issuer (OpenID metadata + JWKS, RS256),
the login endpoint that gives the bot its outbound tokens, and the Bot Connector REST API.

It runs on its own event loop in its own thread, because botbuilder fetches metadata and tokens with
blocking `requests` from the bot's loop: served from that loop, it would deadlock.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CHANNEL_KID = "channel-signing-1"
OUTBOUND_KID = "login-signing-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None = None) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, use="sig", alg="RS256")
    if endorsements is not None:
        jwk["endorsements"] = endorsements
    return jwk


@dataclass(frozen=True)
class Sent:
    """One call the bot made to the connector, with the activity it carried."""

    method: str
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str
    reply_to: str | None = None
    authorization: str = ""

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def card_text(self) -> str:
        """Every text on the card (and the plain text), for assertions on what a person reads."""
        parts = [self.activity.get("text") or ""]

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key in ("text", "title", "value"):
                    if isinstance(node.get(key), str):
                        parts.append(node[key])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.card)
        return "\n".join(parts)


@dataclass
class Failure:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeBotFramework:
    def __init__(self, app_id: str, app_password: str) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.channel_key = new_key()
        self.outbound_key = new_key()
        self.issuer = "https://api.botframework.test"
        self.oauth_scope = "https://api.botframework.test"
        self.login_issuer = "https://login.botframework.test/fake-tenant/v2.0"
        self._lock = threading.Lock()
        self._sent: list[Sent] = []
        self._failures: deque[Failure] = deque()
        self._ids = itertools.count(1)
        self.names: dict[str, str] = {}
        self.rosters: dict[str, list[dict[str, Any]]] = {}
        """Members of each team channel, as `pagedmembers` lists them (TeamsChannelAccount shape)."""
        self.roster_pages: list[tuple[str, int, str | None]] = []
        self.blocked_conversations: set[str] = set()
        self.created: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        """Files the bot put into a person's OneDrive after they allowed it, by upload session name."""
        self.rejected_calls = 0
        self.failed_calls = 0
        self.tokens_issued = 0
        self.require_auth = True
        """False plays the Bot Framework Emulator, which sends and accepts activities without tokens."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- addresses the bot is configured with -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/channel/.well-known/openidconfiguration"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/login/fake-tenant"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/connector/"

    def overrides(self) -> dict[str, str]:
        return {
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": self.openid_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": self.issuer,
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": self.login_url,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": self.oauth_scope,
        }

    # --- what the channel signs -----------------------------------------------------------------------

    def channel_token(
        self,
        *,
        audience: str | None = None,
        kid: str = CHANNEL_KID,
        key: rsa.RSAPrivateKey | None = None,
        expires_in: int = 600,
        service_url: str | None = None,
        issuer: str | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer or self.issuer,
            "aud": audience or self.app_id,
            "serviceurl": service_url or self.service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + expires_in,
        }
        return jwt.encode(claims, key or self.channel_key, algorithm="RS256", headers={"kid": kid})

    # --- test controls ----------------------------------------------------------------------------------

    def fail_next(self, status: int, count: int = 1, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self._failures.extend(Failure(status, dict(headers or {})) for _ in range(count))

    @property
    def sent(self) -> list[Sent]:
        with self._lock:
            return list(self._sent)

    def sent_to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]

    # --- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_server())
            except BaseException as error:  # noqa: BLE001 - reported to the starting thread
                errors.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-bot-framework", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Bot Framework did not start")
        if errors:
            raise errors[0]

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _start_server(self) -> None:
        app = web.Application()
        app.router.add_get("/channel/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/channel/keys", self._keys)
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/connector/v3/conversations", self._create_conversation)
        app.router.add_post("/connector/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/connector/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/connector/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/connector/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/connector/v3/conversations/{cid}/pagedmembers", self._paged_members)
        app.router.add_put("/onedrive/upload/{name}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    # --- issuer ---------------------------------------------------------------------------------------------

    async def _openid(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": self.issuer,
                "jwks_uri": f"{self.base_url}/channel/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {"keys": [public_jwk(self.channel_key, CHANNEL_KID, ["msteams", "emulator"])]}
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_id") != self.app_id
            or form.get("client_secret") != self.app_password
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        scope = str(form.get("scope", ""))
        now = int(time.time())
        token = jwt.encode(
            {
                "iss": self.login_issuer,
                "aud": scope.removesuffix("/.default"),
                "appid": self.app_id,
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
            },
            self.outbound_key,
            algorithm="RS256",
            headers={"kid": OUTBOUND_KID},
        )
        with self._lock:
            self.tokens_issued += 1
        return web.json_response({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    # --- connector --------------------------------------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return False
        try:
            claims = jwt.decode(
                token,
                self.outbound_key.public_key(),
                algorithms=["RS256"],
                audience=self.oauth_scope,
                issuer=self.login_issuer,
            )
        except jwt.PyJWTError:
            return False
        return claims.get("appid") == self.app_id

    def _refuse(self, request: web.Request) -> web.Response | None:
        if self.require_auth and not self._authorised(request):
            with self._lock:
                self.rejected_calls += 1
            return web.json_response({"error": {"code": "Unauthorized", "message": "bad token"}}, status=401)
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            if failure:
                self.failed_calls += 1
        if failure:
            return web.json_response(
                {
                    "error": {
                        "code": "Throttled" if failure.status == 429 else "Failure",
                        "message": "injected",
                    }
                },
                status=failure.status,
                headers=failure.headers,
            )
        cid = request.match_info.get("cid")
        if cid in self.blocked_conversations:
            return web.json_response(
                {"error": {"code": "BotDisabledByAdmin", "message": "blocked"}}, status=403
            )
        return None

    def upload_url(self, name: str) -> str:
        """Where Teams says a consented file goes (a OneDrive upload session)."""
        return f"{self.base_url}/onedrive/upload/{name}"

    async def _upload(self, request: web.Request) -> web.Response:
        """One PUT of the whole file, whose Content-Range must describe exactly the bytes sent."""
        data = await request.read()
        expected = f"bytes 0-{len(data) - 1}/{len(data)}"
        if request.headers.get("Content-Range") != expected:
            return web.json_response({"error": {"code": "invalidRange"}}, status=416)
        with self._lock:
            self.uploads[request.match_info["name"]] = data
        return web.json_response({"id": request.match_info["name"], "size": len(data)}, status=201)

    async def _create_conversation(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused:
            return refused
        body = await request.json()
        tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id")
        members = body.get("members") or []
        if not tenant or len(members) != 1 or body.get("isGroup"):
            # Teams reads the tenant from channelData only, and starts 1:1 chats only.
            return web.json_response(
                {"error": {"code": "BadArgument", "message": "tenant id required"}}, status=400
            )
        member = members[0]["id"]
        if member in self.blocked_conversations:
            return web.json_response({"error": {"code": "Forbidden", "message": "not installed"}}, status=403)
        with self._lock:
            self.created.append(body)
        return web.json_response({"id": f"a:created-{member}"}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused:
            return refused
        activity = await request.json()
        activity_id = f"msg-{next(self._ids)}"
        sent = Sent(
            "POST",
            request.match_info["cid"],
            activity,
            activity_id,
            request.match_info.get("aid"),
            request.headers.get("Authorization", ""),
        )
        with self._lock:
            self._sent.append(sent)
        return web.json_response({"id": activity_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused:
            return refused
        activity = await request.json()
        sent = Sent(
            "PUT",
            request.match_info["cid"],
            activity,
            request.match_info["aid"],
            None,
            request.headers.get("Authorization", ""),
        )
        with self._lock:
            self._sent.append(sent)
        return web.json_response({"id": request.match_info["aid"]})

    async def _member(self, request: web.Request) -> web.Response:
        refused = self._refuse(request)
        if refused:
            return refused
        member = request.match_info["mid"]
        name = self.names.get(member, member)
        return web.json_response(
            {
                "id": member,
                "name": name,
                "email": f"{name.split()[0].lower()}@example.test",
                "userRole": "user",
            }
        )

    def add_member(self, conversation_id: str, user_id: str, name: str, email: str) -> None:
        """Someone in a team channel's roster; Teams gives a member's email and sign-in name (UPN)."""
        self.rosters.setdefault(conversation_id, []).append(
            {
                "id": user_id,
                "name": name,
                "aadObjectId": f"00000000-0000-0000-0000-{len(self.rosters[conversation_id]):012d}",
                "email": email,
                "userPrincipalName": email,
                "givenName": name.split()[0],
                "tenantId": "fake-tenant",
                "userRole": "user",
            }
        )

    async def _paged_members(self, request: web.Request) -> web.Response:
        """GET pagedmembers: pageSize at most 500, paging by an opaque continuation token."""
        refused = self._refuse(request)
        if refused:
            return refused
        cid = request.match_info["cid"]
        raw_size = request.query.get("pageSize", "200")
        token = request.query.get("continuationToken")
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= 500:
            return web.json_response(
                {"error": {"code": "BadArgument", "message": "pageSize must be 1 to 500"}}, status=400
            )
        if cid not in self.rosters:
            return web.json_response(
                {"error": {"code": "ConversationNotFound", "message": "no such team"}}, status=404
            )
        size = int(raw_size)
        with self._lock:
            self.roster_pages.append((cid, size, token))
        start = int(token.removeprefix("page-")) if token else 0
        members = self.rosters[cid][start : start + size]
        body: dict[str, Any] = {"members": members}
        if start + size < len(self.rosters[cid]):
            body["continuationToken"] = f"page-{start + size}"
        return web.json_response(body)
