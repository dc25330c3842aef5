"""The asset catalogue: idempotent recording, lookups, listing and prompt search."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from dave.core.errors import NotFound, StoreError
from dave.store import AssetStore, Database, JobStore
from dave.store.ids import new_id, utc_now

SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "dave.db")
    yield database
    database.close()


@pytest.fixture
def assets(db: Database) -> AssetStore:
    return AssetStore(db)


def _add(assets: AssetStore, prompt: str | None = None, **fields: object) -> object:
    values: dict[str, object] = {"kind": "image", "path": "aa/aa/x.png", "sha256": SHA_A}
    values.update({"bytes": 10, "prompt": prompt, **fields})
    return assets.add(**values)  # type: ignore[arg-type]


def test_add_records_every_field_and_reads_it_back(assets: AssetStore, db: Database) -> None:
    job = JobStore(db).create("xai", "image", "grok-imagine-image", {"prompt": "p"})
    added = assets.add(
        job_id=job.id,
        index=1,
        provider="xai",
        kind="image",
        path=PurePosixPath("ab/cd") / f"{SHA_A}.png",
        sha256=SHA_A.upper(),
        mime="image/png",
        bytes=1234,
        width=1024,
        height=768,
        prompt="a lighthouse at dusk",
        params={"aspect_ratio": "4:3"},
    )
    assert added.id.startswith("a_")
    got = assets.get(added.id)
    assert got == added
    assert (got.job_id, got.index, got.path, got.sha256) == (
        job.id,
        1,
        f"ab/cd/{SHA_A}.png",
        SHA_A,
    )
    assert (got.mime, got.bytes, got.width, got.height, got.duration_s) == (
        "image/png",
        1234,
        1024,
        768,
        None,
    )
    assert got.params == {"aspect_ratio": "4:3"}
    assert got.to_dict()["index"] == 1


def test_recording_a_jobs_output_twice_returns_the_first_row(
    assets: AssetStore, db: Database
) -> None:
    job = JobStore(db).create("xai", "image", "m", {})
    first = assets.add(job_id=job.id, index=0, kind="image", path="p0", sha256=SHA_A, bytes=1)
    again = assets.add(job_id=job.id, index=0, kind="image", path="other", sha256=SHA_B, bytes=2)
    second = assets.add(job_id=job.id, index=1, kind="image", path="p1", sha256=SHA_B, bytes=2)

    assert again == first
    assert assets.count() == 2
    assert [a.id for a in assets.for_job(job.id)] == [first.id, second.id]
    assert [a.index for a in assets.for_job(job.id)] == [0, 1]


def test_assets_without_a_job_are_all_kept(assets: AssetStore) -> None:
    _add(assets, "one")
    _add(assets, "two")
    assert assets.count() == 2


def test_an_asset_for_a_job_that_does_not_exist_is_refused(assets: AssetStore) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        _add(assets, job_id="j_00000000000000000000000000")
    assert assets.count() == 0


def test_get_takes_a_prefix_and_names_what_is_missing(assets: AssetStore) -> None:
    added = _add(assets, "x")
    assert assets.get(added.id[:16].lower()).id == added.id  # type: ignore[attr-defined]
    with pytest.raises(NotFound, match="no asset 'a_ZZZ'"):
        assets.get("a_ZZZ")


def test_list_is_newest_first_with_paging_and_kind(assets: AssetStore) -> None:
    made = [_add(assets, f"p{i}", kind="video" if i % 3 == 0 else "image") for i in range(7)]
    ids = [a.id for a in made]  # type: ignore[attr-defined]
    assert [a.id for a in assets.list()] == ids[::-1]
    assert [a.prompt for a in assets.list(limit=3, offset=1)] == ["p5", "p4", "p3"]
    assert [a.prompt for a in assets.list(kind="video")] == ["p6", "p3", "p0"]
    assert assets.count(kind="video") == 3


def test_by_sha256_finds_every_asset_with_those_bytes(assets: AssetStore) -> None:
    one = _add(assets, "one", sha256=SHA_A)
    _add(assets, "other", sha256=SHA_B)
    two = _add(assets, "two", sha256=SHA_A)
    assert [a.id for a in assets.by_sha256(SHA_A.upper())] == [one.id, two.id]  # type: ignore[attr-defined]
    assert assets.by_sha256("c" * 64) == []


@pytest.mark.parametrize("fts", [True, False], ids=["fts5", "like"])
def test_search_finds_prompts_by_word_newest_first(db: Database, fts: bool) -> None:
    assets = AssetStore(db, fts=fts)
    assert assets.fts is fts
    fox = _add(assets, "A red Fox in the snow")
    _add(assets, "a blue whale")
    fox2 = _add(assets, "portrait of a fox, oil painting")
    _add(assets, None)

    assert [a.id for a in assets.search("fox")] == [fox2.id, fox.id]  # type: ignore[attr-defined]
    assert [a.id for a in assets.search("FOX snow")] == [fox.id]  # type: ignore[attr-defined]
    assert [a.id for a in assets.search("fox", limit=1)] == [fox2.id]  # type: ignore[attr-defined]
    assert [a.prompt for a in assets.search("whale")] == ["a blue whale"]
    assert assets.search("giraffe") == []
    assert assets.search("   ") == []
    # Search syntax in what a user types is only text, never an FTS or LIKE operator.
    assert assets.search('fox" OR "whale') == []
    assert assets.search("%") == []
    assert assets.search("NEAR(fox whale)") == []


def test_the_search_index_follows_prompt_updates_and_deletes(
    assets: AssetStore, db: Database
) -> None:
    kept = _add(assets, "a green frog")
    gone = _add(assets, "a green leaf")
    with db.transaction() as conn:
        conn.execute("UPDATE assets SET prompt = 'a purple frog' WHERE id = ?", (kept.id,))  # type: ignore[attr-defined]
        conn.execute("DELETE FROM assets WHERE id = ?", (gone.id,))  # type: ignore[attr-defined]
    assert [a.prompt for a in assets.search("purple")] == ["a purple frog"]
    assert assets.search("green") == []
    assert assets.search("leaf") == []


WORDS = (
    "red",
    "green",
    "blue",
    "fox",
    "cat",
    "dog",
    "tree",
    "river",
    "mountain",
    "city",
    "night",
    "sunrise",
    "portrait",
    "neon",
    "robot",
    "castle",
    "ocean",
    "forest",
    "desert",
    "storm",
    "cinematic",
    "watercolor",
    "glass",
    "paper",
    "violet",
    "amber",
)


def seed_assets(db: Database, count: int, *, every: int, rare: str) -> set[str]:
    """Insert `count` assets in one transaction; every `every`-th prompt gets the word `rare`.

    Rows go in through executemany into a temp table and one INSERT … SELECT, so the FTS
    triggers run as they do for `add` (one statement per row is slow only for the test).
    """
    rng = random.Random(7)
    now = utc_now()
    rows = []
    marked: set[str] = set()
    for i in range(count):
        asset_id = new_id("a")
        prompt = " ".join(rng.choice(WORDS) for _ in range(10))
        if i % every == 0:
            prompt += f" {rare}"
            marked.add(asset_id)
        rows.append(
            (asset_id, "xai", "image", f"{i:02x}/{i}.png", f"{i:064x}", 1000 + i, prompt, now)
        )
    with db.transaction() as conn:
        conn.execute(
            "CREATE TEMP TABLE seed (id, provider, kind, path, sha256, bytes, prompt, created_at)"
        )
        conn.executemany("INSERT INTO seed VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute(
            "INSERT INTO assets (id, provider, kind, path, sha256, bytes, prompt, created_at)"
            " SELECT * FROM seed"
        )
        conn.execute("DROP TABLE seed")
    return marked


def _best_of(runs: int, call: object) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def test_search_is_correct_and_fast_on_100000_assets(db: Database) -> None:
    assets = AssetStore(db)
    marked = seed_assets(db, 100_000, every=997, rare="zebra")
    assert assets.count() == 100_000

    found = assets.search("zebra", limit=500)
    assert {a.id for a in found} == marked
    assert [a.id for a in found] == sorted(marked, reverse=True)  # newest first

    common = assets.search("fox river", limit=50)
    assert len(common) == 50
    assert all({"fox", "river"} <= set(a.prompt.split()) for a in common)  # type: ignore[union-attr]
    assert [a.id for a in common] == sorted((a.id for a in common), reverse=True)

    newest = assets.list(limit=5)
    assert [a.path for a in newest] == [f"{i:02x}/{i}.png" for i in range(99_999, 99_994, -1)]

    # A new asset is searchable at once, and adding one to a big library stays quick.
    fresh = assets.add(kind="image", path="new.png", sha256=SHA_A, bytes=1, prompt="a zebra foal")
    assert assets.search("foal")[0].id == fresh.id

    assert _best_of(3, lambda: assets.search("zebra")) < 0.2
    assert _best_of(3, lambda: assets.search("fox river")) < 0.2
    assert _best_of(3, lambda: assets.list(limit=50, offset=1000)) < 0.2
