"""P1 throughput: 200 images (n=1) through dave's Studio vs a bare httpx2 loop, concurrency 16.

The emulator runs in its own process with a fixed 50 ms latency on every request. Each side
makes the same distinct prompts (a fresh set per round, so the emulator's small cache of made
images helps neither side); rounds alternate which side goes first, and each side's figure is
its median round. dave does the whole path — journal, submit, download (or decode the inline
base64), sha256, verify, commit, record — in a fresh DAVE_HOME; the bare loop only POSTs and
fetches the bytes (decoding base64 for b64_json) and keeps nothing. Goal: dave/bare <= 1.10.

    .venv/bin/python bench/p1_throughput.py [--quick]
"""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from _common import TEST_KEY, EmulatorProcess, dave_env, line, median, parse_args, ratio

from dave import Studio
from dave.core.settings import load_settings
from dave.store.jobs import JobState

GOAL = 1.10
LATENCY_S = 0.05
CONCURRENCY = 16
FORMATS = ("url", "b64_json")


def prompts_for(fmt: str, round_no: int, count: int) -> list[str]:
    return [f"p1 {fmt} round {round_no} image {i}: a lighthouse at dusk" for i in range(count)]


async def run_dave(base_url: str, fmt: str, prompts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds for dave's Studio to make and keep every prompt's image."""
    with tempfile.TemporaryDirectory(prefix="dave-bench-p1-") as home:
        async with Studio(load_settings(dave_env(Path(home), base_url))) as studio:
            await studio.image(f"warm-up {prompts[0]}", response_format=fmt)
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(prompt: str) -> Any:
                async with gate:
                    return await studio.image(prompt, response_format=fmt)

            cpu, start = time.process_time(), time.perf_counter()
            results = await asyncio.gather(*(one(p) for p in prompts))
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        for result in results:
            assert result.job.state is JobState.DONE and len(result.assets) == 1, result.job
    return wall, cpu


async def run_bare(
    base_url: str, fmt: str, prompts: list[str], body: dict[str, Any]
) -> tuple[float, float]:
    """Wall and CPU seconds for a plain client to POST each prompt and fetch its bytes."""
    headers = {"authorization": f"Bearer {TEST_KEY}"}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as client:

        async def one(prompt: str) -> int:
            answer = await client.post(
                f"{base_url}/images/generations", json={**body, "prompt": prompt}
            )
            answer.raise_for_status()
            item = answer.json()["data"][0]
            if fmt == "b64_json":
                return len(base64.b64decode(item["b64_json"]))
            size = 0
            async with client.stream("GET", item["url"]) as download:
                download.raise_for_status()
                async for chunk in download.aiter_bytes(1 << 16):
                    size += len(chunk)
            return size

        await one(f"warm-up bare {prompts[0]}")
        gate = asyncio.Semaphore(CONCURRENCY)

        async def gated(prompt: str) -> int:
            async with gate:
                return await one(prompt)

        cpu, start = time.process_time(), time.perf_counter()
        sizes = await asyncio.gather(*(gated(p) for p in prompts))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert all(size > 1000 for size in sizes)
    return wall, cpu


def wire_body(emulator: EmulatorProcess, fmt: str) -> dict[str, Any]:
    """The JSON dave sent for its last image POST, so the bare loop asks for exactly the same."""
    posts = [
        entry
        for entry in emulator.requests()
        if entry["method"] == "POST" and entry["path"] == "/v1/images/generations"
    ]
    body = dict(posts[-1]["json"])
    assert body.get("response_format", "url") == fmt, body
    return body


async def main() -> int:
    args = parse_args(__doc__)
    count, rounds = (24, 1) if args.quick else (200, 3)
    line(f"P1 throughput: {count} images x {rounds} round(s) per side and format, n=1,")
    latency_ms = LATENCY_S * 1000
    line(f"  concurrency {CONCURRENCY}, emulator in its own process, {latency_ms:.0f} ms latency,")
    line(f"  {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
    ok = True
    with EmulatorProcess({"latency_s": LATENCY_S}) as emulator:
        base_url = emulator.xai_base_url
        for fmt in FORMATS:
            # One unmeasured dave image tells us the exact wire body to give the bare loop.
            await run_dave(base_url, fmt, [f"p1 {fmt} probe"])
            body = wire_body(emulator, fmt)
            dave_walls: list[float] = []
            bare_walls: list[float] = []
            dave_cpus: list[float] = []
            bare_cpus: list[float] = []
            for round_no in range(rounds):
                prompts = prompts_for(fmt, round_no, count)
                order = ("bare", "dave") if round_no % 2 == 0 else ("dave", "bare")
                for side in order:
                    emulator_cpu = emulator.cpu_seconds()
                    if side == "dave":
                        wall, cpu = await run_dave(base_url, fmt, prompts)
                        dave_walls.append(wall)
                        dave_cpus.append(cpu)
                    else:
                        wall, cpu = await run_bare(base_url, fmt, prompts, body)
                        bare_walls.append(wall)
                        bare_cpus.append(cpu)
                    emulator_cpu = emulator.cpu_seconds() - emulator_cpu
                    line(
                        f"  {fmt:8} round {round_no} {side}: {wall:.3f} s wall, {cpu:.3f} s CPU"
                        f" in this process, {emulator_cpu:.2f} s CPU in the emulator"
                    )
            dave_wall, bare_wall = median(dave_walls), median(bare_walls)
            line(
                f"{fmt}: dave {dave_wall:.3f} s ({count / dave_wall:.1f} images/s, "
                f"{median(dave_cpus) / count * 1000:.1f} ms CPU/image), "
                f"bare {bare_wall:.3f} s ({count / bare_wall:.1f} images/s, "
                f"{median(bare_cpus) / count * 1000:.1f} ms CPU/image)"
            )
            trips = 2 if fmt == "url" else 1
            line(f"  floor from latency alone: {count / CONCURRENCY * LATENCY_S * trips:.3f} s")
            ok &= ratio(
                f"p1.{fmt}.dave_over_bare",
                dave_wall / bare_wall,
                GOAL,
                f"wall time of {count} images, dave Studio / bare httpx2 (median of {rounds})",
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
