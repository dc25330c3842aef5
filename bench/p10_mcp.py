"""P10 MCP: what a tool call through `dave mcp` over stdio costs beyond calling the Studio
directly, in one run.

The emulator runs in its own process (`dave emulator serve`, no added latency) and plays x.ai.
Direct: one Studio in this process, `await studio.image(prompt)` per call. MCP: the installed
`dave mcp` spawned over stdio by the SDK's own client (as Claude Desktop or an IDE would), one
session, `generate_image` per call; its answer carries the structured job, a resource link and
a thumbnail. Both sides make the same one-image jobs with fresh prompts, each in its own
DAVE_HOME; rounds alternate which side goes first, after unmeasured warm-up calls. The figure
is the median MCP call minus the median direct call, in ms (goal <= 15), and their ratio. Also
printed: a `job_status` round trip (the protocol alone, nothing sent to a provider).

    .venv/bin/python bench/p10_mcp.py [--quick]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from _common import EmulatorProcess, dave_env, goal, line, median, parse_args, ratio, use_dave_env

OVERHEAD_GOAL_MS = 15.0


async def main() -> int:
    args = parse_args(__doc__)
    rounds, per_round, warm = (2, 3, 2) if args.quick else (6, 10, 5)
    from mcp.client.stdio import stdio_client

    from dave.media.studio import Studio
    from mcp import ClientSession, StdioServerParameters

    with (
        tempfile.TemporaryDirectory(prefix="dave-bench-p10-") as folder,
        EmulatorProcess({}) as emulator,
    ):
        direct_home, mcp_home = Path(folder, "direct"), Path(folder, "mcp")
        use_dave_env(direct_home, emulator.xai_base_url)
        env = dave_env(mcp_home, emulator.xai_base_url)
        dave = str(Path(sys.executable).with_name("dave"))
        params = StdioServerParameters(command=dave, args=["mcp"], env=env)
        direct: list[float] = []
        through: list[float] = []
        status: list[float] = []
        counter = iter(range(1_000_000))

        def prompt() -> str:
            return f"a lighthouse, study {next(counter)}"

        async with (
            Studio() as studio,
            stdio_client(params) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()

            async def by_studio() -> float:
                start = time.perf_counter()
                result = await studio.image(prompt())
                elapsed = time.perf_counter() - start
                assert result.job.state.value == "done"
                return elapsed

            async def by_mcp() -> float:
                start = time.perf_counter()
                result = await session.call_tool("generate_image", {"prompt": prompt()})
                elapsed = time.perf_counter() - start
                assert not result.is_error and result.structured_content["done"], result
                return elapsed

            for _ in range(warm):
                await by_studio()
                await by_mcp()
            last_job = None
            for index in range(rounds):
                sides = [(by_studio, direct), (by_mcp, through)]
                for call, times in sides if index % 2 == 0 else sides[::-1]:
                    for _ in range(per_round):
                        times.append(await call())
            made = await session.call_tool("generate_image", {"prompt": prompt()})
            last_job = made.structured_content["job"]["id"]
            for _ in range(rounds * per_round):
                start = time.perf_counter()
                answer = await session.call_tool("job_status", {"job_id": last_job})
                status.append(time.perf_counter() - start)
                assert answer.structured_content["done"]

        posts = [r for r in emulator.requests() if r["method"] == "POST"]
    calls = 2 * warm + 2 * rounds * per_round + 1
    line(f"p10: {len(direct)} direct and {len(through)} MCP image calls, {len(posts)} POSTs")
    line(f"  direct Studio.image       median {median(direct) * 1000:7.2f} ms")
    line(f"  MCP generate_image        median {median(through) * 1000:7.2f} ms")
    line(f"  MCP job_status round trip median {median(status) * 1000:7.2f} ms")
    overhead_ms = (median(through) - median(direct)) * 1000
    ratio(
        "p10.mcp_call_over_studio",
        median(through) / median(direct),
        None,
        "generate_image through dave mcp over stdio vs Studio.image, median per call",
    )
    ok = goal(
        "p10.overhead_per_call",
        max(overhead_ms, 0.0),
        "ms",
        OVERHEAD_GOAL_MS,
        "median MCP generate_image minus median Studio.image (structure, link, thumbnail)",
    )
    goal(
        "p10.job_status_round_trip",
        median(status) * 1000,
        "ms",
        OVERHEAD_GOAL_MS,
        "a journal-only tool call over stdio, median",
    )
    if len(posts) != calls:
        line(f"p10: expected one POST per call ({calls}), the emulator saw {len(posts)}")
        return 1
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
