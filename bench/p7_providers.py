"""P7 providers: MiniMax and Stability jobs through dave's Studio vs a bare httpx2 loop.

Four cases, each at concurrency 8 against the emulator in its own process with a fixed 50 ms
latency on every request: MiniMax image-01 as base64, MiniMax image-01 as a URL (POST, then
download), Stability core as raw image bytes (a multipart POST), and MiniMax music as hex.
dave does the whole path (journal, submit, decode or download, sha256, verify, commit, record)
in a fresh DAVE_HOME; the bare loop sends exactly the wire body dave sent (read from the
emulator's request log, only the prompt changed) and just fetches and decodes the bytes. Each
side has its own distinct prompts (so the emulator's small cache of made media helps neither);
rounds alternate which side goes first and each side's figure is its median round.
Goal: dave/bare <= 1.25 for every case.

    .venv/bin/python bench/p7_providers.py [--quick]
"""

from __future__ import annotations

import asyncio
import base64
import math
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from _common import EmulatorProcess, dave_env, line, median, parse_args, ratio

from dave import Studio
from dave.core.settings import load_settings
from dave.media.studio import Result
from dave.store.jobs import JobState

GOAL = 1.25
LATENCY_S = 0.05
CONCURRENCY = 8
MINIMAX_KEY = "sk-api-bench-minimax-0123456789"
STABILITY_KEY = "sk-bench-stability-0123456789"
# Headers that belong to the connection or the body's encoding, not to what dave asked for.
_TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "content-type", "accept-encoding", "connection", "user-agent"}
)


@dataclass(frozen=True)
class Wire:
    """One request dave sent, as the emulator logged it: the bare loop's template."""

    url: str
    headers: dict[str, str]
    json: dict[str, Any] | None
    form: dict[str, Any] | None

    @classmethod
    def of(cls, emulator: EmulatorProcess, entry: dict[str, Any], key: str) -> Wire:
        headers = {
            name: value
            for name, value in entry["headers"].items()
            if name not in _TRANSPORT_HEADERS and name != "authorization"
        }
        headers["authorization"] = f"Bearer {key}"
        return cls(emulator.url + entry["path"], headers, entry["json"], entry["form"])


Make = Callable[[Studio, str], Awaitable[Result]]
Fetch = Callable[[httpx2.AsyncClient, Wire, str], Awaitable[int]]


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    path: str
    """The emulator path of the POST whose body the bare loop copies."""
    key: str
    counts: tuple[int, int]
    """Jobs per side and round: (quick, full)."""
    trips: int
    """Requests per job, each paying the emulator's latency."""
    unit: str
    make: Make
    fetch: Fetch


async def _post_json(client: httpx2.AsyncClient, wire: Wire, prompt: str) -> dict[str, Any]:
    assert wire.json is not None
    answer = await client.post(wire.url, json={**wire.json, "prompt": prompt}, headers=wire.headers)
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    assert body["base_resp"]["status_code"] == 0, body["base_resp"]
    return body


async def bare_minimax_base64(client: httpx2.AsyncClient, wire: Wire, prompt: str) -> int:
    body = await _post_json(client, wire, prompt)
    return len(base64.b64decode(body["data"]["image_base64"][0]))


async def bare_minimax_url(client: httpx2.AsyncClient, wire: Wire, prompt: str) -> int:
    body = await _post_json(client, wire, prompt)
    size = 0
    async with client.stream("GET", body["data"]["image_urls"][0]) as download:
        download.raise_for_status()
        async for chunk in download.aiter_bytes(1 << 16):
            size += len(chunk)
    return size


async def bare_minimax_music(client: httpx2.AsyncClient, wire: Wire, prompt: str) -> int:
    body = await _post_json(client, wire, prompt)
    return len(bytes.fromhex(body["data"]["audio"]))


