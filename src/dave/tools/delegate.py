"""The agents tool: hand a task to another named agent and get its final answer back.

The agent manager (dave.agents) does the running through `ToolContext.delegate`; this module
only checks the depth limit and describes the tool. Not for choosing agents: the model does.
"""

from __future__ import annotations

from collections.abc import Mapping

from dave.core.errors import DaveError, InvalidRequest
from dave.tools.base import Tool, ToolContext, ToolResult, ToolSet, tool


async def _delegate(ctx: ToolContext, agent: str, task: str) -> ToolResult:
    if ctx.delegate is None:
        raise DaveError("delegation is not available in this run; do the task yourself")
    if ctx.depth >= ctx.max_depth:
        raise DaveError(
            f"delegation depth limit reached ({ctx.max_depth} levels); do the task yourself"
        )
    if not task.strip():
        raise InvalidRequest("the task is empty; say what the other agent should do")
    answer = await ctx.delegate(agent, task)
    return ToolResult(answer if answer.strip() else f"{agent} finished without an answer")


def delegate_tool(agents: Mapping[str, str] | None = None) -> Tool:
    """The `delegate` tool; `agents` (name → description), when given, is listed in its
    description so the model knows whom it can ask."""

    async def delegate(ctx: ToolContext, agent: str, task: str) -> ToolResult:
        """Ask another agent to do a task and wait for its final answer.

        Args:
            agent: The agent's name.
            task: What it should do, with everything it needs to know: it does not see
                this conversation.
        """
        if agents is not None and agent not in agents:
            raise InvalidRequest(f"no agent {agent!r}; ask one of {', '.join(agents)}")
        return await _delegate(ctx, agent, task)

    description = None
    if agents:
        listed = "; ".join(f"{name}: {about}" for name, about in agents.items())
        description = (
            f"Ask another agent to do a task and wait for its final answer. The agents: {listed}."
        )
    return tool(description=description)(delegate)


def agents_tools(agents: Mapping[str, str] | None = None) -> ToolSet:
    """delegate (to any agent the manager knows, or to those in `agents`)."""
    return ToolSet("agents", [delegate_tool(agents)])
