"""Fixtures for the tool tests: a real workspace with a real directory beside it (the outside a
tool must never reach), a ToolContext on it, and a little web site on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dave.tools import ApprovalRequest, ToolContext


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """tmp_path/workspace with a small project in it."""
    root = tmp_path / "workspace"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "app.py").write_text(
        'def greet(name):\n    return f"hello {name}"\n\n\nprint(greet("dave"))\n'
    )
    (root / "README.md").write_text("# demo\n\nA demo project.\n")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory next to the workspace holding a secret no tool may read or change."""
    place = tmp_path / "outside"
    place.mkdir()
    (place / "secret.txt").write_text("TOP SECRET\n")
    return place


class Approvals:
    """An approver that records what it was asked and answers as told."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[ApprovalRequest] = []

    async def __call__(self, request: ApprovalRequest) -> bool:
        self.asked.append(request)
        return self.answer


@pytest.fixture
def approvals() -> Approvals:
    return Approvals(answer=True)


@pytest.fixture
def ctx(workspace: Path, approvals: Approvals) -> ToolContext:
    """A context on the workspace that approves everything (and records what it approved)."""
    return ToolContext(workspace=workspace, approve=approvals)


# --- a web site on loopback ----------------------------------------------------------------

PAGE = """<!doctype html>
<html><head><title>Lighthouse  notes</title>
<style>body { color: red }</style><script>var hidden = "do not show";</script></head>
<body><h1>Lighthouses</h1><p>A lighthouse is a tower
   with a bright light.</p><ul><li>Pharos</li><li>Eddystone &amp; Bell Rock</li></ul>
<pre>def keep():
    return "indent"</pre>
<noscript>enable javascript</noscript></body></html>"""


def _routes() -> list[Route]:
    async def page(request: Request) -> Response:
        return Response(PAGE, media_type="text/html")

    async def text(request: Request) -> Response:
        return PlainTextResponse("just text\nsecond line\n")

    async def json_doc(request: Request) -> Response:
        return Response('{"ok": true}', media_type="application/json")

    async def png(request: Request) -> Response:
        return Response(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, media_type="image/png")

    async def big(request: Request) -> Response:
        return PlainTextResponse("x" * (3 * 1024 * 1024))

    async def missing(request: Request) -> Response:
        return PlainTextResponse("no such page", status_code=404)

    async def hop(request: Request) -> Response:
        left = int(request.path_params["left"])
        target = "/text" if left == 0 else f"/hop/{left - 1}"
        return RedirectResponse(target, status_code=302)

    async def to_file(request: Request) -> Response:
        return RedirectResponse("file:///etc/passwd", status_code=302)

    async def latin1(request: Request) -> Response:
        return Response("café".encode("latin-1"), media_type="text/plain; charset=iso-8859-1")

    return [
        Route("/page", page),
        Route("/text", text),
        Route("/json", json_doc),
        Route("/image.png", png),
        Route("/big", big),
        Route("/missing", missing),
        Route("/hop/{left}", hop),
        Route("/to-file", to_file),
        Route("/latin1", latin1),
    ]


@pytest.fixture(scope="session")
def web_site() -> Iterator[str]:
    """http://127.0.0.1:<port> serving the pages above."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        Starlette(routes=_routes()), lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web site did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
