"""Queued jobs and workers on the shared journal: a claim is one transaction (two workers never
hold one job), leases lapse when a worker dies and another takes the job over by the resume
rules, and workers drain a queue with one paid POST per job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from dave import Studio
from dave.emulator import EmulatorServer
from dave.media.worker import Worker
from dave.store import Database, JobState, JobStore
from tests.conftest import run_dave


def _queue(jobs: JobStore, count: int, provider: str = "xai") -> list[str]:
    return [
        jobs.create(provider, "image", "grok-imagine-image", {"prompt": f"p{i}"}, queued=True).id
        for i in range(count)
    ]


def test_two_workers_racing_for_one_job_never_both_get_it(tmp_path: Path) -> None:
    path = tmp_path / "dave.db"
    setup = Database(path)
    jobs = JobStore(setup)
    databases = [Database(path), Database(path)]
    stores = [JobStore(db) for db in databases]
    for _ in range(60):
        (job_id,) = _queue(jobs, 1)
        barrier = threading.Barrier(2)
        got: list[list[str]] = [[], []]

        def claim(
            index: int, barrier: threading.Barrier = barrier, got: list[list[str]] = got
        ) -> None:
            barrier.wait()
            got[index] = [j.id for j in stores[index].claim(f"w{index}", 5, 30)]

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(got[0] + got[1]) == [job_id], got
        assert jobs.get(job_id).lease_owner in ("w0", "w1")
        jobs.transition(job_id, JobState.CANCELLED)
    for db in (setup, *databases):
        db.close()


def test_many_claims_at_once_share_out_every_job_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "dave.db"
    setup = Database(path)
    queued = set(_queue(JobStore(setup), 150))
    claimed: list[list[str]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def drain(index: int) -> None:
        with Database(path) as db:
            store = JobStore(db)
            start.wait()
            while batch := store.claim(f"w{index}", 3, 30):
                claimed[index] += [job.id for job in batch]

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [job_id for part in claimed for job_id in part]
    assert sorted(every) == sorted(queued) and len(every) == len(set(every))
    setup.close()


def test_a_lapsed_lease_lets_another_worker_take_the_job(tmp_path: Path) -> None:
    with Database(tmp_path / "dave.db") as db:
        jobs = JobStore(db)
        waiting, sent, held = _queue(jobs, 3)
        jobs.claim("dead", 3, 0.2)
        jobs.transition(sent, JobState.SUBMITTING)
        jobs.transition(sent, JobState.SUBMITTED, provider_job_id="r1")
        assert jobs.claim("other", 5, 30) == []  # still leased
        time.sleep(0.3)
        jobs.renew("other", [], 30)
        assert jobs.renew("dead", [held], 30) == {held}  # the dead one may renew only its own
        taken = jobs.claim("other", 5, 30)
        assert [j.id for j in taken] == [waiting, sent]  # queued first, then the lapsed
        assert {j.lease_owner for j in taken} == {"other"}
        jobs.release("other", waiting)
        assert jobs.get(waiting).lease_owner is None
        jobs.transition(held, JobState.DONE)
        assert jobs.claim("third", 5, 30) == [jobs.get(waiting)]


async def test_two_workers_drain_the_queue_with_one_post_per_job(xai: EmulatorServer) -> None:
    async with Studio() as queuer:
        queued = [
            (await queuer.run({"prompt": f"a lantern, study {i}"}, queue=True)).job.id
            for i in range(12)
        ]
        assert xai.log.posts() == []  # queued: nothing sent
        assert {queuer.jobs.get(j).state for j in queued} == {JobState.QUEUED}
    async with Studio() as one, Studio() as two:
        workers = [Worker(one, concurrency=3), Worker(two, concurrency=3)]
        tallies = await asyncio.gather(*(w.run(until_idle=True) for w in workers))
        assert sum(t.ended.get("done", 0) for t in tallies) == 12
        assert all(t.ended for t in tallies)
        for job_id in queued:
            job = one.jobs.get(job_id)
            assert job.state is JobState.DONE and job.attempts == 1 and job.lease_owner is None
            states = [e.state for e in one.jobs.events(job_id)]
            assert states[:3] == [JobState.QUEUED, JobState.CREATED, JobState.SUBMITTING]
            assert len(one.assets.for_job(job_id)) == 1
    prompts = Counter(post.json["prompt"] for post in xai.log.posts())
    assert prompts == Counter({f"a lantern, study {i}": 1 for i in range(12)})


async def test_a_dead_workers_jobs_are_taken_over_by_the_resume_rules(
    xai: EmulatorServer,
) -> None:
    async with Studio() as studio:
        jobs = studio.jobs
        mid_submit = (await studio.run({"prompt": "lost on the wire"}, queue=True)).job.id
        jobs.claim("dead-worker", 1, 0.1)
        jobs.transition(mid_submit, JobState.CREATED)
        jobs.transition(mid_submit, JobState.SUBMITTING, count_attempt=True)
        await asyncio.sleep(0.2)
        tally = await Worker(studio, concurrency=2).run(until_idle=True)
        assert jobs.get(mid_submit).state is JobState.UNKNOWN  # never resent by itself
        assert tally.ended == {"unknown": 1}
    assert xai.log.posts() == []


async def test_resume_leaves_queued_jobs_to_the_workers(xai: EmulatorServer) -> None:
    async with Studio() as studio:
        job_id = (await studio.run({"prompt": "wait your turn"}, queue=True)).job.id
        assert await studio.resume() == []
        assert studio.jobs.get(job_id).state is JobState.QUEUED
        (named,) = await studio.resume(job_id)  # naming it runs it here
        assert named.job.state is JobState.DONE
    assert len(xai.log.posts()) == 1


def test_the_queue_and_worker_commands(xai: EmulatorServer, dave_home: Path) -> None:
    queued = run_dave("image", "a queued heron", "--queue")
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip()
    assert job_id.startswith("j_") and "dave worker" in queued.stderr
    assert xai.log.posts() == []
    listed = run_dave("jobs", "list", "--state", "queued")
    assert job_id in listed.stdout
    done = run_dave("worker", "--until-idle", "-c", "2")
    assert done.returncode == 0, done.stderr
    assert "worker: 1 done" in done.stderr
    assert len(xai.log.posts()) == 1
    bad = run_dave("worker", "--concurrency", "0")
    assert bad.returncode == 1 and "--concurrency must be 1 to 64" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_sigterm_stops_a_worker_cleanly(xai: EmulatorServer) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "dave", "worker"], stderr=subprocess.PIPE, text=True,
        env=dict(os.environ),
    )  # fmt: skip
    assert process.stderr is not None
    assert "dave worker" in process.stderr.readline()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert "worker: no jobs" in process.stderr.read()


@pytest.mark.parametrize("value", ["0", "lots"])
def test_a_bad_lease_setting_is_refused(value: str, xai: EmulatorServer) -> None:
    done = run_dave("worker", "--until-idle", env={"DAVE_WORKER_LEASE_S": value})
    assert done.returncode == 1 and "DAVE_WORKER_LEASE_S must be 1 to 3600" in done.stderr


def test_a_claim_never_goes_past_a_providers_cap_across_workers(tmp_path: Path) -> None:
    with Database(tmp_path / "dave.db") as db, Database(tmp_path / "dave.db") as other:
        jobs, others = JobStore(db), JobStore(other)
        capped = _queue(jobs, 5, "xai")
        free = _queue(jobs, 2, "minimax")
        first = jobs.claim("a", 10, 30, caps={"xai": 3})
        assert [j.id for j in first] == [*capped[:3], *free]
        assert others.claim("b", 10, 30, caps={"xai": 3}) == []  # the cap holds for b too
        jobs.transition(capped[0], JobState.DONE)  # a finished job frees its slot
        assert [j.id for j in others.claim("b", 10, 30, caps={"xai": 3})] == [capped[3]]
        assert [j.id for j in jobs.claim("c", 10, 30)] == [capped[4]]  # no cap: no bound


async def test_workers_together_keep_to_the_cap_in_config(
    xai: EmulatorServer, dave_home: Path
) -> None:
    xai.set_faults([{"match": "POST /v1/images/generations", "kind": "hang", "seconds": 0.2,
                     "times": 100}])  # fmt: skip
    async with Studio() as queuer:
        for i in range(8):
            await queuer.run({"prompt": f"a capped kite {i}"}, queue=True)
    held: list[int] = []
    sampling = True

    def sample() -> None:
        with Database(dave_home / "dave.db") as db:
            while sampling:
                row = db.query_one(
                    "SELECT count(*) FROM jobs WHERE lease_owner IS NOT NULL"
                    " AND state NOT IN ('done', 'failed', 'unknown')"
                )
                held.append(int(row[0]) if row else 0)
                time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        async with Studio() as one, Studio() as two:
            caps = {"xai": 2}
            workers = [Worker(one, concurrency=4, caps=caps), Worker(two, concurrency=4, caps=caps)]
            tallies = await asyncio.gather(*(w.run(until_idle=True) for w in workers))
    finally:
        sampling = False
        sampler.join()
    assert sum(t.ended.get("done", 0) for t in tallies) == 8
    assert max(held) == 2  # reached, never passed


def test_a_bad_limits_table_is_refused(xai: EmulatorServer, dave_home: Path) -> None:
    dave_home.mkdir(parents=True, exist_ok=True)
    (dave_home / "config.toml").write_text("[limits]\nxai = 0\n")
    done = run_dave("worker", "--until-idle")
    assert done.returncode == 1 and "[limits] xai must be a whole number 1 to 1000" in done.stderr
    (dave_home / "config.toml").write_text("[limits]\nacme = 3\n")
    done = run_dave("worker", "--until-idle")
    assert done.returncode == 1 and "unknown provider 'acme'" in done.stderr


async def test_a_429_one_worker_gets_slows_every_worker(xai: EmulatorServer) -> None:
    xai.set_faults([{"match": "POST /v1/images/generations", "kind": "status", "status": 429,
                     "retry_after": "2", "times": 1}])  # fmt: skip
    async with Studio() as queuer:
        for i in range(4):
            await queuer.run({"prompt": f"a patient kite {i}"}, queue=True)
    async with Studio() as one, Studio() as two:
        workers = [Worker(one, concurrency=1), Worker(two, concurrency=1)]
        tallies = await asyncio.gather(*(w.run(until_idle=True) for w in workers))
    assert sum(t.ended.get("done", 0) for t in tallies) == 4
    posts = [e for e in xai.log.posts() if e.path == "/v1/images/generations"]
    refused = [e for e in posts if e.status == 429]
    assert len(refused) == 1
    # Nothing was sent while the provider asked for quiet (a request already on the wire when
    # the 429 came back aside): not by the worker that got it (its own retry waits), nor by
    # the other one (the shared pause).
    asked = refused[0].time + 0.01
    during = [e for e in posts if asked < e.time < refused[0].time + 2 - 0.05]
    assert during == [], [(e.time - refused[0].time) for e in during]
    assert any(e.time >= refused[0].time + 1.9 for e in posts)  # the rest came after
    assert len(posts) == 5  # four jobs, one of them twice (the 429 and its retry)
