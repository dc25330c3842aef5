"""Running `dave serve`: the state opened, the app built, uvicorn on the chosen address
(loopback unless a token guards it), the URL said once the socket listens.

Not for what the server answers (app.py and the modules it routes to).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dave.core.guard import check_bind, server_token
from dave.core.settings import Settings
from dave.server.app import build_app
from dave.server.state import ServerState

if TYPE_CHECKING:
    import httpx2


async def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    workspace: Path | None = None,
    on_ready: Callable[[str], None] | None = None,
    llm_transport: httpx2.AsyncBaseTransport | None = None,
) -> None:
    """Serves until cancelled (Ctrl-C). `on_ready` gets the URL once the socket listens
    (port 0 picks a free one). Jobs still running are left journaled where they stand."""
    import uvicorn

    token = server_token()
    check_bind(host, token)
    async with ServerState(settings, workspace=workspace, llm_transport=llm_transport) as state:
        config = uvicorn.Config(
            build_app(state, host=host, port=port, token=token),
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_max_size=64 * 1024,
            h11_max_incomplete_event_size=64 * 1024,
        )
        web = uvicorn.Server(config)
        serving = asyncio.create_task(web.serve())
        while not web.started and not serving.done():
            await asyncio.sleep(0.02)
        if web.started and on_ready is not None:
            bound = web.servers[0].sockets[0].getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{bound}/")
        try:
            await serving
        finally:  # cancelled (or Ctrl-C): let uvicorn close its sockets before the state goes
            web.should_exit = True
            await asyncio.shield(serving)
