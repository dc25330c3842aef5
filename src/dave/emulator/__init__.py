"""dave's offline provider emulator: an ASGI app speaking the providers' media wire formats.
Not imported by dave's online paths; names below load on first use, so importing this is cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

_WHERE = {
    "create_app": "app",
    "EmulatorConfig": "faults",
    "FaultRule": "faults",
    "LoggedRequest": "log",
    "RequestLog": "log",
    "EmulatorServer": "server",
    "serve": "server",
}


def __getattr__(name: str) -> Any:
    # Lazy, so `import dave.emulator` does not pull in uvicorn, Pillow or PyAV.
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
