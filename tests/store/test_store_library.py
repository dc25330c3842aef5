"""`Store.open(home)`: one object for the journal, the catalogue and the media folder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dave.core.errors import StoreError
from dave.store import AssetCatalog, JobJournal, JobState, MediaFolder, Store


def test_open_lays_out_home_and_hands_out_the_parts(tmp_path: Path) -> None:
    home = tmp_path / "dave-home"
    with Store.open(home) as store:
        assert (home / "dave.db").is_file()
        assert store.db.path == home / "dave.db"
        assert isinstance(store.jobs, JobJournal)
        assert isinstance(store.assets, AssetCatalog)
        assert isinstance(store.media, MediaFolder) and store.media.root == home / "media"

        job = store.jobs.create("emulator", "image", "m", {"prompt": "a kite"})
        path = store.media.put_bytes(b"kite", "png")
        store.assets.add(
            job_id=job.id,
            kind="image",
            path=store.media.relative(path),
            sha256=path.stem,
            bytes=4,
            prompt="a kite",
        )
        store.jobs.transition(job.id, JobState.DONE)

    with Store.open(home) as again:
        assert again.jobs.get(job.id).state is JobState.DONE
        [asset] = again.assets.for_job(job.id)
        assert again.media.absolute(asset.path).read_bytes() == b"kite"
    with pytest.raises(StoreError, match="closed"):
        again.jobs.get(job.id)


def test_one_store_is_safe_to_share_between_threads(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:

        def work(n: int) -> str:
            job = store.jobs.create("emulator", "image", "m", {"n": n})
            store.jobs.transition(job.id, "submitting", expect={"created"}, count_attempt=True)
            store.jobs.transition(job.id, "done", expect={"submitting"})
            return job.id

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(work, range(200)))

        assert len(set(ids)) == 200
        assert store.jobs.count(["done"]) == 200
        assert store.db.query_one("SELECT count(*) FROM job_events")[0] == 600
