"""The team media library in S3 (moto's server on loopback): a commit files locally, then
uploads under the content-addressed key; a read on a machine without the file streams it from
S3 into its cache and checks it against the sha256 in its name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.s3server import SECRET_ACCESS_KEY, S3Server, use_fake_aws

from dave.core.errors import ConfigError, NotFound, StoreError
from dave.core.settings import S3Media, load_settings
from dave.store import Store, open_media
from dave.store.files import MediaFolder
from dave.store.s3media import S3MediaFolder


@pytest.fixture(autouse=True)
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws(tmp_path, monkeypatch)


def _library(server: S3Server, root: Path, bucket: str, prefix: str = "team/") -> S3MediaFolder:
    media = open_media(root, S3Media(bucket, prefix, server.endpoint))
    assert isinstance(media, S3MediaFolder)
    return media


def test_a_commit_uploads_the_file_under_its_content_address(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    media = _library(s3_server, tmp_path / "a", bucket)
    data = b"\x89PNG fake but fine for the folder" * 100
    path = media.put_bytes(data, "png")
    rel = media.relative(path)
    sha = hashlib.sha256(data).hexdigest()
    assert rel == f"{sha[:2]}/{sha[2:4]}/{sha}.png"
    stored = s3_server.admin.get_object(Bucket=bucket, Key=f"team/{rel}")
    assert stored["Body"].read() == data
    assert stored["ContentType"] == "image/png"
    assert stored["Metadata"] == {"sha256": sha}
    assert path.read_bytes() == data  # the local cache holds it too


def test_a_second_commit_of_the_same_bytes_sends_no_upload(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    first = _library(s3_server, tmp_path / "a", bucket)
    first.put_bytes(b"same bytes", "txt")
    other = _library(s3_server, tmp_path / "b", bucket)  # another machine, empty cache
    with s3_server.recording() as requests:
        other.put_bytes(b"same bytes", "txt")
    assert [r.method for r in requests] == ["HEAD"]


def test_a_machine_without_the_file_streams_it_from_s3_into_its_cache(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    data = bytes(range(256)) * 9000  # past one read chunk
    rel = _library(s3_server, tmp_path / "a", bucket).relative(
        _library(s3_server, tmp_path / "a", bucket).put_bytes(data, "bin")
    )
    reader = _library(s3_server, tmp_path / "b", bucket)
    assert not (tmp_path / "b" / "media" / rel).exists()
    assert reader.exists(rel)
    fetched = reader.fetch(rel)
    assert fetched == tmp_path / "b" / "media" / rel
    assert fetched.read_bytes() == data
    with s3_server.recording() as requests:
        assert reader.fetch(rel) == fetched  # cached: nothing asked of S3
    assert requests == []
    assert reader.temps() == []


def test_an_object_whose_bytes_do_not_match_its_name_is_refused_and_not_cached(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    writer = _library(s3_server, tmp_path / "a", bucket)
    rel = writer.relative(writer.put_bytes(b"the real bytes", "txt"))
    s3_server.admin.put_object(Bucket=bucket, Key=f"team/{rel}", Body=b"tampered bytes")
    reader = _library(s3_server, tmp_path / "b", bucket)
    with pytest.raises(StoreError, match="does not hold the bytes its name promises"):
        reader.fetch(rel)
    assert not (tmp_path / "b" / "media" / rel).exists()
    assert reader.temps() == []


def test_a_file_in_neither_place_is_not_found(s3_server: S3Server, tmp_path: Path) -> None:
    media = _library(s3_server, tmp_path, s3_server.make_bucket())
    rel = f"ab/cd/{'ab' * 32}.png"
    assert not media.exists(rel)
    with pytest.raises(NotFound, match="is in neither"):
        media.fetch(rel)
    with pytest.raises(StoreError, match="not a path inside"):
        media.fetch("../../etc/passwd")


def test_a_missing_bucket_or_endpoint_is_one_line_without_the_secret(
    s3_server: S3Server, tmp_path: Path
) -> None:
    missing = _library(s3_server, tmp_path / "a", "no-such-bucket-here")
    with pytest.raises(StoreError) as caught:
        missing.put_bytes(b"x", "txt")
    assert "no-such-bucket-here" in caught.value.user_line()
    assert "\n" not in caught.value.user_line()
    assert SECRET_ACCESS_KEY not in caught.value.user_line()
    # Nothing recorded can point at it: the caller records only after commit returns.
    closed = open_media(tmp_path / "b", S3Media("bucket", "", "http://127.0.0.1:9"))
    with pytest.raises(StoreError, match="cannot reach the S3 endpoint"):
        closed.put_bytes(b"x", "txt")


def test_dave_media_url_names_the_bucket_and_prefix(
    monkeypatch: pytest.MonkeyPatch, dave_home: Path
) -> None:
    assert load_settings().media_s3 is None
    monkeypatch.setenv("DAVE_MEDIA_URL", "s3://studio-media/dave")
    monkeypatch.setenv("DAVE_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    location = load_settings().media_s3
    assert location == S3Media("studio-media", "dave/", "http://127.0.0.1:9000")
    with Store.for_settings(load_settings()) as store:
        assert isinstance(store.media, S3MediaFolder)
        assert store.media.root == dave_home / "media"
    for bad in ("https://studio-media/x", "s3://", "s3:///x", "s3://b/../up"):
        monkeypatch.setenv("DAVE_MEDIA_URL", bad)
        with pytest.raises(ConfigError, match="DAVE_MEDIA_URL"):
            load_settings()


def test_without_a_media_url_the_folder_is_local(dave_home: Path) -> None:
    with Store.for_settings(load_settings()) as store:
        assert type(store.media) is MediaFolder
