"""The journal on a real PostgreSQL: the store's queries (jobs, events, assets, pages and
search, lineage, publications, sessions), claims under contention, and dave itself (the
Studio, workers, the CLI, the server) with DAVE_DATABASE_URL set."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import httpx2
import pytest

from dave import Studio
from dave.core.errors import InvalidRequest, NotFound, StoreError
from dave.emulator import EmulatorServer
from dave.media.worker import Worker
from dave.store import JobState, JobStore, StateConflict, Store
from dave.store.pg import PgDatabase
from dave.store.sessions import SessionStore
from tests.conftest import run_dave

from .cluster import Cluster


@pytest.fixture
def store(pg_url: str, tmp_path: Path) -> Store:
    opened = Store.open(tmp_path / "home", pg_url)
    yield opened  # type: ignore[misc]
    opened.close()


def test_jobs_move_by_compare_and_set_and_keep_their_events(store: Store) -> None:
    jobs = store.jobs
    job = jobs.create("xai", "image", "grok-imagine-image", {"prompt": "p"}, price=0.02,
                      price_unit="usd")  # fmt: skip
    jobs.transition(job.id, JobState.SUBMITTING, expect={JobState.CREATED}, count_attempt=True)
    with pytest.raises(StateConflict):
        jobs.transition(job.id, JobState.SUBMITTING, expect={JobState.CREATED})
    jobs.transition(job.id, JobState.SUBMITTED, provider_job_id="r1", result={"urls": ["u"]})
    got = jobs.get(job.id[:10])  # a prefix finds it
    assert (got.state, got.attempts, got.provider_job_id, got.result) == (
        JobState.SUBMITTED,
        1,
        "r1",
        {"urls": ["u"]},
    )
    assert [e.state for e in jobs.events(job.id)] == [
        JobState.CREATED,
        JobState.SUBMITTING,
        JobState.SUBMITTED,
    ]
    assert [j.id for j in jobs.unfinished()] == [job.id]
    assert jobs.many([job.id, "j_missing"]).keys() == {job.id}
    with pytest.raises(NotFound):
        jobs.get("j_nothing_like_it")
    (line,) = jobs.cost_summary()
    assert (line.provider, line.jobs, line.amount, line.unit) == ("xai", 1, 0.02, "usd")


def test_assets_page_search_and_feed_as_on_sqlite(store: Store) -> None:
    assets = store.assets
    ids = []
    for i in range(12):
        colour = "Red" if i % 3 == 0 else "blue"
        added = assets.add(kind=("image", "video")[i % 2], path=f"aa/bb/{i}.png",
                           sha256=f"{i:064x}", bytes=10, provider=("xai", "minimax")[i % 2],
                           prompt=f"picture {i} of a {colour} fox")  # fmt: skip
        ids.append(added.id)
    again = assets.add(kind="image", path="x", sha256="f" * 64, bytes=1, job_id=None)
    assert again.id not in ids
    first = assets.page(limit=5)
    rest = assets.page(limit=100, cursor=first.next_cursor)
    assert [a.id for a in first.assets + rest.assets] == [again.id, *ids[::-1]]
    red = assets.page(q="red FO", limit=100).assets
    assert [a.prompt for a in red] == [f"picture {i} of a Red fox" for i in (9, 6, 3, 0)]
    assert [a.id for a in assets.search("blu")] == [ids[i] for i in (11, 10, 8, 7, 5, 4, 2, 1)]
    assert assets.page(q="*** ()").assets == []
    assert {a.kind for a in assets.page(kind="video", provider="minimax").assets} == {"video"}
    with pytest.raises(InvalidRequest):
        assets.page(cursor="1 OR 1=1")
    mark = assets.last_seq()
    later = assets.add(kind="image", path="aa/cc/z.png", sha256="e" * 64, bytes=2)
    assert [a.id for _, a in assets.added_since(mark)] == [later.id]
    assert assets.count() == 14 and assets.count("video") == 6


def test_lineage_publications_and_sessions(store: Store) -> None:
    source = store.assets.add(kind="image", path="s.png", sha256="1" * 64, bytes=1)
    job = store.jobs.create("xai", "edit", "m", {"prompt": "p"})
    made = store.assets.add(kind="image", path="m.png", sha256="2" * 64, bytes=1, job_id=job.id)
    store.lineage.link(job.id, [("images[0]", source.id)])
    store.lineage.link(job.id, [("images[0]", source.id)])  # twice is once
    assert [(f, a.id) for f, a in store.lineage.sources_of(made)] == [("images[0]", source.id)]
    assert [a.id for a in store.lineage.derived_from(source.id)] == [made.id]
    store.publications.record(
        made.id, "local", "k.png", "file:///k.png", expires_at=None, etag=None
    )
    assert [p.key for p in store.publications.for_asset(made.id)] == ["k.png"]
    sessions = SessionStore(store.db)
    session = sessions.create("daisy", title="hello")
    sessions.add_message(session.id, {"role": "user", "content": "hi"})
    assert [m.content for m in sessions.messages(session.id)] == ["hi"]


def test_claims_under_contention_give_each_job_to_one_worker(pg_url: str, store: Store) -> None:
    queued = {
        store.jobs.create("xai", "image", "m", {"prompt": str(i)}, queued=True).id
        for i in range(120)
    }
    claimed: list[list[str]] = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def drain(index: int) -> None:
        with PgDatabase(pg_url) as db:
            jobs = JobStore(db)
            start.wait()
            while batch := jobs.claim(f"w{index}", 3, 30):
                claimed[index] += [job.id for job in batch]

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [job_id for part in claimed for job_id in part]
    assert sorted(every) == sorted(queued) and len(every) == len(set(every))

    databases = [PgDatabase(pg_url), PgDatabase(pg_url)]
    racers = [JobStore(db) for db in databases]
    for _ in range(40):
        job_id = store.jobs.create("xai", "image", "m", {"prompt": "race"}, queued=True).id
        barrier = threading.Barrier(2)
        got: list[list[str]] = [[], []]

        def claim(index: int, barrier: threading.Barrier = barrier,
                  got: list[list[str]] = got) -> None:  # fmt: skip
            barrier.wait()
            got[index] = [j.id for j in racers[index].claim(f"r{index}", 5, 30)]

        pair = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
        assert sorted(got[0] + got[1]) == [job_id]
        store.jobs.transition(job_id, JobState.CANCELLED)
    for db in databases:
        db.close()


async def test_the_studio_and_workers_run_on_postgresql(
    pg_url: str, xai: EmulatorServer, dave_home: Path
) -> None:
    async with Studio() as studio:
        made = await studio.image("a lighthouse at dusk", n=2)
        assert made.job.state is JobState.DONE and len(made.assets) == 2
        for i in range(6):
            await studio.run({"prompt": f"a queued kite {i}"}, queue=True)
    assert not (dave_home / "dave.db").exists()  # the journal is on PostgreSQL
    async with Studio() as one, Studio() as two:
        tallies = await asyncio.gather(
            Worker(one, concurrency=3).run(until_idle=True),
            Worker(two, concurrency=3).run(until_idle=True),
        )
    assert sum(t.ended.get("done", 0) for t in tallies) == 6
    prompts = Counter(post.json["prompt"] for post in xai.log.posts())
    assert max(prompts.values()) == 1 and len(prompts) == 7
    with PgDatabase(pg_url) as db:
        assert db.query_one("SELECT count(*) FROM assets")[0] == 8


def test_the_cli_and_the_server_read_the_team_journal(
    pg_url: str, xai: EmulatorServer, dave_home: Path
) -> None:
    from tests.server.conftest import start_server

    made = run_dave("image", "a heron in the reeds", "--json")
    assert made.returncode == 0, made.stderr
    listed = run_dave("assets", "search", "heron", "--json")
    assert listed.returncode == 0 and '"a heron in the reeds"' in listed.stdout
    served = start_server()
    try:
        with httpx2.Client(base_url=served.url, timeout=30) as http:
            found = http.get("/api/assets", params={"q": "HER"}).json()["assets"]
            assert [a["prompt"] for a in found] == ["a heron in the reeds"]
            assert http.get(found[0]["url"]).status_code == 200
    finally:
        served.stop()


def test_a_password_never_shows_in_an_error(pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:  # fmt: skip
    url = f"postgresql://nobody:s3cret-pw@127.0.0.1:{pg_cluster.port}/no_such_db"
    with pytest.raises(StoreError) as caught:
        Store.open(tmp_path, url)
    assert "s3cret-pw" not in str(caught.value) and "***" in str(caught.value)
    monkeypatch.setenv("DAVE_DATABASE_URL", url)
    done = run_dave("jobs", "list")
    assert done.returncode == 1 and "s3cret-pw" not in done.stderr + done.stdout
    monkeypatch.setenv("DAVE_DATABASE_URL", "mysql://x")
    done = run_dave("jobs", "list")
    assert done.returncode == 1 and "must be a postgresql:// URL" in done.stderr


async def test_an_idle_worker_wakes_when_a_job_is_queued(pg_url: str, xai: EmulatorServer) -> None:
    async with Studio() as worker_studio, Studio() as queuer:
        # A poll far longer than the test: only the notification can wake it in time.
        worker = Worker(worker_studio, concurrency=2, poll_s=60)
        running = asyncio.create_task(worker.run())
        await asyncio.sleep(0.5)  # idle, listening
        started = asyncio.get_running_loop().time()
        job_id = (await queuer.run({"prompt": "wake up"}, queue=True)).job.id
        while not queuer.jobs.get(job_id).terminal:
            assert asyncio.get_running_loop().time() - started < 10, "the worker slept on"
            await asyncio.sleep(0.05)
        worker.stop()
        tally = await running
        assert queuer.jobs.get(job_id).state is JobState.DONE
    assert tally.ended == {"done": 1}
