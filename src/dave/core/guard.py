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
    """Answers 401 to any HTTP or WebSocket request without `Authorization: Bearer <token>`;
    compares in constant time and never echoes what was sent."""

    def __init__(self, app: App, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
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
        return False
