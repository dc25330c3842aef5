"""S3Target against a real S3-protocol server (moto on loopback): where the bytes go and with
which headers, that a republish sends no bytes (counted by the server), links that work
anonymously, multipart uploads, create-only under a race, and one clear line for each way the
store can refuse — none of which shows a credential.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dave.core.errors import ConfigError, DaveError
from dave.core.redact import redact
from dave.publish import s3
from dave.publish.errors import BucketMissing, CredentialsRefused, TargetUnreachable
from dave.publish.s3 import S3Target
from dave.publish.target import CACHE_CONTROL
from tests.publish.conftest import (
    ACCESS_KEY_ID,
    SECRET_ACCESS_KEY,
    S3Server,
    anonymous_get,
)

MIB = 1 << 20


def _file(folder: Path, size: int, name: str = "asset.bin") -> tuple[Path, str]:
    """A file of `size` bytes (not all alike) and its sha256."""
    path = folder / name
    block = os.urandom(min(size, MIB)) if size else b""
    with path.open("wb") as out:
        left = size
        while left:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def _target(server: S3Server, bucket: str, **options: object) -> S3Target:
    return S3Target(bucket, endpoint_url=server.endpoint, **options)  # type: ignore[arg-type]


def _never_shows_a_credential(*texts: str) -> None:
    for text in texts:
        assert SECRET_ACCESS_KEY not in text
        assert ACCESS_KEY_ID not in text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_put_places_the_bytes_at_the_content_key_with_its_type_and_cache_control(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 300_000)
    target = _target(s3_server, bucket, prefix="media/")

    key = target.key_for(sha, ".png")
    assert key == f"media/{sha}.png"
    placed = target.put(path, key, "image/png")

    assert placed.uploaded is True
    assert placed.key == key
    listed = s3_server.admin.list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listed["Contents"]] == [key]
    stored = s3_server.admin.get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == path.read_bytes()
    assert stored["ContentType"] == "image/png"
    assert stored["CacheControl"] == CACHE_CONTROL
    assert placed.etag == stored["ETag"].strip('"')
    assert target.name == "s3"


def test_a_second_put_of_the_same_key_sends_one_head_and_no_bytes(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 200_000)
    target = _target(s3_server, bucket)
    key = target.key_for(sha, "jpg")
    first = target.put(path, key, "image/jpeg")

    with s3_server.recording() as requests:
        again = S3Target(bucket, endpoint_url=s3_server.endpoint).put(path, key, "image/jpeg")

    assert [(r.method, r.url.split("?")[0]) for r in requests] == [
        ("HEAD", f"{s3_server.endpoint}/{bucket}/{key}")
    ]
    assert sum(r.body_bytes for r in requests) == 0
    assert again.uploaded is False
    assert (again.key, again.etag) == (first.key, first.etag)


def test_the_first_put_is_sent_create_only(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 1000)
    target = _target(s3_server, bucket)

    with s3_server.recording() as requests:
        target.put(path, target.key_for(sha, "bin"), "application/octet-stream")

    [upload] = [r for r in requests if r.method == "PUT"]
    assert upload.headers.get("If-None-Match") == "*"
    assert upload.body_bytes >= 1000


def test_find_gives_none_for_a_missing_key_and_the_object_once_placed(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 1234)
    target = _target(s3_server, bucket)
    key = target.key_for(sha, "webp")

    assert target.find(key) is None
    target.put(path, key, "image/webp")
    found = target.find(key)

    assert found is not None
    assert found.uploaded is False
    assert found.key == key
    assert found.etag == hashlib.md5(path.read_bytes()).hexdigest()  # a single-part ETag


def test_a_public_base_url_gives_lasting_links_that_anyone_can_fetch(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket(public=True)
    path, sha = _file(tmp_path, 50_000)
    target = _target(s3_server, bucket, public_base_url=f"{s3_server.endpoint}/{bucket}/")
    key = target.key_for(sha, "mp4")

    placed = target.put(path, key, "video/mp4")

    assert placed.url == f"{s3_server.endpoint}/{bucket}/{key}"
    assert placed.expires_at is None
    assert target.link(key) == (placed.url, None)
    assert anonymous_get(placed.url) == (200, path.read_bytes())


def test_a_private_bucket_gives_presigned_links_and_refuses_the_bare_url(
    s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 70_000)
    target = _target(s3_server, bucket, presign_expires_s=600)
    key = target.key_for(sha, "png")

    before = datetime.now(UTC)
    placed = target.put(path, key, "image/png")

    assert "X-Amz-Signature=" in placed.url
    assert placed.expires_at is not None and placed.expires_at.tzinfo is not None
    assert before + timedelta(seconds=600) <= placed.expires_at
    assert placed.expires_at <= datetime.now(UTC) + timedelta(seconds=600)
    assert anonymous_get(placed.url) == (200, path.read_bytes())
    status, _ = anonymous_get(f"{s3_server.endpoint}/{bucket}/{key}")
    assert status == 403
    assert SECRET_ACCESS_KEY not in placed.url


def test_a_file_above_the_threshold_goes_up_in_parts(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # S3's smallest part is 5 MiB; three parts, the last one short.
    monkeypatch.setattr(s3, "MULTIPART_THRESHOLD", 5 * MIB)
    monkeypatch.setattr(s3, "MULTIPART_CHUNKSIZE", 5 * MIB)
    # One part at a time: moto's recorder interleaves the lines of concurrent requests.
    monkeypatch.setattr(s3, "MAX_CONCURRENCY", 1)
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 12 * MIB + 321)
    target = _target(s3_server, bucket)
    key = target.key_for(sha, "mp4")

    with s3_server.recording() as requests:
        placed = target.put(path, key, "video/mp4")

    assert placed.uploaded is True
    assert placed.etag is not None and placed.etag.endswith("-3")
    assert sum(1 for r in requests if r.method == "PUT" and "partNumber=" in r.url) == 3
    [complete] = [r for r in requests if r.method == "POST" and "uploadId=" in r.url]
    assert complete.headers.get("If-None-Match") == "*"
    stored = s3_server.admin.get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == path.read_bytes()
    assert stored["ContentType"] == "video/mp4"
    assert stored["CacheControl"] == CACHE_CONTROL


@pytest.mark.parametrize("size", [4000, 11 * MIB], ids=["single-part", "multipart"])
def test_an_upload_that_loses_a_race_links_to_the_winners_object(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(s3, "MULTIPART_THRESHOLD", 5 * MIB)
    monkeypatch.setattr(s3, "MULTIPART_CHUNKSIZE", 5 * MIB)
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, size)
    target = _target(s3_server, bucket)
    key = target.key_for(sha, "bin")
    # Another publisher's object lands between this one's HEAD and its upload.
    s3_server.admin.put_object(Bucket=bucket, Key=key, Body=b"the winner", ContentType="x/y")
    real_find = target.find
    calls: list[str] = []

    def find_after_the_race(key: str) -> object:
        calls.append(key)
        return None if len(calls) == 1 else real_find(key)

    monkeypatch.setattr(target, "find", find_after_the_race)
    placed = target.put(path, key, "application/octet-stream")

    assert placed.uploaded is False
    assert s3_server.admin.get_object(Bucket=bucket, Key=key)["Body"].read() == b"the winner"
    assert s3_server.admin.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


@pytest.mark.parametrize("seconds", [0, -5, 604_801])
def test_presigned_link_lifetimes_outside_1_s_to_7_days_are_refused(
    s3_server: S3Server, seconds: int
) -> None:
    with pytest.raises(ConfigError, match="1 to 604800 s"):
        S3Target("bucket", endpoint_url=s3_server.endpoint, presign_expires_s=seconds)


@pytest.mark.parametrize("seconds", [1, 604_800])
def test_presigned_link_lifetimes_of_1_s_and_7_days_are_taken(
    s3_server: S3Server, seconds: int
) -> None:
    target = S3Target("bucket", endpoint_url=s3_server.endpoint, presign_expires_s=seconds)
    assert f"X-Amz-Expires={seconds}" in target.link("k.png")[0]


def test_an_unreachable_endpoint_is_one_line_naming_it(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    target = S3Target("bucket", endpoint_url=endpoint)
    path, sha = _file(tmp_path, 100)

    for call in (
        lambda: target.find("k.bin"),
        lambda: target.put(path, target.key_for(sha, "bin"), "application/octet-stream"),
    ):
        with pytest.raises(TargetUnreachable) as caught:
            call()
        assert str(caught.value) == f"cannot reach the S3 endpoint {endpoint}"
        assert caught.value.__suppress_context__ and caught.value.__cause__ is None


def test_a_missing_bucket_is_one_line_naming_it(s3_server: S3Server, tmp_path: Path) -> None:
    target = S3Target("dave-no-such-bucket", endpoint_url=s3_server.endpoint)
    path, sha = _file(tmp_path, 100)

    with pytest.raises(BucketMissing, match=r"^S3 bucket 'dave-no-such-bucket' does not exist$"):
        target.find("k.bin")
    with pytest.raises(BucketMissing, match=r"^S3 bucket 'dave-no-such-bucket' does not exist$"):
        target.put(path, target.key_for(sha, "bin"), "application/octet-stream")


def _refusals(target: S3Target, path: Path, key: str) -> list[DaveError]:
    errors: list[DaveError] = []
    for call in (lambda: target.find(key), lambda: target.put(path, key, "image/png")):
        with pytest.raises(CredentialsRefused) as caught:
            call()
        errors.append(caught.value)
    return errors


def _shows_nothing_secret(error: DaveError, *secrets: str) -> None:
    for text in (str(error), repr(error), error.user_line(), repr(error.args)):
        for secret in secrets:
            assert secret not in text
    assert error.__cause__ is None and error.__suppress_context__


def test_refused_credentials_are_one_line_without_the_secret(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 100)
    key_id, secret = s3_server.access_key(["s3:*"])
    wrong_secret = secret[::-1]
    cases = {
        "a wrong secret": (key_id, wrong_secret),
        "an unknown key id": ("AKIADAVEUNKNOWN00001", SECRET_ACCESS_KEY),
    }

    with s3_server.checking_credentials():
        # The right key works while the server checks: the refusals below are the keys'.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        allowed = S3Target(bucket, endpoint_url=s3_server.endpoint)
        assert allowed.put(path, allowed.key_for(sha, "png"), "image/png").uploaded
        for case, (use_id, use_secret) in cases.items():
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", use_id)
            monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", use_secret)
            target = S3Target(bucket, endpoint_url=s3_server.endpoint)
            for error in _refusals(target, path, target.key_for(sha + "0", "png")):
                assert str(error) == f"S3 refused the credentials for bucket {bucket!r} (403)", case
                _shows_nothing_secret(error, use_secret, secret, use_id)
                assert use_secret not in repr(target)


def test_credentials_that_may_read_but_not_write_are_refused_at_the_upload(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 100)
    key_id, secret = s3_server.access_key(["s3:GetObject", "s3:ListBucket"])
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)

    with s3_server.checking_credentials():
        target = S3Target(bucket, endpoint_url=s3_server.endpoint)
        key = target.key_for(sha, "png")
        assert target.find(key) is None
        with pytest.raises(CredentialsRefused) as caught:
            target.put(path, key, "image/png")

    refused = f"S3 refused the credentials for bucket {bucket!r} (403 AccessDenied)"
    assert str(caught.value) == refused
    _shows_nothing_secret(caught.value, secret, key_id)
    assert s3_server.admin.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_no_credentials_at_all_is_one_line(
    s3_server: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 100)
    target = S3Target(bucket, endpoint_url=s3_server.endpoint)

    for call in (
        lambda: target.find("k.png"),
        lambda: target.put(path, target.key_for(sha, "png"), "image/png"),
        lambda: target.link("k.png"),
    ):
        with pytest.raises(CredentialsRefused, match=r"^no AWS credentials were found for S3$"):
            call()


def test_the_secret_is_in_no_repr_and_no_log_line(
    s3_server: S3Server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bucket = s3_server.make_bucket()
    path, sha = _file(tmp_path, 6 * MIB)
    caplog.set_level(logging.DEBUG)

    target = S3Target(bucket, endpoint_url=s3_server.endpoint)
    key = target.key_for(sha, "png")
    placed = target.put(path, key, "image/png")
    target.put(path, key, "image/png")

    assert "botocore" in caplog.text  # boto3 did log, at DEBUG
    assert SECRET_ACCESS_KEY not in caplog.text
    _never_shows_a_credential(repr(target), str(vars(target)))
    # A presigned URL names the access key id (that is how S3 checks it), never the secret.
    assert SECRET_ACCESS_KEY not in repr(placed)
    # Registered with dave's redactor, so whatever prints through it is masked.
    assert redact(f"x {SECRET_ACCESS_KEY} y") == "x *** y"


def test_unusable_settings_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ConfigError):
        S3Target("")
    with pytest.raises(ConfigError, match="starts with '/'"):
        S3Target("bucket", prefix="/media/")
    with pytest.raises(ConfigError, match="not an http"):
        S3Target("bucket", public_base_url="cdn.example.com")
