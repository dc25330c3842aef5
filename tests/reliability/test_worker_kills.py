"""Many workers on one journal: four drain 200 images and videos with one paid POST each; and
workers killed (SIGKILL) at random moments while others run lose nothing and pay once: every
queued job ends `done` (its file kept and checked) or `unknown` (killed with the paid request on
the wire), no prompt is POSTed twice, and no file is kept without a row. The kills run on both
stores: one machine's (SQLite and its media folder), and a team's (PostgreSQL and S3, each
worker with a DAVE_HOME, and so a media cache, of its own), where nothing is in S3 without a
row and no row points at a missing object.

The emulator is its own process (its request log is the provider's record of what was paid
for), and holds each image POST back 0.3 s so that kills land mid-request. Leases are 1 s, so
the survivors take a dead worker's jobs over quickly.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from tests.reliability.helpers_procs import (
    EmulatorProcess,
    check_asset,
    dave_command,
    dave_env,
    jobs_in,
    library_files,
    run_dave,
    seed_quick_polls,
)
from tests.s3server import S3Server, use_fake_aws

from dave.core.settings import S3Media
from dave.store import Asset, Job, JobState, Store

JOBS = 30
KILLS = 10
HOLD = {"match": "POST /v1/images/generations", "kind": "hang", "seconds": 0.3, "times": 1000}


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A worker that has started (its signal handlers are in place once it says so)."""
    process = subprocess.Popen(
        dave_command("worker", "--concurrency", "3"), env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    assert b"dave worker" in process.stderr.readline()
    return process


class Library:
    """Where the workers keep their jobs and files: one DAVE_HOME, or a team's store (each
    worker a home of its own, the journal on PostgreSQL, the media in S3)."""

    def __init__(self, tmp_path: Path, env: dict[str, str], team: S3Media | None) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.team = team
        self.homes = 0

    def worker_env(self) -> dict[str, str]:
        if self.team is None:
            return self.env
        self.homes += 1
        return {**self.env, "DAVE_HOME": str(self.tmp_path / f"worker-{self.homes}")}

    def open(self) -> Store:
        if self.team is None:
            return Store.open(Path(self.env["DAVE_HOME"]))
        checker = self.tmp_path / "checker"  # a machine with an empty cache
        return Store.open(checker, self.env["DAVE_DATABASE_URL"], self.team)

    def jobs(self) -> list[Job]:
        with self.open() as store:
            return store.jobs.list(limit=10_000)

    def check(self, asset: Asset, kind: str) -> None:
        with self.open() as store:
            store.media.fetch(asset.path)  # from S3 on a team's store
            check_asset(store.home, asset, kind)


def _library(
    kind: str, tmp_path: Path, env: dict[str, str], request: pytest.FixtureRequest
) -> Library:
    if kind == "local":
        return Library(tmp_path, env, None)
    s3_server: S3Server = request.getfixturevalue("s3_server")
    pg_url: str = request.getfixturevalue("pg_url")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    use_fake_aws(tmp_path, monkeypatch)
    team = S3Media(s3_server.make_bucket(), "media/", s3_server.endpoint)
    aws = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    team_env = {
        **env, **aws, "DAVE_DATABASE_URL": pg_url, "DAVE_MEDIA_URL": team.url,
        "DAVE_S3_ENDPOINT_URL": s3_server.endpoint,
    }  # fmt: skip
    return Library(tmp_path, team_env, team)


@pytest.mark.parametrize("store", ["local", "team"])
def test_killed_workers_leave_every_job_done_or_unknown_and_nothing_paid_twice(
    tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    home = tmp_path / "home"
    rng = random.Random(1415)
    with EmulatorProcess({"faults": [HOLD]}, tmp_path / "emulator") as emulator:
        base = {**dave_env(home, f"{emulator.url}/v1"), "DAVE_WORKER_LEASE_S": "1"}
        library = _library(store, tmp_path, base, request)
        env = library.env
        for i in range(JOBS):
            queued = run_dave("image", f"a kite over the dunes, study {i}", "--queue", env=env)
            assert queued.returncode == 0, queued.stderr
        assert emulator.requests() == []

        workers = [_worker(library.worker_env()) for _ in range(3)]
        # The kills start once work is under way, so they land mid-job.
        started = time.monotonic() + 30
        while time.monotonic() < started:
            if any(job.state is not JobState.QUEUED for job in library.jobs()):
                break
            time.sleep(0.05)
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.1, 0.6))
            victim = workers.pop(rng.randrange(len(workers)))
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            workers.append(_worker(library.worker_env()))
        # The survivors drain the rest, taking the dead workers' jobs as their leases lapse.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if all(job.terminal for job in library.jobs()):
                break
            time.sleep(0.3)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(30) == 0
        posts = Counter(
            entry["json"]["prompt"]
            for entry in emulator.requests()
            if entry["method"] == "POST" and entry["path"] == "/v1/images/generations"
        )

    jobs = library.jobs()
    assert len(jobs) == JOBS
    states = Counter(job.state for job in jobs)
    assert set(states) <= {JobState.DONE, JobState.UNKNOWN}, states
    assert states[JobState.DONE] >= max(1, JOBS - KILLS * 3)  # each kill costs at most 3
    assert max(posts.values()) == 1, posts  # no prompt paid for twice
    with library.open() as opened:
        kept_by_job = {job.id: opened.assets.for_job(job.id) for job in jobs}
        rows = opened.assets.list(limit=10_000)
    for job in jobs:
        prompt = job.request["prompt"]
        kept = kept_by_job[job.id]
        if job.state is JobState.DONE:
            assert posts[prompt] == 1 and len(kept) == 1, job.id
            library.check(kept[0], "image")
        else:
            assert kept == [] and posts[prompt] <= 1, job.id
    if library.team is None:
        # Every kept file has a row, and every row its file.
        assert set(library_files(home)) == {home / "media" / asset.path for asset in rows}
    else:
        # Nothing in S3 without a row, no row pointing at a missing object.
        s3_server: S3Server = request.getfixturevalue("s3_server")
        listed = s3_server.admin.list_objects_v2(Bucket=library.team.bucket, MaxKeys=1000)
        keys = {entry["Key"] for entry in listed.get("Contents", [])}
        assert keys == {f"{library.team.prefix}{asset.path}" for asset in rows}


