"""The body of `dave serve`: the gallery, the API and agent runs over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import webbrowser
from pathlib import Path

from dave.core.errors import InvalidRequest


def run(*, host: str, port: int, offline: bool, open_browser: bool, workspace: Path | None) -> None:
    from dave.core.settings import load_settings
    from dave.server.serve import serve

    if not 0 <= port <= 65535:
        raise InvalidRequest(f"--port must be 0 to 65535, not {port}")
    folder = (workspace or Path.cwd()).expanduser().resolve()
    if not folder.is_dir():
        raise InvalidRequest(f"--workspace {workspace} is not a folder")
    settings = load_settings(offline=offline or None)

    def ready(url: str) -> None:
        print(f"dave serve on {url} (Ctrl-C stops it)", file=sys.stderr, flush=True)
        if open_browser:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)

    asyncio.run(serve(settings, host=host, port=port, workspace=folder, on_ready=ready))
