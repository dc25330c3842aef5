"""P3 big download: a 1 GiB emulated video through dave's Studio, against curl on the same URL.

The emulator (its own process) pads every video to 1 GiB with a trailing MP4 `free` box
(`EmulatorConfig.video_bytes`): a file that still plays and verifies, streamed from memory.
dave runs in a child process: it first makes one image and loads PyAV (code, not data), then
resets its peak-RSS counter (`/proc/self/clear_refs`), makes the video — submit, poll, download
into the media folder's staging file with sha256, verify, fsync + rename, record — and reports
its peak RSS (VmHWM) above the RSS it had before. Baselines on the same URL: `curl -o /dev/null`,
`curl -o FILE`, `curl -o FILE` plus an fsync of FILE (dave makes each file durable before
it records it), and a bare httpx2.AsyncClient streaming into a file (dave's own HTTP stack).
Goals: RSS growth <= 50 MiB; download throughput >= 0.8x curl's.

    .venv/bin/python bench/p3_download.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
from _common import TEST_KEY, EmulatorProcess, dave_env, goal, line, median, parse_args, ratio

GIB = 1 << 30
MIB = 1 << 20
RSS_GOAL_MIB = 50
THROUGHPUT_GOAL = 0.8


def memory_kib() -> dict[str, int]:
    status = Path("/proc/self/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) for key in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


async def child(base_url: str, home: Path) -> dict[str, Any]:
    """Runs in the measured process: one video through the Studio, timed and RSS-checked."""
    import av  # noqa: F401  (the verifier's decoder, loaded before the measurement)
    import PIL.Image  # noqa: F401

    from dave import Studio
    from dave.core.settings import load_settings

    marks: dict[str, float] = {}

    def on_event(event: Any) -> None:
        if event.kind == "state" and event.state in ("downloading", "done"):
            marks[event.state] = time.perf_counter()
        elif event.kind == "download":
            marks["downloaded"] = time.perf_counter()

    async with Studio(load_settings(dave_env(home, base_url)), on_event=on_event) as studio:
        await studio.image("p3 warm-up: the same client, staging, verify and commit code paths")
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS := RSS now
        before = memory_kib()
        start = time.perf_counter()
        result = await studio.video("p3 one very large video", duration=1)
        end = time.perf_counter()
        after = memory_kib()
    [asset] = result.assets
    return {
        "bytes": asset.bytes,
        "rss_before_kib": before["VmRSS"],
        "peak_kib": after["VmHWM"],
        "submit_to_downloading_s": marks["downloading"] - start,
        "download_s": marks["downloaded"] - marks["downloading"],
        "verify_commit_s": marks["done"] - marks["downloaded"],
        "total_s": end - start,
    }


def video_url(base_url: str) -> str:
    """A result URL for one padded video, fetched the way any client would."""
    headers = {"authorization": f"Bearer {TEST_KEY}"}
    with httpx2.Client(headers=headers, timeout=30) as client:
        answer = client.post(
            f"{base_url}/videos/generations", json={"prompt": "p3 curl's video", "duration": 1}
        )
        request_id = answer.json()["request_id"]
        while True:
            status = client.get(f"{base_url}/videos/{request_id}").json()
            if status["status"] == "done":
                return str(status["video"]["url"])
            time.sleep(0.05)


def curl(url: str, target: str, *, fsync: bool = False) -> float:
    start = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-o", target, url], check=True)
    if fsync:
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    elapsed = time.perf_counter() - start
    if target != os.devnull:
        os.unlink(target)
    return elapsed


def bare_httpx2(url: str, target: str) -> float:
    """A plain httpx2.AsyncClient streaming the URL into a file: the HTTP stack dave uses.
    Times the transfer only (the client, like dave's, exists before it starts)."""

    async def fetch() -> float:
        async with httpx2.AsyncClient(timeout=60) as client:
            start = time.perf_counter()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            try:
                async with client.stream("GET", url) as answer:
                    async for chunk in answer.aiter_bytes(1 << 16):
                        os.write(fd, chunk)
            finally:
                os.close(fd)
            return time.perf_counter() - start

    elapsed = asyncio.run(fetch())
    os.unlink(target)
    return elapsed


def run_child(base_url: str, folder: Path, size: int) -> dict[str, Any]:
    home = folder / f"dave-home-{time.monotonic_ns()}"
    done = subprocess.run(
        [sys.executable, __file__, "--child", base_url, "--home", str(home)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the dave child failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["bytes"] == size, report
    subprocess.run(["rm", "-rf", str(home)], check=True)
    return report


def main() -> int:
    args = parse_args(
        __doc__,
        ("--child", {"metavar": "XAI_BASE_URL", "help": "(internal) run the measured dave side"}),
        ("--home", {"help": "(internal) the child's DAVE_HOME"}),
    )
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, Path(args.home)))))
        return 0
    size, runs = (32 * MIB, 1) if args.quick else (GIB, 2)
    line(f"P3 big download: one {size / MIB:.0f} MiB video (MP4 + `free` padding), {runs} run(s)")
    with (
        EmulatorProcess({"video_ready_s": 0, "video_bytes": size}) as emulator,
        tempfile.TemporaryDirectory(prefix="dave-bench-p3-", dir=tempfile.gettempdir()) as tmp,
    ):
        folder = Path(tmp)
        url = video_url(emulator.xai_base_url)
        curl(url, os.devnull)  # unmeasured: the emulator encodes the video once, then caches it
        devnull, to_file, to_file_synced, bare, reports = [], [], [], [], []
        for index in range(runs):  # the goals' baselines every round, the others once
            to_file.append(curl(url, str(folder / "curl.mp4")))
            reports.append(run_child(emulator.xai_base_url, folder, size))
            to_file_synced.append(curl(url, str(folder / "curl.mp4"), fsync=True))
            if index == 0:
                devnull.append(curl(url, os.devnull))
                bare.append(bare_httpx2(url, str(folder / "bare.mp4")))

    def rate(seconds: float) -> str:
        return f"{seconds:.3f} s ({size / MIB / seconds:.0f} MiB/s)"

    line(f"curl -o /dev/null       {rate(median(devnull))}")
    line(f"curl -o FILE            {rate(median(to_file))}")
    line(f"curl -o FILE + fsync    {rate(median(to_file_synced))}")
    line(f"bare httpx2 async FILE  {rate(median(bare))}  (AsyncClient.stream, 64 KiB chunks)")
    for index, report in enumerate(reports):
        line(
            f"dave run {index}: submit+poll {report['submit_to_downloading_s']:.3f} s, "
            f"download {rate(report['download_s'])}, "
            f"verify+fsync+commit+record {report['verify_commit_s']:.3f} s, "
            f"RSS {report['rss_before_kib'] / 1024:.1f} MiB -> peak "
            f"{report['peak_kib'] / 1024:.1f} MiB"
        )
    download = median([r["download_s"] for r in reports])
    whole = median([r["download_s"] + r["verify_commit_s"] for r in reports])
    growth = max((r["peak_kib"] - r["rss_before_kib"]) / 1024 for r in reports)
    goal("p3.rss_growth", growth, "MiB", RSS_GOAL_MIB, "peak RSS above the pre-download RSS")
    ratio(
        "p3.download_throughput_dave_over_curl_file",
        median(to_file) / download,
        THROUGHPUT_GOAL,
        "download into staging (with sha256), dave / curl -o FILE",
        higher_is_better=True,
    )
    ratio(
        "p3.kept_throughput_dave_over_curl_file_fsync",
        median(to_file_synced) / whole,
        THROUGHPUT_GOAL,
        "download + verify + fsync + commit, dave / curl -o FILE + fsync",
        higher_is_better=True,
    )
    ratio(
        "p3.download_throughput_dave_over_bare_httpx2_file",
        median(bare) / download,
        None,
        "download into staging, dave / bare httpx2 AsyncClient stream into a file",
    )
    ratio(
        "p3.download_throughput_dave_over_curl_devnull",
        median(devnull) / download,
        None,
        "download into staging, dave / curl -o /dev/null (writes nothing)",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
