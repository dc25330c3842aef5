"""The agent loop against the emulator's scripted chat model over loopback HTTP, with real tools.

The emulator checks every request (tool results answer the right call ids, in order), so a
test that passes here is a conversation a real OpenAI-compatible service would accept.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import openai
import pytest

from dave.agents.events import (
    ApprovalNeeded,
    Done,
    ErrorEvent,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from dave.agents.loop import CANCELLED_RESULT, run_agent
from dave.agents.spec import AgentSpec
from dave.emulator import EmulatorServer
from dave.tools import ApprovalRequest, ToolContext, ToolSet, tool

from .conftest import Script, chat_requests

SYSTEM = "You are a test agent."


def spec(**limits: Any) -> AgentSpec:
    return AgentSpec(name="tester", system_prompt=SYSTEM, model="test-model", **limits)


def conversation(prompt: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def toolbox(log: list[str]) -> ToolSet:
    @tool
    async def slow_echo(text: str, delay: float = 0.0) -> str:
        """Say the text back after a pause.

        Args:
            text: What to say.
            delay: Seconds to wait first.
        """
        await asyncio.sleep(delay)
        log.append(text)
        return f"echo: {text}"

    @tool
    def read_note(ctx: ToolContext, name: str) -> str:
        """Read a note from the workspace."""
        return (ctx.workspace / name).read_text()

    @tool
    def explode(reason: str) -> str:
        """Always fails."""
        raise RuntimeError(f"boom: {reason}")

    @tool(needs_approval=True, summarize=lambda a: f"launch {a['target']}")
    def launch(target: str) -> str:
        """Something a person must allow."""
        log.append(f"launched {target}")
        return "launched"

    @tool
    async def hang() -> str:
        """Never returns on its own."""
        await asyncio.sleep(3600)
        return "unreachable"

    return ToolSet("test", [slow_echo, read_note, explode, launch, hang])


async def collect(events: Any) -> list[Any]:
    return [event async for event in events]


def kinds(events: list[Any]) -> list[str]:
    return [event.kind for event in events]


def call(tool_name: str, call_id: str, /, **arguments: Any) -> dict[str, Any]:
    return {"name": tool_name, "id": call_id, "arguments": arguments}


async def test_multi_turn_tool_use_reads_a_file_and_answers_from_it(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path, xai: EmulatorServer
) -> None:
    (workspace / "todo.txt").write_text("buy milk")
    script(
        [
            {
                "tool_calls": [call("read_note", "c1", name="todo.txt")],
                "expect": {"last_role": "user", "tools": ["read_note"], "model": "test-model"},
            },
            {
                "content": "Your note says: buy milk.",
                "expect": {"last_role": "tool", "contains": "buy milk", "tool_call_ids": ["c1"]},
            },
        ]
    )
    messages = conversation("what is in todo.txt?")
    events = await collect(
        run_agent(spec(), messages, toolbox([]), llm, ToolContext(workspace=workspace))
    )

    done = events[-1]
    assert isinstance(done, Done)
    assert (done.text, done.stop_reason) == ("Your note says: buy milk.", "stop")
    assert done.usage["prompt_tokens"] > 0 and done.usage["completion_tokens"] > 0
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert messages[2]["tool_calls"][0]["function"] == {
        "name": "read_note",
        "arguments": '{"name": "todo.txt"}',
    }
    assert messages[3] == {"role": "tool", "tool_call_id": "c1", "content": "buy milk"}
    assert len(chat_requests(xai)) == 2
    assert all(r.json["stream"] is True for r in chat_requests(xai))


async def test_parallel_calls_run_at_once_and_are_answered_in_call_order(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {
                "tool_calls": [
                    call("slow_echo", "first", text="one", delay=0.3),
                    call("slow_echo", "second", text="two", delay=0.0),
                    call("slow_echo", "third", text="three", delay=0.1),
                ]
            },
            {
                "content": "all three said",
                "expect": {"last_role": "tool", "tool_call_ids": ["first", "second", "third"]},
            },
        ]
    )
    finished_in: list[str] = []
    messages = conversation("echo three things")
    started = asyncio.get_running_loop().time()
    events = await collect(
        run_agent(spec(), messages, toolbox(finished_in), llm, ToolContext(workspace=workspace))
    )
    elapsed = asyncio.get_running_loop().time() - started

    assert finished_in == ["two", "three", "one"]  # they really ran at the same time
    assert elapsed < 0.3 + 0.25  # not 0.4 s of sleeping one after the other
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.call_id for e in finished] == ["first", "second", "third"]
    assert [m["content"] for m in messages if m["role"] == "tool"] == [
        "echo: one",
        "echo: two",
        "echo: three",
    ]
    assert events[-1].stop_reason == "stop"


async def test_a_failing_tool_goes_back_to_the_model_as_an_error_and_the_run_goes_on(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {"tool_calls": [call("explode", "c1", reason="bad luck")]},
            {
                "content": "The tool failed; sorry.",
                "expect": {"last_role": "tool", "contains": "boom: bad luck"},
            },
        ]
    )
    events = await collect(
        run_agent(
            spec(), conversation("try it"), toolbox([]), llm, ToolContext(workspace=workspace)
        )
    )
    finished = next(e for e in events if isinstance(e, ToolCallFinished))
    assert finished.is_error and "RuntimeError: boom: bad luck" in finished.content
    assert events[-1].text == "The tool failed; sorry."
    assert events[-1].stop_reason == "stop"


async def test_an_unknown_tool_and_bad_arguments_are_error_results_not_crashes(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {"tool_calls": [call("nope", "c1"), call("slow_echo", "c2", wrong=1)]},
            {"content": "ok", "expect": {"tool_call_ids": ["c1", "c2"]}},
        ]
    )
    messages = conversation("go")
    events = await collect(
        run_agent(spec(), messages, toolbox([]), llm, ToolContext(workspace=workspace))
    )
    results = [e for e in events if isinstance(e, ToolCallFinished)]
    assert all(result.is_error for result in results)
    assert "no tool named 'nope'" in results[0].content
    assert "invalid arguments for slow_echo" in results[1].content
    assert events[-1].stop_reason == "stop"


async def test_a_denied_approval_goes_back_to_the_model_as_denied(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {"tool_calls": [call("launch", "c1", target="rocket")]},
            {
                "content": "You said no, so I did not launch.",
                "expect": {"last_role": "tool", "contains": "denied by the user"},
            },
        ]
    )
    asked: list[ApprovalRequest] = []

    async def refuse(request: ApprovalRequest) -> bool:
        asked.append(request)
        return False

    log: list[str] = []
    ctx = ToolContext(workspace=workspace, approve=refuse)
    events = await collect(run_agent(spec(), conversation("launch it"), toolbox(log), llm, ctx))

    assert log == []  # the tool never ran
    assert [(r.tool, r.summary) for r in asked] == [("launch", "launch rocket")]
    assert kinds(events)[:3] == ["tool_call_started", "approval_needed", "tool_call_finished"]
    approval = next(e for e in events if isinstance(e, ApprovalNeeded))
    assert approval.request.arguments == {"target": "rocket"}
    assert events[-1].stop_reason == "stop"


async def test_an_approved_call_runs(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {"tool_calls": [call("launch", "c1", target="kite")]},
            {"content": "launched", "expect": {"contains": "launched"}},
        ]
    )

    async def allow(request: ApprovalRequest) -> bool:
        return True

    log: list[str] = []
    ctx = ToolContext(workspace=workspace, approve=allow)
    await collect(run_agent(spec(), conversation("launch"), toolbox(log), llm, ctx))
    assert log == ["launched kite"]


async def test_the_run_stops_after_max_turns(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path, xai: EmulatorServer
) -> None:
    script([{"tool_calls": [call("slow_echo", f"c{n}", text=str(n))]} for n in range(5)])
    messages = conversation("loop forever")
    events = await collect(
        run_agent(spec(max_turns=2), messages, toolbox([]), llm, ToolContext(workspace=workspace))
    )
    assert events[-1].stop_reason == "max_turns"
    assert len(chat_requests(xai)) == 2
    # The conversation ends answered, so a later prompt in the same session is accepted.
    assert messages[-1]["role"] == "tool"


async def test_calls_beyond_max_tool_calls_are_refused_and_the_run_stops(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {
                "tool_calls": [
                    call("slow_echo", "c1", text="a"),
                    call("slow_echo", "c2", text="b"),
                    call("slow_echo", "c3", text="c"),
                ]
            }
        ]
    )
    log: list[str] = []
    messages = conversation("three")
    events = await collect(
        run_agent(
            spec(max_tool_calls=2), messages, toolbox(log), llm, ToolContext(workspace=workspace)
        )
    )
    assert log == ["a", "b"]
    assert events[-1].stop_reason == "max_tool_calls"
    refused = [m for m in messages if m["role"] == "tool"][2]
    assert refused["tool_call_id"] == "c3" and "limit of 2 tool calls" in refused["content"]


async def test_events_stream_in_order(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script(
        [
            {
                "content": "Let me check.",
                "tool_calls": [
                    call("slow_echo", "c1", text="hi"),
                    call("slow_echo", "c2", text="yo"),
                ],
            },
            {"content": "Both answered: hi and yo."},
        ]
    )
    events = await collect(
        run_agent(spec(), conversation("go"), toolbox([]), llm, ToolContext(workspace=workspace))
    )

    compact: list[str] = []
    for event in events:
        if not compact or event.kind != "text_delta" or compact[-1] != "text_delta":
            compact.append(event.kind)
    assert compact == [
        "text_delta",
        "tool_call_started",
        "tool_call_started",
        "tool_call_finished",
        "tool_call_finished",
        "text_delta",
        "done",
    ]
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 2  # streamed in pieces, not at once
    assert "".join(deltas) == "Let me check.Both answered: hi and yo."
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    assert [(e.call_id, e.arguments) for e in started] == [
        ("c1", {"text": "hi"}),
        ("c2", {"text": "yo"}),
    ]
    assert events[-1].text == "Both answered: hi and yo."


async def test_an_endpoint_error_ends_the_run_with_an_error_event(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script([{"content": "never", "expect": {"contains": "something else"}}])
    events = await collect(
        run_agent(spec(), conversation("hi"), toolbox([]), llm, ToolContext(workspace=workspace))
    )
    assert kinds(events) == ["error", "done"]
    error = events[0]
    assert isinstance(error, ErrorEvent)
    assert error.message.startswith("the model's endpoint answered HTTP 400:")
    assert "chat script turn 1 expected" in error.message
    assert events[-1].stop_reason == "error"


async def test_cancelling_a_run_answers_the_calls_in_flight_as_cancelled(
    llm: openai.AsyncOpenAI, script: Script, workspace: Path
) -> None:
    script([{"tool_calls": [call("hang", "c1"), call("slow_echo", "c2", text="quick")]}])
    messages = conversation("wait")
    seen: list[str] = []

    async def consume() -> None:
        async for event in run_agent(
            spec(), messages, toolbox([]), llm, ToolContext(workspace=workspace)
        ):
            seen.append(event.kind)

    task = asyncio.create_task(consume())
    while seen.count("tool_call_started") < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    tool_messages = [m for m in messages if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in tool_messages] == ["c1", "c2"]
    assert tool_messages[0]["content"] == CANCELLED_RESULT
    assert tool_messages[1]["content"] == "echo: quick"


async def test_a_spec_without_a_model_and_no_default_is_an_error_event(
    llm: openai.AsyncOpenAI, workspace: Path
) -> None:
    bare = AgentSpec(name="bare", system_prompt=SYSTEM)
    events = await collect(
        run_agent(bare, conversation("hi"), None, llm, ToolContext(workspace=workspace))
    )
    assert kinds(events) == ["error", "done"]
    assert events[-1].stop_reason == "error"
