"""What every dave server door checks before it answers: a loopback bind unless a token is set,
the token itself (`Authorization: Bearer`), and the Host and Origin names a request may carry.

Pure ASGI and the standard library, so `dave mcp --http` and `dave serve` share it without
pulling in a web framework here. Not for what a door serves (dave.mcp, dave.server).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from dave.core.errors import ConfigError

TOKEN_VARIABLE = "DAVE_SERVER_TOKEN"
#: Names a loopback request's Host header may carry.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """`127.0.0.1`, `::1`, `localhost`: a bind only this machine's programs can reach."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def server_token(env: Mapping[str, str] | None = None) -> str | None:
    """The token every request must carry, from DAVE_SERVER_TOKEN (None when unset)."""
    value = (os.environ if env is None else env).get(TOKEN_VARIABLE, "").strip()
    return value or None


def check_bind(host: str, token: str | None) -> None:
    """Off loopback a server spends the user's money for anyone who can reach it: refuse
    unless a token guards it."""
    if not is_loopback(host) and token is None:
        raise ConfigError(
            f"refusing to listen on {host} without a token",
            hint=f"set {TOKEN_VARIABLE} (clients then send `Authorization: Bearer <token>`), "
            "or keep the default --host 127.0.0.1",
        )


def allowed_hosts(host: str, port: int) -> list[str]:
    """Host header values a request may carry: the loopback names at this port and, for a bind
    off loopback, the address it was given and this machine's own names. Anything else is a
    DNS-rebinding page pretending to be this server."""
    names = list(LOOPBACK_NAMES)
    if not is_loopback(host):
        wildcard = host in ("0.0.0.0", "::", "")
        names += [] if wildcard else [f"[{host}]" if ":" in host else host]
        names += [socket.gethostname(), socket.getfqdn()]
    return [f"{name}:{port}" for name in dict.fromkeys(names)]


def allowed_origins(hosts: list[str]) -> list[str]:
    """The Origins of pages this server itself could have served (browsers send one on POST)."""
    return [f"{scheme}://{name}" for name in hosts for scheme in ("http", "https")]


class BearerGuard:
    """Answers 401 to any HTTP or WebSocket request without `Authorization: Bearer <token>`
    (or, when `cookie` names one, that cookie holding the token, for a browser); compares in
    constant time and never echoes what was sent. Paths in `open_paths` (a login page) pass."""

    def __init__(
        self,
        app: App,
        token: str,
        *,
        cookie: str | None = None,
        open_paths: tuple[str, ...] = (),
    ) -> None:
        self._app = app
        self._token = token.encode()
        self._cookie = cookie.encode() if cookie else None
        self._open = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] not in ("http", "websocket")
            or scope.get("path") in self._open
            or self._allowed(scope)
        ):
            await self._app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        body = b'{"error": "this server needs Authorization: Bearer <DAVE_SERVER_TOKEN>"}\n'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="dave"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _allowed(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, given = bytes(value).partition(b" ")
                if scheme.lower() == b"bearer":
                    return hmac.compare_digest(given.strip(), self._token)
            elif name == b"cookie" and self._cookie is not None:
                for part in bytes(value).split(b";"):
                    key, _, given = part.strip().partition(b"=")
                    if key == self._cookie and hmac.compare_digest(given, self._token):
                        return True
        return False


class SameSiteGuard:
    """Refuses what a web page elsewhere could send this server: a Host header that is not one
    of `hosts` (421: DNS rebinding), and a state-changing request or WebSocket whose Origin is
    not one of this server's own (403)."""

    _SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: App, hosts: list[str]) -> None:
        self._app = app
        self._hosts = {host.lower() for host in hosts}
        self._origins = {origin.lower() for origin in allowed_origins(hosts)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = {bytes(k).lower(): bytes(v).decode("latin-1") for k, v in scope["headers"]}
        host = headers.get(b"host", "").lower()
        origin = headers.get(b"origin")
        if host not in self._hosts:
            await _refuse(scope, send, 421, "this server answers to its own name only")
        elif (
            origin is not None
            and origin.lower() not in self._origins
            and (scope["type"] == "websocket" or scope.get("method") not in self._SAFE)
        ):
            await _refuse(scope, send, 403, "cross-site requests are refused")
        else:
            await self._app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        # Before accept: the server answers the upgrade with 403.
        await send({"type": "websocket.close", "code": 4403})
        return
    body = ('{"error": "' + message + '"}\n').encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
