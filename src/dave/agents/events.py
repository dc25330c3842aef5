"""What an agent run tells its caller as it goes: text, tool calls, assets, approvals, the end.

The CLI renders these and later doors (server, MCP) stream them; `to_dict()` is their wire form.
Not a record: the session's messages in the store are that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TextDelta:
    """A piece of the assistant's reply, as the model streams it."""

    text: str
    kind: str = field(default="text_delta", init=False)


@dataclass(frozen=True)
class ToolCallStarted:
    """The model asked for a tool call and it is starting (arguments already parsed)."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    kind: str = field(default="tool_call_started", init=False)


@dataclass(frozen=True)
class ToolCallFinished:
    """A tool call ended; `content` is exactly what the model is given back."""

    call_id: str
    name: str
    content: str
    is_error: bool = False
    diff: str | None = None
    """For a file change: its unified diff, for the caller to show."""
    kind: str = field(default="tool_call_finished", init=False)


@dataclass(frozen=True)
class AssetCreated:
    """A tool (or a delegated agent) made a file that is now in the media library."""

    asset: dict[str, Any]
    kind: str = field(default="asset_created", init=False)


@dataclass(frozen=True)
class ApprovalNeeded:
    """A tool that needs approval is waiting for the answer of the manager's `approve`."""

    request: Any  # dave.tools.ApprovalRequest (tool, arguments, summary)
    kind: str = field(default="approval_needed", init=False)


@dataclass(frozen=True)
class ErrorEvent:
    """The run could not go on (the model's endpoint failed, a spec is unusable, ...)."""

    message: str
    kind: str = field(default="error", init=False)


@dataclass(frozen=True)
class Done:
    """The run ended. `stop_reason`: stop (the model finished), max_turns, max_tool_calls,
    budget, cancelled or error."""

    text: str
    usage: dict[str, int]
    stop_reason: str
    session_id: str | None = None
    cost_usd: float | None = None
    kind: str = field(default="done", init=False)


Event = (
    TextDelta
    | ToolCallStarted
    | ToolCallFinished
    | AssetCreated
    | ApprovalNeeded
    | ErrorEvent
    | Done
)

STOP_REASONS = ("stop", "max_turns", "max_tool_calls", "budget", "cancelled", "error")


def to_dict(event: Event) -> dict[str, Any]:
    """The event as plain JSON-ready data (`kind` first)."""
    if isinstance(event, ApprovalNeeded):
        request = event.request
        body = {
            "tool": getattr(request, "tool", None),
            "arguments": getattr(request, "arguments", None),
            "summary": getattr(request, "summary", None),
        }
        return {"kind": event.kind, "request": body}
    data = asdict(event)
    return {"kind": data.pop("kind"), **data}
