"""P6 agent loop: dave's own overhead per tool-call turn, against a bare `openai` SDK loop on the
same scripted conversation.

The emulator runs in its own process; its scripted chat model makes TURNS tool-call turns (each
asks for `read_file` on a small file in the workspace, the arguments streamed in pieces) and
then answers with text. Three loops hold that conversation, interleaved round by round:

- bare: a hand-written loop on the openai SDK (streaming, tool-call deltas accumulated, the file
  read with `Path.read_text`, messages appended); nothing validated, nothing kept;
- loop: `dave.agents.run_agent` with the built-in files tool set (argument validation, the
  workspace confinement, events for every step);
- manager: `AgentManager.run` on an agent with that tool set: the loop, plus the run's task
  and event queue and every message, usage and cost written to the SQLite session store.

Overhead per turn = (median conversation time − the bare median) / tool-call turns. Goal: the
loop's and the manager's each <= 5 ms per turn.

    .venv/bin/python bench/p6_agent_loop.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
import openai
from _common import TEST_KEY, EmulatorProcess, goal, line, median, parse_args, ratio, use_dave_env

from dave.agents.events import Done
from dave.agents.loop import run_agent
from dave.agents.manager import AgentManager
from dave.agents.spec import AgentSpec
from dave.tools import ToolContext
from dave.tools.files import files_tools

GOAL_MS = 5.0
MODEL = "bench-model"
SYSTEM = "You are a benchmark agent. Read the note when asked."
PROMPT = "read the note, again and again"
NOTE = "a short note the model reads back\n" * 4
AGENT_TOML = f"""
system_prompt = "{SYSTEM}"
model = "{MODEL}"
toolsets = ["files"]
max_turns = 1000
max_tool_calls = 1000
"""


def chat_script(turns: int) -> list[dict[str, Any]]:
    calls = [
        {"tool_calls": [{"name": "read_file", "arguments": {"path": "note.txt"}, "id": f"c{n}"}]}
        for n in range(turns)
    ]
    return [*calls, {"content": "I read the note every time; it says the same."}]


async def bare_loop(client: openai.AsyncOpenAI, tools: list[dict[str, Any]], root: Path) -> str:
    """The least a program can do to hold the conversation with the SDK."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": PROMPT},
    ]
    while True:
        stream = await client.chat.completions.create(
            model=MODEL,
            messages=messages,  # type: ignore[arg-type]
            tools=tools,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        async for chunk in stream:
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta
            if delta.content:
                text.append(delta.content)
            for piece in delta.tool_calls or []:
                call = calls.setdefault(piece.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = piece.id or call["id"]
                if piece.function is not None:
                    call["name"] = piece.function.name or call["name"]
                    call["arguments"] += piece.function.arguments or ""
        ordered = [calls[index] for index in sorted(calls)]
        assistant: dict[str, Any] = {"role": "assistant", "content": "".join(text) or None}
        if not ordered:
            return "".join(text)
        assistant["tool_calls"] = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": c["arguments"]},
            }
            for c in ordered
        ]
        messages.append(assistant)
        for call in ordered:
            path = json.loads(call["arguments"])["path"]
            content = (root / path).read_text()
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": content})


async def dave_loop(client: openai.AsyncOpenAI, root: Path) -> Done:
    spec = AgentSpec(name="bench", system_prompt=SYSTEM, model=MODEL, max_turns=1000)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]
    done = None
    async for event in run_agent(spec, messages, files_tools(), client, ToolContext(root)):
        done = event
    assert isinstance(done, Done)
    return done


async def manager_run(manager: AgentManager) -> Done:
    return await manager.run("bench", PROMPT).wait()


async def measure(
    emulator: EmulatorProcess, home: Path, turns: int, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each conversation, per loop, in rounds of one conversation each."""
    root = home / "work"
    root.mkdir(parents=True)
    (root / "note.txt").write_text(NOTE)
    (home / "agents").mkdir(parents=True)
    (home / "agents" / "bench.toml").write_text(AGENT_TOML)
    use_dave_env(home, emulator.xai_base_url)
    tools = files_tools().schemas()
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "loop": [], "manager": []}
    control = httpx2.AsyncClient(base_url=emulator.url)
    client = openai.AsyncOpenAI(base_url=emulator.xai_base_url, api_key=TEST_KEY, max_retries=0)
    async with control, client, AgentManager(workspace=root) as manager:

        async def one(name: str) -> tuple[float, float]:
            answer = await control.put("/_emulator/chat-script", json=chat_script(turns))
            answer.raise_for_status()
            cpu, start = time.process_time(), time.perf_counter()
            if name == "bare":
                text = await bare_loop(client, tools, root)
            else:
                done = await (dave_loop(client, root) if name == "loop" else manager_run(manager))
                assert done.stop_reason == "stop", done
                text = done.text
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert text.startswith("I read the note"), text
            return elapsed, cpu

        for name in times:  # warm every path (imports, connections, the SQLite file)
            await one(name)
        for round_no in range(rounds):
            order = list(times) if round_no % 2 == 0 else list(reversed(times))
            for name in order:
                times[name].append(await one(name))
        sessions = manager.sessions.list(limit=rounds + 5)
        assert len(sessions) == rounds + 1
        assert all(session.message_count == 3 + 2 * turns for session in sessions)
    return times


def per_turn_overhead_ms(
    times: dict[str, list[tuple[float, float]]], name: str, turns: int, which: int
) -> float:
    """The median over rounds of (this loop − the bare loop in the same round), per turn."""
    differences = [
        (mine[which] - bare[which]) / turns * 1000
        for mine, bare in zip(times[name], times["bare"], strict=True)
    ]
    return max(0.0, median(differences))


def main() -> int:
    args = parse_args(__doc__)
    turns, rounds = (5, 5) if args.quick else (20, 31)
    with (
        tempfile.TemporaryDirectory(prefix="dave-bench-p6-") as folder,
        EmulatorProcess({}) as emulator,
    ):
        times = asyncio.run(measure(emulator, Path(folder) / "dave-home", turns, rounds))
    line(
        f"P6 agent loop: {turns} tool-call turns + 1 answer per conversation, "
        f"{rounds} rounds (median)"
    )
    for name, values in times.items():
        wall = median([v[0] for v in values]) * 1000
        cpu = median([v[1] for v in values]) * 1000
        line(
            f"{name:8} {wall:8.1f} ms wall, {cpu:8.1f} ms CPU per conversation"
            f"  ({wall / (turns + 1):.2f} ms wall per request)"
        )
    bare = median([v[0] for v in times["bare"]])
    for name, what in (
        ("loop", "run_agent over the files tools"),
        ("manager", "AgentManager.run, sessions kept in SQLite"),
    ):
        cpu_ms = per_turn_overhead_ms(times, name, turns, 1)
        line(f"{name}: {cpu_ms:.3f} ms CPU per tool-call turn over the bare loop (this process)")
        goal(
            f"p6.{name}_overhead_per_turn",
            per_turn_overhead_ms(times, name, turns, 0),
            "ms",
            GOAL_MS,
            f"{what}, minus a bare openai SDK loop in the same round, wall time per tool-call turn",
        )
        ratio(
            f"p6.{name}_over_bare",
            median([v[0] for v in times[name]]) / bare,
            None,
            f"{what} / bare openai SDK loop, wall time of the same conversation",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
