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


#: The cookie a browser keeps after `/login` (HttpOnly, SameSite=Strict): the token itself.
TOKEN_COOKIE = "dave_token"


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return bytes(value)
    return None


def _cookie(scope: Scope, wanted: str) -> bytes | None:
    raw = _header(scope, b"cookie")
    if raw is None:
        return None
    for part in raw.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name.decode("latin-1") == wanted:
            return value
    return None


def matches_host(value: str, allowed: list[str]) -> bool:
    """Whether a Host (or an Origin's host:port) is one of `allowed`, where `name:*` allows
    that name at any port."""
    value = value.lower()
    for entry in allowed:
        name, _, port = entry.rpartition(":")
        if port == "*" and value.rpartition(":")[0] == name.lower():
            return True
        if value == entry.lower():
            return True
    return False


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        # Before accept, a close is answered with HTTP 403 by the server.
        await send({"type": "websocket.close", "code": 4403, "reason": message[:120]})
        return
    body = ('{"error": "' + message.replace('"', "'") + '"}\n').encode()
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


def same_token(given: str, token: str) -> bool:
    """Whether `given` (a login form's field) is the token, compared in constant time."""
    return hmac.compare_digest(given.strip().encode(), token.encode())


class SameSiteGuard:
    """Refuses what a web page elsewhere could send: a Host that is not this server's own name
    (421: DNS rebinding) and a foreign Origin on any request or WebSocket (403)."""

    def __init__(self, app: App, hosts: list[str]) -> None:
        self._app = app
        self._hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        host = (_header(scope, b"host") or b"").decode("latin-1")
        if not matches_host(host, self._hosts):
            await _refuse(scope, send, 421, "this server answers to its own name only")
            return
        origin = _header(scope, b"origin")
        if origin is not None and not _same_origin(origin.decode("latin-1"), self._hosts):
            await _refuse(scope, send, 403, "cross-site requests are refused")
            return
        await self._app(scope, receive, send)


def _same_origin(origin: str, hosts: list[str]) -> bool:
    scheme, sep, rest = origin.partition("://")
    return bool(sep) and scheme in ("http", "https") and matches_host(rest, hosts)


class BearerGuard:
    """Answers 401 to any HTTP or WebSocket request without the token, as
    `Authorization: Bearer <token>` or (for a browser, after `/login`) the `dave_token` cookie;
    compares in constant time and never echoes what was sent. `open_paths` need no token (the
    login page itself)."""

    def __init__(self, app: App, token: str, *, open_paths: tuple[str, ...] = ()) -> None:
        self._app = app
        self._token = token.encode()
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
        value = _header(scope, b"authorization")
        if value is not None:
            scheme, _, given = value.partition(b" ")
            if scheme.lower() == b"bearer":
                return hmac.compare_digest(given.strip(), self._token)
        cookie = _cookie(scope, TOKEN_COOKIE)
        return cookie is not None and hmac.compare_digest(cookie, self._token)
