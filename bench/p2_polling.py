"""P2 polling: how soon dave notices a video job is done, and how many polls it spends on it.

50 video jobs whose emulated completion times spread over 10–60 s (each job's time comes from
a hash of its prompt, so every phase below gets the same jobs). Time is scaled down by SCALE
(10): the emulator's jobs take 1–6 s, and every time constant of the poll schedule is divided
by the same factor — the Studio's `poll_floor_s` (1 s → 0.1 s), the schedule's ceiling
(15 s → 1.5 s) and the no-history expected duration (45 s → 4.5 s); the fixed poller polls
every 1 s / SCALE = 0.1 s. The emulator adds 200 ms / SCALE = 20 ms to every request. Lags are
printed both as measured (scaled) and × SCALE (what they mean on x.ai's clock).

Phases, all against one emulator in its own process:
  cold   a fresh DAVE_HOME: no job history, so dave expects the default 45 s (scaled);
  fixed  a bare httpx2 loop polling each job every 0.1 s (the baseline);
  warm   the same DAVE_HOME again: `jobs.recent_durations` now holds the cold run's jobs.
Lag = when dave (or the baseline) received the first `done` answer − the job's ready time
(read from the emulator's stateless job id). Goals (x.ai's clock): lag p50 <= 1 s, and dave's
GET polls <= 1/3 of the fixed poller's.

    .venv/bin/python bench/p2_polling.py [--quick]
"""

from __future__ import annotations

import asyncio
import functools
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx2
from _common import (
    TEST_KEY,
    EmulatorProcess,
    dave_env,
    goal,
    line,
    parse_args,
    percentile,
    ratio,
)

from dave import Studio
from dave.core.settings import load_settings
from dave.media import polling
from dave.media import studio as studio_module
from dave.media.events import StudioEvent
from dave.store.jobs import JobState

SPREAD_S = (10.0, 60.0)
FIXED_INTERVAL_S = 1.0
LATENCY_S = 0.2
LAG_GOAL_S = 1.0
POLL_SHARE_GOAL = 1 / 3


# dave's own time constants, before scale_dave divides them.
CEILING_S = polling.PollSchedule.ceiling_s
EXPECTED_S = polling.DEFAULT_EXPECTED_S["video"]


def scale_dave(scale: float) -> None:
    """Divide the poll schedule's time constants by `scale` (poll_floor_s is a Studio argument)."""
    polling.DEFAULT_EXPECTED_S["video"] = EXPECTED_S / scale
    studio_module.PollSchedule = functools.partial(  # type: ignore[misc]
        polling.PollSchedule, ceiling_s=CEILING_S / scale
    )


def wire_body(emulator: EmulatorProcess) -> dict[str, Any]:
    return next(
        dict(entry["json"])
        for entry in emulator.requests()
        if entry["method"] == "POST" and entry["path"] == "/v1/videos/generations"
    )


def poll_counts(emulator: EmulatorProcess) -> Counter[str]:
    """GET polls per job id, from the emulator's request log."""
    prefix = "/v1/videos/"
    return Counter(
        entry["path"][len(prefix) :]
        for entry in emulator.requests()
        if entry["method"] == "GET" and entry["path"].startswith(prefix)
    )


