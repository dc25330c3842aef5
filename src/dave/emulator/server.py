"""Runs the emulator over real HTTP: `EmulatorServer` (uvicorn in a thread, for tests) and `serve`.
Not for production traffic: one process, loopback by default, no TLS."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, TextIO

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import create_app
from .appstate import app_config, app_log, app_store
from .faults import EmulatorConfig, FaultRule
from .log import RequestLog
from .middleware import TRANSPORT_KEY
from .state import EmulatorState

_START_TIMEOUT_S = 10.0


class TransportExposingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with each connection's transport reachable from the app.

    ASGI gives an app no way to drop a connection without answering: an app that raises or
    returns early makes uvicorn send a 500. The `reset` and `truncate` faults need a real
    drop, so each connection gets its own copy of the (lifespan) state dict holding its
    transport; uvicorn copies that dict into every request's `scope["state"]`, where
    `middleware.drop_connection` finds it.
    """

    # uvicorn's own connection_made narrows asyncio's BaseTransport to Transport (and ignores
    # the override the same way); this one has its signature.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


def _uvicorn_config(app: Any, host: str, port: int, *, graceful_s: float = 1) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=TransportExposingH11Protocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
        # A hanging request must not hold up shutdown for long. uvicorn types it int but
        # waits with asyncio.wait_for, which takes a fraction of a second too.
        timeout_graceful_shutdown=graceful_s,  # type: ignore[arg-type]  # a float: see above
    )


class EmulatorServer:
    """The emulator on 127.0.0.1 and a free port, in a background thread, for the `with` block.

    >>> with EmulatorServer(EmulatorConfig(video_ready_s=0.5)) as server:
    ...     base = server.xai_base_url  # http://127.0.0.1:<port>/v1
    """

    def __init__(
        self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.app = create_app(config)
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def config(self) -> EmulatorConfig:
        return app_config(self.app)

    @property
    def log(self) -> RequestLog:
        return app_log(self.app)

    @property
    def state(self) -> EmulatorState:
        """The jobs and file names this server keeps (in memory unless `config.state_file`)."""
        return app_store(self.app)

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the emulator server is not running")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """The server's origin, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self._host}:{self.port}"

    @property
    def xai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def minimax_base_url(self) -> str:
        """What MINIMAX_BASE_URL should be: MiniMax's own paths (/v1/...) follow it."""
        return f"{self.url}/minimax"

    @property
    def stability_base_url(self) -> str:
        """What STABILITY_BASE_URL should be: Stability's own paths (/v2beta/...) follow it."""
        return f"{self.url}/stability"

    def set_faults(self, rules: Iterable[FaultRule | dict[str, Any]]) -> None:
        """Replace the fault rules while serving; counters start again from zero."""
        self.config.set_faults(rules)

    def start(self) -> EmulatorServer:
        if self._thread is not None:
            raise RuntimeError("the emulator server is already running")
        # Binding here (not in uvicorn) means the port is known before the thread starts.
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it every keep-alive request waits ~40 ms on delayed ACKs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        self._socket = sock
        self._server = uvicorn.Server(_uvicorn_config(self.app, self._host, self._port))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="dave-emulator", daemon=True
        )
        self._thread.start()
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator server failed to start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT_S)
        self._close_socket()
        self._server = None
        self._thread = None

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmulatorServer:
        # Starting waits on another thread; keep the caller's event loop free meanwhile.
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


#: How long `serve` lets requests in flight finish once told to stop: Ctrl-C stops it at once.
SERVE_GRACE_S = 0.1


class AccessLog:
    """ASGI middleware: one line per request on stderr, `GET /v1/models 200 3 ms`. The method,
    the path (no query string) and the status only: never a header, so never a key."""

    def __init__(self, app: Any, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = []

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            ms = (time.perf_counter() - started) * 1000
            code = str(status[0]) if status else "-"  # a dropped connection answers nothing
            stream = self.stream or sys.stderr
            stream.write(f"{scope['method']} {scope['path']} {code} {ms:.0f} ms\n")
            stream.flush()


class _NoShutdownCancellations(logging.Filter):
    """A request still running when serving stops is cancelled; that is no error to report
    (neither uvicorn's note that it cancels it nor the cancellation's traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        cancelling = "graceful shutdown exceeded" in record.getMessage()
        return not (cancelling or isinstance(error, asyncio.CancelledError))


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    config: EmulatorConfig | None = None,
    *,
    access_log: bool = False,
) -> None:
    """Serve the emulator in the foreground until Ctrl-C or SIGTERM (for `dave emulator serve`),
    which stop it within a fraction of a second; `access_log` prints each request on stderr."""
    app: Any = create_app(config)
    if access_log:
        app = AccessLog(app)
    server = uvicorn.Server(_uvicorn_config(app, host, port, graceful_s=SERVE_GRACE_S))
    quiet = _NoShutdownCancellations()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    try:
        server.run()
    except KeyboardInterrupt:
        # uvicorn stops cleanly on the signal, then raises it again for the caller: here,
        # Ctrl-C is how serving is meant to end.
        pass
    finally:
        logging.getLogger("uvicorn.error").removeFilter(quiet)