async def bare_stability(client: httpx2.AsyncClient, wire: Wire, prompt: str) -> int:
    assert wire.form is not None
    # The log keeps each file part's size, not its bytes: dave's text-to-image sends one
    # empty placeholder part, which this rebuilds exactly.
    files = {
        name: (filename, bytes(size), content_type)
        for name, (filename, content_type, size) in wire.form["files"].items()
    }
    answer = await client.post(
        wire.url,
        data={**wire.form["fields"], "prompt": prompt},
        files=files,
        headers=wire.headers,
    )
    answer.raise_for_status()
    assert answer.headers["content-type"].startswith("image/"), answer.headers
    return len(answer.content)


CASES = (
    Case(
        "minimax_base64",
        "MiniMax image-01, response_format base64",
        "/minimax/v1/image_generation",
        MINIMAX_KEY,
        (8, 100),
        1,
        "images",
        lambda studio, p: studio.image(p, provider="minimax", response_format="b64_json"),
        bare_minimax_base64,
    ),
    Case(
        "minimax_url",
        "MiniMax image-01, response_format url (POST + download)",
        "/minimax/v1/image_generation",
        MINIMAX_KEY,
        (8, 100),
        2,
        "images",
        lambda studio, p: studio.image(p, provider="minimax", response_format="url"),
        bare_minimax_url,
    ),
    Case(
        "stability_core",
        "Stability stable-image-core, multipart POST answering image bytes",
        "/stability/v2beta/stable-image/generate/core",
        STABILITY_KEY,
        (8, 100),
        1,
        "images",
        lambda studio, p: studio.image(p, provider="stability"),
        bare_stability,
    ),
    Case(
        "minimax_music",
        "MiniMax music-2.6 instrumental, output_format hex",
        "/minimax/v1/music_generation",
        MINIMAX_KEY,
        (4, 30),
        1,
        "songs",
        lambda studio, p: studio.music(p, provider="minimax", instrumental=True),
        bare_minimax_music,
    ),
)


def provider_env(home: Path, emulator: EmulatorProcess) -> dict[str, str]:
    """dave's environment with MiniMax and Stability pointed at the emulator."""
    env = dave_env(home)
    env["MINIMAX_BASE_URL"] = emulator.minimax_base_url
    env["MINIMAX_API_KEY"] = MINIMAX_KEY
    env["STABILITY_BASE_URL"] = emulator.stability_base_url
    env["STABILITY_API_KEY"] = STABILITY_KEY
    return env


def prompts_for(case: Case, side: str, round_no: int, count: int) -> list[str]:
    return [
        f"p7 {case.name} {side} round {round_no} job {i}: a lighthouse at dusk"
        for i in range(count)
    ]


