"""Agents: TOML specs, the loop that runs one against an LLM and its tools, and the manager that
keeps sessions. Not for tools (dave.tools) nor for the LLM's wire (dave.providers.openai_compat).

    async with AgentManager(offline=True) as manager:
        async for event in manager.run("daisy", "make a picture of a lighthouse"):
            ...

Names load on first use, so importing this package is cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import (
        ApprovalNeeded,
        AssetCreated,
        Done,
        ErrorEvent,
        Event,
        TextDelta,
        ToolCallFinished,
        ToolCallStarted,
    )
    from .loop import run_agent
    from .manager import AgentManager, AgentRun, resolve_tools
    from .spec import AgentSpec, load_specs

__all__ = [
    "AgentManager",
    "AgentRun",
    "AgentSpec",
    "ApprovalNeeded",
    "AssetCreated",
    "Done",
    "ErrorEvent",
    "Event",
    "TextDelta",
    "ToolCallFinished",
    "ToolCallStarted",
    "load_specs",
    "resolve_tools",
    "run_agent",
]

_WHERE = {
    "AgentManager": "manager",
    "AgentRun": "manager",
    "resolve_tools": "manager",
    "AgentSpec": "spec",
    "load_specs": "spec",
    "run_agent": "loop",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE.get(name, 'events')}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
