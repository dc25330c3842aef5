"""Tools an agent can call: `Tool`, `ToolSet`, the `@tool` decorator and the built-in sets.

Built-in sets by name in BUILTIN_TOOLSETS (files, shell, web, agents, media_<provider>, and
`media`: every provider's media tools merged, each taking a `provider`); their
modules load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dave.core.lazy import lazy_exports
from dave.tools.base import (
    DENIED,
    ApprovalRequest,
    Approver,
    Tool,
    ToolContext,
    ToolResult,
    ToolSet,
    approve_all,
    deny_all,
    tool,
)
from dave.tools.registry import BUILTIN_TOOLSETS, builtin_toolset

if TYPE_CHECKING:
    from dave.tools.delegate import agents_tools
    from dave.tools.files import files_tools
    from dave.tools.media import media_tools
    from dave.tools.shell import shell_tools
    from dave.tools.web import web_tools

__all__ = [
    "BUILTIN_TOOLSETS",
    "DENIED",
    "ApprovalRequest",
    "Approver",
    "Tool",
    "ToolContext",
    "ToolResult",
    "ToolSet",
    "agents_tools",
    "approve_all",
    "builtin_toolset",
    "deny_all",
    "files_tools",
    "media_tools",
    "shell_tools",
    "tool",
    "web_tools",
]

_LAZY = {
    "agents_tools": "dave.tools.delegate",
    "files_tools": "dave.tools.files",
    "media_tools": "dave.tools.media",
    "shell_tools": "dave.tools.shell",
    "web_tools": "dave.tools.web",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
