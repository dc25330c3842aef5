"""Generations running at once share one DAVE_HOME without losing or mixing anything: two dave
processes side by side, and sixteen jobs in one Studio. No "database is locked", every job
asked for is there and `done`, every asset row points at a file holding exactly its bytes, and
identical outputs (the same prompt gives the emulator's same bytes) are one file.

The emulator is the suite's loopback one (`xai`); the worker processes reach it over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.reliability.helpers_procs import (
    assert_clean_output,
    assets_in,
    check_asset,
    dave_command,
    dave_env,
    jobs_in,
    library_files,
    run_dave,
    seed_quick_polls,
    temp_files,
    watching,
)

from dave import Studio
from dave.emulator import EmulatorServer
from dave.store import Asset, Store

IMAGE_POST = "/v1/images/generations"
VIDEO_POST = "/v1/videos/generations"

# A worker process: opens a Studio on DAVE_HOME, says it is ready, waits for the go file, then
# runs every spec at once (asyncio.gather) and prints one JSON line per spec.
WORKER = """
import asyncio, json, sys, time
from pathlib import Path

from dave import Studio


async def main() -> None:
    tag, go, specs = sys.argv[1], Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
    async with Studio() as studio:
        Path(f"{go}.ready-{tag}").touch()
        while not go.exists():
            await asyncio.sleep(0.002)
        results = await asyncio.gather(
            *(studio.image(s["prompt"], n=s["n"], response_format=s["format"]) for s in specs),
            return_exceptions=True,
        )
    for spec, result in zip(specs, results):
        if isinstance(result, BaseException):
            print(json.dumps({**spec, "error": f"{type(result).__name__}: {result}"}))
        else:
            print(json.dumps({**spec, "job": result.job.id, "state": result.job.state.value}))