def test_four_workers_drain_two_hundred_images_and_videos_with_one_post_each(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    config = {"video_ready_s": 0.5, "faults": [{**HOLD, "seconds": 0.05}]}
    with EmulatorProcess(config, tmp_path / "emulator") as emulator:
        env = dave_env(home, f"{emulator.url}/v1")
        seeded = seed_quick_polls(home)
        asyncio_queue(home, env, images=170, videos=30)
        workers = [
            subprocess.Popen(dave_command("worker", "--until-idle", "-c", "8"), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(4)
        ]  # fmt: skip
        for worker in workers:
            _, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err
        posts = Counter(
            (entry["path"], entry["json"]["prompt"])
            for entry in emulator.requests()
            if entry["method"] == "POST"
        )
    jobs = jobs_in(home, exclude=seeded)
    assert len(jobs) == 200
    assert Counter(job.state for job in jobs) == {JobState.DONE: 200}
    assert set(posts.values()) == {1} and len(posts) == 200  # one paid POST per job
    assert Counter(path for path, _ in posts) == {
        "/v1/images/generations": 170,
        "/v1/videos/generations": 30,
    }
    with Store.open(home) as store:
        for job in jobs:
            claims = [e for e in store.jobs.events(job.id) if e.detail == "claimed"]
            assert len(claims) == 1, job.id  # started by one worker, once
            (kept,) = store.assets.for_job(job.id)
            check_asset(home, kept, job.kind)


def asyncio_queue(home: Path, env: dict[str, str], *, images: int, videos: int) -> None:
    """Queues the jobs through the Studio in this process (nothing is sent)."""
    import asyncio
    import os

    from dave import Studio

    saved = dict(os.environ)
    os.environ.update(env)
    try:

        async def queue() -> None:
            async with Studio() as studio:
                for i in range(images):
                    await studio.run({"prompt": f"a paper crane, study {i}"}, queue=True)
                for i in range(videos):
                    request = {"kind": "video", "prompt": f"a crane unfolding {i}", "duration": 1}
                    await studio.run(request, queue=True)

        asyncio.run(queue())
    finally:
        os.environ.clear()
        os.environ.update(saved)
