"""dave's offline provider emulator: an ASGI app speaking the providers' media wire formats.
Not imported by dave's online paths; names below load on first use, so importing this is cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dave.core.lazy import lazy_exports

if TYPE_CHECKING:
    from .app import create_app
    from .faults import EmulatorConfig, FaultRule
    from .log import LoggedRequest, RequestLog
    from .server import EmulatorServer, serve

__all__ = [
    "EmulatorConfig",
    "EmulatorServer",
    "FaultRule",
    "LoggedRequest",
    "RequestLog",
    "create_app",
    "serve",
]

# Lazy, so `import dave.emulator` does not pull in uvicorn, Pillow or PyAV.
_WHERE = {
    "create_app": ".app",
    "EmulatorConfig": ".faults",
    "FaultRule": ".faults",
    "LoggedRequest": ".log",
    "RequestLog": ".log",
    "EmulatorServer": ".server",
    "serve": ".server",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