asyncio.run(main())
"""


def worker_specs(tag: str) -> list[dict[str, Any]]:
    """20 image jobs: 12 of this worker's own (some n=2), 2 with one prompt twice, and 6 whose
    prompts the other worker sends too (one as b64, the other as URLs: the same bytes)."""
    own = [
        {"prompt": f"{tag} image {i}: a fox at dusk", "n": 1 + i % 2, "format": fmt}
        for i, fmt in enumerate(["url", "url", "b64_json", "b64_json"] * 3)
    ]
    twice = [
        {"prompt": f"{tag} twice: a red kite", "n": 1, "format": fmt} for fmt in ("url", "b64_json")
    ]
    shared_format = "b64_json" if tag == "left" else "url"
    shared = [
        {"prompt": f"shared {k}: a lighthouse", "n": 1, "format": shared_format} for k in range(6)
    ]
    return own + twice + shared


def run_workers(tmp_path: Path, env: dict[str, str], tags: Sequence[str]) -> list[Any]:
    """Start one worker per tag, let each open its Studio, then release them all at once."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    go = tmp_path / "go"
    procs = []
    for tag in tags:
        specs = tmp_path / f"specs-{tag}.json"
        specs.write_text(json.dumps(worker_specs(tag)), encoding="utf-8")
        procs.append(
            subprocess.Popen(
                [sys.executable, str(script), tag, str(go), str(specs)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.ready-*"))) < len(procs):
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        assert time.monotonic() < deadline, "the workers never got ready"
        time.sleep(0.01)
    go.touch()
    return [subprocess.CompletedProcess(p.args, p.wait(90), *p.communicate()) for p in procs]


def check_library(home: Path, assets: list[Asset]) -> None:
    """Each path holds one content: rows sharing a path agree on sha256 and size, the file's
    sha256 is its name and the rows', and every committed file is some row's."""
    by_path: dict[str, list[Asset]] = defaultdict(list)
    for asset in assets:
        by_path[asset.path].append(asset)
    for path, rows in by_path.items():
        assert len({(a.sha256, a.bytes) for a in rows}) == 1, (path, rows)
        check_asset(home, rows[0], rows[0].kind)
    kept = {p.relative_to(home / "media").as_posix() for p in library_files(home)}
    assert kept == set(by_path), "files in the library that no asset names, or the reverse"
    assert temp_files(home) == []


def check_identical_prompts_share_files(assets: list[Asset]) -> None:
    """Each output (prompt, index, kind) has one file, and different outputs different files."""
    paths: dict[tuple[str | None, int, str], set[str]] = defaultdict(set)
    for asset in assets:
        paths[(asset.prompt, asset.index, asset.kind)].add(asset.path)
    assert all(len(p) == 1 for p in paths.values()), {k: v for k, v in paths.items() if len(v) > 1}
    all_paths = [next(iter(p)) for p in paths.values()]
    assert len(all_paths) == len(set(all_paths)), "two different outputs in one file"


def test_two_processes_generating_at_once_on_one_home_lose_nothing_and_share_identical_files(
    xai: EmulatorServer, dave_home: Path, tmp_path: Path
) -> None:
    tags = ("left", "right")
    results = run_workers(tmp_path, dave_env(dave_home, xai.xai_base_url), tags)

    asked: list[dict[str, Any]] = []
    for tag, result in zip(tags, results, strict=True):
        assert_clean_output(result.stderr, f"worker {tag}")
        assert result.returncode == 0, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert [line.get("error") for line in lines] == [None] * len(lines)
        assert {line["state"] for line in lines} == {"done"}
        assert len(lines) == len(worker_specs(tag))
        asked += lines

    jobs = jobs_in(dave_home)
    assets = assets_in(dave_home)
    assert sorted(job.id for job in jobs) == sorted(line["job"] for line in asked)
    assert {(job.state.value, job.attempts) for job in jobs} == {("done", 1)}
    assert len(assets) == sum(line["n"] for line in asked)
    with Store.open(dave_home) as store:
        for line in asked:
            assert len(store.assets.for_job(line["job"])) == line["n"]
    check_library(dave_home, assets)
    check_identical_prompts_share_files(assets)
    # 6 shared prompts and 2 prompts sent twice: 8 fewer files than assets.
    assert len(library_files(dave_home)) == len(assets) - 8
    # Each job's paid request went out exactly once.
    posts = Counter(entry.json["prompt"] for entry in xai.log.posts(IMAGE_POST))
    assert posts == Counter(line["prompt"] for line in asked)


def test_two_dave_commands_looping_on_one_home_never_see_a_locked_database(
    xai: EmulatorServer, dave_home: Path
) -> None:
    env = dave_env(dave_home, xai.xai_base_url)
    prompts = [f"loop {i}: a paper boat" for i in range(5)]

    def loop(fmt: str) -> list[subprocess.CompletedProcess[str]]:
        # The same prompts from both loops, one as b64 and one as URLs.
        delivery = f"response_format={fmt}"
        return [run_dave("image", p, "--opt", delivery, "--json", env=env) for p in prompts]

    with ThreadPoolExecutor(2) as pool:
        runs = [run for batch in pool.map(loop, ("b64_json", "url")) for run in batch]

    for run in runs:
        assert_clean_output(run.stderr, "dave image")
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["job"]["state"] == "done"
    jobs, assets = jobs_in(dave_home), assets_in(dave_home)
    assert len(jobs) == len(assets) == 10
    assert {job.state.value for job in jobs} == {"done"}
    check_library(dave_home, assets)
    check_identical_prompts_share_files(assets)
    assert len(library_files(dave_home)) == 5
    assert len(xai.log.posts(IMAGE_POST)) == 10


async def test_sixteen_jobs_at_once_in_one_studio_all_finish_with_their_own_files(
    xai: EmulatorServer, dave_home: Path
) -> None:
    seeds = seed_quick_polls(dave_home)
    calls: list[tuple[str, str, dict[str, Any]]] = [
        # Four with one prompt, over both wire formats: one file between them.
        *[("image", "same: a lighthouse at noon", {"response_format": f}) for f in ("url",) * 2],
        *[("image", "same: a lighthouse at noon", {"response_format": "b64_json"})] * 2,
        # Eight different ones, half of them with two outputs.
        *[("image", f"own {i}: a harbour", {"n": 1 + i % 2}) for i in range(8)],
        # Four videos, two of them the same.
        ("video", "same: waves on rocks", {"duration": 1}),
        ("video", "same: waves on rocks", {"duration": 1}),
        ("video", "other: a windmill", {"duration": 1}),
        ("video", "another: a tram", {"duration": 2}),
    ]
    assert len(calls) == 16

    async with Studio(poll_floor_s=0.1) as studio:
        results = await asyncio.gather(
            *(getattr(studio, kind)(prompt, **options) for kind, prompt, options in calls),
            return_exceptions=True,
        )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    jobs = jobs_in(dave_home, exclude=seeds)
    assets = assets_in(dave_home)
    assert sorted(job.id for job in jobs) == sorted(r.job.id for r in results)  # type: ignore[union-attr]
    assert {(job.state.value, job.attempts) for job in jobs} == {("done", 1)}
    expected = [options.get("n", 1) for _, _, options in calls]
    assert [len(r.assets) for r in results] == expected  # type: ignore[union-attr]
    assert len(assets) == sum(expected)
    check_library(dave_home, assets)
    check_identical_prompts_share_files(assets)
    # 4 same images → 1 file, 2 same videos → 1 file.
    assert len(library_files(dave_home)) == sum(expected) - 3 - 1
    image_posts = Counter(entry.json["prompt"] for entry in xai.log.posts(IMAGE_POST))
    video_posts = Counter(entry.json["prompt"] for entry in xai.log.posts(VIDEO_POST))
    assert image_posts + video_posts == Counter(prompt for _, prompt, _ in calls)


# -- a resume beside a live generation ---------------------------------------------------------


def resume_beside_a_live_image(
    xai: EmulatorServer, home: Path, prompt: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str], bool]:
    """`dave image` in one process; while its paid POST is on the wire (the emulator holds it
    3 s), `dave jobs resume` in another on the same home. Returns both, and whether the resume
    was over before the POST was answered."""
    xai.set_faults([{"match": f"POST {IMAGE_POST}", "kind": "hang", "seconds": 3.0}])
    env = dave_env(home, xai.xai_base_url)
    live = subprocess.Popen(
        dave_command("image", prompt, "--opt", "response_format=b64_json", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        with watching(home, prompt) as watcher:
            deadline = time.monotonic() + 30
            while watcher.state() != "submitting" or not xai.log.posts(IMAGE_POST):
                assert live.poll() is None and time.monotonic() < deadline, live.communicate()
                time.sleep(0.005)
        resume = run_dave("jobs", "resume", "--json", env=env)
        (post,) = xai.log.posts(IMAGE_POST)
        in_time = post.status is None
        out, err = live.communicate(timeout=60)
    finally:
        if live.poll() is None:
            live.kill()
            live.wait()
    return subprocess.CompletedProcess(live.args, live.returncode, out, err), resume, in_time


def test_a_resume_beside_a_live_generation_never_sends_its_request_again(
    xai: EmulatorServer, dave_home: Path
) -> None:
    prompt = "a live one: a heron in the reeds"
    live, resume, _ = resume_beside_a_live_image(xai, dave_home, prompt)

    assert_clean_output(live.stderr, "the live dave image")
    assert_clean_output(resume.stderr, "the resume beside it")
    assert live.returncode == 0, live.stderr
    (job,) = jobs_in(dave_home)
    assert (job.state.value, job.attempts) == ("done", 1)
    assert json.loads(live.stdout)["job"]["id"] == job.id
    (asset,) = assets_in(dave_home)
    check_asset(dave_home, asset, "image")
    assert len(xai.log.posts(IMAGE_POST)) == 1
    assert temp_files(dave_home) == []


def test_a_resume_beside_a_live_generation_leaves_its_in_flight_job_alone(
    xai: EmulatorServer, dave_home: Path
) -> None:
    prompt = "a live one: a kingfisher on a post"
    live, resume, in_time = resume_beside_a_live_image(xai, dave_home, prompt)
    assert in_time, "the resume ended after the POST was answered: nothing was tested"
    assert live.returncode == 0, live.stderr

    (job,) = jobs_in(dave_home)
    with Store.open(dave_home) as store:
        states = [event.state.value for event in store.jobs.events(job.id)]
    assert "unknown" not in states, states
    assert resume.returncode == 0, resume.stderr
