"""Publishing to a local folder through the Publisher: content keys, create-only copies, one
row per (asset, target), a crash between copy and record healed by the next publish, expired
links renewed without copying, and nothing recorded when the asset's file is gone."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dave.core.errors import DaveError, NotFound
from dave.publish.local import LocalTarget
from dave.publish.publisher import Publisher
from dave.publish.target import Placed
from dave.store import Asset, Store


def _asset(store: Store, data: bytes, ext: str = "png", mime: str = "image/png") -> Asset:
    staging = store.media.stage_bytes(data, f".{ext}")
    path = store.media.commit(staging, ext)
    rel = path.relative_to(store.media.root)
    return store.assets.add(
        kind="image", path=rel, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
        mime=mime, prompt="a red fox",
    )  # fmt: skip


@pytest.fixture
def store(dave_home: Path) -> Store:
    return Store.open(dave_home)


def test_an_asset_is_copied_under_its_sha256_and_recorded(store: Store, tmp_path: Path) -> None:
    asset = _asset(store, b"\x89PNG fake but real bytes")
    public = tmp_path / "public"

    row = Publisher(store, LocalTarget(public)).publish(asset.id[:8])

    copy = public / f"{asset.sha256}.png"
    assert copy.read_bytes() == b"\x89PNG fake but real bytes"
    assert (row.asset_id, row.target, row.key) == (asset.id, "local", f"{asset.sha256}.png")
    assert row.url == copy.resolve().as_uri() and row.expires_at is None
    assert store.publications.for_asset(asset.id) == [row]
    assert [a.id for a in store.assets.list(published=True)] == [asset.id]


def test_a_second_publish_copies_nothing_and_gives_the_same_link(
    store: Store, tmp_path: Path
) -> None:
    asset = _asset(store, b"same bytes")
    target = LocalTarget(tmp_path / "public")
    first = Publisher(store, target).publish(asset.id)
    copy = tmp_path / "public" / first.key
    os.utime(copy, (1, 1))  # a copy would change the time

    again = Publisher(store, target).publish(asset.id)

    assert again.url == first.url and again.key == first.key
    assert copy.stat().st_mtime == 1
    assert sorted(p.name for p in (tmp_path / "public").iterdir()) == [first.key]


def test_a_crash_between_copy_and_record_is_healed_without_a_second_copy(
    store: Store, tmp_path: Path
) -> None:
    asset = _asset(store, b"copied, then the process died")
    target = LocalTarget(tmp_path / "public")
    key = target.key_for(asset.sha256, ".png")
    target.put(store.media.root / asset.path, key, "image/png")  # copied, never recorded
    os.utime(tmp_path / "public" / key, (1, 1))
    assert store.publications.get(asset.id, "local") is None

    row = Publisher(store, target).publish(asset.id)

    assert row.key == key
    assert (tmp_path / "public" / key).stat().st_mtime == 1


class _Expiring(LocalTarget):
    """A local folder whose links expire in an hour, counting what it is asked."""

    name = "expiring"

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.puts = 0
        self.links = 0

    def put(self, path: Path, key: str, mime: str) -> Placed:
        self.puts += 1
        placed = super().put(path, key, mime)
        return Placed(key, placed.url, datetime.now(UTC) + timedelta(hours=1), None, True)

    def link(self, key: str) -> tuple[str, datetime | None]:
        self.links += 1
        return f"{super().link(key)[0]}?renewed={self.links}", datetime.now(UTC) + timedelta(
            hours=1
        )


def test_an_expired_link_is_renewed_without_sending_the_bytes_again(
    store: Store, tmp_path: Path
) -> None:
    asset = _asset(store, b"a link that expires")
    target = _Expiring(tmp_path / "public")
    publisher = Publisher(store, target)
    first = publisher.publish(asset.id)
    assert first.expires_at is not None

    fresh = publisher.publish(asset.id, now=datetime.now(UTC) + timedelta(minutes=10))
    assert fresh.url == first.url and target.links == 0
    later = publisher.publish(asset.id, now=datetime.now(UTC) + timedelta(hours=2))

    assert later.url.endswith("?renewed=1") and target.puts == 1
    assert store.publications.get(asset.id, "expiring") == later


def test_a_missing_file_or_asset_publishes_and_records_nothing(
    store: Store, tmp_path: Path
) -> None:
    asset = _asset(store, b"this file will vanish")
    (store.media.root / asset.path).unlink()
    publisher = Publisher(store, LocalTarget(tmp_path / "public"))

    with pytest.raises(DaveError, match="the asset's file is missing from the library"):
        publisher.publish(asset.id)
    with pytest.raises(NotFound):
        publisher.publish("a_nothing")
    assert store.publications.for_asset(asset.id) == []
    assert not (tmp_path / "public").exists()


def test_a_key_can_never_lead_out_of_the_folder(tmp_path: Path) -> None:
    target = LocalTarget(tmp_path / "public")
    for key in ("../escape.png", "sub/dir.png", "/etc/passwd"):
        with pytest.raises(DaveError, match="not a publish key"):
            target.find(key)
