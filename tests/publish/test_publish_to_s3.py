"""`dave publish --to s3` and `--publish-to s3` end to end, against moto's S3 server: what an
anonymous GET of the printed link returns (presigned from a private bucket, lasting from a
public one), a republish that the server never hears of, a crash between upload and record
healed with a HEAD and no upload, and a store that cannot be reached recording nothing."""

from __future__ import annotations

import json
from pathlib import Path

from dave.publish.s3 import S3Target
from tests.conftest import run_dave
from tests.publish.conftest import S3Server, anonymous_get


def _s3_env(server: S3Server, bucket: str, **extra: str) -> dict[str, str]:
    return {
        "DAVE_S3_BUCKET": bucket,
        "DAVE_S3_ENDPOINT_URL": server.endpoint,
        "DAVE_S3_PREFIX": "dave/",
        **extra,
    }


def _made_and_published(env: dict[str, str]) -> dict[str, object]:
    done = run_dave("image", "a red fox", "--offline", "--publish-to", "s3", "--json", env=env)
    assert done.returncode == 0, done.stderr
    payload: dict[str, object] = json.loads(done.stdout)
    return payload


def test_a_private_bucket_gives_a_presigned_link_and_a_republish_sends_nothing(
    s3_server: S3Server,
) -> None:
    env = _s3_env(s3_server, s3_server.make_bucket())
    payload = _made_and_published(env)
    [asset] = payload["assets"]  # type: ignore[misc]
    [entry] = payload["published"]  # type: ignore[misc]

    assert entry["key"] == f"dave/{asset['sha256']}.{asset['path'].rsplit('.', 1)[1]}"
    assert entry["expires_at"] is not None and "X-Amz-Signature=" in entry["url"]
    assert anonymous_get(entry["url"]) == (200, Path(asset["path"]).read_bytes())

    with s3_server.recording() as requests:
        again = run_dave("publish", asset["id"], "--to", "s3", "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["published"] == [entry]
    assert requests == []  # a link still fresh is handed out from the journal


def test_a_public_base_url_gives_a_lasting_link_anyone_can_fetch(s3_server: S3Server) -> None:
    bucket = s3_server.make_bucket(public=True)
    base = f"{s3_server.endpoint}/{bucket}"
    payload = _made_and_published(_s3_env(s3_server, bucket, DAVE_S3_PUBLIC_BASE_URL=base))
    [asset] = payload["assets"]  # type: ignore[misc]
    [entry] = payload["published"]  # type: ignore[misc]

    assert entry["url"] == f"{base}/{entry['key']}" and entry["expires_at"] is None
    assert anonymous_get(entry["url"]) == (200, Path(asset["path"]).read_bytes())


def test_an_upload_never_recorded_is_found_and_recorded_without_a_second_upload(
    s3_server: S3Server,
) -> None:
    bucket = s3_server.make_bucket()
    env = _s3_env(s3_server, bucket)
    made = run_dave("image", "a red fox", "--offline", "--json")
    [asset] = json.loads(made.stdout)["assets"]
    target = S3Target(bucket, prefix="dave/", endpoint_url=s3_server.endpoint)
    key = target.key_for(asset["sha256"], Path(asset["path"]).suffix)
    target.put(Path(asset["path"]), key, asset["mime"])  # the upload; then the process died

    with s3_server.recording() as requests:
        done = run_dave("publish", asset["id"], "--to", "s3", "--json", env=env)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["published"][0]["key"] == key
    assert [r.method for r in requests] == ["HEAD"]
    shown = json.loads(run_dave("assets", "show", asset["id"], "--json").stdout)
    assert [p["key"] for p in shown["asset"]["published"]] == [key]


def test_an_unreachable_store_is_one_line_and_records_nothing(s3_server: S3Server) -> None:
    made = run_dave("image", "a red fox", "--offline", "--json")
    [asset] = json.loads(made.stdout)["assets"]
    env = {"DAVE_S3_BUCKET": "dave-anything", "DAVE_S3_ENDPOINT_URL": "http://127.0.0.1:9"}

    done = run_dave("publish", asset["id"], "--to", "s3", env=env, timeout=120)

    assert done.returncode == 1
    assert (
        done.stderr.startswith("dave: error: cannot reach") and len(done.stderr.splitlines()) == 1
    )
    assert "Traceback" not in done.stderr and "dave-test-secret" not in done.stderr
    shown = json.loads(run_dave("assets", "show", asset["id"], "--json").stdout)
    assert shown["asset"]["published"] == []


def test_an_expired_presigned_link_is_renewed_with_nothing_sent(
    s3_server: S3Server, dave_home: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from dave.publish.publisher import Publisher
    from dave.store import Store

    bucket = s3_server.make_bucket()
    made = run_dave("image", "a red fox", "--offline", "--json")
    [asset] = json.loads(made.stdout)["assets"]
    target = S3Target(bucket, endpoint_url=s3_server.endpoint, presign_expires_s=3600)
    with Store.open(dave_home) as store:
        publisher = Publisher(store, target)
        first = publisher.publish(asset["id"])
        with s3_server.recording() as requests:
            renewed = publisher.publish(asset["id"], now=datetime.now(UTC) + timedelta(hours=2))

    assert requests == []  # presigning is local: no upload, no HEAD
    # Signed again (from the real clock, so within the same second the text may match).
    assert renewed.key == first.key and "X-Amz-Signature=" in renewed.url
    assert renewed.expires_at is not None and first.expires_at is not None
    assert renewed.expires_at > first.expires_at and renewed.published_at > first.published_at
    assert anonymous_get(renewed.url) == (200, Path(asset["path"]).read_bytes())
