"""The delegate tool: it hands the task to ToolContext.delegate and stops at the depth limit."""

from __future__ import annotations

from pathlib import Path

from dave.tools import ToolContext, ToolResult, agents_tools
from dave.tools.delegate import delegate_tool


class Manager:
    """Stands in for the agent manager: records the tasks and answers each one."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, str]] = []

    async def __call__(self, agent: str, task: str) -> str:
        self.tasks.append((agent, task))
        return f"{agent} made a_123 at /media/x.jpg"


async def test_delegate_hands_the_task_over_and_returns_the_answer(workspace: Path) -> None:
    manager = Manager()
    ctx = ToolContext(workspace, delegate=manager, depth=1, max_depth=3)
    result = await agents_tools().call("delegate", {"agent": "xai", "task": "a lighthouse"}, ctx)
    assert result == ToolResult("xai made a_123 at /media/x.jpg")
    assert manager.tasks == [("xai", "a lighthouse")]


async def test_delegate_refuses_at_the_depth_limit(workspace: Path) -> None:
    manager = Manager()
    ctx = ToolContext(workspace, delegate=manager, depth=3, max_depth=3)
    result = await agents_tools().call("delegate", {"agent": "xai", "task": "x"}, ctx)
    assert result == ToolResult(
        "delegation depth limit reached (3 levels); do the task yourself", is_error=True
    )
    assert manager.tasks == []


async def test_delegate_without_a_manager_says_so(workspace: Path) -> None:
    result = await agents_tools().call(
        "delegate", {"agent": "xai", "task": "x"}, ToolContext(workspace)
    )
    assert result == ToolResult(
        "delegation is not available in this run; do the task yourself", is_error=True
    )


async def test_a_failing_sub_agent_is_an_error_result(workspace: Path) -> None:
    async def broken(agent: str, task: str) -> str:
        raise RuntimeError("the sub-agent ran out of turns")

    ctx = ToolContext(workspace, delegate=broken)
    result = await agents_tools().call("delegate", {"agent": "code", "task": "fix it"}, ctx)
    assert result == ToolResult("RuntimeError: the sub-agent ran out of turns", is_error=True)


async def test_named_agents_are_listed_and_others_refused(workspace: Path) -> None:
    agents = {"xai": "makes images with Grok Imagine", "code": "writes code"}
    delegate = delegate_tool(agents)
    assert delegate.description == (
        "Ask another agent to do a task and wait for its final answer. The agents: "
        "xai: makes images with Grok Imagine; code: writes code."
    )
    manager = Manager()
    result = await delegate.call(
        {"agent": "daisy", "task": "x"}, ToolContext(workspace, delegate=manager)
    )
    assert result == ToolResult("no agent 'daisy'; ask one of xai, code", is_error=True)
    assert manager.tasks == []
