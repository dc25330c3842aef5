"""The ASGI app of `dave serve`: the gallery page, the API, the sockets and the files, behind
the door's guards (its own Host and Origin only; the token when one is set).

Not for running it (serve.py) nor for what each route answers (api.py, files.py, sockets.py).
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dave.core.errors import DaveError
from dave.core.guard import (
    TOKEN_COOKIE,
    App,
    BearerGuard,
    Receive,
    SameSiteGuard,
    Scope,
    Send,
    allowed_hosts,
    same_token,
)
from dave.server import api, files, sockets
from dave.server.state import ServerState

STATIC = Path(__file__).parent / "static"
LOGIN_PATH = "/login"
# Everything the page uses comes from this server: no script, style or frame from elsewhere.
_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; "
    "connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)
_LOGIN_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>dave: sign in</title>
<link rel="stylesheet" href="/static/gallery.css"><body class="login"><form method="post"
action="/login"><h1>dave</h1><p>{message}</p><label>Token <input type="password" name="token"
autocomplete="current-password" autofocus></label><button>Sign in</button></form></body></html>"""


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})


def _login(token: str | None) -> Any:
    async def login(request: Request) -> Response:
        if token is None:
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return HTMLResponse(_LOGIN_PAGE.format(message="This dave needs its token."))
        body = await request.body()
        if len(body) > 4096:
            return HTMLResponse(_LOGIN_PAGE.format(message="Too long."), status_code=413)
        form = await request.form()
        given = form.get("token")
        if not isinstance(given, str) or not same_token(given, token):
            message = html.escape("That is not the token.")
            return HTMLResponse(_LOGIN_PAGE.format(message=message), status_code=401)
        done = RedirectResponse("/", status_code=303)
        done.set_cookie(TOKEN_COOKIE, given.strip(), httponly=True, samesite="strict", path="/")
        return done

    return login


async def _dave_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DaveError)
    return api.error_response(error)


class _Headers:
    """Adds the headers every answer carries: the page's content policy, no framing, and
    `Server-Timing: app;dur=<ms>` (the time to the answer's first byte, for benchmarks and the
    browser's network panel)."""

    def __init__(self, app: App) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        started = time.perf_counter()

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                spent_ms = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers += [
                    (b"server-timing", f"app;dur={spent_ms:.2f}".encode()),
                    (b"content-security-policy", _CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, sending)  # type: ignore[arg-type]


def build_app(state: ServerState, *, host: str, port: int, token: str | None) -> App:
    """The whole door. With `port` 0 (chosen when bound) any port on the allowed names passes:
    DNS rebinding fakes the name, not the port."""
    hosts = allowed_hosts(host, port or 1)
    if not port:
        hosts = [name.rsplit(":", 1)[0] + ":*" for name in hosts]
    routes = [
        Route("/", index),
        Route(LOGIN_PATH, _login(token), methods=["GET", "POST"]),
        *api.ROUTES,
        *sockets.ROUTES,
        *files.routes(state),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={DaveError: _dave_error})
    app.state.dave = state
    inner: App = app
    if token:
        inner = BearerGuard(app, token, open_paths=(LOGIN_PATH, "/static/gallery.css"))
    return SameSiteGuard(_Headers(inner), hosts)
