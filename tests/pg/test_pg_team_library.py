"""The team store end to end: the journal on a real PostgreSQL, the media in moto's S3. One
machine (a DAVE_HOME) makes an image; another, with an empty cache, reads it through the
gallery, `dave assets`, the Studio and an MCP resource, each streaming it from S3."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from mcp_types import BlobResourceContents
from PIL import Image

from dave import Studio
from dave.emulator import EmulatorServer
from dave.store import Store
from tests.mcp.conftest import stdio_session
from tests.s3server import S3Server, use_fake_aws
from tests.server.conftest import start_server

PREFIX = "team/"


@pytest.fixture
def team(s3_server: S3Server, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DAVE_DATABASE_URL on PostgreSQL and DAVE_MEDIA_URL on a new bucket; the bucket's name."""
    use_fake_aws(tmp_path, monkeypatch)
    bucket = s3_server.make_bucket()
    monkeypatch.setenv("DAVE_MEDIA_URL", f"s3://{bucket}/{PREFIX}")
    monkeypatch.setenv("DAVE_S3_ENDPOINT_URL", s3_server.endpoint)
    return bucket


async def _make_image(prompt: str) -> tuple[str, str, bytes]:
    async with Studio() as studio:
        result = await studio.image(prompt)
        (asset,) = result.assets
        return asset.id, asset.path, result.paths()[0].read_bytes()


async def test_an_image_made_on_one_machine_is_read_on_another_through_every_door(
    xai: EmulatorServer,
    team: str,
    s3_server: S3Server,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DAVE_HOME", str(tmp_path / "maker"))
    asset_id, rel, made = await _make_image("a lighthouse drawn in chalk")
    sha = hashlib.sha256(made).hexdigest()
    stored = s3_server.admin.get_object(Bucket=team, Key=f"{PREFIX}{rel}")["Body"].read()
    assert stored == made
    with Store.open(tmp_path / "elsewhere", pg_url) as journal:
        assert journal.assets.get(asset_id).sha256 == sha  # the row is on PostgreSQL

    # Another machine: the same journal and bucket, nothing in its media folder.
    reader_home = tmp_path / "reader"
    monkeypatch.setenv("DAVE_HOME", str(reader_home))
    cached = reader_home / "media" / rel
    served = start_server()
    try:
        with httpx2.Client(base_url=served.url, timeout=30) as client:
            listed = client.get("/api/assets").json()
            assert [item["id"] for item in listed["assets"]] == [asset_id]
            answer = client.get(f"/media/{asset_id}")
            assert answer.status_code == 200 and answer.content == made
            assert answer.headers["etag"] == f'"{sha}"'
            thumb = client.get(f"/thumbs/{asset_id}?w=256")
            assert thumb.status_code == 200
            with Image.open(io.BytesIO(thumb.content)) as picture:
                assert picture.format == "JPEG" and picture.width == 256
    finally:
        served.stop()
    assert cached.read_bytes() == made

    # The MCP resource, on a third machine.
    monkeypatch.setenv("DAVE_HOME", str(tmp_path / "mcp"))
    async with stdio_session() as session:
        read = await session.read_resource(f"dave://assets/{asset_id}")
    (content,) = read.contents
    assert isinstance(content, BlobResourceContents)
    assert base64.b64decode(content.blob) == made

    # `dave assets show` and the Studio on a fourth: the path they print holds the bytes.
    fourth = tmp_path / "fourth"
    monkeypatch.setenv("DAVE_HOME", str(fourth))
    async with Studio() as studio:
        job_id = studio.assets.get(asset_id).job_id
        assert job_id is not None
        (path,) = studio.result(studio.jobs.get(job_id)).paths()
    assert path == fourth / "media" / rel and path.read_bytes() == made
    shown = subprocess.run(
        [sys.executable, "-m", "dave", "assets", "show", asset_id, "--json"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert json.loads(shown.stdout)["asset"]["sha256"] == sha


@pytest.mark.parametrize("response_format", ["url", "b64_json"])
async def test_a_row_is_recorded_only_once_s3_holds_the_file_and_the_resume_keeps_it(
    xai: EmulatorServer,
    team: str,
    s3_server: S3Server,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    response_format: str,
) -> None:
    from dave.core.errors import StoreError

    monkeypatch.setenv("DAVE_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # S3 down
    monkeypatch.setenv("DAVE_HOME", str(tmp_path / "maker"))
    async with Studio() as studio:
        with pytest.raises(StoreError, match="cannot reach the S3 endpoint") as caught:
            await studio.image("a harbour at dawn", response_format=response_format)
    with Store.open(tmp_path / "elsewhere", pg_url) as journal:
        (job,) = journal.jobs.list()
        assert journal.assets.list() == []
        assert journal.jobs.get(job.id).state.value == "downloading"
    assert f"dave jobs resume {job.id}" in caught.value.user_line()
    assert s3_server.admin.list_objects_v2(Bucket=team).get("KeyCount") == 0

    # S3 is back: the resume (here on the same machine) uploads it, then records it.
    monkeypatch.setenv("DAVE_S3_ENDPOINT_URL", s3_server.endpoint)
    async with Studio() as studio:
        (resumed,) = await studio.resume(job.id)
    assert resumed.job.state.value == "done"
    (asset,) = resumed.assets
    stored = s3_server.admin.get_object(Bucket=team, Key=f"{PREFIX}{asset.path}")["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == asset.sha256
    assert len(xai.log.posts("*/images/generations")) == 1  # paid once