async def run_dave(
    home: Path, emulator: EmulatorProcess, prompts: list[str], scale: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Each job's lag (provider job id → seconds) and the expected duration dave started from."""
    noticed: dict[str, float] = {}

    def on_event(event: StudioEvent) -> None:
        if event.kind == "state" and event.state == JobState.DOWNLOADING.value:
            noticed.setdefault(event.job_id, time.time())

    settings = load_settings(dave_env(home, emulator.xai_base_url))
    async with Studio(settings, on_event=on_event, poll_floor_s=1.0 / scale) as studio:
        history = studio.jobs.recent_durations("xai", "video", "grok-imagine-video")
        expected = polling.expected_duration(history, "video")
        results = await asyncio.gather(*(studio.video(p, duration=1) for p in prompts))
    lags = {}
    for result in results:
        assert result.job.state is JobState.DONE, result.job
        provider_id = result.job.provider_job_id
        assert provider_id is not None
        lags[provider_id] = noticed[result.job.id] - emulator.video_job(provider_id).ready
    return lags, {"expected_s": expected, "history": float(len(history))}


async def run_fixed(
    emulator: EmulatorProcess, prompts: list[str], body: dict[str, Any], interval_s: float
) -> tuple[dict[str, float], int]:
    """The baseline: submit each job, then GET it every `interval_s` until it is not pending."""
    base_url = emulator.xai_base_url
    headers = {"authorization": f"Bearer {TEST_KEY}"}
    polls = 0
    async with httpx2.AsyncClient(headers=headers, timeout=60) as client:

        async def one(prompt: str) -> tuple[str, float]:
            nonlocal polls
            answer = await client.post(
                f"{base_url}/videos/generations", json={**body, "prompt": prompt}
            )
            answer.raise_for_status()
            request_id = answer.json()["request_id"]
            while True:
                await asyncio.sleep(interval_s)
                status = await client.get(f"{base_url}/videos/{request_id}")
                polls += 1
                if status.json().get("status") != "pending":
                    return request_id, time.time() - emulator.video_job(request_id).ready

        pairs = await asyncio.gather(*(one(p) for p in prompts))
    return dict(pairs), polls


def describe(name: str, lags: dict[str, float], polls: int, scale: float) -> None:
    values = list(lags.values())
    p50, p90, worst = percentile(values, 0.5), percentile(values, 0.9), max(values)
    line(
        f"{name:5}: lag p50 {p50 * 1000:6.0f} ms, p90 {p90 * 1000:6.0f} ms, max {worst * 1000:6.0f}"
        f" ms scaled (x.ai clock: p50 {p50 * scale:.2f} s, p90 {p90 * scale:.2f} s,"
        f" max {worst * scale:.2f} s); {polls} GET polls ({polls / len(values):.1f} per job)"
    )


async def main() -> int:
    args = parse_args(
        __doc__,
        ("--scale", {"type": float, "help": "time divisor (default 10; --quick: 40)"}),
    )
    count, scale = (8, 40.0) if args.quick else (50, 10.0)
    scale = args.scale or scale
    spread = (SPREAD_S[0] / scale, SPREAD_S[1] / scale)
    scale_dave(scale)
    line(
        f"P2 polling: {count} video jobs ready after {SPREAD_S[0]:g}-{SPREAD_S[1]:g} s,"
        f" time scaled down {scale:g}x (jobs take {spread[0]:g}-{spread[1]:g} s here);"
    )
    line(
        f"  dave: poll_floor_s {1 / scale:g} s, ceiling {CEILING_S / scale:g} s, no-history"
        f" expectation {EXPECTED_S / scale:g} s; baseline polls every"
        f" {FIXED_INTERVAL_S / scale:g} s; emulator latency {LATENCY_S / scale * 1000:g} ms"
    )
    import av  # noqa: F401  (loaded now, so the first verified video does not stall the loop)
    import PIL.Image  # noqa: F401

    prompts = [f"p2 video {i}: waves on a pier" for i in range(count)]
    config = {"latency_s": LATENCY_S / scale, "video_ready_spread_s": list(spread)}
    with EmulatorProcess(config) as emulator, tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "dave-home"
        results: dict[str, tuple[dict[str, float], int]] = {}
        body: dict[str, Any] = {}
        for phase in ("cold", "fixed", "warm"):
            emulator.clear_requests()
            if phase == "fixed":
                lags, polls = await run_fixed(emulator, prompts, body, FIXED_INTERVAL_S / scale)
                logged = sum(poll_counts(emulator).values())
                assert logged == polls, (logged, polls)
            else:
                lags, start = await run_dave(home, emulator, prompts, scale)
                counts = poll_counts(emulator)
                polls = sum(counts[job] for job in lags)
                line(
                    f"{phase:5}: dave started from an expected {start['expected_s'] * scale:.1f} s"
                    f" (x.ai clock) with {start['history']:.0f} jobs of history"
                )
                # The baseline sends exactly the JSON dave sent.
                body = wire_body(emulator)
            results[phase] = (lags, polls)
            describe(phase, lags, polls, scale)

    fixed_polls = results["fixed"][1]
    for phase in ("cold", "warm"):
        lags, polls = results[phase]
        p50 = percentile(list(lags.values()), 0.5) * scale
        goal(f"p2.{phase}.lag_p50", p50, "s", LAG_GOAL_S, "dave's lag p50 on x.ai's clock")
        ratio(
            f"p2.{phase}.polls_dave_over_fixed",
            polls / fixed_polls,
            POLL_SHARE_GOAL,
            f"GET polls, dave ({phase}) / fixed {FIXED_INTERVAL_S:g} s poller, same {count} jobs",
        )
        fixed_p50 = percentile(list(results["fixed"][0].values()), 0.5)
        ratio(
            f"p2.{phase}.lag_p50_dave_over_fixed",
            p50 / scale / fixed_p50,
            None,
            "lag p50, dave / fixed poller (for scale)",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
