"""Agents: TOML specs, the loop that runs one against an LLM and its tools, and the manager that
keeps sessions. Not for tools (dave.tools) nor for the LLM's wire (dave.providers.openai_compat).

    async with AgentManager(offline=True) as manager:
        async for event in manager.run("daisy", "make a picture of a lighthouse"):
            ...

Names load on first use, so importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dave.core.lazy import lazy_exports

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
    from .manager import AgentManager
    from .run import AgentRun
    from .spec import AgentSpec, load_specs
    from .toolsets import resolve_tools

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
    "AgentManager": ".manager",
    "AgentRun": ".run",
    "resolve_tools": ".toolsets",
    "AgentSpec": ".spec",
    "load_specs": ".spec",
    "run_agent": ".loop",
}
_WHERE |= {name: ".events" for name in __all__ if name not in _WHERE}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
