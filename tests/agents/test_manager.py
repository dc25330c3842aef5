"""The agent manager: sessions in the real SQLite store, delegation to a media agent that makes a
real asset, cancellation, a session continued by another process, budgets and refusals."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dave.agents.events import AssetCreated, Done, ToolCallFinished, ToolCallStarted
from dave.agents.manager import INTERRUPTED_RESULT, AgentManager, repair
from dave.core.errors import ConfigError, InvalidRequest, NotFound
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


_CONTINUE = """
import asyncio, sys
from dave.agents.manager import AgentManager

async def main():
    agent, prompt, session = sys.argv[1] or None, sys.argv[2], sys.argv[3] or None
    async with AgentManager() as manager:
        done = await manager.run(agent, prompt, session_id=session).wait()
    print(done.session_id, done.stop_reason, done.text)

asyncio.run(main())
"""


def _in_new_process(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CONTINUE, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split(" ", 2)


def test_a_session_continues_in_a_new_process(script: Script, dave_home: Path) -> None:
    script(
        [
            {"content": "Noted: walrus.", "expect": {"message_count": 2}},
            {
                "content": "You told me walrus.",
                "expect": {
                    "message_count": 4,
                    "any_contains": "remember the word walrus",
                    "system_contains": "Daisy",
                },
            },
        ]
    )
    session_id, reason, _text = _in_new_process("daisy", "remember the word walrus", "")
    assert reason == "stop"
    again, reason, text = _in_new_process("", "which word?", session_id[:12])
    assert (again, reason, text) == (session_id, "stop", "You told me walrus.")


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


async def test_unknown_agents_sessions_and_missing_keys_fail_at_once(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with AgentManager(workspace=workspace) as manager:
        with pytest.raises(NotFound, match="no agent 'nobody'"):
            manager.run("nobody", "hi")
        with pytest.raises(NotFound, match="no session"):
            manager.run(None, "hi", session_id="s_0000")
        with pytest.raises(ConfigError, match="no API key for xai") as caught:
            manager.run("daisy", "hi")
        assert "XAI_API_KEY" in caught.value.user_line()
        with pytest.raises(InvalidRequest, match="empty"):
            manager.run("daisy", "  ")


async def test_a_session_belongs_to_its_agent(
    script: Script, workspace: Path, dave_home: Path
) -> None:
    script([{"content": "hi"}])
    async with AgentManager(workspace=workspace) as manager:
        done = await manager.run("daisy", "hello").wait()
        with pytest.raises(InvalidRequest, match="is with agent 'daisy'"):
            manager.run("code", "hello", session_id=done.session_id)


async def test_offline_the_rule_based_model_makes_a_real_image_without_any_key(
    workspace: Path, dave_home: Path
) -> None:
    async with AgentManager(offline=True, workspace=workspace) as manager:
        events = [event async for event in manager.run(None, "make a picture of a lighthouse")]
    asset = next(e.asset for e in events if isinstance(e, AssetCreated))
    assert Path(asset["path"]).is_file()
    assert asset["id"] in events[-1].text
    assert events[-1].stop_reason == "stop"


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


def test_events_have_a_json_form() -> None:
    from dave.agents.events import to_dict

    event = Done("hi", {"prompt_tokens": 1}, "stop", "s_1", 0.5)
    assert json.loads(json.dumps(to_dict(event)))["kind"] == "done"
    started = to_dict(ToolCallStarted("c1", "read_file", {"path": "a"}))
    assert started == {
        "kind": "tool_call_started",
        "call_id": "c1",
        "name": "read_file",
        "arguments": {"path": "a"},
    }
