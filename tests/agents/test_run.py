"""A run: every message kept in the real SQLite store with its usage and cost, delegation to a
media agent that makes a real asset, refusals, cancellation, budgets, and repairing a session
a killed process left with an open call."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave.agents.events import AssetCreated, Done, ToolCallFinished, ToolCallStarted
from dave.agents.manager import AgentManager
from dave.agents.run import INTERRUPTED_RESULT, repair
from dave.emulator import EmulatorServer
from dave.store import Store
from dave.tools import ApprovalRequest

from .conftest import Script, chat_requests


async def allow(request: ApprovalRequest) -> bool:
    return True


def call(tool_name: str, call_id: str, /, **arguments: Any) -> dict[str, Any]:
    return {"name": tool_name, "id": call_id, "arguments": arguments}


def write_agent(home: Path, name: str, body: str) -> None:
    folder = home / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(textwrap.dedent(body))


async def test_a_run_keeps_every_message_with_usage_and_cost_in_the_session(
    script: Script, workspace: Path, dave_home: Path
) -> None:
    script(
        [
            {"tool_calls": [call("generate_image", "c1", prompt="a red kite")]},
            {"content": "Here is your kite."},
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        run = manager.run("xai", "draw a red kite")
        events = [event async for event in run]
        done = events[-1]
        session = manager.sessions.get(run.session_id)
        messages = manager.sessions.messages(run.session_id)

    assert isinstance(done, Done) and done.session_id == run.session_id
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert messages[2].tool_calls[0]["function"]["name"] == "generate_image"
    assert (messages[3].name, messages[3].tool_call_id) == ("generate_image", "c1")
    assert messages[2].usage["prompt_tokens"] > 0 and messages[3].usage is None
    assert session.agent == "xai" and session.title == "draw a red kite"
    assert session.prompt_tokens == done.usage["prompt_tokens"] > 0
    # x.ai's image price and the model's tokens, both counted.
    assert (
        session.cost_usd == pytest.approx(done.cost_usd, abs=1e-6)
        and 0.02 < session.cost_usd < 0.03
    )
    asset = next(e.asset for e in events if isinstance(e, AssetCreated))
    assert Path(asset["path"]).is_file()


async def test_daisy_delegates_to_the_xai_agent_which_makes_a_real_image(
    script: Script, workspace: Path, dave_home: Path, xai: EmulatorServer
) -> None:
    script(
        [
            # daisy: hand the task to the x.ai media agent
            {
                "tool_calls": [call("delegate", "d1", agent="xai", task="a lighthouse at dusk")],
                "expect": {"tools": ["delegate"], "system_contains": "Daisy"},
            },
            # the xai agent, in its own conversation: make the image
            {
                "tool_calls": [call("generate_image", "g1", prompt="a lighthouse at dusk")],
                "expect": {
                    "message_count": 2,
                    "system_contains": "x.ai media agent",
                    "contains": "a lighthouse at dusk",
                },
            },
            {"content": "Made it.", "expect": {"last_role": "tool", "contains": '"a_'}},
            # daisy again, with the delegate's answer as the tool result
            {
                "content": "The x.ai agent made your lighthouse.",
                "expect": {"tool_call_ids": ["d1"], "contains": "Made it."},
            },
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        run = manager.run("daisy", "paint me a lighthouse at dusk")
        events = [event async for event in run]
        children = [s for s in manager.sessions.list() if s.parent_id == run.session_id]

    assert events[-1].stop_reason == "stop"
    assert events[-1].text == "The x.ai agent made your lighthouse."
    order = [e.kind for e in events if e.kind != "text_delta"]
    assert order == ["tool_call_started", "asset_created", "tool_call_finished", "done"]
    asset = next(e.asset for e in events if isinstance(e, AssetCreated))
    with Image.open(asset["path"]) as image:
        assert image.size[0] > 0
    with Store.open(dave_home) as store:
        kept = store.assets.get(asset["id"])
        assert kept.prompt == "a lighthouse at dusk"
        assert store.jobs.get(asset["job_id"]).state.value == "done"
    assert [child.agent for child in children] == ["xai"]
    assert len(chat_requests(xai)) == 4


async def test_delegating_to_an_agent_not_in_can_delegate_to_is_refused(
    script: Script, workspace: Path, dave_home: Path
) -> None:
    write_agent(
        dave_home,
        "boss",
        """
        system_prompt = "You delegate."
        toolsets = ["agents"]
        can_delegate_to = ["xai"]
        """,
    )
    script(
        [
            {"tool_calls": [call("delegate", "d1", agent="code", task="rm -rf /")]},
            {"content": "I may not.", "expect": {"contains": "no agent 'code'"}},
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        events = [event async for event in manager.run("boss", "get code to do it")]
    finished = next(e for e in events if isinstance(e, ToolCallFinished))
    assert finished.is_error
    assert events[-1].stop_reason == "stop"


async def test_a_cancelled_run_ends_cancelled_and_its_session_can_go_on(
    script: Script, workspace: Path, dave_home: Path
) -> None:
    write_agent(
        dave_home,
        "sleeper",
        """
        system_prompt = "You run commands."
        toolsets = ["shell"]
        """,
    )
    script([{"tool_calls": [call("run_command", "c1", command="sleep 30")]}])
    async with AgentManager(workspace=workspace, approve=allow) as manager:
        run = manager.run("sleeper", "sleep")
        events = []
        async for event in run:
            events.append(event)
            if isinstance(event, ToolCallStarted):
                await asyncio.sleep(0.2)
                manager.cancel(run)
        assert isinstance(events[-1], Done) and events[-1].stop_reason == "cancelled"
        messages = manager.sessions.messages(run.session_id)
        assert messages[-1].role == "tool" and messages[-1].content.startswith("cancelled")

        script([{"content": "Stopped, as you asked.", "expect": {"message_count": 5}}])
        again = await manager.run(None, "what happened?", session_id=run.session_id).wait()
    assert again.stop_reason == "stop" and again.session_id == run.session_id


async def test_a_run_cancelled_before_it_starts_still_ends_with_done(
    workspace: Path, xai: EmulatorServer
) -> None:
    async with AgentManager(workspace=workspace) as manager:
        run = manager.run("daisy", "hello")
        run.cancel()
        events = [event async for event in run]
    assert [e.kind for e in events] == ["done"]
    assert events[0].stop_reason == "cancelled"
    assert chat_requests(xai) == []


async def test_a_budget_stops_the_run_once_spent(
    script: Script, workspace: Path, dave_home: Path, xai: EmulatorServer
) -> None:
    write_agent(
        dave_home,
        "frugal",
        """
        system_prompt = "You make images."
        toolsets = ["media_xai"]
        budget_usd = 0.01
        """,
    )
    script(
        [
            {"tool_calls": [call("generate_image", "c1", prompt="one")]},
            {"tool_calls": [call("generate_image", "c2", prompt="two")]},
        ]
    )
    async with AgentManager(workspace=workspace) as manager:
        done = await manager.run("frugal", "make images until told to stop").wait()
    assert done.stop_reason == "budget"
    assert done.cost_usd is not None and done.cost_usd >= 0.02
    assert len(chat_requests(xai)) == 1
    assert len(xai.log.posts("/v1/images/generations")) == 1


def test_repair_answers_calls_a_killed_process_left_open() -> None:
    calls = [{"id": "a", "type": "function", "function": {"name": "x", "arguments": "{}"}}]
    messages = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u"},
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "user", "content": "again"},
    ]
    repaired = repair(messages)
    assert [m["role"] for m in repaired] == ["system", "user", "assistant", "tool", "user"]
    assert repaired[3] == {"role": "tool", "tool_call_id": "a", "content": INTERRUPTED_RESULT}
    assert repair(repaired) == repaired
