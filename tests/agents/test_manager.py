"""The agent manager: a session continued by another process, the agent a session belongs to,
the checks a run fails at once, and the offline model making a real image with no key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dave.agents.events import AssetCreated, Done, ToolCallStarted
from dave.agents.manager import AgentManager
from dave.core.errors import ConfigError, InvalidRequest, NotFound

from .conftest import Script

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
