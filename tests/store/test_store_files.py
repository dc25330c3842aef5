"""The media folder: staged writes, content-addressed atomic commits, no temp left behind."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from dave.core.errors import NotFound, StoreError
from dave.store import MediaFolder


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_committed_file_lives_at_its_sha256_with_its_bytes_and_no_temp(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    data = [b"\x89PNG\r\n", b"x" * 100_000, b"end"]
    digest = hashlib.sha256(b"".join(data)).hexdigest()

    staging = media.stage(suffix=".png")
    assert staging.path.parent == tmp_path / "media" / ".tmp"
    for chunk in data:
        staging.write(chunk)
    assert staging.sha256 == digest
    assert staging.bytes == sum(len(c) for c in data)
    final = media.commit(staging, ".PNG")

    assert final == tmp_path / "media" / digest[:2] / digest[2:4] / f"{digest}.png"
    assert final.read_bytes() == b"".join(data)
    assert media.temps() == []
    assert _files(tmp_path / "media") == [f"{digest[:2]}/{digest[2:4]}/{digest}.png"]
    assert media.relative(final) == f"{digest[:2]}/{digest[2:4]}/{digest}.png"
    assert media.absolute(media.relative(final)) == final
    assert media.commit(staging, "png") == final  # committing twice is harmless


def test_discard_leaves_nothing(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    staging = media.stage()
    staging.write(b"partial download")
    assert staging.path.exists()
    staging.discard()
    staging.discard()
    assert _files(tmp_path / "media") == []
    with pytest.raises(StoreError, match="discarded"):
        media.commit(staging, "png")


def test_an_error_inside_a_staging_block_discards_the_temp(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    with pytest.raises(ConnectionError), media.stage() as staging:
        staging.write(b"half of it")
        raise ConnectionError("peer went away")
    assert not staging.path.exists()
    assert _files(tmp_path / "media") == []


def test_a_staging_block_that_ends_well_keeps_the_file_for_commit(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    with media.stage() as staging:
        staging.write(b"whole")
    assert staging.closed and staging.path.read_bytes() == b"whole"
    with pytest.raises(StoreError, match="closed"):
        staging.write(b"more")
    assert media.commit(staging, "bin").read_bytes() == b"whole"


def test_identical_content_twice_is_one_file(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    first = media.put_bytes(b"same bytes", "jpg")
    second = media.commit(media.stage_bytes(b"same bytes"), "jpg")
    assert first == second
    assert _files(tmp_path / "media") == [first.relative_to(tmp_path / "media").as_posix()]


def test_a_truncated_file_at_the_address_is_replaced(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    data = b"the whole thing"
    target = media.path_for(hashlib.sha256(data).hexdigest(), "bin")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the wh")
    assert media.put_bytes(data, "bin") == target
    assert target.read_bytes() == data


def test_a_staged_file_can_be_reopened_after_a_restart_and_committed(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    name = media.stage_bytes(b"inline base64 result").name
    assert name.startswith(".tmp/")

    again = MediaFolder(tmp_path / "media").reopen(name)
    assert again.sha256 == hashlib.sha256(b"inline base64 result").hexdigest()
    assert again.bytes == 20
    final = media.commit(again, "png")
    assert final.read_bytes() == b"inline base64 result"
    assert media.temps() == []
    with pytest.raises(NotFound):
        media.reopen(name)
    with pytest.raises(StoreError):
        media.reopen(media.relative(final))


def test_clean_temps_removes_only_stale_unkept_temps(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    stale = media.stage_bytes(b"crashed")
    kept = media.stage_bytes(b"journaled by an unfinished job")
    fresh = media.stage()
    fresh.write(b"still downloading")
    old = time.time() - 7200
    for staging in (stale, kept):
        os.utime(staging.path, (old, old))

    assert media.clean_temps(older_than_s=3600, keep=[kept.name]) == 1
    assert not stale.path.exists()
    assert kept.path.exists() and fresh.path.exists()
    fresh.discard()


def test_paths_outside_the_media_folder_are_refused(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    for bad in ("../dave.db", "/etc/passwd", "ab/../../x", ""):
        with pytest.raises(StoreError):
            media.absolute(bad)
    with pytest.raises(StoreError, match="outside"):
        media.relative(tmp_path / "elsewhere.png")
    with pytest.raises(StoreError, match="sha256"):
        media.path_for("not-a-hash", "png")
    with pytest.raises(StoreError, match="extension"):
        media.path_for("a" * 64, "p/ng")


def test_bytes_written_are_readable_from_the_path_before_close(tmp_path: Path) -> None:
    media = MediaFolder(tmp_path / "media")
    staging = media.stage()
    staging.write(b"header")
    staging.write(b"body" * 1000)
    assert staging.path.read_bytes() == b"header" + b"body" * 1000  # a verifier can read it
    assert not staging.closed
    staging.discard()