async def gathered(jobs: list[str], one: Callable[[str], Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def gated(prompt: str) -> Any:
        async with gate:
            return await one(prompt)

    return await asyncio.gather(*(gated(p) for p in jobs))


async def run_dave(
    case: Case, emulator: EmulatorProcess, prompts: list[str]
) -> tuple[float, float]:
    """Wall and CPU seconds for dave's Studio to make and keep every prompt's output."""
    with tempfile.TemporaryDirectory(prefix="dave-bench-p7-") as home:
        async with Studio(load_settings(provider_env(Path(home), emulator))) as studio:
            await case.make(studio, f"warm-up {prompts[0]}")
            cpu, start = time.process_time(), time.perf_counter()
            results = await gathered(prompts, lambda p: case.make(studio, p))
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        for result in results:
            assert result.job.state is JobState.DONE and len(result.assets) == 1, result.job
    return wall, cpu


async def run_bare(case: Case, wire: Wire, prompts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds for a plain client to send each job and fetch its bytes."""
    async with httpx2.AsyncClient(timeout=120) as client:
        await case.fetch(client, wire, f"warm-up bare {prompts[0]}")
        cpu, start = time.process_time(), time.perf_counter()
        sizes = await gathered(prompts, lambda p: case.fetch(client, wire, p))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert all(size > 1000 for size in sizes), sizes
    return wall, cpu


def posts(emulator: EmulatorProcess, path: str) -> list[dict[str, Any]]:
    return [e for e in emulator.requests() if e["method"] == "POST" and e["path"] == path]


def shape(entry: dict[str, Any]) -> tuple[str, str]:
    """A POST's body with the prompt left out: what both sides must send alike."""
    body = {k: v for k, v in (entry["json"] or {}).items() if k != "prompt"}
    form = entry["form"] or {"fields": {}, "files": {}}
    fields = {k: v for k, v in form["fields"].items() if k != "prompt"}
    return repr(sorted(body.items())), repr((sorted(fields.items()), sorted(form["files"].items())))


def check_same_wire(emulator: EmulatorProcess, case: Case, expected: tuple[str, str]) -> None:
    """Every POST of the side just run matched dave's probe body (and all answered 200)."""
    sent = posts(emulator, case.path)
    assert sent, f"no {case.path} requests were logged"
    for entry in sent:
        assert shape(entry) == expected, (case.name, shape(entry), expected)
        assert entry["status"] == 200, (case.name, entry["status"])
    emulator.clear_requests()


async def measure(case: Case, emulator: EmulatorProcess, count: int, rounds: int) -> bool:
    line(f"{case.name}: {case.title}")
    # One unmeasured dave job tells us the exact wire body to give the bare loop.
    emulator.clear_requests()
    await run_dave(case, emulator, [f"p7 {case.name} probe"])
    entry = posts(emulator, case.path)[-1]
    wire, expected = Wire.of(emulator, entry, case.key), shape(entry)
    emulator.clear_requests()
    walls: dict[str, list[float]] = {"dave": [], "bare": []}
    cpus: dict[str, list[float]] = {"dave": [], "bare": []}
    for round_no in range(rounds):
        order = ("bare", "dave") if round_no % 2 == 0 else ("dave", "bare")
        for side in order:
            prompts = prompts_for(case, side, round_no, count)
            emulator_cpu = emulator.cpu_seconds()
            if side == "dave":
                wall, cpu = await run_dave(case, emulator, prompts)
            else:
                wall, cpu = await run_bare(case, wire, prompts)
            emulator_cpu = emulator.cpu_seconds() - emulator_cpu
            check_same_wire(emulator, case, expected)
            walls[side].append(wall)
            cpus[side].append(cpu)
            line(
                f"  round {round_no} {side}: {wall:.3f} s wall, {cpu:.3f} s CPU in this process,"
                f" {emulator_cpu:.2f} s CPU in the emulator"
            )
    dave_wall, bare_wall = median(walls["dave"]), median(walls["bare"])
    figures = []
    for side, wall in (("dave", dave_wall), ("bare", bare_wall)):
        per_job = median(cpus[side]) / count * 1000
        figures.append(
            f"{side} {wall:.3f} s wall ({count / wall:.1f} {case.unit}/s, {per_job:.1f} ms CPU/job)"
        )
    line(f"  {', '.join(figures)}")
    floor = math.ceil(count / CONCURRENCY) * LATENCY_S * case.trips
    line(f"  floor from latency alone: {floor:.3f} s")
    return ratio(
        f"p7.{case.name}.dave_over_bare",
        dave_wall / bare_wall,
        GOAL,
        f"wall time of {count} {case.unit}, dave Studio / bare httpx2 (median of {rounds})",
    )


async def main() -> int:
    args = parse_args(__doc__)
    rounds = 1 if args.quick else 3
    line(f"P7 providers: MiniMax and Stability, {rounds} round(s) per side and case,")
    latency_ms = LATENCY_S * 1000
    line(f"  concurrency {CONCURRENCY}, emulator in its own process, {latency_ms:.0f} ms latency,")
    line(f"  {os.cpu_count()} CPUs, load average before: {os.getloadavg()[0]:.2f}")
    with EmulatorProcess({"latency_s": LATENCY_S}) as emulator:
        for case in CASES:
            await measure(case, emulator, case.counts[0 if args.quick else 1], rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
