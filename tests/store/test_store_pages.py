"""Gallery pages (keyset, filtered, searched) and the change feeds other processes follow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dave.core.errors import InvalidRequest
from dave.store import AssetStore, Database, JobState, JobStore


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "dave.db")
    yield database
    database.close()


def _seed(assets: AssetStore, count: int) -> list[str]:
    ids = []
    for i in range(count):
        provider = ("xai", "minimax", "stability")[i % 3]
        kind = ("image", "video")[i % 2]
        added = assets.add(
            kind=kind, path=f"aa/bb/{i}.png", sha256=f"{i:064x}", bytes=10, provider=provider,
            prompt=f"picture {i} of a {'red' if i % 4 == 0 else 'blue'} fox",
            created_at=f"2026-11-{1 + i % 28:02d}T10:00:00.000000Z",
        )  # fmt: skip
        ids.append(added.id)
    return ids


@pytest.mark.parametrize("fts", [None, False], ids=["fts5", "like"])
def test_pages_walk_every_asset_newest_first_with_no_repeat(db: Database, fts: bool | None) -> None:
    assets = AssetStore(db, fts=fts)
    ids = _seed(assets, 25)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = assets.page(cursor=cursor, limit=7)
        seen += [a.id for a in page.assets]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ids[::-1]
    assert pages == 4  # 7 + 7 + 7 + 4


@pytest.mark.parametrize("fts", [None, False], ids=["fts5", "like"])
def test_a_page_narrows_by_words_provider_kind_and_dates(db: Database, fts: bool | None) -> None:
    assets = AssetStore(db, fts=fts)
    _seed(assets, 24)
    red = assets.page(q="RED fo", limit=100).assets
    assert [a.prompt for a in red] == [f"picture {i} of a red fox" for i in (20, 16, 12, 8, 4, 0)]
    both = assets.page(q="red", provider="minimax", limit=100).assets
    assert [(a.provider, a.prompt) for a in both] == [
        ("minimax", "picture 16 of a red fox"),
        ("minimax", "picture 4 of a red fox"),
    ]
    videos = assets.page(kind="video", limit=100).assets
    assert len(videos) == 12 and {a.kind for a in videos} == {"video"}
    window = assets.page(since="2026-11-03", before="2026-11-05", limit=100).assets
    assert sorted(a.created_at[:10] for a in window) == ["2026-11-03", "2026-11-04"]
    searched = assets.page(q="fox", limit=5)
    rest = assets.page(q="fox", limit=100, cursor=searched.next_cursor)
    assert len(searched.assets) + len(rest.assets) == 24
    assert not {a.id for a in searched.assets} & {a.id for a in rest.assets}


def test_punctuation_only_search_finds_nothing_and_a_bad_cursor_is_refused(db: Database) -> None:
    assets = AssetStore(db)
    _seed(assets, 3)
    assert assets.page(q="*** ()").assets == []
    with pytest.raises(InvalidRequest, match="not a page cursor"):
        assets.page(cursor="1; DROP TABLE assets")
    assert assets.count() == 3


def test_change_feeds_give_what_was_added_after_a_point(db: Database) -> None:
    assets, jobs = AssetStore(db), JobStore(db)
    assert assets.last_seq() == 0 and jobs.last_event_id() == 0
    _seed(assets, 2)
    mark, event_mark = assets.last_seq(), jobs.last_event_id()
    job = jobs.create("xai", "image", "grok-imagine-image", {"prompt": "p"})
    jobs.transition(job.id, JobState.SUBMITTING)
    later = _seed(assets, 2)
    assert [a.id for _, a in assets.added_since(mark)] == later
    events = jobs.events_since(event_mark)
    assert [(e.job_id, e.state) for e in events] == [
        (job.id, JobState.CREATED),
        (job.id, JobState.SUBMITTING),
    ]
    assert jobs.events_since(events[-1].id) == []
    assert assets.added_since(assets.last_seq()) == []
