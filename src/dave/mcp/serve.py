"""Running `dave mcp`: one Studio for the process, the server over it, and a transport: stdio
(the client starts dave) or streamable HTTP at /mcp (loopback unless a token guards it).

Not for what the server offers (server.py, tools.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from dave.core.guard import BearerGuard, allowed_hosts, allowed_origins, check_bind, server_token
from dave.mcp.server import DaveMCP
from dave.mcp.tools import DEFAULT_WAIT_S, MAX_WAIT_S
from dave.media.following import EventRouter, Jobs
from dave.media.studio import Studio

MCP_PATH = "/mcp"
__all__ = ["MAX_WAIT_S", "MCP_PATH", "open_server", "run_http", "run_stdio", "say"]


@contextlib.asynccontextmanager
async def open_server(
    *, offline: bool = False, wait_s: float = DEFAULT_WAIT_S, workspace: Path | None = None
) -> AsyncIterator[DaveMCP]:
    """The server over a Studio of its own; on the way out, jobs still running are left
    journaled where they stand (`dave jobs resume` or a later job_wait finishes them)."""
    router = EventRouter()
    async with Studio(offline=offline or None, on_event=router) as studio:
        jobs = Jobs(studio, router)
        try:
            yield DaveMCP(studio, jobs, workspace=workspace or Path.cwd(), wait_s=wait_s)
        finally:
            await jobs.aclose()


async def run_stdio(*, offline: bool, wait_s: float, workspace: Path | None = None) -> None:
    async with open_server(offline=offline, wait_s=wait_s, workspace=workspace) as server:
        await server.run_stdio_async()


async def run_http(
    *,
    host: str,
    port: int,
    offline: bool,
    wait_s: float,
    workspace: Path | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Streamable HTTP at http://host:port/mcp until interrupted. `on_ready` gets the URL once
    the socket listens (port 0 picks a free one)."""
    import uvicorn

    token = server_token()
    check_bind(host, token)
    async with open_server(offline=offline, wait_s=wait_s, workspace=workspace) as server:
        config = uvicorn.Config(
            _app(server, host, port, token),
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
        )
        web = uvicorn.Server(config)
        serving = asyncio.create_task(web.serve())
        while not web.started and not serving.done():
            await asyncio.sleep(0.02)
        if web.started and on_ready is not None:
            bound = web.servers[0].sockets[0].getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{bound}{MCP_PATH}")
        await serving


def _app(server: DaveMCP, host: str, port: int, token: str | None) -> Any:
    from mcp.server.transport_security import TransportSecuritySettings

    # With port 0 the real port is not known yet: any port on the allowed names passes (the
    # name is what DNS rebinding fakes, not the port).
    hosts = allowed_hosts(host, port or 1)
    if not port:
        hosts = [name.rsplit(":", 1)[0] + ":*" for name in hosts]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=allowed_origins(hosts),
    )
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH, transport_security=security, host=host
    )
    return BearerGuard(app, token) if token else app


def say(line: str) -> None:
    """stdout belongs to the protocol on stdio; dave's own lines go to stderr."""
    print(line, file=sys.stderr, flush=True)
