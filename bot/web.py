"""The aiohttp application every platform adapter attaches its route to."""

from __future__ import annotations

from aiohttp import web

from storage.database import DATABASE_OK, Database

DATABASE_KEY = web.AppKey("database", Database)


async def healthz(request: web.Request) -> web.Response:
    """200 `{"status": "ok", "database": "reachable"}` when the database answers and takes writes;
    otherwise 503 `{"status": "degraded", "database": "read-only" | "unreachable"}`, within ~2 s."""
    database = request.app[DATABASE_KEY]
    state = await database.health()
    ok = state == DATABASE_OK
    body = {"status": "ok" if ok else "degraded", "database": state}
    return web.json_response(body, status=200 if ok else 503)


def build_web_app(database: Database) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[DATABASE_KEY] = database
    app.router.add_get("/healthz", healthz)
    return app
