"""Typed access to what `create_app` keeps on a Starlette app's `state`: the live config, the
request log and the store of jobs and file names. Starlette's `State` holds untyped attributes;
these functions are the one place that reads them, and they check what they hand back."""

from __future__ import annotations

from typing import TypeVar

from starlette.applications import Starlette

from .faults import EmulatorConfig
from .log import RequestLog
from .state import EmulatorState

_T = TypeVar("_T")


def attach(app: Starlette, config: EmulatorConfig) -> None:
    """Give `app` its config, an empty request log and the store `config.state_file` names."""
    app.state.config = config
    app.state.log = RequestLog()
    app.state.store = EmulatorState(config.state_file)


def _read(app: Starlette, name: str, kind: type[_T]) -> _T:
    value = getattr(app.state, name, None)
    if not isinstance(value, kind):
        raise TypeError(
            f"app.state.{name} is not an emulator {kind.__name__}: was create_app used?"
        )
    return value


def app_config(app: Starlette) -> EmulatorConfig:
    """The app's live `EmulatorConfig`; `app` is a Starlette app (or `request.app`)."""
    return _read(app, "config", EmulatorConfig)


def app_log(app: Starlette) -> RequestLog:
    """The app's `RequestLog`."""
    return _read(app, "log", RequestLog)


def app_store(app: Starlette) -> EmulatorState:
    """The app's `EmulatorState` (jobs and file names)."""
    return _read(app, "store", EmulatorState)
