"""The body of `dave mcp`: dave's tools for MCP clients over stdio, or over HTTP with --http."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from dave.core.errors import InvalidRequest


def run(
    *, http: bool, host: str, port: int, offline: bool, wait_s: float, workspace: Path | None
) -> None:
    from dave.mcp.serve import MAX_WAIT_S, run_http, run_stdio, say

    if not 0 <= wait_s <= MAX_WAIT_S:
        raise InvalidRequest(f"--wait-s must be 0 to {MAX_WAIT_S:.0f} seconds, not {wait_s:g}")
    if not 0 <= port <= 65535:
        raise InvalidRequest(f"--port must be 0 to 65535, not {port}")
    folder = (workspace or Path.cwd()).expanduser().resolve()
    if not folder.is_dir():
        raise InvalidRequest(f"--workspace {workspace} is not a folder")
    if http:

        def ready(url: str) -> None:
            say(f"dave mcp on {url} (Ctrl-C stops it)")

        asyncio.run(
            run_http(
                host=host,
                port=port,
                offline=offline,
                wait_s=wait_s,
                workspace=folder,
                on_ready=ready,
            )
        )
        return
    if sys.stdin.isatty():
        say(
            "dave mcp speaks MCP on stdin and stdout, for a client that starts it: "
            '{"mcpServers": {"dave": {"command": "dave", "args": ["mcp"]}}}; '
            "`dave mcp --http` serves it over HTTP instead"
        )
    asyncio.run(run_stdio(offline=offline, wait_s=wait_s, workspace=folder))
